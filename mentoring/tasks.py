"""Celery entry points of the mentoring scheme (ids in, idempotent)."""

import logging

from portal.taskbase import tenant_task

logger = logging.getLogger(__name__)


@tenant_task(name="mentoring.need_notification",
             tenant_from=("need_id", "mentoring.NeedRequest", "tenant"), autoretry_for=(ConnectionError, OSError),
             retry_backoff=True, max_retries=5)
def need_notification_task(*, need_id: int, event: str, key: str = "") -> None:
    from .models import NeedRequest
    from .notifications import send_need_notification

    need = NeedRequest.objects.select_related("tenant", "submitted_by").filter(
        pk=need_id).first()
    if need is None:
        logger.info("need %s no longer exists; no notification", need_id)
        return
    send_need_notification(need, event, key=key)


@tenant_task(name="mentoring.assignment_recompute",
             tenant_from=("tenant_id", "portal.Tenant", "pk"))
def assignment_recompute_task(*, tenant_id: int, run_id: int | None = None) -> None:
    """With `run_id`: the computation a pilot asked for (its page follows the run's state);
    without: the recomputation that follows a change of needs, pool or weights."""
    from portal.models import Tenant

    from .services import assignment_recompute, assignment_run

    if run_id is not None:
        assignment_run(run_id=run_id)
        return
    assignment_recompute(tenant=Tenant.objects.get(pk=tenant_id))


@tenant_task(name="mentoring.convention",
             tenant_from=("engagement_id", "mentoring.Engagement", "tenant"), autoretry_for=(ConnectionError, OSError),
             retry_backoff=True, max_retries=5)
def convention_task(*, engagement_id: int) -> None:
    """Store the engagement's tripartite convention (nothing rendered if it is unchanged)."""
    from .documents import convention_generate
    from .models import Engagement

    engagement = Engagement.objects.select_related(
        "tenant", "need__structure", "resource__structure").filter(pk=engagement_id).first()
    if engagement is None:
        logger.info("engagement %s no longer exists; no convention", engagement_id)
        return
    convention_generate(engagement)
