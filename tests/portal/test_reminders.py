import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection

from portal import reminders
from portal.models import Notification
from portal.reminders import Milestone, ReminderDue, due_milestone, run_reminders
from tests.factories import UserFactory

PARIS = ZoneInfo("Europe/Paris")
DEADLINE = datetime(2024, 3, 7, 23, 59, 59, tzinfo=PARIS)
MILESTONES = (Milestone("J-7", timedelta(days=7)), Milestone("J-1", timedelta(days=1)),
              Milestone("H-3", timedelta(hours=3)))


@pytest.mark.parametrize("now, expected, superseded", [
    (DEADLINE - timedelta(days=8), None, []),
    (DEADLINE - timedelta(days=7), "J-7", []),
    (DEADLINE - timedelta(days=2), "J-7", []),
    (DEADLINE - timedelta(hours=20), "J-1", ["J-7"]),
    (DEADLINE - timedelta(hours=1), "H-3", ["J-1", "J-7"]),
    (DEADLINE, None, []),  # the deadline has passed: no "closes in 3 hours" any more
    (DEADLINE + timedelta(hours=1), None, []),
])
def test_due_milestone(now, expected, superseded):
    milestone, older = due_milestone(DEADLINE, MILESTONES, now)
    assert (milestone.name if milestone else None) == expected
    assert [m.name for m in older] == superseded


@pytest.fixture
def provider(db):
    user = UserFactory(email="porteur@example.org")
    dues = [ReminderDue(kind="test.deadline", target=user, deadline=DEADLINE,
                        milestones=MILESTONES, recipient=user, template="invitation",
                        context=_invitation_context())]

    def _provider(now):
        return list(dues)

    reminders.register_provider(_provider)
    yield dues
    reminders._PROVIDERS.remove(_provider)


def _invitation_context():
    # Reuse an existing e-mail template; the engine does not care which one.
    class _Tenant:
        name = "Occitanie"

    class _Invitation:
        organization = None
        expires_at = DEADLINE

        def get_role_display(self):
            return "Instructeur·rice"

    return {"tenant": _Tenant(), "invitation": _Invitation(), "url": "http://x/", "has_account": True}


def test_a_reminder_is_sent_once_per_milestone(provider):
    now = DEADLINE - timedelta(days=6)
    assert run_reminders(now) == 1
    assert run_reminders(now) == 0
    assert run_reminders(now + timedelta(hours=1)) == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["porteur@example.org"]
    assert run_reminders(DEADLINE - timedelta(hours=10)) == 1  # J-1
    rows = Notification.objects.with_scopes_disabled().order_by("created_at")
    assert [(r.key, r.state) for r in rows] == [("J-7", "sent"), ("J-1", "sent")]


def test_catch_up_after_downtime_sends_only_the_latest_milestone(provider):
    # The worker was down from J-8 to H-2: one "H-3" e-mail, J-7 and J-1 recorded as skipped.
    assert run_reminders(DEADLINE - timedelta(hours=2)) == 1
    assert len(mail.outbox) == 1
    rows = {r.key: r.state for r in Notification.objects.with_scopes_disabled().all()}
    assert rows == {"H-3": "sent", "J-1": "skipped", "J-7": "skipped"}
    assert run_reminders(DEADLINE - timedelta(hours=1)) == 0


def test_nothing_is_sent_after_the_deadline(provider):
    assert run_reminders(DEADLINE + timedelta(minutes=1)) == 0
    assert mail.outbox == [] and not Notification.objects.with_scopes_disabled().exists()


def test_opted_out_user_gets_no_optional_reminder(provider):
    provider[0].recipient.reminders_opt_out = True
    assert run_reminders(DEADLINE - timedelta(days=6)) == 0
    assert mail.outbox == []


def test_opt_out_does_not_silence_essential_reminders(provider):
    provider[0].recipient.reminders_opt_out = True
    provider[0].essential = True
    assert run_reminders(DEADLINE - timedelta(days=6)) == 1


@pytest.mark.server
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_one_email(provider):
    now = DEADLINE - timedelta(days=6)
    barrier = threading.Barrier(2)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(run_reminders(now))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 1]
    assert len(mail.outbox) == 1
    assert Notification.objects.with_scopes_disabled().count() == 1
