"""Demo data of instruction and committee (idempotent): a planned committee session per demo
tenant covering its calls, with the demo committee members present, and the search/score
summaries of the filed demo dossiers."""

from datetime import timedelta

from django.utils import timezone
from django_scopes import scopes_disabled

from portal.enums import Role


def seed() -> list[str]:
    from applications.models import Dossier
    from applications.enums import DossierStatus
    from calls.enums import CallStatus
    from calls.models import Call
    from portal.models import Membership, Tenant

    from .models import CommitteeMember, CommitteeSession
    from .services import summary_refresh

    with scopes_disabled():  # management command
        for tenant in Tenant.objects.filter(slug__in=["hauts-de-france", "occitanie"]):
            calls = list(Call.objects.filter(tenant=tenant).exclude(status=CallStatus.DRAFT))
            if not calls:
                continue
            # The session sits on the date the open calls announce for their committee (after
            # their closing), never before it.
            today = timezone.localdate()
            announced = [c.committee_date for c in calls
                         if c.committee_date and c.committee_date >= today]
            date = min(announced) if announced else today + timedelta(days=30)
            session, created = CommitteeSession.objects.get_or_create(
                tenant=tenant, title="Comité de sélection (démonstration)",
                defaults={"date": date, "quorum": 2, "quorum_each_funder": True})
            if created:
                session.calls.set(calls)
            elif not session.is_closed and session.date != date:
                session.date = date
                session.save(update_fields=["date"])
            for m in Membership.objects.filter(tenant=tenant, role=Role.COMMITTEE,
                                               organization__isnull=False).select_related(
                    "organization"):
                CommitteeMember.objects.get_or_create(
                    session=session, user=m.user,
                    defaults={"funder": m.organization.kind, "present": True})
            for dossier in (Dossier.objects.filter(tenant=tenant)
                            .exclude(status=DossierStatus.DRAFT)
                            .exclude(reference="").select_related("structure")):
                summary_refresh(dossier=dossier)
    return []
