"""Celery entry points of the applicant side: ids in, objects loaded, idempotent."""

import logging

from portal.taskbase import tenant_task

logger = logging.getLogger(__name__)


@tenant_task(name="applications.structure_invitation_email", tenant_from=None,  # global rows
             autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=5)
def structure_invitation_email_task(*, invitation_id: int) -> None:
    from .emails import send_structure_invitation
    from .models import StructureInvitation

    invitation = StructureInvitation.objects.select_related("structure", "invited_by").filter(
        pk=invitation_id, accepted_at__isnull=True).first()
    if invitation is None:
        logger.info("structure invitation %s gone or accepted; e-mail not sent", invitation_id)
        return
    send_structure_invitation(invitation)


def _dossier(dossier_id: int):
    from .models import Dossier

    return Dossier.objects.select_related("tenant", "call", "structure").filter(
        pk=dossier_id).first()


#: The tenant of the dossier tasks: the dossier names it.
DOSSIER = ("dossier_id", "applications.Dossier", "tenant")


def _notify(dossier, kind: str, *, to_instructors: bool = False, extra: dict | None = None,
            key: str = ""):
    """Record one message per recipient in the ledger under (kind, dossier, key): a task run
    twice (retries, redelivery) records nothing more, and each message is sent once."""
    from .emails import send_dossier_notification

    send_dossier_notification(dossier=dossier, kind=kind, to_instructors=to_instructors,
                              extra=extra or {}, key=key)


@tenant_task(name="applications.dossier_submitted_email", tenant_from=DOSSIER,
             autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=5)
def dossier_submitted_email_task(*, dossier_id: int) -> None:
    dossier = _dossier(dossier_id)
    if dossier is not None:
        _notify(dossier, "submitted", key=dossier.submitted_at.isoformat())


@tenant_task(name="applications.dossier_resubmitted_email", tenant_from=DOSSIER,
             autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=5)
def dossier_resubmitted_email_task(*, dossier_id: int) -> None:
    dossier = _dossier(dossier_id)
    if dossier is not None:
        stamp = dossier.submitted_at.isoformat()
        _notify(dossier, "resubmitted", key=stamp)
        _notify(dossier, "resubmitted", to_instructors=True, key=stamp)


@tenant_task(name="applications.dossier_withdrawn_email", tenant_from=DOSSIER,
             autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=5)
def dossier_withdrawn_email_task(*, dossier_id: int) -> None:
    dossier = _dossier(dossier_id)
    if dossier is not None:
        _notify(dossier, "withdrawn")
        _notify(dossier, "withdrawn", to_instructors=True)


@tenant_task(name="applications.completion_request_email",
             tenant_from=("completion_request_id", "applications.CompletionRequest",
                          "dossier__tenant"),
             autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=5)
def completion_request_email_task(*, completion_request_id: int,
                                  dossier_id: int | None = None) -> None:
    from .models import CompletionRequest

    request = CompletionRequest.objects.filter(pk=completion_request_id).first()
    if request is not None:
        _notify(_dossier(request.dossier_id), "completion_requested",
                extra={"completion": request}, key=str(request.pk))


@tenant_task(name="applications.dossier_message_email",
             tenant_from=("message_id", "applications.DossierMessage", "dossier__tenant"),
             autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=5)
def dossier_message_email_task(*, message_id: int) -> None:
    from .models import DossierMessage

    message = DossierMessage.objects.filter(pk=message_id).first()
    if message is not None:
        _notify(_dossier(message.dossier_id), "message",
                to_instructors=not message.from_instructor, extra={"message": message},
                key=str(message.pk))


@tenant_task(name="applications.dossier_export",
             tenant_from=("export_id", "applications.DossierExport", "tenant"))
def dossier_export_task(*, export_id: int) -> None:
    """Lay a dossier's PDF export out into the private storage (applications.exports)."""
    from .exports import export_run

    export_run(export_id=export_id)


@tenant_task(name="applications.dossier_exports_expire", tenant_from=None)  # every tenant
def dossier_exports_expire_task() -> int:
    """Beat job (daily): delete the dossier exports past their week, with their files."""
    from portal.taskbase import for_each_tenant

    from .exports import exports_expire

    return sum(exports_expire(tenant=tenant) for tenant in for_each_tenant(active_only=False))
