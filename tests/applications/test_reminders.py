"""Deadline reminders of the applicant side, through the portal's reminder engine."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from applications.models import Dossier
from portal.models import Notification
from django_scopes import scopes_disabled

from portal.reminders import run_reminders
from tests.factories import UserFactory
from tests.factories.applications import DossierFactory, StructureMemberFactory
from tests.factories.calls import CallFactory, paris

pytestmark = pytest.mark.django_db

CLOSES = paris(2024, 3, 7, 23, 59, 59)



@pytest.fixture
def draft(tenant, structure):
    call = CallFactory(tenant=tenant, slug="cooperation", closes_at=CLOSES,
                       opens_at=paris(2024, 1, 15, 0, 0, 0),
                       title="Aide aux projets de coopération professionnelle")
    return DossierFactory(call=call, structure=structure)


def test_draft_reminder_at_seven_days_names_the_call_deadline_and_link(draft, applicant):
    assert run_reminders(CLOSES - timedelta(days=6, hours=12)) == 1
    [message] = mail.outbox
    assert message.to == [applicant.email]
    assert "Aide aux projets de coopération professionnelle" in message.subject
    assert "7 mars 2024 à 23 h 59" in message.subject  # one line, plain spaces
    assert "jeudi 7 mars 2024 à 23\u00a0h\u00a059 (heure de Paris)" in message.body
    assert f"/{draft.tenant.slug}/dossiers/{draft.pk}/" in message.body


def test_every_member_of_the_structure_is_reminded_once(draft, applicant):
    colleague = StructureMemberFactory(structure=draft.structure, role="member").user
    now = CLOSES - timedelta(hours=20)
    assert run_reminders(now) == 2
    assert run_reminders(now) == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted([applicant.email, colleague.email])


def test_submitted_dossiers_and_closed_calls_get_no_reminder(draft):
    Dossier.objects.with_scopes_disabled().filter(pk=draft.pk).update(
        status="submitted", reference="HAU-2024-COOP-0001")
    assert run_reminders(CLOSES - timedelta(days=1)) == 0
    Dossier.objects.with_scopes_disabled().filter(pk=draft.pk).update(status="draft")
    assert run_reminders(CLOSES + timedelta(seconds=1)) == 0
    assert mail.outbox == []


def test_reminder_in_the_recipients_language(draft, applicant):
    applicant.language = "en"
    applicant.save(update_fields=["language"])
    run_reminders(CLOSES - timedelta(hours=2))
    [message] = mail.outbox
    assert "Thursday, March 7, 2024 at 23:59 (Paris time)" in message.body


def test_draft_provider_query_count_is_constant(draft, django_assert_max_num_queries):
    for _ in range(10):
        DossierFactory(call=draft.call, structure=StructureMemberFactory().structure)
    from applications.reminders import draft_deadline_reminders

    with django_assert_max_num_queries(3), scopes_disabled():
        dues = list(draft_deadline_reminders(CLOSES - timedelta(days=2)))
    assert len(dues) == 11


def test_completion_request_reminder_two_days_before_due(draft, applicant):
    from applications.models import CompletionRequest

    Dossier.objects.with_scopes_disabled().filter(pk=draft.pk).update(
        status="completion_requested", reference="HAU-2024-COOP-0001")
    due = timezone.now() + timedelta(days=1)
    CompletionRequest.objects.create(dossier=draft, message="Budget de l'action signé",
                                     steps=["budget"], due_at=due)
    applicant.reminders_opt_out = True  # essential: sent anyway
    applicant.save(update_fields=["reminders_opt_out"])
    assert run_reminders() == 1
    [message] = mail.outbox
    assert "HAU-2024-COOP-0001" in message.subject
    assert "Budget de l'action signé" in message.body
    assert Notification.objects.with_scopes_disabled().get().key == "J-2"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_reminder_run_on_a_real_worker_sends_once_under_two_concurrent_runs(
        tenant, structure, applicant, celery_worker):
    from portal.celery import app

    call = CallFactory(tenant=tenant, slug="ouvert", title="Appel ouvert",
                       closes_at=timezone.now() + timedelta(days=2))
    DossierFactory(call=call, structure=structure)
    # Two beats firing at once, taken by the worker's two processes in parallel.
    app.send_task("portal.run_reminders")
    app.send_task("portal.run_reminders")
    mails = celery_worker.wait_for(celery_worker.mails)
    celery_worker.wait_for(lambda: len(re.findall(r"portal\.run_reminders\[[^\]]+\] succeeded",
                                                  celery_worker.log.read_text())) == 2)
    with scopes_disabled():
        celery_worker.wait_for(lambda: not Notification.objects.filter(state="pending").exists())
    assert len(celery_worker.mails()) == 1
    assert mails[0]["To"] == applicant.email
    assert "Appel ouvert" in mails[0]["Subject"]
    with scopes_disabled():
        assert Notification.objects.filter(key="J-7").count() == 1
