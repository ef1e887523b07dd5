"""Celery entry points of the follow-up: ids in, objects loaded, idempotent (the ledger's keys
make a second run send nothing)."""

import logging

from portal.taskbase import for_each_tenant, tenant_task

logger = logging.getLogger(__name__)

DOSSIER = ("dossier_id", "applications.Dossier", "tenant")
RETRY = {"autoretry_for": (ConnectionError, OSError), "retry_backoff": True, "max_retries": 5}


def _dossier(dossier_id: int):
    from applications.models import Dossier

    return (Dossier.objects.select_related("tenant", "call", "structure", "final_report")
            .filter(pk=dossier_id).first())


@tenant_task(name="awards.advance_paid_email", tenant_from=DOSSIER, **RETRY)
def advance_paid_email_task(*, dossier_id: int) -> None:
    from .notifications import award_notify

    dossier = _dossier(dossier_id)
    if dossier is not None:
        award_notify(dossier=dossier, kind="advance_paid", key="advance")


@tenant_task(name="awards.report_overdue_email", tenant_from=DOSSIER, **RETRY)
def report_overdue_email_task(*, dossier_id: int) -> None:
    from .notifications import award_notify

    dossier = _dossier(dossier_id)
    if dossier is not None and getattr(dossier, "final_report", None):
        award_notify(dossier=dossier, kind="report_overdue",
                     key=f"overdue-{dossier.final_report.due_on}")


@tenant_task(name="awards.report_filed_email", tenant_from=DOSSIER, **RETRY)
def report_filed_email_task(*, dossier_id: int) -> None:
    from .notifications import award_notify

    dossier = _dossier(dossier_id)
    if dossier is not None and dossier.final_report.filed_at:
        key = dossier.final_report.filed_at.isoformat()
        award_notify(dossier=dossier, kind="report_filed", key=key)
        award_notify(dossier=dossier, kind="report_filed_staff", key=key, staff=True)


@tenant_task(name="awards.report_completion_email", tenant_from=DOSSIER, **RETRY)
def report_completion_email_task(*, dossier_id: int) -> None:
    from .notifications import award_notify

    dossier = _dossier(dossier_id)
    if dossier is not None:
        award_notify(dossier=dossier, kind="report_completion",
                     key=f"completion-{dossier.final_report.updated_at.isoformat()}")


@tenant_task(name="awards.balance_letter", tenant_from=DOSSIER, **RETRY)
def balance_letter_task(*, dossier_id: int) -> None:
    """Produce the balance or re-evaluation letter, then tell the structure (letter attached)."""
    from .letters import balance_letter_generate, letter_is_due
    from .notifications import award_notify

    dossier = _dossier(dossier_id)
    if dossier is None or not letter_is_due(dossier):
        logger.info("dossier %s: no examined report, no balance letter", dossier_id)
        return
    report = dossier.final_report
    balance_letter_generate(report)
    award_notify(dossier=dossier, kind="report_examined",
                 key=f"examined-{report.examined_at.isoformat()}",
                 attachments=[("awards.balance_letter", {"report_id": report.pk})])


@tenant_task(name="awards.tick", tenant_from=None)
def awards_tick_task() -> dict:
    """Daily: reports due at the end of the action, overdue past their deadline."""
    from .services import awards_tick

    moved = {"report_due": 0, "report_overdue": 0}
    for tenant in for_each_tenant():
        for key, count in awards_tick(tenant=tenant).items():
            moved[key] += count
    return moved
