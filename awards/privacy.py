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


def _delete_stored_file(sender, instance, **kwargs) -> None:
    """A report's document row is gone (its report or dossier purged, or replaced): its file
    leaves the private storage once the transaction commits."""
    from django.db import transaction

    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def register() -> None:
    from django.db.models.signals import post_delete

    from applications.privacy import register_purge_guard, register_purge_targets

    from .models import ReportAttachment

    register_purge_guard(dossiers_with_open_payments)
    register_purge_targets(report_targets)
    post_delete.connect(_delete_stored_file, sender=ReportAttachment,
                        dispatch_uid="awards_report_attachment_file")
