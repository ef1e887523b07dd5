"""Celery entry points of instruction and committee: ids in, objects loaded, idempotent."""

import logging

from django.db import transaction
from django.utils import timezone

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
             tenant_from=("decision_id", "reviews.Decision", "session__tenant"), autoretry_for=(ConnectionError, OSError),
             retry_backoff=True, max_retries=5)
def decision_notify_task(*, decision_id: int) -> None:
    """Tell the applicant structure's members the decision, once (``notified_at``)."""
    from applications.models import StructureMember
    from portal.emails import absolute_url, send_templated_email
    from django.urls import reverse

    from .letters import letter_for_email
    from .models import Decision

    decision = Decision.objects.select_related("session__tenant").filter(pk=decision_id).first()
    if decision is None:
        return
    tenant = decision.session.tenant
    with transaction.atomic():
        decision = (Decision.objects.select_for_update(of=("self",))
                    .select_related("dossier__structure", "dossier__call", "dossier__tenant",
                                    "dossier__category", "dossier__track", "session")
                    .filter(pk=decision_id, notified_at__isnull=True,
                            session__status=SessionStatus.CLOSED).first())
        if decision is None:
            logger.info("decision %s already notified or session open", decision_id)
            return
        dossier = decision.dossier
        try:
            url = absolute_url(reverse("applications:dossier_detail",
                                       kwargs={"tenant_slug": tenant.slug, "pk": dossier.pk}))
        except Exception:  # noqa: BLE001 - the applicant page may be absent
            url = absolute_url(f"/{tenant.slug}/")
        letter = letter_for_email(decision)
        letter_url = absolute_url(reverse("reviews:decision_letter", kwargs={
            "tenant_slug": tenant.slug, "decision_pk": decision.pk}))
        members = StructureMember.objects.filter(structure=dossier.structure).select_related("user")
        shares = list(decision.shares.all())
        for member in members:
            send_templated_email(to=member.user.email, template="reviews_decision",
                                 language=getattr(member.user, "language", "fr"),
                                 context={"decision": decision, "dossier": dossier,
                                          "tenant": tenant, "url": url, "recipient": member.user,
                                          "letter_url": letter_url, "shares": shares},
                                 attachments=[letter])
        decision.notified_at = timezone.now()
        decision.save(update_fields=["notified_at"])


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
