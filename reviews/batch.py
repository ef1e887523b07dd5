"""Batch actions on the dashboard's selection: the job is recorded, then a Celery task runs
it dossier after dossier through the service of the single action (same permission checks,
same state rules, same audit entries), and records each dossier's outcome so that the
officer follows its progress and sees why a dossier was refused.

`batch_start` (the service the view calls) and `batch_run` (what the task does) — both
keyword-only, both inside the tenant's scope.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Dossier
from portal.audit import audit_log
from portal.outbox import enqueue

from .enums import BatchAction, BatchStatus
from .models import BatchJob, CommitteeSession
from .selectors import dashboard_base

#: At most this many dossiers in one batch (the dashboard's largest page is 100).
MAX_BATCH = 500


class BatchError(ValidationError):
    """The batch cannot start (nothing selected, an action's parameter missing)."""


def _perm_for(action: str) -> str:
    return {BatchAction.ASSIGN: "reviews.assign",
            BatchAction.AGENDA_ADD: "reviews.manage_sessions"}.get(action, "reviews.view_dashboard")


def batch_actions_for(user, tenant) -> list[str]:
    """The batch actions `user` may launch in `tenant` (the dashboard offers only these)."""
    return [a for a in BatchAction.values if user.has_perm(_perm_for(a), tenant)]


@transaction.atomic
def batch_start(*, user, tenant, action: str, dossier_ids, params: dict) -> BatchJob:
    """Record the batch and queue its task (after commit, through the outbox). Only the
    dossiers the officer sees on the dashboard are kept (another tenant's, a conflicted
    one's, a draft are dropped silently: they were never offered)."""
    if action not in BatchAction.values:
        raise BatchError(_("Action inconnue."))
    if not user.has_perm("reviews.view_dashboard", tenant) or not user.has_perm(
            _perm_for(action), tenant):
        raise PermissionDenied(_perm_for(action))
    wanted = list(dict.fromkeys(int(i) for i in dossier_ids))
    if not wanted:
        raise BatchError(_("Cochez au moins un dossier."))
    if len(wanted) > MAX_BATCH:
        raise BatchError(_("%(max)s dossiers au plus par action groupée (%(n)s cochés).")
                         % {"max": MAX_BATCH, "n": len(wanted)})
    visible = set(dashboard_base(tenant, user).filter(pk__in=wanted).values_list("pk", flat=True))
    ids = [i for i in wanted if i in visible]
    if not ids:
        raise BatchError(_("Aucun des dossiers cochés n'est accessible."))
    if action == BatchAction.AGENDA_ADD and not CommitteeSession.objects.filter(
            tenant=tenant, pk=params.get("session")).exists():
        raise BatchError({"session": _("Choisissez la séance.")})
    job = BatchJob.objects.create(tenant=tenant, user=user, action=action, params=params,
                                  dossier_ids=ids)
    audit_log(tenant=tenant, actor=user, action="reviews.batch.started", target=job,
              data={"action": action, "dossiers": ids, "params": params})
    enqueue("reviews.batch_run", job_id=job.pk)
    return job


def _apply(job: BatchJob, dossier: Dossier, context: dict) -> None:
    """The single action on one dossier (raises what its service raises)."""
    from applications.services import dossier_request_completion

    from . import services

    user, params = job.user, job.params
    if job.action == BatchAction.ELIGIBILITY_CONFIRM:
        # the officer stated, on launching, that they checked the documents provided
        checklist = {str(doc["id"]): doc["attachment"] is not None
                     for doc in services.required_documents(dossier)}
        services.eligibility_confirm(user=user, dossier=dossier, checklist=checklist,
                                     comment=params.get("comment", ""))
    elif job.action == BatchAction.ASSIGN:
        services.assignment_add(user=user, dossier=dossier, officer=context["officer"])
    elif job.action == BatchAction.REQUEST_COMPLETION:
        dossier_request_completion(user=user, dossier=dossier, message=params["message"],
                                   steps=params["steps"],
                                   due_at=datetime.fromisoformat(params["due_at"]))
    elif job.action == BatchAction.AGENDA_ADD:
        services.agenda_add(user=user, session=context["session"], dossier=dossier)


def _context(job: BatchJob) -> dict:
    from portal.models import Membership

    context = {}
    if job.action == BatchAction.ASSIGN:
        membership = (Membership.objects.filter(tenant=job.tenant, user_id=job.params.get("officer"))
                      .select_related("user").first())
        context["officer"] = membership.user if membership else None
    if job.action == BatchAction.AGENDA_ADD:
        context["session"] = CommitteeSession.objects.filter(
            tenant=job.tenant, pk=job.params.get("session")).first()
    return context


def _message(exc: Exception) -> str:
    if isinstance(exc, PermissionDenied):
        return _("Vous n'avez pas le droit de faire cette action sur ce dossier.")
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return " ".join(m for msgs in exc.message_dict.values() for m in msgs)
        return " ".join(exc.messages)
    raise exc


def batch_run(*, job_id: int, now: datetime | None = None) -> BatchJob | None:
    """Run (or resume) the batch: each dossier in its own transaction, its outcome recorded
    as soon as it is known. Idempotent: a dossier already processed is not processed again."""
    job = BatchJob.objects.select_related("tenant", "user").filter(pk=job_id).first()
    if job is None or job.is_finished:
        return job
    if job.state == BatchStatus.QUEUED:
        BatchJob.objects.filter(pk=job.pk).update(state=BatchStatus.RUNNING,
                                                  started_at=now or timezone.now())
    context = _context(job)
    done = {r["dossier"] for r in job.results}
    dossiers = {d.pk: d for d in dashboard_base(job.tenant, job.user).filter(
        pk__in=job.dossier_ids).select_related("tenant", "call", "track", "category",
                                               "structure")}
    for dossier_id in job.dossier_ids:
        if dossier_id in done:
            continue
        dossier = dossiers.get(dossier_id)
        result = {"dossier": dossier_id, "reference": dossier.reference if dossier else "",
                  "ok": False, "message": ""}
        if dossier is None:
            result["message"] = _("Ce dossier n'est plus accessible.")
        elif job.action == BatchAction.ASSIGN and context.get("officer") is None:
            result["message"] = _("Ce·tte rapporteur·rice n'est plus membre du contrat.")
        elif job.action == BatchAction.AGENDA_ADD and context.get("session") is None:
            result["message"] = _("Cette séance n'existe plus.")
        else:
            try:
                with transaction.atomic():
                    _apply(job, dossier, context)
            except (ValidationError, PermissionDenied) as exc:
                result["message"] = _message(exc)
            else:
                result["ok"] = True
        job.results.append(result)
        BatchJob.objects.filter(pk=job.pk).update(results=job.results)
    job.state, job.finished_at = BatchStatus.FINISHED, now or timezone.now()
    BatchJob.objects.filter(pk=job.pk).update(state=job.state, finished_at=job.finished_at)
    audit_log(tenant=job.tenant, actor=job.user, action="reviews.batch.finished", target=job,
              data={"action": job.action, "succeeded": job.succeeded, "failed": job.failed})
    return job


def batch_progress(job: BatchJob) -> dict:
    """What the progress page polls (no personal data beyond the officer's own dossiers)."""
    return {"total": job.total, "done": job.done, "succeeded": job.succeeded,
            "failed": job.failed, "finished": job.is_finished}
