import logging

from celery import shared_task
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
