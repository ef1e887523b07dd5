"""Reminder provider: officers whose reviews are not submitted, 3 days and 1 day before the
committee date of the call (9:00 Paris time on that day)."""

from collections import defaultdict
from datetime import datetime, time, timedelta

from django.db.models import Exists, OuterRef
from django_scopes import scopes_disabled

from portal.formatting import PARIS
from portal.reminders import Milestone, ReminderDue

MILESTONES = (Milestone("J-3", timedelta(days=3)), Milestone("J-1", timedelta(days=1)))


def pending_reviews_provider(now: datetime):
    from applications.enums import DossierStatus
    from calls.models import Call

    from .enums import ReviewStatus
    from .models import Assignment, Review

    IN_INSTRUCTION = (DossierStatus.ELIGIBLE, DossierStatus.IN_REVIEW)
    today = now.astimezone(PARIS).date()
    with scopes_disabled():  # task start-up: every tenant's calls, each row names its tenant
        calls = {c.pk: c for c in Call.objects.filter(
            committee_date__gt=today - timedelta(days=1),
            committee_date__lte=today + timedelta(days=4)).select_related("tenant")}
        if not calls:
            return []
        pending = (Assignment.objects.filter(dossier__call_id__in=list(calls),
                                             dossier__status__in=IN_INSTRUCTION)
                   .exclude(Exists(Review.objects.filter(dossier=OuterRef("dossier"),
                                                         officer=OuterRef("officer"),
                                                         status=ReviewStatus.SUBMITTED)))
                   .select_related("officer", "dossier"))
        grouped = defaultdict(list)
        for a in pending:
            grouped[(a.dossier.call_id, a.officer)].append(a.dossier.reference)
    dues = []
    for (call_id, officer), references in grouped.items():
        call = calls[call_id]
        deadline = datetime.combine(call.committee_date, time(9, 0), tzinfo=PARIS)
        dues.append(ReminderDue(
            kind="reviews.pending_reviews", target=call, tenant=call.tenant, deadline=deadline,
            milestones=MILESTONES, recipient=officer, template="reviews_pending_reminder",
            context={"call": call, "tenant": call.tenant, "references": sorted(references)}))
    return dues
