"""Background work on a real Redis broker with a real Celery worker process."""

import pytest
from django.core import mail
from django_scopes import scope

from portal import outbox
from portal.celery import app
from portal.models import OutboxTask
from portal.services import invitation_create
from tests.factories import OrganizationFactory
from tests.worker import REDIS_URL, text, use_broker

pytestmark = pytest.mark.slow


@pytest.mark.django_db(transaction=True)
def test_invitation_mail_is_sent_by_the_worker(tenant, admin_user, celery_worker):
    cnm = OrganizationFactory(tenant=tenant, kind="cnm")
    with scope(tenant=tenant):
        invitation_create(user=admin_user, tenant=tenant, email="officer@cnm.example",
                          role="instructor", organization=cnm)
    mails = celery_worker.wait_for(celery_worker.mails)
    assert len(mails) == 1
    assert mails[0]["To"] == "officer@cnm.example"
    assert mails[0]["Subject"] == "Invitation à rejoindre Hauts-de-France"
    assert "en tant que Instructeur·rice" in text(mails[0])
    assert OutboxTask.objects.get().dispatched_at is not None
    assert mail.outbox == []  # sent by the worker process, not by this one


@pytest.mark.django_db(transaction=True)
def test_broker_down_does_not_fail_the_action_and_the_task_is_sent_when_back(
        tenant, admin_user, celery_worker):
    cnm = OrganizationFactory(tenant=tenant, kind="cnm")
    use_broker(app, url="redis://127.0.0.1:1/0", eager=False)  # nothing listens there
    with scope(tenant=tenant):
        invitation = invitation_create(user=admin_user, tenant=tenant,
                                       email="officer@cnm.example", role="instructor",
                                       organization=cnm)
    assert invitation.pk  # the user's action succeeded
    row = OutboxTask.objects.get()
    assert row.dispatched_at is None and row.attempts == 1 and row.last_error
    assert celery_worker.mails() == []

    use_broker(app, url=REDIS_URL, eager=False)  # the broker is back
    assert outbox.flush() == 1
    mails = celery_worker.wait_for(celery_worker.mails)
    assert len(mails) == 1 and mails[0]["To"] == "officer@cnm.example"
    row.refresh_from_db()
    assert row.dispatched_at is not None and row.attempts == 2


@pytest.mark.django_db(transaction=True)
def test_flush_sends_nothing_twice(tenant, admin_user, celery_worker):
    cnm = OrganizationFactory(tenant=tenant, kind="cnm")
    with scope(tenant=tenant):
        invitation_create(user=admin_user, tenant=tenant, email="a@cnm.example",
                          role="instructor", organization=cnm)
    celery_worker.wait_for(celery_worker.mails)
    assert outbox.flush() == 0
    assert len(celery_worker.mails()) == 1
