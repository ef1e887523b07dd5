"""Retention never purges a dossier whose payments are not closed (a payment due, sent or
planned, or a recovery not collected), whatever its state says."""

from django.db.models import Exists, OuterRef, Q


def dossiers_with_open_payments() -> Q:
    from .enums import SETTLED_PAYMENT_STATES
    from .models import Payment

    return Q(Exists(Payment.objects.filter(dossier=OuterRef("pk"))
                    .exclude(status__in=SETTLED_PAYMENT_STATES)))


def report_targets(dossier) -> list:
    """The final report's letter goes with the dossier when it is purged."""
    from .models import FinalReport

    return list(FinalReport.objects.filter(dossier=dossier))


def register() -> None:
    from applications.privacy import register_purge_guard, register_purge_targets

    register_purge_guard(dossiers_with_open_payments)
    register_purge_targets(report_targets)
