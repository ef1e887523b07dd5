"""Calls for projects (appels à projets) of a regional contract, with their tracks (volets),
categories, funding rules, eligibility rules (as data), appraisal criteria and documents.

Funders of a call: `Call.funders` is an ArrayField of `calls.enums.Funder` values
("drac", "cnm", "region" — the `portal.enums.OrganizationKind` of the tenant's funders);
a list of kinds rather than an M2M so that a call can be configured before the tenant's
organizations are, and so that cloning a call needs no lookups.
"""

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from portal.formatting import PARIS
from portal.textlimits import COMMENT, PRESENTATION, RICH_TEXT, bounded

from .enums import (AdvanceTiming, BalanceTrigger, CallPhase, CallStatus, CriterionKind,
                    DocumentStage, ExpenseKind, Funder, Severity, ShareBase)
from .validators import (MONEY_VALIDATORS, PERCENT_VALIDATORS, validate_call_slug,
                         validate_file_extension_list, validate_reference_code)

#: The funding-rule fields shared by Call, Track and Category (see `calls.funding`).
RULE_FIELDS = ("amount_min", "amount_max", "max_share_of_budget", "min_self_financing_share",
               "advance_percentage", "min_partners", "duration_months_min",
               "duration_months_max", "advance_paid_on", "balance_paid_on",
               "report_due_months", "share_base")

PERCENT_FIELDS = ("max_share_of_budget", "min_self_financing_share", "advance_percentage")


def _pct(verbose, help_text=""):
    return models.DecimalField(verbose, max_digits=5, decimal_places=2, null=True, blank=True,
                               validators=PERCENT_VALIDATORS, help_text=help_text)


class FundingRules(models.Model):
    """Amounts and shares; empty means "not applicable here" (or: inherited from the level
    above — a category falls back to its track, then to its call)."""

    amount_min = models.DecimalField(_("montant minimum (€)"), max_digits=12, decimal_places=2,
                                     null=True, blank=True, validators=MONEY_VALIDATORS)
    amount_max = models.DecimalField(_("montant maximum (€)"), max_digits=12, decimal_places=2,
                                     null=True, blank=True, validators=MONEY_VALIDATORS)
    max_share_of_budget = _pct(_("part maximale du budget de l'action (%)"),
                               _("Ex. : 50 — l'aide ne dépasse pas 50 % du budget de l'action."))
    min_self_financing_share = _pct(
        _("autofinancement minimum du ou de la candidat·e (%)"),
        _("Ex. : 30 — le ou la candidat·e apporte au moins 30 % du budget global."))
    advance_percentage = _pct(_("avance versée (%)"),
                              _("Ex. : 80 — avance de 80 %, solde au bilan."))
    min_partners = models.PositiveSmallIntegerField(
        _("nombre minimum de structures partenaires"), null=True, blank=True)
    duration_months_min = models.PositiveSmallIntegerField(_("durée minimale (mois)"),
                                                           null=True, blank=True)
    duration_months_max = models.PositiveSmallIntegerField(_("durée maximale (mois)"),
                                                           null=True, blank=True)
    # Payment terms printed in the decision letters (null: inherited / not stated). Stored as
    # null rather than "" so that a category falls back to its track, then its call.
    advance_paid_on = models.CharField(_("versement de l'avance"), max_length=16, null=True,
                                       blank=True, choices=AdvanceTiming.choices)
    balance_paid_on = models.CharField(_("versement du solde"), max_length=16, null=True,
                                       blank=True, choices=BalanceTrigger.choices)
    report_due_months = models.PositiveSmallIntegerField(
        _("délai de remise du bilan final (mois après la fin de l'action)"), null=True,
        blank=True, help_text=_("Ex. : 3 — le bilan final est dû trois mois après la fin de "
                                "l'action (ou, faute de date de fin, de la période des "
                                "dépenses éligibles)."))
    # What the shares above are a percentage of (null: inherited; the whole budget when no
    # level says): Pays de la Loire's "80 % des dépenses éligibles" is max_share 80 + eligible.
    share_base = models.CharField(
        _("les parts (aide maximale, autofinancement) sont calculées sur"), max_length=8,
        null=True, blank=True, choices=ShareBase.choices,
        help_text=_("Vide : comme le niveau supérieur (l'appel), sinon le budget total."))

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_min__isnull=True) | Q(amount_max__isnull=True)
                | Q(amount_min__lte=F("amount_max")),
                name="%(app_label)s_%(class)s_amounts_ordered"),
            models.CheckConstraint(
                condition=(Q(amount_min__isnull=True) | Q(amount_min__gte=0))
                & (Q(amount_max__isnull=True) | Q(amount_max__gte=0)),
                name="%(app_label)s_%(class)s_amounts_positive"),
            models.CheckConstraint(
                condition=Q(duration_months_min__isnull=True) | Q(duration_months_max__isnull=True)
                | Q(duration_months_min__lte=F("duration_months_max")),
                name="%(app_label)s_%(class)s_durations_ordered"),
            *[models.CheckConstraint(
                condition=Q(**{f"{name}__isnull": True})
                | Q(**{f"{name}__gte": 0, f"{name}__lte": 100}),
                name=f"%(app_label)s_%(class)s_{name}_percent") for name in PERCENT_FIELDS],
        ]

    def clean_funding_rules(self) -> None:
        errors = {}
        if (self.amount_min is not None and self.amount_max is not None
                and self.amount_min > self.amount_max):
            errors["amount_max"] = _("Le montant maximum doit être supérieur ou égal au "
                                     "minimum (%(min)s €).") % {"min": self.amount_min}
        if (self.duration_months_min is not None and self.duration_months_max is not None
                and self.duration_months_min > self.duration_months_max):
            errors["duration_months_max"] = _("La durée maximale doit être supérieure ou égale "
                                              "à la durée minimale.")
        if errors:
            raise ValidationError(errors)

    def clean(self):
        super().clean()
        self.clean_funding_rules()

    def rules_dict(self) -> dict:
        return {name: getattr(self, name) for name in RULE_FIELDS}


class Call(FundingRules):
    """One call for projects of a tenant (e.g. "Aide aux projets de coopération
    professionnelle", Occitanie 2024)."""

    tenant = models.ForeignKey("portal.Tenant", on_delete=models.CASCADE, related_name="calls",
                               verbose_name=_("contrat"))
    slug = models.SlugField(_("identifiant d'URL"), max_length=80,
                            validators=[validate_call_slug],
                            help_text=_("Apparaît dans l'adresse : /<région>/appels/<identifiant>/"))
    title = models.CharField(_("intitulé"), max_length=255)
    reference_code = models.CharField(
        _("code de référence"), max_length=12, validators=[validate_reference_code],
        help_text=_("Code court repris dans les références des dossiers "
                    "(ex. : COOP dans OCC-2024-COOP-0007)."))
    summary = models.CharField(_("résumé"), max_length=300, blank=True)
    description = models.TextField(
        _("présentation"), blank=True, max_length=RICH_TEXT, validators=bounded(RICH_TEXT),
        help_text=_("Texte mis en forme (HTML simple : paragraphes, gras, listes, liens). "
                    "Les balises non autorisées sont retirées."))
    opens_at = models.DateTimeField(_("ouverture des candidatures"), null=True, blank=True)
    closes_at = models.DateTimeField(_("clôture des candidatures"), null=True, blank=True)
    committee_date = models.DateField(_("date du comité de sélection"), null=True, blank=True)
    committee_label = models.CharField(
        _("comité (indication)"), max_length=120, blank=True,
        help_text=_("Quand la date exacte n'est pas fixée (ex. : « fin avril »)."))
    expenses_start = models.DateField(_("dépenses éligibles à partir du"), null=True, blank=True)
    expenses_end = models.DateField(_("dépenses éligibles jusqu'au"), null=True, blank=True)
    eligible_expense_kinds = ArrayField(
        models.CharField(max_length=16, choices=ExpenseKind.choices),
        verbose_name=_("natures de dépenses éligibles"), default=list, blank=True,
        help_text=_("Aucune cochée : toutes les natures de dépenses sont éligibles."))
    envelope = models.DecimalField(_("enveloppe (€)"), max_digits=12, decimal_places=2,
                                   null=True, blank=True, validators=MONEY_VALIDATORS)
    status = models.CharField(_("statut"), max_length=16, choices=CallStatus.choices,
                              default=CallStatus.DRAFT)
    funders = ArrayField(models.CharField(max_length=16, choices=Funder.choices),
                         verbose_name=_("financeurs"), default=list, blank=True)
    rules_version = models.PositiveIntegerField(_("version des règles"), default=1)
    cloned_from = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="clones", verbose_name=_("dupliqué de"))
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(tenant="tenant")

    class Meta(FundingRules.Meta):
        ordering = ["-opens_at", "title"]
        verbose_name = _("appel à projets")
        verbose_name_plural = _("appels à projets")
        constraints = [
            *FundingRules.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "slug"], name="call_unique_slug",
                                    violation_error_message=_(
                                        "Cet identifiant d'URL est déjà utilisé par un autre "
                                        "appel de ce contrat.")),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True) | Q(closes_at__isnull=True)
                | Q(closes_at__gt=F("opens_at")), name="call_dates_ordered"),
            models.CheckConstraint(
                condition=Q(expenses_start__isnull=True) | Q(expenses_end__isnull=True)
                | Q(expenses_end__gte=F("expenses_start")), name="call_expenses_ordered"),
            models.CheckConstraint(condition=Q(envelope__isnull=True) | Q(envelope__gte=0),
                                   name="call_envelope_positive"),
            models.CheckConstraint(condition=Q(rules_version__gte=1),
                                   name="call_rules_version_positive"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        try:
            super().clean()
        except ValidationError as exc:
            errors.update(exc.update_error_dict({}))
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors.setdefault("closes_at", []).append(
                _("La clôture doit suivre l'ouverture des candidatures."))
        if self.expenses_start and self.expenses_end and self.expenses_end < self.expenses_start:
            errors.setdefault("expenses_end", []).append(
                _("La fin de la période des dépenses éligibles doit suivre son début."))
        if (self.slug and self.tenant_id and Call._base_manager.filter(
                tenant_id=self.tenant_id, slug=self.slug).exclude(pk=self.pk).exists()):
            errors.setdefault("slug", []).append(
                _("Cet identifiant d'URL est déjà utilisé par un autre appel de ce contrat."))
        unknown_kinds = [k for k in self.eligible_expense_kinds or []
                         if k not in ExpenseKind.values]
        if unknown_kinds:
            errors.setdefault("eligible_expense_kinds", []).append(
                _("Nature de dépense inconnue : %(value)s.") % {"value": ", ".join(unknown_kinds)})
        unknown = [f for f in self.funders or [] if f not in Funder.values]
        if unknown:
            errors.setdefault("funders", []).append(
                _("Financeur inconnu : %(value)s.") % {"value": ", ".join(unknown)})
        if errors:
            raise ValidationError(errors)
        if self.description:
            from .sanitize import sanitize_html

            self.description = sanitize_html(self.description)

    # --- dates and phase ---------------------------------------------------------------

    @property
    def is_draft(self) -> bool:
        return self.status == CallStatus.DRAFT

    @property
    def is_published(self) -> bool:
        return self.status == CallStatus.PUBLISHED

    @property
    def is_closed(self) -> bool:
        return self.status == CallStatus.CLOSED

    def _past_closing(self, now: datetime) -> bool:
        """The closing time is inclusive to the second: "until 7 March inclusive" is stored as
        23:59:59 Paris time, and 23:59:59.8 is still on time, 00:00:00 is late."""
        return self.closes_at is not None and now.replace(microsecond=0) > self.closes_at

    def is_open(self, now: datetime | None = None) -> bool:
        """The deadline rule, the one every page, service and list asks: accepting
        applications when published and ``opens_at <= now <= closes_at`` (to the second,
        server clock only)."""
        now = now or timezone.now()
        return (self.status == CallStatus.PUBLISHED and self.opens_at is not None
                and self.closes_at is not None and self.opens_at <= now
                and not self._past_closing(now))

    def phase(self, now: datetime | None = None) -> str:
        now = now or timezone.now()
        if self.status == CallStatus.DRAFT:
            return CallPhase.DRAFT
        if self.status == CallStatus.ARCHIVED:
            return CallPhase.ARCHIVED
        if self.status == CallStatus.CLOSED:
            return CallPhase.CLOSED
        if self._past_closing(now):
            return CallPhase.CLOSED
        if self.opens_at is not None and now < self.opens_at:
            return CallPhase.UPCOMING
        return CallPhase.OPEN

    @property
    def current_phase(self) -> str:
        return self.phase()

    def is_past_deadline(self, now: datetime | None = None) -> bool:
        """Published and no longer open because its closing second is over (the admins' list
        flags it « date limite passée »): the same rule as `is_open`."""
        now = now or timezone.now()
        return (self.status == CallStatus.PUBLISHED and self.opens_at is not None
                and self.opens_at <= now and not self.is_open(now))

    @property
    def deadline_passed(self) -> bool:
        return self.is_past_deadline()

    @property
    def closes_at_paris(self):
        return self.closes_at.astimezone(PARIS) if self.closes_at else None

    @property
    def opens_at_paris(self):
        return self.opens_at.astimezone(PARIS) if self.opens_at else None

    def get_eligible_expense_kinds_display(self) -> list[str]:
        return [str(ExpenseKind(k).label) for k in self.eligible_expense_kinds or []
                if k in ExpenseKind.values]

    def get_funders_display(self) -> list[str]:
        return [str(Funder(f).label) for f in self.funders or [] if f in Funder.values]


class Track(FundingRules):
    """A volet of a call (e.g. "Volet spectacle vivant")."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="tracks",
                             verbose_name=_("appel"))
    title = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("présentation"), blank=True, max_length=PRESENTATION,
                                   validators=bounded(PRESENTATION))
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    objects = ScopedManager(tenant="call__tenant")

    class Meta(FundingRules.Meta):
        ordering = ["position", "pk"]
        verbose_name = _("volet")
        verbose_name_plural = _("volets")
        constraints = [
            *FundingRules.Meta.constraints,
            models.UniqueConstraint(fields=["call", "title"], name="track_unique_title",
                                    violation_error_message=_(
                                        "Cet appel a déjà un volet de ce nom.")),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if (self.title and self.call_id and Track._base_manager.filter(
                call_id=self.call_id, title=self.title).exclude(pk=self.pk).exists()):
            raise ValidationError({"title": _("Cet appel a déjà un volet de ce nom.")})


class Category(FundingRules):
    """A category of a call (e.g. "Catégorie 1 : Expérimentation"). Without a track it is
    offered under every track of the call; with one, only under that track."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="categories",
                             verbose_name=_("appel"))
    track = models.ForeignKey(Track, on_delete=models.CASCADE, null=True, blank=True,
                              related_name="categories", verbose_name=_("volet"),
                              help_text=_("Laisser vide si la catégorie vaut pour tous les "
                                          "volets."))
    title = models.CharField(_("intitulé"), max_length=200)
    description = models.TextField(_("présentation"), blank=True, max_length=PRESENTATION,
                                   validators=bounded(PRESENTATION))
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    objects = ScopedManager(tenant="call__tenant")

    class Meta(FundingRules.Meta):
        ordering = ["position", "pk"]
        verbose_name = _("catégorie")
        verbose_name_plural = _("catégories")
        constraints = [
            *FundingRules.Meta.constraints,
            models.UniqueConstraint(fields=["call", "track", "title"],
                                    name="category_unique_title", nulls_distinct=False,
                                    violation_error_message=_(
                                        "Cet appel a déjà une catégorie de ce nom.")),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.track_id and self.call_id and self.track.call_id != self.call_id:
            raise ValidationError({"track": _("Ce volet n'appartient pas à cet appel.")})
        if (self.title and self.call_id and Category._base_manager.filter(
                call_id=self.call_id, track_id=self.track_id, title=self.title)
                .exclude(pk=self.pk).exists()):
            raise ValidationError({"title": _("Cet appel a déjà une catégorie de ce nom.")})


def _call_fk(related_name):
    return models.ForeignKey(Call, on_delete=models.CASCADE, related_name=related_name,
                             verbose_name=_("appel"))


def _track_fk(related_name):
    return models.ForeignKey(Track, on_delete=models.CASCADE, null=True, blank=True,
                             related_name=related_name, verbose_name=_("volet"),
                             help_text=_("Laisser vide pour tout l'appel."))


def _category_fk(related_name):
    return models.ForeignKey(Category, on_delete=models.CASCADE, null=True, blank=True,
                             related_name=related_name, verbose_name=_("catégorie"),
                             help_text=_("Laisser vide pour toutes les catégories."))


class _CallItem(models.Model):
    """Something configured at call level, or for one track / one category of the call.
    Concrete classes declare `call`, `track` and `category` (with their own related names)."""

    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "pk"]

    def clean_scope(self) -> None:
        errors = {}
        if self.track_id and self.call_id and self.track.call_id != self.call_id:
            errors["track"] = _("Ce volet n'appartient pas à cet appel.")
        if self.category_id and self.call_id and self.category.call_id != self.call_id:
            errors["category"] = _("Cette catégorie n'appartient pas à cet appel.")
        elif (self.category_id and self.track_id and self.category.track_id
              and self.category.track_id != self.track_id):
            errors["category"] = _("Cette catégorie relève d'un autre volet.")
        if errors:
            raise ValidationError(errors)

    def applies_to(self, track_id, category_id) -> bool:
        from .applicability import item_applies

        return item_applies(self, track_id=track_id, category_id=category_id)

    @property
    def scope_label(self) -> str:
        parts = [str(x) for x in (self.track, self.category) if x is not None]
        return " · ".join(parts) if parts else str(_("Tout l'appel"))


class EligibilityCriterion(_CallItem):
    """An eligibility rule, as data: a declaration the applicant ticks, or a check
    `field operator value` over the facts of the structure and the dossier
    (see `calls.eligibility`)."""

    call = _call_fk("eligibility_criteria")
    track = _track_fk("eligibility_criteria")
    category = _category_fk("eligibility_criteria")

    kind = models.CharField(_("type de critère"), max_length=16, choices=CriterionKind.choices,
                            default=CriterionKind.CHECK)
    label = models.CharField(
        _("libellé"), max_length=255,
        help_text=_("Pour une déclaration, le texte que le ou la candidat·e coche "
                    "(ex. : « Je certifie être à jour du paiement des taxes »)."))
    field = models.CharField(_("donnée vérifiée"), max_length=64, blank=True)
    parameter = models.CharField(_("paramètre"), max_length=16, blank=True,
                                 help_text=_("Pour le chiffre d'affaires : l'année (ex. : 2021)."))
    operator = models.CharField(_("opérateur"), max_length=16, blank=True)
    value = models.JSONField(_("valeur"), null=True, blank=True, encoder=DjangoJSONEncoder)
    severity = models.CharField(_("effet"), max_length=16, choices=Severity.choices,
                                default=Severity.BLOCKING)
    message = models.CharField(_("message en cas d'échec"), max_length=300, blank=True)

    objects = ScopedManager(tenant="call__tenant")

    class Meta(_CallItem.Meta):
        verbose_name = _("critère d'éligibilité")
        verbose_name_plural = _("critères d'éligibilité")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=CriterionKind.DECLARATION)
                | (~Q(field="") & ~Q(operator="")), name="criterion_check_has_field"),
        ]

    def __str__(self):
        return self.label

    def clean(self):
        from .eligibility import validate_criterion

        errors = {}
        try:
            self.clean_scope()
        except ValidationError as exc:
            errors.update(exc.update_error_dict({}))
        try:
            self.value = validate_criterion(kind=self.kind, field=self.field,
                                            parameter=self.parameter, operator=self.operator,
                                            value=self.value)
        except ValidationError as exc:
            errors.update(exc.update_error_dict({}))
        if self.kind == CriterionKind.DECLARATION:
            self.field, self.parameter, self.operator = "", "", ""
        if errors:
            raise ValidationError(errors)

    @property
    def plain_french(self) -> str:
        from .eligibility import describe

        return describe(self)


class AppraisalCriterion(_CallItem):
    """A critère d'appréciation the instructors score (weight × score out of `scale_max`)."""

    call = _call_fk("appraisal_criteria")
    track = _track_fk("appraisal_criteria")
    category = _category_fk("appraisal_criteria")

    label = models.CharField(_("libellé"), max_length=255)
    help_text = models.TextField(_("aide"), blank=True, max_length=COMMENT,
                                 validators=bounded(COMMENT))
    weight = models.DecimalField(_("pondération"), max_digits=5, decimal_places=2,
                                 default=Decimal("1"),
                                 validators=[MinValueValidator(Decimal("0.01"))])
    scale_max = models.PositiveSmallIntegerField(_("note maximale"), default=5,
                                                 validators=[MinValueValidator(1)])

    objects = ScopedManager(tenant="call__tenant")

    class Meta(_CallItem.Meta):
        verbose_name = _("critère d'appréciation")
        verbose_name_plural = _("critères d'appréciation")
        constraints = [
            models.CheckConstraint(condition=Q(weight__gt=0), name="appraisal_weight_positive"),
            models.CheckConstraint(condition=Q(scale_max__gte=1), name="appraisal_scale_positive"),
        ]

    def __str__(self):
        return self.label

    def clean(self):
        self.clean_scope()


DEFAULT_FORMATS = ["pdf"]


def default_formats():
    return list(DEFAULT_FORMATS)


class DocumentRequirement(_CallItem):
    """A document the applicant uploads (e.g. "Diagnostic des forces et faiblesses")."""

    call = _call_fk("document_requirements")
    track = _track_fk("document_requirements")
    category = _category_fk("document_requirements")

    label = models.CharField(_("libellé"), max_length=255)
    help_text = models.TextField(_("aide"), blank=True, max_length=COMMENT,
                                 validators=bounded(COMMENT))
    required = models.BooleanField(_("obligatoire"), default=True)
    allowed_formats = ArrayField(models.CharField(max_length=10), default=default_formats,
                                 verbose_name=_("formats acceptés"),
                                 validators=[validate_file_extension_list])
    max_size_mb = models.PositiveSmallIntegerField(_("taille maximale (Mo)"), default=10,
                                                   validators=[MinValueValidator(1)])
    stage = models.CharField(
        _("pièce demandée"), max_length=16, choices=DocumentStage.choices,
        default=DocumentStage.FILING,
        help_text=_("Au dépôt du dossier, ou avec le bilan final d'une aide accordée (ex. : "
                    "bilan financier signé, rapport d'activité, pièces justificatives)."))

    objects = ScopedManager(tenant="call__tenant")

    class Meta(_CallItem.Meta):
        verbose_name = _("pièce à fournir")
        verbose_name_plural = _("pièces à fournir")
        constraints = [
            models.CheckConstraint(condition=Q(max_size_mb__gte=1), name="document_size_positive"),
        ]

    def __str__(self):
        return self.label

    def clean(self):
        self.clean_scope()

    @property
    def max_size_bytes(self) -> int:
        return self.max_size_mb * 1024 * 1024

    @property
    def is_for_report(self) -> bool:
        return self.stage == DocumentStage.FINAL_REPORT


class RulesVersion(models.Model):
    """The frozen rules of a call at one `rules_version` (written when the call is published
    and at every later rule change). A dossier filed under version N is judged against it."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="rules_versions")
    version = models.PositiveIntegerField()
    snapshot = models.JSONField(encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   blank=True, related_name="+")

    objects = ScopedManager(tenant="call__tenant")

    class Meta:
        ordering = ["call", "-version"]
        verbose_name = _("version des règles")
        verbose_name_plural = _("versions des règles")
        constraints = [
            models.UniqueConstraint(fields=["call", "version"], name="rules_version_unique"),
        ]

    def __str__(self):
        return f"{self.call} v{self.version}"
