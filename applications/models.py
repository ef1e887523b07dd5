from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from calls.enums import ExpenseKind
from portal.enums import Aesthetic, MainActivity
from portal.geo import departement_for_postal_code, region_for_postal_code
from portal.models import RemembersLoadedValues
from portal.textlimits import COMMENT, MESSAGE, PRESENTATION, bounded
from portal.validators import INSEE_REGION_CODES

from .enums import (BudgetKind, DossierStatus, ExportState, IncomeSource, LegalForm,
                    LicenceCategory, StructureRole)
from .validators import normalize_siret, validate_postal_code, validate_siret
from .workflow import applicant_status, status_choices, status_label


class StatusChangeError(RuntimeError):
    """A dossier's status was changed outside the transition service."""


class Structure(RemembersLoadedValues, models.Model):
    #: What the dossiers' search documents hold (reviews.signals refreshes them on a change).
    REMEMBERED = ("name", "siret")

    """A music structure (label, venue, producer, network…). Global, not tenant-owned: one
    profile serves the structure's dossiers in every region. Access is through
    `StructureMember`."""

    name = models.CharField(_("nom de la structure"), max_length=200)
    siret = models.CharField(_("SIRET"), max_length=14, unique=True, validators=[validate_siret],
                             error_messages={"unique": _(
                                 "Une structure avec ce SIRET existe déjà : demandez à l'un de "
                                 "ses membres de vous inviter.")})
    legal_form = models.CharField(_("forme juridique"), max_length=16, choices=LegalForm.choices)
    address = models.CharField(_("adresse"), max_length=255)
    postal_code = models.CharField(_("code postal"), max_length=5,
                                   validators=[validate_postal_code])
    city = models.CharField(_("commune"), max_length=120)
    departement = models.CharField(_("département"), max_length=3, editable=False)
    region_code = models.CharField(_("région (code INSEE)"), max_length=2, editable=False)
    creation_date = models.DateField(_("date de création"))
    cnm_affiliation_number = models.CharField(_("numéro d'affiliation au CNM"), max_length=32,
                                              blank=True)
    cnm_affiliation_date = models.DateField(_("date d'affiliation au CNM"), null=True, blank=True)
    fte_hours = models.DecimalField(
        _("heures annuelles hors emplois artistiques et techniques"), max_digits=8,
        decimal_places=2, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Tous régimes confondus ; 0,20 ETP = 320 heures."))
    main_activity = models.CharField(_("activité principale"), max_length=32,
                                     choices=MainActivity.choices)
    aesthetics = ArrayField(models.CharField(max_length=32, choices=Aesthetic.choices),
                            verbose_name=_("esthétiques"), default=list, blank=True)
    artists_count = models.PositiveIntegerField(_("nombre d'artistes produits ou accompagnés"),
                                                null=True, blank=True)
    regional_artists_count = models.PositiveIntegerField(
        _("dont artistes établis dans la région"), null=True, blank=True)
    website = models.URLField(_("site web"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("structure")
        verbose_name_plural = _("structures")
        constraints = [
            models.CheckConstraint(condition=Q(siret__regex=r"^[0-9]{14}$"),
                                   name="structure_siret_14_digits"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        self.siret = normalize_siret(self.siret)

    def save(self, *args, **kwargs):
        self.siret = normalize_siret(self.siret)
        self.departement = departement_for_postal_code(self.postal_code) or ""
        self.region_code = region_for_postal_code(self.postal_code) or ""
        super().save(*args, **kwargs)

    @property
    def siren(self) -> str:
        return self.siret[:9]

    @property
    def region_name(self) -> str:
        return INSEE_REGION_CODES.get(self.region_code, "")

    @property
    def cnm_affiliated(self) -> bool:
        return bool(self.cnm_affiliation_number)


class StructureMember(models.Model):
    """A person who may act for a structure (file and follow its dossiers)."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="structure_memberships")
    role = models.CharField(_("rôle"), max_length=16, choices=StructureRole.choices,
                            default=StructureRole.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membre de la structure")
        verbose_name_plural = _("membres de la structure")
        constraints = [models.UniqueConstraint(fields=["structure", "user"],
                                               name="structure_member_unique")]

    def __str__(self):
        return f"{self.user} — {self.structure}"


class PerformerLicence(models.Model):
    """A performer licence (licence d'entrepreneur de spectacles) held by a structure."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="licences")
    category = models.CharField(_("catégorie"), max_length=1, choices=LicenceCategory.choices)
    number = models.CharField(_("numéro"), max_length=64)
    valid_until = models.DateField(_("valable jusqu'au"), null=True, blank=True)

    class Meta:
        ordering = ["category"]
        verbose_name = _("licence d'entrepreneur de spectacles")
        verbose_name_plural = _("licences d'entrepreneur de spectacles")
        constraints = [models.UniqueConstraint(fields=["structure", "category"],
                                               name="licence_unique_category")]

    def __str__(self):
        return f"{self.get_category_display()} — {self.number}"


class AnnualRevenue(models.Model):
    """The structure's revenue (chiffre d'affaires) for one year."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="revenues")
    year = models.PositiveSmallIntegerField(_("année"), validators=[MinValueValidator(1950),
                                                                    MaxValueValidator(2100)])
    amount = models.DecimalField(_("chiffre d'affaires (€)"), max_digits=12, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        ordering = ["-year"]
        verbose_name = _("chiffre d'affaires annuel")
        verbose_name_plural = _("chiffres d'affaires annuels")
        constraints = [models.UniqueConstraint(fields=["structure", "year"],
                                               name="revenue_unique_year")]

    def __str__(self):
        return f"{self.year} : {self.amount}"


def _structure_invitation_token() -> str:
    import secrets

    return secrets.token_urlsafe(32)


def _structure_invitation_expiry():
    from datetime import timedelta

    from django.utils import timezone

    return timezone.now() + timedelta(days=14)


class StructureInvitation(models.Model):
    """An invitation, by e-mail, to become a member of a structure (global, like Structure)."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE,
                                  related_name="invitations")
    email = models.EmailField(_("adresse e-mail"))
    token = models.CharField(max_length=64, unique=True, default=_structure_invitation_token,
                             editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_structure_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation à une structure")
        verbose_name_plural = _("invitations à une structure")
        constraints = [
            models.UniqueConstraint(fields=["structure", "email"],
                                    condition=Q(accepted_at__isnull=True),
                                    name="structure_invitation_unique_pending"),
        ]

    def __str__(self):
        return f"{self.email} → {self.structure}"

    @property
    def is_pending(self) -> bool:
        from django.utils import timezone

        return self.accepted_at is None and self.expires_at > timezone.now()



# --- Dossiers (tenant-owned) -----------------------------------------------------------------

MONEY = {"max_digits": 12, "decimal_places": 2}


def private_storage():
    """Files of dossiers live outside MEDIA_URL (a private folder or bucket, portal.storage):
    served only through a permission-checked view. Callable so that tests' settings apply."""
    from portal.storage import PrivateStorage

    return PrivateStorage()


def _attachment_path(instance, filename: str) -> str:
    import uuid

    return f"dossiers/{instance.dossier.tenant_id}/{uuid.uuid4().hex}"


def _receipt_path(instance, filename: str) -> str:
    import uuid

    return f"receipts/{instance.tenant_id}/{uuid.uuid4().hex}.pdf"


class Dossier(RemembersLoadedValues, models.Model):
    """An application of a structure to a call of a tenant. Draft until submitted; then
    frozen (except the steps an instructor reopens with a completion request)."""

    #: What its search document depends on, and the filing (reviews.signals).
    REMEMBERED = ("reference", "title", "structure_id", "status")

    tenant = models.ForeignKey("portal.Tenant", on_delete=models.CASCADE, related_name="dossiers")
    call = models.ForeignKey("calls.Call", on_delete=models.PROTECT, related_name="dossiers",
                             verbose_name=_("appel à projets"))
    track = models.ForeignKey("calls.Track", on_delete=models.PROTECT, null=True, blank=True,
                              related_name="dossiers", verbose_name=_("volet"))
    category = models.ForeignKey("calls.Category", on_delete=models.PROTECT, null=True,
                                 blank=True, related_name="dossiers", verbose_name=_("catégorie"))
    structure = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="dossiers",
                                  verbose_name=_("structure"))
    #: Changed only by `applications.services.dossier_transition` (see `applications.workflow`);
    #: the choices are the registered states (apps above may add theirs).
    status = models.CharField(_("état"), max_length=24, choices=status_choices,
                              default=DossierStatus.DRAFT)

    title = models.CharField(_("intitulé du projet"), max_length=200, blank=True)
    summary = models.TextField(_("présentation du projet"), blank=True,
                               max_length=PRESENTATION, validators=bounded(PRESENTATION))
    objectives = models.TextField(_("objectifs et impact sur le territoire"), blank=True,
                                  max_length=PRESENTATION, validators=bounded(PRESENTATION))
    start_date = models.DateField(_("date de début"), null=True, blank=True)
    end_date = models.DateField(_("date de fin"), null=True, blank=True)
    requested_amount = models.DecimalField(_("montant demandé (€)"), null=True, blank=True,
                                           validators=[MinValueValidator(Decimal("0"))], **MONEY)
    declarations = ArrayField(models.PositiveIntegerField(), default=list, blank=True,
                              verbose_name=_("déclarations cochées"))
    #: Raw input of steps that did not validate yet, by step (nothing typed is ever lost).
    draft_data = models.JSONField(default=dict, blank=True)

    reference = models.CharField(_("référence"), max_length=40, blank=True)
    submitted_at = models.DateTimeField(_("déposé le"), null=True, blank=True)
    first_submitted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    rules_snapshot = models.JSONField(null=True, blank=True, editable=False)
    eligibility_results = models.JSONField(null=True, blank=True, editable=False)
    receipt = models.FileField(storage=private_storage, upload_to=_receipt_path, blank=True,
                               editable=False)
    receipt_sha256 = models.CharField(max_length=64, blank=True, editable=False)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        # The instruction dashboard's filters and sorts within a tenant (reviews.selectors
        # SORTS: NULLS LAST, so the index says so too, or PostgreSQL sorts every row).
        indexes = [
            models.Index(models.F("tenant"), models.F("submitted_at").desc(nulls_last=True),
                         models.F("id").desc(nulls_last=True), name="dossier_tenant_date"),
            models.Index(models.F("tenant"), models.F("status"),
                         models.F("submitted_at").desc(nulls_last=True),
                         models.F("id").desc(nulls_last=True), name="dossier_tenant_status_date"),
            models.Index(models.F("tenant"), models.F("requested_amount").desc(nulls_last=True),
                         models.F("id").desc(nulls_last=True), name="dossier_tenant_amount"),
            models.Index(fields=["tenant", "call", "category"], name="dossier_tenant_call"),
            # the dashboard's search finds a dossier by its reference typed in any case
            # (reference__iexact: UPPER(reference)), without reading the tenant's dossiers
            models.Index(models.F("tenant"), Upper("reference"),
                         name="dossier_tenant_reference_ci"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "reference"], condition=~Q(reference=""),
                                    name="dossier_unique_reference"),
            models.CheckConstraint(
                condition=Q(status__in=[DossierStatus.DRAFT, DossierStatus.WITHDRAWN])
                | ~Q(reference=""),
                name="dossier_filed_has_reference"),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True) | Q(end_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")), name="dossier_dates_ordered"),
            models.CheckConstraint(
                condition=Q(requested_amount__isnull=True) | Q(requested_amount__gte=0),
                name="dossier_requested_amount_positive"),
        ]

    def __str__(self):
        return self.reference or self.title or str(_("Dossier sans titre"))

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_status = instance.__dict__.get("status")
        return instance

    def save(self, *args, **kwargs):
        """A status read from the database changes only through the transition service (it
        sets ``_status_transition``): any other save of a changed status is a bug."""
        loaded = getattr(self, "_loaded_status", None)
        if (not self._state.adding and loaded is not None and self.status != loaded
                and getattr(self, "_status_transition", None) is None):
            raise StatusChangeError(
                f"dossier {self.pk}: status {loaded} → {self.status} outside "
                "applications.services.dossier_transition")
        super().save(*args, **kwargs)
        self._loaded_status = self.status

    def get_status_display(self) -> str:
        return status_label(self.status)

    @property
    def is_draft(self) -> bool:
        return self.status == DossierStatus.DRAFT

    @property
    def is_awaiting_completion(self) -> bool:
        return self.status == DossierStatus.COMPLETION_REQUESTED

    @property
    def status_for_applicant(self) -> str:
        """The state the structure is told: the apps above say what is not published yet
        (`applications.workflow.register_applicant_view`: a committee's decision shows once
        its session is closed)."""
        return applicant_status(self)

    def get_status_for_applicant_display(self) -> str:
        return status_label(self.status_for_applicant)

    @property
    def duration_months(self) -> int | None:
        """Calendar months covered, first and last included (1 Jan → 31 Dec = 12)."""
        if not self.start_date or not self.end_date:
            return None
        return ((self.end_date.year - self.start_date.year) * 12
                + self.end_date.month - self.start_date.month + 1)


class BudgetLine(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="budget_lines")
    kind = models.CharField(_("type"), max_length=8, choices=BudgetKind.choices)
    source = models.CharField(_("origine"), max_length=16, choices=IncomeSource.choices,
                              blank=True)
    label = models.CharField(_("libellé"), max_length=200)
    amount = models.DecimalField(_("montant (€)"), validators=[MinValueValidator(Decimal("0"))],
                                 **MONEY)
    #: the nature of an expense (the call says which natures are eligible); "" for income
    expense_kind = models.CharField(_("nature de la dépense"), max_length=16, blank=True,
                                    choices=ExpenseKind.choices)
    #: when the expense is made (one day, or a period); checked against the call's eligible
    #: period (`calls.expenses`)
    spent_from = models.DateField(_("dépense du"), null=True, blank=True)
    spent_until = models.DateField(_("dépense jusqu'au"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = ScopedManager(tenant="dossier__tenant")

    class Meta:
        ordering = ["kind", "position", "pk"]
        verbose_name = _("ligne budgétaire")
        verbose_name_plural = _("lignes budgétaires")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_line_positive"),
            models.CheckConstraint(
                condition=(Q(kind=BudgetKind.EXPENSE) & Q(source=""))
                | (Q(kind=BudgetKind.INCOME) & ~Q(source="")), name="budget_line_source_kind"),
            models.CheckConstraint(
                condition=Q(kind=BudgetKind.EXPENSE)
                | (Q(expense_kind="") & Q(spent_from__isnull=True)
                   & Q(spent_until__isnull=True)),
                name="budget_line_income_has_no_expense_data"),
            models.CheckConstraint(
                condition=Q(spent_from__isnull=True) | Q(spent_until__isnull=True)
                | Q(spent_until__gte=models.F("spent_from")),
                name="budget_line_dates_ordered"),
        ]

    def __str__(self):
        return f"{self.label} : {self.amount}"


class Partner(models.Model):
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="partners")
    name = models.CharField(_("nom de la structure partenaire"), max_length=200)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True, validators=[validate_siret])
    role = models.CharField(_("rôle dans le projet"), max_length=300)
    position = models.PositiveSmallIntegerField(default=0)

    objects = ScopedManager(tenant="dossier__tenant")

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("partenaire")
        verbose_name_plural = _("partenaires")

    def __str__(self):
        return self.name


class Attachment(models.Model):
    """One uploaded document answering one requirement of the call."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="attachments")
    requirement = models.ForeignKey("calls.DocumentRequirement", on_delete=models.PROTECT,
                                    related_name="attachments", verbose_name=_("pièce"))
    file = models.FileField(storage=private_storage, upload_to=_attachment_path, max_length=255)
    original_name = models.CharField(_("nom du fichier"), max_length=255)
    content_type = models.CharField(max_length=120)
    extension = models.CharField(max_length=10)
    size = models.PositiveBigIntegerField(_("taille (octets)"))
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(tenant="dossier__tenant")

    class Meta:
        ordering = ["requirement__position", "requirement_id"]
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")
        constraints = [models.UniqueConstraint(fields=["dossier", "requirement"],
                                               name="attachment_one_per_requirement")]

    def __str__(self):
        return self.original_name


class CompletionRequest(models.Model):
    """Instructors ask the applicant to complete given steps before a date."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE,
                                related_name="completion_requests")
    message = models.TextField(_("éléments demandés"), max_length=COMMENT,
                               validators=bounded(COMMENT))
    steps = ArrayField(models.CharField(max_length=16), verbose_name=_("étapes à compléter"))
    due_at = models.DateTimeField(_("à compléter avant le"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(tenant="dossier__tenant")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("demande de compléments")
        verbose_name_plural = _("demandes de compléments")

    def __str__(self):
        return f"{self.dossier} — {self.created_at:%Y-%m-%d}"


class DossierMessage(models.Model):
    """A message between the applicant's structure and the instructors of the tenant."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               related_name="+")
    from_instructor = models.BooleanField(default=False)
    body = models.TextField(_("message"), max_length=MESSAGE, validators=bounded(MESSAGE))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(tenant="dossier__tenant")

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self):
        return f"{self.author} — {self.created_at:%Y-%m-%d %H:%M}"


class DossierExport(models.Model):
    """A PDF export of a dossier asked for by one user: the `applications.dossier_export`
    task renders it into the private storage (never inside the request); its page follows the
    state and, once finished, offers the file to that user alone (still permission-checked
    on the dossier). `source_hash` is the checksum of the HTML the PDF was laid out from: an
    unchanged dossier reuses the finished file instead of laying it out again."""

    tenant = models.ForeignKey("portal.Tenant", on_delete=models.CASCADE, related_name="+")
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="exports")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                     related_name="+")
    language = models.CharField(max_length=8, default="fr")
    state = models.CharField(_("état"), max_length=16, choices=ExportState.choices,
                             default=ExportState.QUEUED)
    source_hash = models.CharField(max_length=64, blank=True)
    file_path = models.CharField(max_length=255, blank=True)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    #: why the export failed, in French, for the user (empty unless FAILED)
    error = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("export PDF d’un dossier")
        verbose_name_plural = _("exports PDF de dossiers")
        indexes = [models.Index(fields=["dossier", "source_hash"],
                                name="dossier_export_source")]

    def __str__(self):
        return f"{self.dossier_id} {self.get_state_display()}"

    @property
    def is_pending(self) -> bool:
        return self.state in (ExportState.QUEUED, ExportState.RUNNING)

    @property
    def filename(self) -> str:
        return f"dossier-{self.dossier.reference or self.dossier.pk}.pdf"


class ReferenceCounter(models.Model):
    """The last number given per (tenant, call reference code, year): locked with SELECT …
    FOR UPDATE at submission, so references have neither gaps nor duplicates. Keyed by the
    code rather than the call, because two calls of a tenant may share a code (e.g. a
    call and its copy the same year) while references must stay unique in the tenant."""

    tenant = models.ForeignKey("portal.Tenant", on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=12)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "code", "year"],
                                               name="reference_counter_unique_code")]
