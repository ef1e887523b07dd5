"""Celery entry points of instruction and committee: ids in, objects loaded, idempotent."""

import logging

from portal.taskbase import tenant_task

from .enums import SessionStatus

logger = logging.getLogger(__name__)


@tenant_task(name="reviews.session_minutes",
             tenant_from=("session_id", "reviews.CommitteeSession", "tenant"), autoretry_for=(ConnectionError, OSError),
             retry_backoff=True, max_retries=5)
def session_minutes_task(*, session_id: int) -> None:
    """(Re)generate the minutes of a closed session; unchanged data: nothing rendered."""
    from .documents import minutes_generate
    from .models import CommitteeSession

    session = CommitteeSession.objects.select_related("tenant").filter(pk=session_id).first()
    if session is not None:
        minutes_generate(session)


@tenant_task(name="reviews.decision_notify",
             tenant_from=("decision_id", "reviews.Decision", "session__tenant"),
             autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=5)
def decision_notify_task(*, decision_id: int) -> None:
    """Tell the applicant structure's members the decision of a closed session: one message
    per member in the ledger (each sent once by its own task, whatever the retries), the
    letter attached."""
    from .models import Decision
    from .notifications import decision_notify

    decision = Decision.objects.filter(pk=decision_id,
                                       session__status=SessionStatus.CLOSED).first()
    if decision is None:
        logger.info("decision %s deleted or its session open: not notified", decision_id)
        return
    decision_notify(decision)


@tenant_task(name="reviews.decision_letter",
             tenant_from=("decision_id", "reviews.Decision", "session__tenant"), autoretry_for=(ConnectionError, OSError),
             retry_backoff=True, max_retries=5)
def decision_letter_task(*, decision_id: int) -> None:
    """Render the decision letter of a closed session (unchanged data: nothing rendered)."""
    from .letters import decision_letter_generate
    from .models import Decision

    decision = (Decision.objects
                .select_related("session__tenant", "dossier__structure", "dossier__call",
                                "dossier__category", "dossier__tenant")
                .filter(pk=decision_id, session__status=SessionStatus.CLOSED).first())
    if decision is None:
        logger.info("decision %s deleted or its session not closed: no letter", decision_id)
        return
    decision_letter_generate(decision)


@tenant_task(name="reviews.batch_run", tenant_from=("job_id", "reviews.BatchJob", "tenant"),
             autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=5)
def batch_run_task(*, job_id: int) -> None:
    """Run a batch action of the dashboard, dossier after dossier (resumes where it stopped)."""
    from .batch import batch_run

    batch_run(job_id=job_id)
