"""States and kinds of the follow-up of a grant (advance, final report, balance)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AwardStatus(models.TextChoices):
    """The dossier's life after « Aide accordée » (DESIGN §4): advance due → advance paid →
    report due → report filed → report accepted | re-evaluated → balance paid → closed, with
    report overdue on the way. Registered in the dossier's transition table
    (`awards.workflow`)."""

    ADVANCE_DUE = "advance_due", _("Avance à verser")
    ADVANCE_PAID = "advance_paid", _("Avance versée")
    REPORT_DUE = "report_due", _("Bilan final attendu")
    REPORT_OVERDUE = "report_overdue", _("Bilan final en retard")
    REPORT_FILED = "report_filed", _("Bilan final déposé")
    REPORT_ACCEPTED = "report_accepted", _("Bilan final accepté")
    REEVALUATED = "reevaluated", _("Aide réévaluée")
    BALANCE_PAID = "balance_paid", _("Solde versé")
    CLOSED = "closed", pgettext_lazy("dossier", "Soldé et clos")


#: States in which the applicant may file (or keep a draft of) the final report.
REPORT_OPEN_STATES = frozenset({AwardStatus.ADVANCE_PAID, AwardStatus.REPORT_DUE,
                                AwardStatus.REPORT_OVERDUE})

#: States after the report was examined: the balance (or a recovery) is settled.
EXAMINED_STATES = frozenset({AwardStatus.REPORT_ACCEPTED, AwardStatus.REEVALUATED})

#: Every post-award state but the last: payments are not closed yet (retention keeps them).
OPEN_AWARD_STATES = frozenset(set(AwardStatus) - {AwardStatus.CLOSED})


class PaymentKind(models.TextChoices):
    ADVANCE = "advance", _("Avance")
    BALANCE = "balance", _("Solde")
    RECOVERY = "recovery", _("Reversement (ordre de recouvrement)")


class PaymentStatus(models.TextChoices):
    """A payment's own small life: planned (the balance, until the report is examined) → due →
    sent to the funder's finance department → paid (or recovered); cancelled when a
    re-evaluation leaves nothing to pay."""

    PLANNED = "planned", _("Prévu au bilan")
    DUE = "due", _("À mettre en paiement")
    SENT = "sent", _("Transmis au service financier")
    PAID = "paid", _("Versé")
    CANCELLED = "cancelled", _("Annulé")


SETTLED_PAYMENT_STATES = frozenset({PaymentStatus.PAID, PaymentStatus.CANCELLED})
