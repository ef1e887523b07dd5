"""After the decision: the payment schedule of a grant per funder, the final report (bilan)
with its realised budget, and the structure's bank account."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from calls.enums import Funder
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
        return self.kind == PaymentKind.ADVANCE and self.status == PaymentStatus.PLANNED

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
        return f"{_('Bilan final')} — {self.dossier}"


class ReportLine(models.Model):
    """The realised amount of one planned budget line."""

    report = models.ForeignKey(FinalReport, on_delete=models.CASCADE, related_name="lines")
    budget_line = models.ForeignKey("applications.BudgetLine", on_delete=models.CASCADE,
                                    related_name="+")
    realised = models.DecimalField(_("montant réalisé (€)"), **MONEY)

    objects = ScopedManager(tenant="report__dossier__tenant")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "budget_line"],
                                    name="report_line_unique"),
            models.CheckConstraint(condition=Q(realised__gte=0),
                                   name="report_line_realised_positive"),
        ]
