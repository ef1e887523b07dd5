"""The one service that changes a dossier's status (see `applications.workflow`).

Business services (filing, completion request, eligibility, assignment, agenda, decision)
check their own conditions, compute what they write, then call `dossier_transition` — or
`dossiers_transition` for many dossiers at once — which:

1. locks the row(s) and looks the (current state → target) row up in the table (a move the
   table does not have raises `TransitionError`: a bug, not a user error);
2. checks who may (the row's permission on (user, dossier); ``user=None`` is the platform);
3. writes the status, the row's time stamps and the service's fields in one UPDATE;
4. logs the row's audit action on each dossier (``from``/``to`` plus the service's data);
5. queues the row's tasks through the outbox (after commit) and sends
   `dossier_status_changed` for the apps above that react to a state.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from portal.audit import audit_log
from portal.outbox import enqueue

from ..models import Dossier
from ..workflow import Transition, transition_for

#: Sent after each status change, inside the transaction: ``sender=Dossier, dossier,
#: source, target, user, transition``.
dossier_status_changed = Signal()


def _lock(pks: list[int]) -> list[Dossier]:
    return list(Dossier.objects.select_for_update(of=("self",))
                .select_related("tenant", "call", "track", "category", "structure")
                .filter(pk__in=pks).order_by("pk"))


def _apply(locked: Dossier, target: str, *, user, now: datetime, data: dict | None,
           fields: dict | None, enqueue_kwargs: dict | None, quiet: bool) -> Transition:
    source = locked.status
    row = transition_for(source, target)
    if user is not None and row.perm and not user.has_perm(row.perm, locked):
        raise PermissionDenied(row.perm)
    changed = {"status": str(target), **{name: now for name in row.stamps}, **(fields or {})}
    for name, value in changed.items():
        setattr(locked, name, value)
    locked._status_transition = row  # lets Dossier.save() write the new status
    try:
        locked.save(update_fields=[*changed, "updated_at"])
    finally:
        del locked._status_transition
    audit_log(tenant=locked.tenant, actor=user, action=row.action, target=locked,
              data={"from": str(source), "to": str(target), **(data or {})})
    if not quiet:
        for task_name in row.enqueue:
            enqueue(task_name, dossier_id=locked.pk, **(enqueue_kwargs or {}))
    dossier_status_changed.send(sender=Dossier, dossier=locked, source=str(source),
                                target=str(target), user=user, transition=row)
    return row


def sync_instance(target: Dossier, source: Dossier) -> None:
    """Copy the locked row's fields onto the caller's instance (status included)."""
    if target is source:
        return
    for f in Dossier._meta.concrete_fields:
        setattr(target, f.attname, getattr(source, f.attname))
    target._loaded_status = source.status


@transaction.atomic
def dossier_transition(*, dossier: Dossier, to: str, user=None, now: datetime | None = None,
                       data: dict | None = None, fields: dict | None = None,
                       enqueue_kwargs: dict | None = None, quiet: bool = False) -> Dossier:
    """Move `dossier` to the state `to` by the table's row (current state → `to`).

    ``fields``: other Dossier fields the business service computed, saved with the status;
    ``data``: added to the audit event; ``enqueue_kwargs``: ids added to the row's tasks;
    ``quiet``: no task queued (demo data, data migrations). Returns `dossier`, refreshed."""
    now = now or timezone.now()
    [locked] = _lock([dossier.pk])
    _apply(locked, to, user=user, now=now, data=data, fields=fields,
           enqueue_kwargs=enqueue_kwargs, quiet=quiet)
    sync_instance(dossier, locked)
    return dossier


@transaction.atomic
def dossiers_transition(*, dossiers: Iterable[Dossier | int], to: str, user=None,
                        now: datetime | None = None, data: dict | None = None,
                        quiet: bool = False) -> list[Dossier]:
    """The bulk form: each dossier goes through the table, is audited and notified on its own
    (one lock query for all). Every dossier must be able to make the move."""
    now = now or timezone.now()
    pks = [d if isinstance(d, int) else d.pk for d in dossiers]
    locked = _lock(pks)
    for one in locked:
        _apply(one, to, user=user, now=now, data=data, fields=None, enqueue_kwargs=None,
               quiet=quiet)
    return locked
