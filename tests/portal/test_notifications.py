"""The notification ledger: one row per (kind, object, occasion, recipient), one task per
recipient; nobody is mailed twice (a second notify, a task run twice, the database's unique
key) and nobody is missed (a real worker killed in the middle of a batch)."""

import os
import signal
from datetime import timedelta

import pytest
import redis
from django.core import mail
from django.db import IntegrityError, transaction
from django_scopes import scope, scopes_disabled

from portal.celery import app
from portal.models import Notification, NotificationState
from portal.notifications import notify, record_skipped, register_attachment, resend_pending
from portal.tasks import notification_send_task
from tests.factories import InvitationFactory, UserFactory
from tests.worker import REDIS_URL, WorkerProcess, use_broker

pytestmark = pytest.mark.django_db


def _invitation(tenant):
    with scope(tenant=tenant):
        return InvitationFactory(tenant=tenant, email="invite@example.org")


def _notify(tenant, invitation, recipients, **kwargs):
    return notify(kind="test.batch", target=invitation, recipients=recipients,
                  template="invitation", tenant=tenant,
                  context={"invitation": invitation, "tenant": tenant, "url": "http://x/",
                           "has_account": True}, **kwargs)


def test_one_row_and_one_message_per_recipient_whatever_the_repeats(tenant):
    invitation = _invitation(tenant)
    people = [UserFactory(email="a@example.org"), UserFactory(email="b@example.org")]
    assert len(_notify(tenant, invitation, people)) == 2
    assert _notify(tenant, invitation, [*people, "A@Example.org"]) == []
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org"]
    with scopes_disabled():
        assert sorted(Notification.objects.values_list("recipient", "state")) == [
            ("a@example.org", "sent"), ("b@example.org", "sent")]


def test_a_new_occasion_is_a_new_message(tenant):
    invitation = _invitation(tenant)
    person = UserFactory(email="a@example.org")
    _notify(tenant, invitation, [person], key="J-7")
    _notify(tenant, invitation, [person], key="J-1")
    assert len(mail.outbox) == 2


def test_a_send_task_run_twice_sends_once(tenant, settings):
    invitation = _invitation(tenant)
    app.conf.task_always_eager = False  # record only: the test runs the task itself
    try:
        [row] = _notify(tenant, invitation, ["a@example.org"])
    finally:
        app.conf.task_always_eager = True
    assert mail.outbox == []
    assert notification_send_task(notification_id=row.pk) is True
    assert notification_send_task(notification_id=row.pk) is False
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert (row.state, row.attempts) == (NotificationState.SENT, 1)


def test_a_failure_halfway_mails_nobody_again_and_the_failed_one_later(tenant, settings):
    from tests.mail_backends import FailingOnceLocmemBackend

    settings.EMAIL_BACKEND = "tests.mail_backends.FailingOnceLocmemBackend"
    FailingOnceLocmemBackend.failing = {"b@example.org"}
    app.conf.task_always_eager = False  # record only: the test runs the tasks itself
    try:
        rows = _notify(tenant, _invitation(tenant), ["a@example.org", "b@example.org",
                                                     "c@example.org"])
    finally:
        app.conf.task_always_eager = True
    assert notification_send_task(notification_id=rows[0].pk) is True
    with pytest.raises(ConnectionRefusedError):
        notification_send_task.run(notification_id=rows[1].pk)
    assert notification_send_task(notification_id=rows[2].pk) is True
    assert resend_pending(older_than=timedelta(0)) == 1  # b only
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.org", "b@example.org",
                                                    "c@example.org"]
    with scopes_disabled():
        failed = Notification.objects.get(recipient="b@example.org")
    assert (failed.state, failed.attempts) == ("sent", 2)
    assert failed.last_error == "ConnectionRefusedError: mail server refused ['b@example.org']"


def test_the_database_refuses_a_second_row_for_the_same_key(tenant):
    invitation = _invitation(tenant)
    [row] = _notify(tenant, invitation, ["a@example.org"])
    with pytest.raises(IntegrityError), transaction.atomic(), scopes_disabled():
        Notification.objects.create(kind=row.kind, target_type=row.target_type,
                                    target_id=row.target_id, key=row.key,
                                    recipient=row.recipient)


def test_the_message_is_rendered_in_the_recipients_language_with_a_stable_id(tenant):
    invitation = _invitation(tenant)
    english = UserFactory(email="en@example.org", language="en")
    [row] = _notify(tenant, invitation, [english])
    [message] = mail.outbox
    assert message.subject == "Invitation to join Hauts-de-France"
    assert message.extra_headers["Message-ID"].startswith(f"<notification-{row.pk}.")
    assert row.body_html and row.body_text == message.body


def test_attachments_are_produced_when_sending(tenant):
    register_attachment("test.note", lambda *, n: (f"note-{n}.txt", b"bonjour", "text/plain"))
    invitation = _invitation(tenant)
    _notify(tenant, invitation, ["a@example.org"], attachments=[("test.note", {"n": 7})])
    assert mail.outbox[0].attachments == [("note-7.txt", "bonjour", "text/plain")]


def test_superseded_occasions_are_recorded_and_never_sent(tenant):
    invitation = _invitation(tenant)
    record_skipped(kind="test.batch", target=invitation, recipients=["a@example.org"],
                   key="J-7", tenant=tenant)
    assert _notify(tenant, invitation, ["a@example.org"], key="J-7") == []
    assert mail.outbox == []


def test_pending_rows_whose_task_was_lost_are_queued_again(tenant):
    invitation = _invitation(tenant)
    app.conf.task_always_eager = False
    try:
        _notify(tenant, invitation, ["a@example.org", "b@example.org"])
    finally:
        app.conf.task_always_eager = True
    assert mail.outbox == []
    assert resend_pending(older_than=timedelta(0)) == 2
    assert len(mail.outbox) == 2
    assert resend_pending(older_than=timedelta(0)) == 0


# --- A real worker, killed in the middle of a batch -------------------------------------------

def _queued(queue: str) -> int:
    client = redis.Redis.from_url(REDIS_URL)
    return sum(client.llen(key) for key in client.scan_iter(f"{queue}*")
               if client.type(key) == b"list")


@pytest.mark.slow
@pytest.mark.server
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_mails_nobody_twice_and_misses_nobody(tenant):
    invitation = _invitation(tenant)
    people = [UserFactory(email=f"membre{i:02d}@example.org") for i in range(12)]
    stalled = people[5].email
    worker = WorkerProcess(concurrency=1, extra_env={
        "EMAIL_BACKEND": "tests.mail_backends.StallingFileBackend",
        "PORTAL_TEST_STALL_RECIPIENT": stalled}).start()
    use_broker(app, url=REDIS_URL, eager=False, queue=worker.queue)
    try:
        rows = _notify(tenant, invitation, people)  # twelve rows, twelve tasks, in order
        assert len(rows) == 12
        # The worker sends five, then hangs on the sixth inside its transaction: kill it there.
        worker.wait_for(lambda: (worker.mail_dir / "stalled").exists())
        assert sorted(m["To"] for m in worker.mails()) == [p.email for p in people[:5]]
        worker.kill()
        with scopes_disabled():
            assert Notification.objects.filter(state="sent").count() == 5
            assert Notification.objects.get(recipient=stalled).state == "pending"

        # A new worker: it queues the pending rows again at start-up, and takes what is left
        # in the queue (tasks of rows it may have sent already).
        worker.extra_env = {}
        worker.start()
        with scopes_disabled():
            worker.wait_for(lambda: Notification.objects.filter(state="sent").count() == 12,
                            timeout=60)
        worker.wait_for(lambda: _queued(worker.queue) == 0, timeout=60)
        os.killpg(worker.proc.pid, signal.SIGTERM)  # warm shutdown: the running task ends
        worker.proc.wait(timeout=30)
        sent = sorted(m["To"] for m in worker.mails())
        assert sent == sorted(p.email for p in people)  # each one exactly once
    finally:
        use_broker(app, url="memory://", eager=True, queue="portal")
        worker.stop()
