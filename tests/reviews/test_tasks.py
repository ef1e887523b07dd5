from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django_scopes import scope

from portal.formatting import PARIS
from portal.reminders import run_reminders
from reviews import services
from reviews.models import AgendaItem, Assignment
from reviews.reminders import pending_reviews_provider
from reviews.tasks import decision_notify_task
from tests.factories.applications import StructureMemberFactory
from tests.factories.reviews import (CommitteeMemberFactory, FiledDossierFactory, ReviewFactory,
                                     SessionFactory)

pytestmark = pytest.mark.django_db


def test_officers_with_unsubmitted_reviews_are_reminded_3_days_then_1_day_before(
        tenant, call, officers):
    call.committee_date = date(2024, 4, 30)
    call.save()
    with scope(tenant=tenant):
        pending = FiledDossierFactory(call=call, status="in_review", reference="HDF-2024-COOP-0001")
        done = FiledDossierFactory(call=call, status="in_review", reference="HDF-2024-COOP-0002")
        Assignment.objects.create(dossier=pending, officer=officers["cnm"], funder="cnm")
        Assignment.objects.create(dossier=done, officer=officers["drac1"], funder="drac")
        ReviewFactory(dossier=done, officer=officers["drac1"])
    mail.outbox.clear()
    run_reminders(datetime(2024, 4, 26, 10, tzinfo=PARIS))  # J-4: too early
    assert [m for m in mail.outbox if "évaluation" in m.subject] == []
    j3 = datetime(2024, 4, 27, 10, tzinfo=PARIS)
    dues = list(pending_reviews_provider(j3))
    assert [(d.recipient, d.context["references"]) for d in dues] == [
        (officers["cnm"], ["HDF-2024-COOP-0001"])]
    run_reminders(j3)
    run_reminders(j3 + timedelta(hours=2))
    reminded = [m for m in mail.outbox if "évaluation" in m.subject]
    assert len(reminded) == 1 and reminded[0].to == [officers["cnm"].email]
    assert "HDF-2024-COOP-0001" in reminded[0].body
    run_reminders(datetime(2024, 4, 29, 10, tzinfo=PARIS))
    assert len([m for m in mail.outbox if "évaluation" in m.subject]) == 2


def test_applicants_are_notified_once_after_the_session_closes(tenant, call, category, committee,
                                                               admin_user, applicant):
    with scope(tenant=tenant):
        session = SessionFactory(tenant=tenant)
        session.calls.set([call])
        CommitteeMemberFactory(session=session, user=committee["cnm"], funder="cnm")
        dossier = FiledDossierFactory(call=call, category=category, status="in_committee")
        StructureMemberFactory(structure=dossier.structure, user=applicant)
        AgendaItem.objects.create(session=session, dossier=dossier, position=1)
        decision = services.decision_record(user=committee["cnm"], session=session,
                                            dossier=dossier, outcome="granted",
                                            shares={"cnm": "7500"}, conditions="Bilan final.")
    mail.outbox.clear()
    decision_notify_task(decision_id=decision.pk)  # session still open: nothing
    assert mail.outbox == []
    with scope(tenant=tenant):
        services.session_close(user=admin_user, session=session)
    decision_notify_task(decision_id=decision.pk)
    decision_notify_task(decision_id=decision.pk)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [applicant.email]
    assert "7\u00a0500,00\u00a0€" in mail.outbox[0].body and "Bilan final." in mail.outbox[0].body


def test_demo_seed_is_idempotent(db):
    from django.core.management import call_command
    from django_scopes import scopes_disabled

    from reviews.models import CommitteeMember, CommitteeSession

    call_command("seed_demo", verbosity=0)
    with scopes_disabled():
        counts = (CommitteeSession.objects.count(), CommitteeMember.objects.count())
    call_command("seed_demo", verbosity=0)
    with scopes_disabled():
        assert (CommitteeSession.objects.count(), CommitteeMember.objects.count()) == counts
        assert counts[0] >= 1 and counts[1] >= 3
