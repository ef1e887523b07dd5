"""Reminder providers of the applicant side (see `portal.reminders`):

* drafts on a call: 7 days, 1 day and 3 hours before it closes (optional reminders);
* completion requests: 2 days before their due date (essential: the dossier depends on it).

Each provider runs a constant number of queries, whatever the number of dossiers.
"""

from datetime import timedelta

from django.db.models import Prefetch
from django.urls import reverse

from portal.emails import absolute_url
from portal.reminders import Milestone, ReminderDue, register_provider

from .enums import DossierStatus
from .models import CompletionRequest, Dossier, StructureMember

DRAFT_MILESTONES = (Milestone("J-7", timedelta(days=7)), Milestone("J-1", timedelta(days=1)),
                    Milestone("H-3", timedelta(hours=3)))
COMPLETION_MILESTONES = (Milestone("J-2", timedelta(days=2)),)


def _members():
    return Prefetch("structure__members",
                    queryset=StructureMember.objects.select_related("user")
                    .filter(user__is_active=True))


def _dossier_url(dossier) -> str:
    return absolute_url(reverse("applications:dossier_detail",
                                kwargs={"tenant_slug": dossier.tenant.slug, "pk": dossier.pk}))


def draft_deadline_reminders(now):
    """Drafts on calls closing within the next 7 days (called under scopes_disabled)."""
    horizon = now + max(m.before for m in DRAFT_MILESTONES)
    drafts = (Dossier.objects.filter(status=DossierStatus.DRAFT, call__closes_at__gt=now,
                                     call__closes_at__lte=horizon)
              .select_related("tenant", "call", "structure").prefetch_related(_members()))
    for dossier in drafts:
        url = _dossier_url(dossier)
        for member in dossier.structure.members.all():
            yield ReminderDue(
                kind="applications.draft_deadline", target=dossier, tenant=dossier.tenant,
                deadline=dossier.call.closes_at, milestones=DRAFT_MILESTONES,
                recipient=member.user, template="reminder_draft_deadline",
                context={"dossier": dossier, "call": dossier.call, "tenant": dossier.tenant,
                         "url": url})


def completion_due_reminders(now):
    """Open completion requests due within 2 days (called under scopes_disabled)."""
    horizon = now + COMPLETION_MILESTONES[0].before
    requests = (CompletionRequest.objects
                .filter(answered_at__isnull=True, due_at__gt=now, due_at__lte=horizon,
                        dossier__status=DossierStatus.COMPLETION_REQUESTED)
                .select_related("dossier__tenant", "dossier__call", "dossier__structure")
                .prefetch_related(Prefetch(
                    "dossier__structure__members",
                    queryset=StructureMember.objects.select_related("user")
                    .filter(user__is_active=True))))
    for completion in requests:
        dossier = completion.dossier
        url = _dossier_url(dossier)
        for member in dossier.structure.members.all():
            yield ReminderDue(
                kind="applications.completion_due", target=completion, tenant=dossier.tenant,
                deadline=completion.due_at, milestones=COMPLETION_MILESTONES,
                recipient=member.user, template="reminder_completion_due", essential=True,
                context={"dossier": dossier, "completion": completion, "call": dossier.call,
                         "tenant": dossier.tenant, "url": url})


def register() -> None:
    register_provider(draft_deadline_reminders)
    register_provider(completion_due_reminders)
