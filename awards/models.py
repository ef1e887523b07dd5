"""After the decision: the payment schedule of a grant per funder, the final report (bilan)
with its realised budget, and the structure's bank account."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from calls.enums import AdvanceTiming, Funder
from portal.textlimits import COMMENT, LONG_TEXT, bounded

from .enums import PaymentKind, PaymentStatus
from .validators import format_iban, validate_bic, validate_iban

MONEY = {"max_digits": 12, "decimal_places": 2}


class BankAccount(models.Model):
    """The structure's bank account (RIB) the funders pay to. Global like the structure;
    seen only by the structure's managers and by officers of a funder that pays it."""

    structure = models.OneToOneField("applications.Structure", on_delete=models.CASCADE,
                                     related_name="bank_account")
    holder = models.CharField(_("titulaire du compte"), max_length=200)
    iban = models.CharField(_("IBAN"), max_length=34, validators=[validate_iban])
    bic = models.CharField(_("BIC"), max_length=11, blank=True, validators=[validate_bic])
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("coordonnées bancaires")
        verbose_name_plural = _("coordonnées bancaires")

    def __str__(self):
        return f"{self.structure} — {self.iban_display}"

    @property
    def iban_display(self) -> str:
        return format_iban(self.iban)


class FunderAccount(models.Model):
    """The account a funder pays from in a tenant (the debtor of its SEPA transfer file): set
    by the tenant's admin, per funder."""

    tenant = models.ForeignKey("portal.Tenant", on_delete=models.CASCADE, related_name="+")
    funder = models.CharField(_("financeur"), max_length=16, choices=Funder.choices)
    name = models.CharField(_("nom du donneur d'ordre"), max_length=70,
                            help_text=_("Tel que la banque le connaît, 70 caractères au plus "
                                        "(ex. : DRAC OCCITANIE)."))
    iban = models.CharField(_("IBAN"), max_length=34, validators=[validate_iban])
    bic = models.CharField(_("BIC"), max_length=11, blank=True, validators=[validate_bic])
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = _("compte payeur d'un financeur")
        verbose_name_plural = _("comptes payeurs des financeurs")
        constraints = [models.UniqueConstraint(fields=["tenant", "funder"],
                                               name="funder_account_unique")]

    def __str__(self):
        return f"{self.get_funder_display()} — {self.iban_display}"

    @property
    def iban_display(self) -> str:
        return format_iban(self.iban)


class Payment(models.Model):
    """One line of a grant's payment schedule: what one funder pays (advance, balance) or
    recovers (after a re-evaluation) on one dossier."""

    tenant = models.ForeignKey("portal.Tenant", on_delete=models.CASCADE, related_name="+")
    dossier = models.ForeignKey("applications.Dossier", on_delete=models.CASCADE,
                                related_name="payments")
    funder = models.CharField(_("financeur"), max_length=16, choices=Funder.choices)
    kind = models.CharField(_("nature"), max_length=16, choices=PaymentKind.choices)
    amount = models.DecimalField(_("montant (€)"), **MONEY)
    status = models.CharField(_("état"), max_length=16, choices=PaymentStatus.choices,
                              default=PaymentStatus.DUE)
    #: what a planned advance waits for before it is due (the call's `advance_paid_on`): the
    #: signed convention, or the structure's attestation that the action started
    awaits = models.CharField(_("en attente de"), max_length=16, blank=True,
                              choices=[(AdvanceTiming.CONVENTION, AdvanceTiming.CONVENTION.label),
                                       (AdvanceTiming.START, AdvanceTiming.START.label)])
    sent_at = models.DateTimeField(_("transmis le"), null=True, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+")
    paid_on = models.DateField(_("date du versement"), null=True, blank=True)
    paid_amount = models.DecimalField(_("montant versé (€)"), null=True, blank=True, **MONEY)
    reference = models.CharField(_("référence du mandat ou du titre"), max_length=64,
                                 blank=True)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["dossier_id", "kind", "funder"]
        verbose_name = _("versement")
        verbose_name_plural = _("versements")
        constraints = [
            models.UniqueConstraint(fields=["dossier", "funder", "kind"],
                                    name="payment_unique_kind_per_funder"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=~Q(status=PaymentStatus.PAID)
                | (Q(paid_on__isnull=False) & Q(paid_amount__isnull=False)),
                name="payment_paid_has_date_and_amount"),
        ]

    def __str__(self):
        return f"{self.dossier} — {self.get_kind_display()} {self.get_funder_display()}"

    @property
    def is_recovery(self) -> bool:
        return self.kind == PaymentKind.RECOVERY

    @property
    def awaits_convention(self) -> bool:
        """An advance the call pays at the convention's signature, not returned yet."""
        return (self.kind == PaymentKind.ADVANCE and self.status == PaymentStatus.PLANNED
                and self.awaits == AdvanceTiming.CONVENTION)

    @property
    def awaits_start(self) -> bool:
        """An advance the call pays at the start of the action, on the structure's attestation,
        not filed yet."""
        return (self.kind == PaymentKind.ADVANCE and self.status == PaymentStatus.PLANNED
                and self.awaits == AdvanceTiming.START)

    @property
    def is_due(self) -> bool:
        return self.status == PaymentStatus.DUE

    @property
    def is_open(self) -> bool:
        """To be paid (or recovered): due, or sent to the finance department."""
        return self.status in (PaymentStatus.DUE, PaymentStatus.SENT)

    @property
    def is_paid(self) -> bool:
        return self.status == PaymentStatus.PAID


class FinalReport(models.Model):
    """The final report (bilan) of a grant: an activity report and the realised budget on the
    planned lines; kept as a draft until filed, examined by an instructor."""

    dossier = models.OneToOneField("applications.Dossier", on_delete=models.CASCADE,
                                   related_name="final_report")
    due_on = models.DateField(_("à remettre au plus tard le"), null=True, blank=True)
    activity_report = models.TextField(_("bilan d'activité"), blank=True, max_length=LONG_TEXT,
                                       validators=bounded(LONG_TEXT))
    filed_at = models.DateTimeField(_("déposé le"), null=True, blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="+")
    completion_message = models.TextField(_("compléments demandés"), blank=True,
                                          max_length=COMMENT, validators=bounded(COMMENT))
    #: the report documents (DocumentRequirement ids) the completion request asks again for:
    #: each must be uploaded after `completion_requested_at` before the report is filed again
    completion_documents = ArrayField(models.PositiveIntegerField(), default=list, blank=True)
    completion_requested_at = models.DateTimeField(null=True, blank=True)
    examined_at = models.DateTimeField(null=True, blank=True)
    examined_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    examination_comment = models.TextField(_("commentaire de l'instruction"), blank=True,
                                           max_length=COMMENT, validators=bounded(COMMENT))
    #: the re-evaluation as computed (amounts as strings, per funder), None when accepted
    reevaluation = models.JSONField(null=True, blank=True, editable=False)
    reevaluated_amount = models.DecimalField(_("aide réévaluée (€)"), null=True, blank=True,
                                             **MONEY)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(tenant="dossier__tenant")

    class Meta:
        verbose_name = _("bilan final")
        verbose_name_plural = _("bilans finaux")

    def __str__(self):
        return _("Bilan final") + f" — {self.dossier}"


class ReportLine(models.Model):
    """The realised amount of one planned budget line."""

    report = models.ForeignKey(FinalReport, on_delete=models.CASCADE, related_name="lines")
    budget_line = models.ForeignKey("applications.BudgetLine", on_delete=models.CASCADE,
                                    related_name="+")
    realised = models.DecimalField(_("montant réalisé (€)"), **MONEY)
    #: when the realised expense was made (a day, or a period): checked against the call's
    #: eligible period as the planned budget's lines are
    spent_from = models.DateField(_("dépense réalisée du"), null=True, blank=True)
    spent_until = models.DateField(_("dépense réalisée jusqu'au"), null=True, blank=True)

    objects = ScopedManager(tenant="report__dossier__tenant")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "budget_line"],
                                    name="report_line_unique"),
            models.CheckConstraint(condition=Q(realised__gte=0),
                                   name="report_line_realised_positive"),
            models.CheckConstraint(
                condition=Q(spent_from__isnull=True) | Q(spent_until__isnull=True)
                | Q(spent_until__gte=models.F("spent_from")),
                name="report_line_dates_ordered"),
        ]


def _report_file_path(instance, filename: str) -> str:
    import uuid

    return f"bilans/{instance.report.dossier.tenant_id}/{uuid.uuid4().hex}"


def _private_storage():
    from applications.models import private_storage

    return private_storage()


class ReportAttachment(models.Model):
    """One document the final report needs (a DocumentRequirement of the call « au bilan
    final »), uploaded through the applications' checks (`applications.uploads`) into the same
    private storage as the dossier's attachments."""

    report = models.ForeignKey(FinalReport, on_delete=models.CASCADE, related_name="attachments")
    requirement = models.ForeignKey("calls.DocumentRequirement", on_delete=models.PROTECT,
                                    related_name="report_attachments", verbose_name=_("pièce"))
    file = models.FileField(storage=_private_storage, upload_to=_report_file_path,
                            max_length=255)
    original_name = models.CharField(_("nom du fichier"), max_length=255)
    content_type = models.CharField(max_length=120)
    extension = models.CharField(max_length=10)
    size = models.PositiveBigIntegerField(_("taille (octets)"))
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, related_name="+")
    uploaded_at = models.DateTimeField()

    objects = ScopedManager(tenant="report__dossier__tenant")

    class Meta:
        ordering = ["requirement__position", "requirement_id"]
        verbose_name = _("pièce du bilan final")
        verbose_name_plural = _("pièces du bilan final")
        constraints = [models.UniqueConstraint(fields=["report", "requirement"],
                                               name="report_attachment_one_per_requirement")]

    def __str__(self):
        return self.original_name


def _attestation_file_path(instance, filename: str) -> str:
    import uuid

    return f"bilans/{instance.dossier.tenant_id}/{uuid.uuid4().hex}"


class StartAttestation(models.Model):
    """The structure's attestation that the action started (« avance versée au démarrage de
    l'action, sur attestation »): a declaration, the start date, an optional document."""

    dossier = models.OneToOneField("applications.Dossier", on_delete=models.CASCADE,
                                   related_name="start_attestation")
    started_on = models.DateField(_("date de démarrage de l'action"))
    declaration = models.CharField(_("déclaration"), max_length=300)
    file = models.FileField(storage=_private_storage, upload_to=_attestation_file_path,
                            max_length=255, blank=True)
    original_name = models.CharField(_("nom du fichier"), max_length=255, blank=True)
    content_type = models.CharField(max_length=120, blank=True)
    size = models.PositiveBigIntegerField(_("taille (octets)"), null=True, blank=True)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                 null=True, related_name="+")
    filed_at = models.DateTimeField(_("attestée le"))

    objects = ScopedManager(tenant="dossier__tenant")

    class Meta:
        verbose_name = _("attestation de démarrage")
        verbose_name_plural = _("attestations de démarrage")

    def __str__(self):
        return _("Attestation de démarrage") + f" — {self.dossier}"
