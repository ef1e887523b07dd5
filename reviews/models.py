"""Joint instruction and committee: conflicts of interest, rapporteurs, reviews (scores per
appraisal criterion), eligibility confirmations, committee sessions, agenda and decisions.

Every model is tenant-owned (``ScopedManager``), directly or through its dossier/session.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from calls.enums import Funder
from portal.textlimits import COMMENT, PRESENTATION, bounded

from .enums import (BatchAction, BatchStatus, DecisionOutcome, EligibilityOutcome,
                    PresenceKind, Recommendation, ReviewStatus, SessionStatus, VoteChoice)

MONEY = {"max_digits": 12, "decimal_places": 2}


class ReviewSettings(models.Model):
    """Instruction settings of a tenant, or of one call (a call's row wins)."""

    tenant = models.ForeignKey("portal.Tenant", on_delete=models.CASCADE, related_name="+")
    call = models.OneToOneField("calls.Call", on_delete=models.CASCADE, null=True, blank=True,
                                related_name="review_settings")
    disagreement_threshold = models.DecimalField(
        _("seuil de désaccord (points sur 20)"), max_digits=5, decimal_places=2,
        default=Decimal("4.00"), validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Un dossier est signalé quand l'écart entre la meilleure et la moins bonne "
                    "note dépasse ce seuil."))

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = _("réglages de l'instruction")
        constraints = [
            models.UniqueConstraint(fields=["tenant"], condition=Q(call__isnull=True),
                                    name="review_settings_one_per_tenant"),
            models.CheckConstraint(condition=Q(disagreement_threshold__gte=0),
                                   name="review_settings_threshold_positive"),
        ]


class ConflictDeclaration(models.Model):
    """An officer's declared link with a structure (registry per tenant), matched on SIRET:
    the officer is conflicted on every dossier whose structure or one of whose partners has
    this SIRET."""

    tenant = models.ForeignKey("portal.Tenant", on_delete=models.CASCADE, related_name="+")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="conflict_declarations",
                                verbose_name=_("instructeur·rice"))
    siret = models.CharField(_("SIRET de la structure"), max_length=14)
    structure_name = models.CharField(_("nom de la structure"), max_length=200)
    structure = models.ForeignKey("applications.Structure", on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+")
    nature = models.CharField(_("nature du lien"), max_length=300,
                              help_text=_("Ex. : ancien salarié, membre du bureau, proche."))
    declared_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["structure_name", "pk"]
        verbose_name = _("déclaration de lien d'intérêts")
        verbose_name_plural = _("déclarations de liens d'intérêts")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "officer", "siret"],
                                    name="conflict_unique_per_officer_siret"),
            models.CheckConstraint(condition=Q(siret__regex=r"^[0-9]{14}$"),
                                   name="conflict_siret_14_digits"),
        ]
        indexes = [models.Index(fields=["tenant", "siret"], name="conflict_tenant_siret")]

    def __str__(self):
        return f"{self.officer} ↔ {self.structure_name} ({self.siret})"


class CommitteeSession(models.Model):
    """A sitting of the attribution committee: its date, the calls it covers, its members
    by funder, a quorum rule; its agenda and decisions. Closing it freezes the decisions."""

    tenant = models.ForeignKey("portal.Tenant", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("intitulé"), max_length=200)
    date = models.DateField(_("date du comité"))
    calls = models.ManyToManyField("calls.Call", related_name="committee_sessions",
                                   verbose_name=_("appels examinés"))
    quorum = models.PositiveSmallIntegerField(
        _("quorum (membres présents)"), default=1, validators=[MinValueValidator(1)],
        help_text=_("Nombre minimum de membres présents pour délibérer."))
    quorum_each_funder = models.BooleanField(
        _("chaque financeur représenté"), default=True,
        help_text=_("Au moins un membre présent pour chaque financeur des appels examinés."))
    status = models.CharField(_("statut"), max_length=16, choices=SessionStatus.choices,
                              default=SessionStatus.PLANNED)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    # The live meeting (« en séance »): who leads it, where it stands, what the chair proposes.
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+", verbose_name=_("président·e de séance"),
                              help_text=_("Un membre de la séance qui conduit la réunion ; "
                                          "l'administrateur·rice du contrat la conduit aussi."))
    votes_enabled = models.BooleanField(
        _("vote nominatif"), default=False,
        help_text=_("Chaque membre présent vote pour, contre ou s'abstient sur chaque dossier ; "
                    "les votes figurent au procès-verbal."))
    opened_at = models.DateTimeField(null=True, blank=True)
    current_item = models.ForeignKey("AgendaItem", on_delete=models.SET_NULL, null=True,
                                     blank=True, related_name="+")
    #: the split the chair puts before the committee for the current dossier:
    #: {"dossier": id, "shares": {"drac": "4000.00", ...}}
    proposal = models.JSONField(default=dict, blank=True)
    #: bumped on every change the members' screens follow (polled by static/reviews/meeting.js)
    live_version = models.PositiveIntegerField(default=0)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["-date", "pk"]
        verbose_name = _("séance du comité")
        verbose_name_plural = _("séances du comité")
        constraints = [models.CheckConstraint(condition=Q(quorum__gte=1),
                                              name="session_quorum_positive")]

    def __str__(self):
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.status == SessionStatus.CLOSED

    @property
    def is_sitting(self) -> bool:
        return self.status == SessionStatus.IN_SESSION


class CommitteeMember(models.Model):
    """A member of one session, for one funder (e.g. 3 Région + 3 CNM + 3 État)."""

    session = models.ForeignKey(CommitteeSession, on_delete=models.CASCADE,
                                related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    funder = models.CharField(_("financeur"), max_length=16, choices=Funder.choices)
    present = models.BooleanField(_("présent·e"), default=False)

    objects = ScopedManager(tenant="session__tenant")

    class Meta:
        ordering = ["funder", "pk"]
        verbose_name = _("membre du comité")
        verbose_name_plural = _("membres du comité")
        constraints = [models.UniqueConstraint(fields=["session", "user"],
                                               name="committee_member_unique")]

    def __str__(self):
        return f"{self.user} ({self.get_funder_display()})"


class PresenceEvent(models.Model):
    """An arrival or a departure of a member during the meeting, with its time (the minutes
    list them; the quorum is checked again at each)."""

    session = models.ForeignKey(CommitteeSession, on_delete=models.CASCADE,
                                related_name="presence_events")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    funder = models.CharField(_("financeur"), max_length=16, choices=Funder.choices)
    kind = models.CharField(_("mouvement"), max_length=16, choices=PresenceKind.choices)
    at = models.DateTimeField(_("heure"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, related_name="+")

    objects = ScopedManager(tenant="session__tenant")

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("arrivée ou départ")
        verbose_name_plural = _("arrivées et départs")


class FunderEnvelope(models.Model):
    """The budget one funder (DRAC, CNM, Région) gives to one call, or to the whole contract
    (``call`` empty): the three budgets are separate."""

    tenant = models.ForeignKey("portal.Tenant", on_delete=models.CASCADE, related_name="+")
    call = models.ForeignKey("calls.Call", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="funder_envelopes")
    funder = models.CharField(_("financeur"), max_length=16, choices=Funder.choices)
    amount = models.DecimalField(_("enveloppe (€)"), validators=[MinValueValidator(Decimal("0"))],
                                 **MONEY)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["call_id", "funder"]
        verbose_name = _("enveloppe d'un financeur")
        verbose_name_plural = _("enveloppes des financeurs")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "call", "funder"],
                                    name="funder_envelope_unique_per_call"),
            models.UniqueConstraint(fields=["tenant", "funder"], condition=Q(call__isnull=True),
                                    name="funder_envelope_unique_per_contract"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="funder_envelope_positive"),
        ]


# --- Dossier-level instruction ------------------------------------------------------------


class Assignment(models.Model):
    """A rapporteur of a dossier, for the funder they belong to."""

    dossier = models.ForeignKey("applications.Dossier", on_delete=models.CASCADE,
                                related_name="assignments")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="review_assignments",
                                verbose_name=_("rapporteur·rice"))
    funder = models.CharField(_("financeur"), max_length=16, choices=Funder.choices)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(tenant="dossier__tenant")

    class Meta:
        ordering = ["funder", "pk"]
        verbose_name = _("rapporteur·rice")
        verbose_name_plural = _("rapporteur·rices")
        constraints = [models.UniqueConstraint(fields=["dossier", "officer"],
                                               name="assignment_unique")]
        indexes = [models.Index(fields=["officer", "dossier"], name="assignment_officer")]

    def __str__(self):
        return f"{self.officer} → {self.dossier}"


class Review(models.Model):
    """One officer's appraisal of a dossier: a score per appraisal criterion (of the rules
    the dossier was filed under), the weighted total (recomputed by the server), a technical
    opinion, a recommendation and a proposed amount. Submitted reviews are locked."""

    dossier = models.ForeignKey("applications.Dossier", on_delete=models.CASCADE,
                                related_name="reviews")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="reviews", verbose_name=_("rapporteur·rice"))
    funder = models.CharField(_("financeur"), max_length=16, choices=Funder.choices, blank=True)
    status = models.CharField(_("statut"), max_length=16, choices=ReviewStatus.choices,
                              default=ReviewStatus.DRAFT)
    #: {"<appraisal criterion id>": int score}
    scores = models.JSONField(default=dict, blank=True)
    total = models.DecimalField(_("note pondérée (sur 20)"), max_digits=5, decimal_places=2,
                                null=True, blank=True)
    opinion = models.TextField(_("avis technique"), blank=True, max_length=PRESENTATION,
                               validators=bounded(PRESENTATION))
    recommendation = models.CharField(_("recommandation"), max_length=16, blank=True,
                                      choices=Recommendation.choices)
    proposed_amount = models.DecimalField(_("montant proposé (€)"), null=True, blank=True,
                                          validators=[MinValueValidator(Decimal("0"))], **MONEY)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(tenant="dossier__tenant")

    class Meta:
        ordering = ["submitted_at", "pk"]
        verbose_name = _("évaluation")
        verbose_name_plural = _("évaluations")
        constraints = [
            models.UniqueConstraint(fields=["dossier", "officer"], name="review_unique"),
            models.CheckConstraint(condition=Q(total__isnull=True)
                                   | (Q(total__gte=0) & Q(total__lte=20)),
                                   name="review_total_range"),
            models.CheckConstraint(condition=Q(proposed_amount__isnull=True)
                                   | Q(proposed_amount__gte=0),
                                   name="review_amount_positive"),
            models.CheckConstraint(condition=Q(status=ReviewStatus.DRAFT)
                                   | (Q(submitted_at__isnull=False) & Q(total__isnull=False)
                                      & ~Q(recommendation="")),
                                   name="review_submitted_complete"),
        ]
        indexes = [models.Index(fields=["dossier", "status"], name="review_dossier_status")]

    def __str__(self):
        return f"{self.officer} — {self.dossier}"

    @property
    def is_submitted(self) -> bool:
        return self.status == ReviewStatus.SUBMITTED


class EligibilityReview(models.Model):
    """The instructor's confirmation of completeness and eligibility: the automatic results
    as filed, the overrides with their written justification, and the outcome."""

    dossier = models.ForeignKey("applications.Dossier", on_delete=models.CASCADE,
                                related_name="eligibility_reviews")
    outcome = models.CharField(_("résultat"), max_length=16, choices=EligibilityOutcome.choices)
    #: [{"id", "label", "automatic", "final", "justification"}]
    results = models.JSONField(default=list)
    #: {"<document requirement id>": bool} — the completeness checklist
    checklist = models.JSONField(default=dict)
    comment = models.TextField(_("commentaire"), blank=True, max_length=COMMENT,
                               validators=bounded(COMMENT))
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(tenant="dossier__tenant")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("examen de recevabilité")
        verbose_name_plural = _("examens de recevabilité")


class DossierSummary(models.Model):
    """Denormalised per dossier, kept by the services: the full-text search document
    (reference, structure name and SIRET, partners) and the aggregate of submitted reviews,
    so that the dashboard filters and sorts thousands of dossiers with indexes."""

    dossier = models.OneToOneField("applications.Dossier", on_delete=models.CASCADE,
                                   primary_key=True, related_name="review_summary")
    tenant = models.ForeignKey("portal.Tenant", on_delete=models.CASCADE, related_name="+")
    search = SearchVectorField(null=True)
    search_text = models.TextField(blank=True)
    review_count = models.PositiveSmallIntegerField(default=0)
    mean = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    median = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    spread = models.DecimalField(max_digits=5, decimal_places=2, null=True)
    proposed_total = models.DecimalField(null=True, **MONEY)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        indexes = [GinIndex(fields=["search"], name="dossier_summary_search"),
                   models.Index(fields=["tenant", "mean"], name="dossier_summary_mean")]


# --- Committee ------------------------------------------------------------------------------


class AgendaItem(models.Model):
    """A dossier on a session's agenda, in order (built in rank order, reorderable)."""

    session = models.ForeignKey(CommitteeSession, on_delete=models.CASCADE,
                                related_name="agenda")
    dossier = models.OneToOneField("applications.Dossier", on_delete=models.CASCADE,
                                   related_name="agenda_item")
    position = models.PositiveIntegerField(_("ordre"))

    objects = ScopedManager(tenant="session__tenant")

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("point de l'ordre du jour")
        verbose_name_plural = _("ordre du jour")


class Recusal(models.Model):
    """A committee member who did not take part in the decision on a dossier."""

    session = models.ForeignKey(CommitteeSession, on_delete=models.CASCADE,
                                related_name="recusals")
    dossier = models.ForeignKey("applications.Dossier", on_delete=models.CASCADE,
                                related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("motif"), max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(tenant="session__tenant")

    class Meta:
        ordering = ["pk"]
        verbose_name = _("déport")
        verbose_name_plural = _("déports")
        constraints = [models.UniqueConstraint(fields=["session", "dossier", "user"],
                                               name="recusal_unique")]


class Decision(models.Model):
    """The committee's decision on a dossier, recorded once per dossier (changed only while
    the session is open, with optimistic locking), frozen when the session closes."""

    session = models.ForeignKey(CommitteeSession, on_delete=models.PROTECT,
                                related_name="decisions")
    dossier = models.OneToOneField("applications.Dossier", on_delete=models.CASCADE,
                                   related_name="decision")
    outcome = models.CharField(_("décision"), max_length=16, choices=DecisionOutcome.choices)
    amount = models.DecimalField(_("montant accordé (€)"), null=True, blank=True, **MONEY)
    advance_percentage = models.DecimalField(_("avance (%)"), max_digits=5, decimal_places=2,
                                             null=True, blank=True)
    advance_amount = models.DecimalField(_("avance (€)"), null=True, blank=True, **MONEY)
    conditions = models.TextField(_("conditions"), blank=True, max_length=COMMENT,
                                  validators=bounded(COMMENT))
    motivation = models.TextField(_("motivation"), blank=True, max_length=COMMENT,
                                  validators=bounded(COMMENT))
    envelope_override = models.TextField(_("justification du dépassement d'enveloppe"),
                                         blank=True, max_length=COMMENT,
                                         validators=bounded(COMMENT))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    decided_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    objects = ScopedManager(tenant="session__tenant")

    class Meta:
        ordering = ["pk"]
        verbose_name = _("décision")
        verbose_name_plural = _("décisions")
        constraints = [
            models.CheckConstraint(
                condition=(Q(outcome=DecisionOutcome.GRANTED) & Q(amount__gt=0))
                | (Q(outcome=DecisionOutcome.REJECTED) & Q(amount__isnull=True)
                   & ~Q(motivation="")),
                name="decision_outcome_consistent"),
        ]

    def __str__(self):
        return f"{self.dossier} — {self.get_outcome_display()}"

    @property
    def balance_amount(self):
        if self.amount is None:
            return None
        return self.amount - (self.advance_amount or 0)


class DecisionShare(models.Model):
    """The part of a granted amount paid by one funder."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="shares")
    funder = models.CharField(_("financeur"), max_length=16, choices=Funder.choices)
    amount = models.DecimalField(_("montant (€)"), **MONEY)

    objects = ScopedManager(tenant="decision__session__tenant")

    class Meta:
        ordering = ["funder"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "funder"], name="decision_share_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="decision_share_positive"),
        ]


class Vote(models.Model):
    """A member's vote on an agenda dossier (where the session asks for nominal votes)."""

    session = models.ForeignKey(CommitteeSession, on_delete=models.CASCADE, related_name="votes")
    dossier = models.ForeignKey("applications.Dossier", on_delete=models.CASCADE,
                                related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    choice = models.CharField(_("vote"), max_length=16, choices=VoteChoice.choices)
    cast_at = models.DateTimeField()

    objects = ScopedManager(tenant="session__tenant")

    class Meta:
        ordering = ["pk"]
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [models.UniqueConstraint(fields=["session", "dossier", "user"],
                                               name="vote_unique")]


# --- Dashboard ------------------------------------------------------------------------------


class SavedView(models.Model):
    """An officer's named view of the instruction dashboard: its filters, sort and page size
    as a query string (`reviews.dashboard.normalised_query`)."""

    tenant = models.ForeignKey("portal.Tenant", on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                              related_name="+")
    name = models.CharField(_("nom de la vue"), max_length=80)
    query = models.CharField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("vue enregistrée")
        verbose_name_plural = _("vues enregistrées")
        constraints = [models.UniqueConstraint(fields=["tenant", "owner", "name"],
                                               name="saved_view_unique_name")]

    def __str__(self):
        return self.name


class BatchJob(models.Model):
    """A batch action on selected dossiers, run by a Celery task dossier after dossier
    through the single action's service; its progress and each dossier's outcome are shown
    to the officer who launched it."""

    tenant = models.ForeignKey("portal.Tenant", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    action = models.CharField(_("action"), max_length=32, choices=BatchAction.choices)
    #: the action's parameters (officer id, session id, completion message…), JSON-safe
    params = models.JSONField(default=dict, blank=True)
    dossier_ids = models.JSONField(default=list)
    #: [{"dossier": id, "reference": str, "ok": bool, "message": str}] in processing order
    results = models.JSONField(default=list, blank=True)
    state = models.CharField(max_length=16, choices=BatchStatus.choices,
                             default=BatchStatus.QUEUED)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("action groupée")
        verbose_name_plural = _("actions groupées")

    def __str__(self):
        return f"{self.get_action_display()} ({len(self.dossier_ids)})"

    @property
    def total(self) -> int:
        return len(self.dossier_ids)

    @property
    def done(self) -> int:
        return len(self.results)

    @property
    def succeeded(self) -> int:
        return sum(1 for r in self.results if r.get("ok"))

    @property
    def failed(self) -> int:
        return self.done - self.succeeded

    @property
    def is_finished(self) -> bool:
        return self.state == BatchStatus.FINISHED
