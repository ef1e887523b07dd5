"""Celery entry points of the mentoring scheme (ids in, idempotent)."""

import logging

from celery import shared_task
from django_scopes import scope, scopes_disabled

logger = logging.getLogger(__name__)


@shared_task(name="mentoring.need_notification", autoretry_for=(ConnectionError, OSError),
             retry_backoff=True, max_retries=5)
def need_notification_task(*, need_id: int, event: str) -> None:
    from .models import NeedRequest
    from .notifications import send_need_notification

    with scopes_disabled():
        need = NeedRequest.objects.select_related("tenant", "submitted_by").filter(
            pk=need_id).first()
    if need is None:
        logger.info("need %s no longer exists; no notification", need_id)
        return
    with scope(tenant=need.tenant):
        send_need_notification(need, event)


@shared_task(name="mentoring.assignment_recompute")
def assignment_recompute_task(*, tenant_id: int) -> None:
    from portal.models import Tenant

    from .services import assignment_recompute

    with scopes_disabled():
        tenant = Tenant.objects.filter(pk=tenant_id).first()
    if tenant is None:
        return
    with scope(tenant=tenant):
        assignment_recompute(tenant=tenant)


@shared_task(name="mentoring.convention", autoretry_for=(ConnectionError, OSError),
             retry_backoff=True, max_retries=5)
def convention_task(*, engagement_id: int) -> None:
    """Store the engagement's tripartite convention (nothing rendered if it is unchanged)."""
    from .documents import convention_generate
    from .models import Engagement

    with scopes_disabled():  # task start-up: the row names its tenant
        engagement = Engagement.objects.select_related(
            "tenant", "need__structure", "resource__structure").filter(pk=engagement_id).first()
    if engagement is None:
        logger.info("engagement %s no longer exists; no convention", engagement_id)
        return
    with scope(tenant=engagement.tenant):
        convention_generate(engagement)
