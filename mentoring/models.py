"""Mentoring (Transfert de savoir-faire / Mentorat): needs, diagnosis, resource pool, match
proposals, tripartite engagements and feedback. Every row belongs to one tenant."""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from portal.enums import Aesthetic, MainActivity
from portal.geo import DEPARTEMENT_REGION
from portal.models import Tenant
from portal.textlimits import COMMENT, LONG_TEXT, PRESENTATION, bounded

from .enums import (AssignmentRunState, DiagnosisOutcome, EngagementState, FeedbackSide, HopedFormat, NeedState,
                    PersonStatus, ProposalSource, ProposalStatus)

DEPARTEMENT_CHOICES = [(code, code) for code in sorted(DEPARTEMENT_REGION)]


class Theme(models.Model):
    """A theme of the scheme (editable list per tenant)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="mentoring_themes")
    label = models.CharField(_("intitulé"), max_length=200)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    active = models.BooleanField(_("proposée dans le questionnaire"), default=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("thématique")
        verbose_name_plural = _("thématiques")
        constraints = [models.UniqueConstraint(fields=["tenant", "label"],
                                               name="mentoring_theme_unique_label")]

    def __str__(self):
        return self.label


class MatchingWeights(models.Model):
    """The weights of the matchmaker's score, per tenant (points out of their sum)."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE,
                                  related_name="mentoring_weights")
    theme = models.PositiveSmallIntegerField(_("adéquation des thématiques et niveau"), default=40,
                                             validators=[MaxValueValidator(100)])
    sector = models.PositiveSmallIntegerField(_("secteur et esthétiques"), default=15,
                                              validators=[MaxValueValidator(100)])
    proximity = models.PositiveSmallIntegerField(_("proximité (département, région)"), default=20,
                                                 validators=[MaxValueValidator(100)])
    load = models.PositiveSmallIntegerField(_("équilibre de la charge"), default=15,
                                            validators=[MaxValueValidator(100)])
    feedback = models.PositiveSmallIntegerField(_("retours des accompagnements passés"),
                                                default=10, validators=[MaxValueValidator(100)])

    objects = ScopedManager(tenant="tenant")

    FACTORS = ("theme", "sector", "proximity", "load", "feedback")

    class Meta:
        verbose_name = _("pondération du rapprochement")
        verbose_name_plural = _("pondérations du rapprochement")
        constraints = [models.CheckConstraint(
            condition=Q(theme__gt=0) | Q(sector__gt=0) | Q(proximity__gt=0) | Q(load__gt=0)
            | Q(feedback__gt=0), name="mentoring_weights_not_all_zero")]

    def __str__(self):
        return f"{self.tenant}"

    def clean(self):
        if not any(getattr(self, f) for f in self.FACTORS):
            raise ValidationError(_("Au moins un critère doit avoir un poids non nul."))


class ResourcePerson(models.Model):
    """A person of the resource pool (employee or volunteer of a music structure)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="resource_people")
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    email = models.EmailField(_("adresse e-mail"), blank=True)
    job_title = models.CharField(_("fonction"), max_length=200, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="resource_profiles",
                             verbose_name=_("compte utilisateur"))
    structure = models.ForeignKey("applications.Structure", on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="resource_people",
                                  verbose_name=_("structure (profil sur le portail)"))
    structure_name = models.CharField(_("structure"), max_length=200, blank=True,
                                      help_text=_("Nom de la structure si elle n'a pas de profil "
                                                  "sur le portail."))
    main_activity = models.CharField(_("activité principale de la structure"), max_length=32,
                                     choices=MainActivity.choices, blank=True)
    aesthetics = ArrayField(models.CharField(max_length=32, choices=Aesthetic.choices),
                            verbose_name=_("esthétiques"), default=list, blank=True)
    departement = models.CharField(_("département"), max_length=3, choices=DEPARTEMENT_CHOICES)
    remote_possible = models.BooleanField(_("accompagnement à distance possible"), default=True)
    max_engagements_per_year = models.PositiveSmallIntegerField(
        _("accompagnements par an (capacité)"), default=2,
        validators=[MinValueValidator(0), MaxValueValidator(20)])
    max_days_per_year = models.PositiveSmallIntegerField(
        _("jours par an (capacité)"), default=8,
        validators=[MinValueValidator(0), MaxValueValidator(100)])
    available_from = models.DateField(_("disponible à partir du"), null=True, blank=True)
    available_until = models.DateField(_("disponible jusqu'au"), null=True, blank=True)
    active = models.BooleanField(_("active dans le vivier"), default=True)
    bio = models.TextField(_("parcours et compétences"), blank=True, max_length=COMMENT,
                           validators=bounded(COMMENT))
    conflict_structures = models.ManyToManyField(
        "applications.Structure", blank=True, related_name="+",
        verbose_name=_("structures en conflit d'intérêts déclaré"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        verbose_name = _("personne-ressource")
        verbose_name_plural = _("personnes-ressources")
        constraints = [
            models.CheckConstraint(
                condition=Q(available_until__isnull=True) | Q(available_from__isnull=True)
                | Q(available_until__gte=models.F("available_from")),
                name="mentoring_resource_availability_ordered"),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return str(self)

    @property
    def structure_label(self) -> str:
        return self.structure.name if self.structure_id else self.structure_name

    @property
    def region_code(self) -> str:
        return DEPARTEMENT_REGION.get(self.departement, "")

    def clean(self):
        if self.available_from and self.available_until and \
                self.available_until < self.available_from:
            raise ValidationError({"available_until": _(
                "La fin de la disponibilité doit suivre son début.")})


class ResourceTheme(models.Model):
    """A theme a resource person covers, with a level: 1 notions, 2 confirmed, 3 expert."""

    class Level(models.IntegerChoices):
        BASIC = 1, _("1 — notions solides")
        CONFIRMED = 2, _("2 — confirmé·e")
        EXPERT = 3, _("3 — expert·e")

    resource = models.ForeignKey(ResourcePerson, on_delete=models.CASCADE,
                                 related_name="theme_levels")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="resource_levels")
    level = models.PositiveSmallIntegerField(_("niveau"), choices=Level.choices)

    objects = ScopedManager(tenant="resource__tenant")

    class Meta:
        ordering = ["theme__position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "theme"],
                                    name="mentoring_resource_theme_unique"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=3),
                                   name="mentoring_resource_theme_level_1_3"),
        ]


class NeedRequest(models.Model):
    """A need stated by a beneficiary structure in the online questionnaire."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="mentoring_needs")
    structure = models.ForeignKey("applications.Structure", on_delete=models.PROTECT,
                                  related_name="mentoring_needs", verbose_name=_("structure"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, related_name="mentoring_needs")
    person_name = models.CharField(_("personne à accompagner"), max_length=200)
    person_status = models.CharField(_("statut de la personne"), max_length=16,
                                     choices=PersonStatus.choices)
    person_role = models.CharField(_("mission ou fonction dans la structure"), max_length=200)
    themes = models.ManyToManyField(Theme, related_name="needs", verbose_name=_("thématiques"))
    description = models.TextField(_("description du besoin"), max_length=PRESENTATION,
                                   validators=bounded(PRESENTATION))
    hoped_format = models.CharField(_("format souhaité"), max_length=16,
                                    choices=HopedFormat.choices, default=HopedFormat.UNKNOWN)
    available_from = models.DateField(_("disponible à partir du"))
    available_until = models.DateField(_("disponible jusqu'au"))
    place = models.CharField(_("lieu souhaité"), max_length=200, blank=True)
    place_postal_code = models.CharField(_("code postal du lieu"), max_length=5, blank=True,
                                         help_text=_("Laisser vide : le lieu de la structure."))
    remote_possible = models.BooleanField(_("accompagnement à distance possible"), default=False)
    state = models.CharField(_("état"), max_length=16, choices=NeedState.choices,
                             default=NeedState.SUBMITTED, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("besoin d'accompagnement")
        verbose_name_plural = _("besoins d'accompagnement")
        constraints = [
            models.CheckConstraint(condition=Q(available_until__gte=models.F("available_from")),
                                   name="mentoring_need_availability_ordered"),
        ]

    def __str__(self):
        return _("Besoin n° %(pk)s — %(structure)s") % {"pk": self.pk,
                                                          "structure": self.structure}

    @property
    def reference(self) -> str:
        return f"TSF-{self.created_at:%Y}-{self.pk:04d}" if self.created_at else ""

    def clean(self):
        if self.available_from and self.available_until and \
                self.available_until < self.available_from:
            raise ValidationError({"available_until": _(
                "La fin de la période de disponibilité doit suivre son début.")})


class Diagnosis(models.Model):
    """The pilot structure's diagnosis of a need: TSF, mentoring, or a redirection."""

    need = models.OneToOneField(NeedRequest, on_delete=models.CASCADE, related_name="diagnosis")
    outcome = models.CharField(_("conclusion"), max_length=16, choices=DiagnosisOutcome.choices)
    days = models.DecimalField(_("nombre de jours prévus"), max_digits=3, decimal_places=1,
                               null=True, blank=True,
                               help_text=_("TSF : 1 à 2 jours ; mentorat : jusqu'à 4 jours."))
    comment = models.TextField(_("commentaire"), max_length=COMMENT,
                               validators=bounded(COMMENT))
    redirect_to = models.TextField(
        _("où s'adresser"), blank=True, max_length=COMMENT, validators=bounded(COMMENT),
        help_text=_("Pour une réorientation : l'organisme, le dispositif, le contact."))
    diagnosed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, related_name="+")
    diagnosed_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(tenant="need__tenant")

    class Meta:
        verbose_name = _("diagnostic")
        verbose_name_plural = _("diagnostics")
        constraints = [
            models.CheckConstraint(
                condition=Q(days__isnull=True) | Q(days__gt=0, days__lte=4),
                name="mentoring_diagnosis_days_1_4"),
        ]

    def __str__(self):
        return self.get_outcome_display()


class MatchProposal(models.Model):
    """A resource person proposed for a need (by the matchmaker, or chosen by the pilot)."""

    need = models.ForeignKey(NeedRequest, on_delete=models.CASCADE, related_name="proposals")
    resource = models.ForeignKey(ResourcePerson, on_delete=models.CASCADE,
                                 related_name="proposals")
    status = models.CharField(_("statut"), max_length=16, choices=ProposalStatus.choices,
                              default=ProposalStatus.PROPOSED)
    source = models.CharField(_("origine"), max_length=16, choices=ProposalSource.choices)
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True)
    breakdown = models.JSONField(_("détail du score"), default=dict, blank=True)
    reason = models.TextField(_("justification"), blank=True, max_length=COMMENT,
                              validators=bounded(COMMENT))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(tenant="need__tenant")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("proposition de mise en relation")
        verbose_name_plural = _("propositions de mise en relation")
        constraints = [
            models.UniqueConstraint(fields=["need"], condition=Q(status=ProposalStatus.PROPOSED),
                                    name="mentoring_one_open_proposal_per_need"),
        ]


class AssignmentRun(models.Model):
    """One computation of the global assignment (`mentoring.matchmaker.assign`): what it found
    and why the needs it left to the pilot were left, for the assignment page. A pilot's
    request is recorded queued and computed by the `mentoring.assignment_recompute` task
    (the integer program never runs inside a request); its page follows the state."""

    tenant = models.ForeignKey("portal.Tenant", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(_("état"), max_length=16, choices=AssignmentRunState.choices,
                             default=AssignmentRunState.QUEUED)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    #: why the computation failed, in French, for the pilot (empty unless FAILED)
    error = models.TextField(blank=True, default="")
    computed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    needs = models.PositiveIntegerField(default=0)
    resources = models.PositiveIntegerField(default=0)
    assigned = models.PositiveIntegerField(default=0)
    total = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    optimal = models.BooleanField(default=False)
    gap_percent = models.DecimalField(max_digits=7, decimal_places=2, default=0)
    #: {"<need id>": {"code": …, "reason": "<French sentence>"}} — the manual queue's reasons
    manual = models.JSONField(default=dict, blank=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("calcul de la répartition")
        verbose_name_plural = _("calculs de la répartition")

    def __str__(self):
        return f"{self.tenant_id} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_pending(self) -> bool:
        return self.state in (AssignmentRunState.QUEUED, AssignmentRunState.RUNNING)


class Engagement(models.Model):
    """A tripartite engagement: beneficiary structure, resource person, pilot structure."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE,
                               related_name="mentoring_engagements")
    need = models.ForeignKey(NeedRequest, on_delete=models.PROTECT, related_name="engagements")
    resource = models.ForeignKey(ResourcePerson, on_delete=models.PROTECT,
                                 related_name="engagements")
    proposal = models.ForeignKey(MatchProposal, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+")
    format = models.CharField(_("format"), max_length=16, choices=[
        (DiagnosisOutcome.TSF.value, DiagnosisOutcome.TSF.label),
        (DiagnosisOutcome.MENTORING.value, DiagnosisOutcome.MENTORING.label)])
    planned_days = models.DecimalField(_("jours prévus"), max_digits=3, decimal_places=1)
    terms = models.TextField(_("cahier des charges"), max_length=LONG_TEXT,
                             validators=bounded(LONG_TEXT))
    start_date = models.DateField(_("date de début prévue"), null=True, blank=True)
    end_date = models.DateField(_("date de fin prévue"), null=True, blank=True)
    state = models.CharField(_("état"), max_length=16, choices=EngagementState.choices,
                             default=EngagementState.PROPOSED, db_index=True)
    year = models.PositiveSmallIntegerField(_("année (capacité)"))
    signed_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(_("motif d'annulation"), blank=True, max_length=COMMENT,
                                     validators=bounded(COMMENT))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("accompagnement")
        verbose_name_plural = _("accompagnements")
        constraints = [
            models.UniqueConstraint(fields=["need"], condition=~Q(state="cancelled"),
                                    name="mentoring_one_live_engagement_per_need"),
            models.CheckConstraint(
                condition=(Q(format="tsf", planned_days__gte=1, planned_days__lte=2)
                           | Q(format="mentoring", planned_days__gte=1, planned_days__lte=4)),
                name="mentoring_engagement_days_within_format"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="mentoring_engagement_dates_ordered"),
        ]

    def __str__(self):
        return _("Accompagnement %(ref)s — %(resource)s") % {"ref": self.need.reference,
                                                              "resource": self.resource}

    @property
    def day_limit(self) -> Decimal:
        return Decimal(2) if self.format == DiagnosisOutcome.TSF else Decimal(4)


class EngagementSession(models.Model):
    """A day (or half-day) of an engagement, planned or done."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField(_("date"))
    days = models.DecimalField(_("durée (jours)"), max_digits=2, decimal_places=1,
                               choices=[(Decimal("0.5"), _("une demi-journée")),
                                        (Decimal("1.0"), _("une journée"))])
    done = models.BooleanField(_("réalisée"), default=False)
    notes = models.CharField(_("contenu"), max_length=300, blank=True)

    objects = ScopedManager(tenant="engagement__tenant")

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("journée d'accompagnement")
        verbose_name_plural = _("journées d'accompagnement")


class Feedback(models.Model):
    """The end-of-engagement feedback of one side (rated 1–5); feeds the matchmaker."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="feedbacks")
    side = models.CharField(_("partie"), max_length=16, choices=FeedbackSide.choices)
    rating = models.PositiveSmallIntegerField(_("appréciation (1 à 5)"),
                                              validators=[MinValueValidator(1),
                                                          MaxValueValidator(5)])
    comment = models.TextField(_("commentaire"), blank=True, max_length=COMMENT,
                               validators=bounded(COMMENT))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(tenant="engagement__tenant")

    class Meta:
        ordering = ["side"]
        verbose_name = _("retour d'accompagnement")
        verbose_name_plural = _("retours d'accompagnement")
        constraints = [
            models.UniqueConstraint(fields=["engagement", "side"],
                                    name="mentoring_feedback_one_per_side"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5),
                                   name="mentoring_feedback_rating_1_5"),
        ]
