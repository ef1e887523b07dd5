"""Deadline reminders: which milestone is due, and sending each one exactly once.

Apps register *providers*: functions `provider(now) -> iterable[ReminderDue]` that list, for
their own objects, the recipients and the deadline. `run_reminders(now)` (a beat task) asks
every provider, keeps the latest milestone whose moment has come and whose deadline has not
passed, and records it in the notification ledger (`portal.notifications`) under the key
(kind, target, milestone, recipient): the ledger sends it once, by a task per recipient.
Earlier milestones superseded while the worker was down are recorded as skipped.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import models
from django.utils import timezone
from django_scopes import scopes_disabled

from .notifications import notify, record_skipped

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Milestone:
    name: str  # e.g. "J-7", "J-1", "H-3"
    before: timedelta


@dataclass
class ReminderDue:
    kind: str  # e.g. "applications.draft_deadline"
    target: models.Model  # e.g. the dossier
    deadline: datetime
    milestones: tuple[Milestone, ...]
    recipient: object  # a User
    template: str  # e-mail template name under templates/emails/
    context: dict = field(default_factory=dict)
    essential: bool = False  # non-essential reminders honour the user's opt-out
    tenant: object = None  # the target's tenant, if any


_PROVIDERS: list[Callable[[datetime], Iterable[ReminderDue]]] = []


def register_provider(provider: Callable[[datetime], Iterable[ReminderDue]]) -> None:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def due_milestone(deadline: datetime, milestones: Iterable[Milestone],
                  now: datetime) -> tuple[Milestone | None, list[Milestone]]:
    """The milestone to send now (the latest whose moment has come, deadline not passed) and
    the earlier ones it supersedes."""
    if now >= deadline:
        return None, []
    reached = sorted((m for m in milestones if deadline - m.before <= now),
                     key=lambda m: m.before)
    if not reached:
        return None, []
    return reached[0], reached[1:]


def send_once(due: ReminderDue, milestone: Milestone, now: datetime) -> bool:
    """Record `due` for `milestone` in the ledger (which sends it) unless it is there already;
    True when this call recorded it."""
    recipient = due.recipient
    if not due.essential and getattr(recipient, "reminders_opt_out", False):
        return False
    created = notify(kind=due.kind, target=due.target, key=milestone.name,
                     recipients=[recipient], template=due.template, tenant=due.tenant,
                     context={**due.context, "deadline": due.deadline,
                              "milestone": milestone.name})
    return bool(created)


def _record_skipped(due: ReminderDue, milestones: list[Milestone], now: datetime) -> None:
    for milestone in milestones:
        record_skipped(kind=due.kind, target=due.target, key=milestone.name,
                       recipients=[due.recipient], tenant=due.tenant)


def run_reminders(now: datetime | None = None) -> int:
    """Queue every reminder due at `now`; returns how many e-mails were queued."""
    now = now or timezone.now()
    sent = 0
    # Task start-up: providers select the due objects across all tenants, and the e-mails
    # are rendered from what they selected.
    with scopes_disabled():
        for provider in list(_PROVIDERS):
            for due in provider(now):
                milestone, superseded = due_milestone(due.deadline, due.milestones, now)
                if milestone is None:
                    continue
                if send_once(due, milestone, now):
                    sent += 1
                    logger.info("reminder %s %s %s queued for %s", due.kind, due.target,
                                milestone.name, due.recipient)
                _record_skipped(due, superseded, now)
    return sent
