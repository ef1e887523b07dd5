"""Enqueue Celery tasks through a transactional outbox.

`enqueue("reviews.letter_render", decision_id=7)` writes an `OutboxTask` row in the caller's
transaction; after commit the task is sent to the broker and the row marked dispatched. When
the broker is down the row simply stays: `outbox_flush` (beat, every minute, and at worker
start) sends it later. Tasks are idempotent, so a row sent twice (crash between send and
mark) does no harm.
"""

import logging

from django.db import transaction
from django.utils import timezone

from .models import OutboxTask

logger = logging.getLogger(__name__)


def enqueue(task_name: str, **kwargs) -> OutboxTask:
    row = OutboxTask.objects.create(task_name=task_name, kwargs=kwargs)
    transaction.on_commit(lambda: dispatch(row.pk))
    return row


def dispatch(outbox_id: int) -> bool:
    """Send one pending row to the broker; False (row kept) when the broker is unreachable."""
    from .celery import app

    row = OutboxTask.objects.filter(pk=outbox_id, dispatched_at__isnull=True).first()
    if row is None:
        return True
    if row.task_name not in app.tasks:
        app.loader.import_default_modules()  # the apps' tasks modules (autodiscovery)
    try:
        task = app.tasks[row.task_name]
    except KeyError:
        raise LookupError(f"Unknown Celery task {row.task_name!r}") from None
    try:
        task.apply_async(kwargs=row.kwargs, retry=False)
    except Exception as exc:  # noqa: BLE001 - broker errors vary (kombu, redis, OSError)
        OutboxTask.objects.filter(pk=row.pk).update(
            attempts=row.attempts + 1, last_error=f"{exc.__class__.__name__}: {exc}"[:255])
        logger.warning("broker unavailable, %s kept in the outbox: %s", row, exc)
        return False
    OutboxTask.objects.filter(pk=row.pk).update(dispatched_at=timezone.now(),
                                                attempts=row.attempts + 1)
    return True


def flush(limit: int = 500) -> int:
    """Send the pending rows, oldest first; stop at the first broker failure."""
    sent = 0
    pending = list(OutboxTask.objects.filter(dispatched_at__isnull=True)
                   .order_by("created_at", "pk").values_list("pk", flat=True)[:limit])
    for pk in pending:
        if not dispatch(pk):
            break
        sent += 1
    return sent
