"""Celery entry points of the portal app: named, ids only, idempotent."""

import logging

from celery import shared_task
from celery.signals import worker_process_init, worker_ready
from django_scopes import scope, scopes_disabled

logger = logging.getLogger(__name__)


@shared_task(name="portal.invitation_email", autoretry_for=(ConnectionError, OSError),
             retry_backoff=True, max_retries=5)
def invitation_email_task(*, invitation_id: int) -> None:
    from .emails import render_and_send_invitation
    from .models import Invitation

    with scopes_disabled():
        invitation = Invitation.objects.select_related("tenant", "organization").filter(
            pk=invitation_id).first()
    if invitation is None:
        logger.info("invitation %s no longer exists; e-mail not sent", invitation_id)
        return
    with scope(tenant=invitation.tenant):
        render_and_send_invitation(invitation)


@shared_task(name="portal.outbox_flush")
def outbox_flush_task() -> int:
    from .outbox import flush

    return flush()


@shared_task(name="portal.run_reminders", autoretry_for=(ConnectionError, OSError),
             retry_backoff=True, max_retries=5)
def run_reminders_task() -> int:
    """Beat job: send the deadline reminders that are due (each one once)."""
    from .reminders import run_reminders

    return run_reminders()


@shared_task(name="portal.purge_expired_dossiers")
def purge_expired_dossiers_task() -> int:
    """Beat job (daily): delete the closed dossiers past their tenant's retention period."""
    from .privacy import purge_expired_dossiers

    return purge_expired_dossiers()


@worker_ready.connect
def _flush_outbox_at_start(sender=None, **kwargs):
    """A worker coming back sends what was queued while the broker or it was down."""
    try:
        sender.app.send_task("portal.outbox_flush")
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
