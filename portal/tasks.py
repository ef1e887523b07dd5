"""Celery entry points of the portal app: named, ids only, idempotent."""

import logging

from celery.signals import worker_process_init, worker_ready

from .taskbase import tenant_task

logger = logging.getLogger(__name__)


@tenant_task(name="portal.invitation_email",
             tenant_from=("invitation_id", "portal.Invitation", "tenant"), autoretry_for=(ConnectionError, OSError),
             retry_backoff=True, max_retries=5)
def invitation_email_task(*, invitation_id: int) -> None:
    from .emails import render_and_send_invitation
    from .models import Invitation

    invitation = Invitation.objects.select_related("tenant", "organization").filter(
        pk=invitation_id).first()
    if invitation is None:
        logger.info("invitation %s no longer exists; e-mail not sent", invitation_id)
        return
    render_and_send_invitation(invitation)


@tenant_task(name="portal.notification_send", tenant_from=None,  # a row of any tenant, or none
             autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=8)
def notification_send_task(*, notification_id: int) -> bool:
    """Send one message of the ledger (nothing if it is sent, skipped or being sent); the
    row's tenant scope is entered for its attachments (portal.notifications.send_one)."""
    from .notifications import send_one

    return send_one(notification_id)


@tenant_task(name="portal.notifications_resend", tenant_from=None)  # every tenant's rows
def notifications_resend_task(*, older_than_seconds: int = 300) -> int:
    """Beat job, and at worker start: queue again the messages whose task was lost."""
    from datetime import timedelta

    from .notifications import resend_pending

    return resend_pending(older_than=timedelta(seconds=older_than_seconds))


@tenant_task(name="portal.outbox_flush", tenant_from=None)  # global rows
def outbox_flush_task() -> int:
    from .outbox import flush

    return flush()


@tenant_task(name="portal.run_reminders", tenant_from=None, autoretry_for=(ConnectionError, OSError),
             retry_backoff=True, max_retries=5)
def run_reminders_task() -> int:
    """Beat job: send the deadline reminders that are due (each one once)."""
    from .reminders import run_reminders

    return run_reminders()


@tenant_task(name="portal.purge_expired_dossiers", tenant_from=None)
def purge_expired_dossiers_task() -> int:
    """Beat job (daily): delete the closed dossiers past their tenant's retention period."""
    from .privacy import purge_expired_dossiers

    return purge_expired_dossiers()


@worker_ready.connect
def _flush_outbox_at_start(sender=None, **kwargs):
    """A worker coming back sends what was queued while the broker or it was down, and the
    messages of the ledger whose task died with a worker."""
    try:
        sender.app.send_task("portal.outbox_flush")
        sender.app.send_task("portal.notifications_resend", kwargs={"older_than_seconds": 0})
    except Exception:  # noqa: BLE001
        logger.exception("could not schedule the outbox flush at worker start")


@worker_process_init.connect
def _warm_up_pdf_rendering(**kwargs):
    """Each worker process loads WeasyPrint and the fonts before its first task."""
    from .pdf import warm_up

    try:
        warm_up()
    except Exception:  # noqa: BLE001 - a task will report the real error when it renders
        logger.exception("PDF warm-up failed")
