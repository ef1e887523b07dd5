"""Celery entry points of the applicant side: ids in, objects loaded, idempotent."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="applications.structure_invitation_email",
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
