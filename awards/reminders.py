"""Reminders of the final report (see `portal.reminders`): 30 and 7 days before its deadline
to the structure's members (essential: the balance depends on it). When it is late, the
dossier moves to « Bilan final en retard » and that transition tells them, once."""

from datetime import datetime, time, timedelta

from django.db.models import Prefetch

from portal.formatting import PARIS
from portal.reminders import Milestone, ReminderDue

from .enums import AwardStatus
from .models import FinalReport

REPORT_MILESTONES = (Milestone("J-30", timedelta(days=30)), Milestone("J-7", timedelta(days=7)))


def report_deadline(report) -> datetime:
    """The last moment of the report's due day, Paris time."""
    return datetime.combine(report.due_on, time(23, 59, 59), tzinfo=PARIS)


def report_due_reminders(now):
    """Reports not filed yet whose deadline is within 30 days (called under scopes_disabled)."""
    from applications.models import StructureMember

    from .notifications import _url

    horizon = (now + REPORT_MILESTONES[0].before).astimezone(PARIS).date()
    reports = (FinalReport.objects
               .filter(due_on__isnull=False, due_on__gte=now.astimezone(PARIS).date(),
                       due_on__lte=horizon,
                       dossier__status__in=[AwardStatus.ADVANCE_PAID, AwardStatus.REPORT_DUE])
               .select_related("dossier__tenant", "dossier__structure", "dossier__call")
               .prefetch_related(Prefetch(
                   "dossier__structure__members",
                   queryset=StructureMember.objects.select_related("user")
                   .filter(user__is_active=True))))
    for report in reports:
        dossier = report.dossier
        for member in dossier.structure.members.all():
            yield ReminderDue(
                kind="awards.report_due", target=report, tenant=dossier.tenant,
                deadline=report_deadline(report), milestones=REPORT_MILESTONES,
                recipient=member.user, template="awards_notification", essential=True,
                context={"dossier": dossier, "report": report, "kind": "report_due_reminder",
                         "url": _url(dossier, staff=False)})
