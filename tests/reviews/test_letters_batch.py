"""A closed session's decision letters in one batch, with a progress endpoint."""

import pytest
from django.urls import reverse
from django_scopes import scope

from portal.models import AuditEvent, GeneratedDocument, OutboxTask
from reviews import services
from reviews.letters_batch import session_letters_generate, session_letters_progress
from reviews.models import AgendaItem, CommitteeSession
from tests.factories.reviews import CommitteeMemberFactory, FiledDossierFactory, SessionFactory

pytestmark = [pytest.mark.usefixtures("no_staff_2fa")]


def _closed_session(tenant, call, category, committee, n=3):
    with scope(tenant=tenant):
        session = SessionFactory(tenant=tenant)
        session.calls.set([call])
        CommitteeMemberFactory(session=session, user=committee["cnm"], funder="cnm")
        for i in range(n):
            dossier = FiledDossierFactory(call=call, category=category, status="in_committee")
            AgendaItem.objects.create(session=session, dossier=dossier, position=i + 1)
            if i % 2:
                services.decision_record(user=committee["cnm"], session=session, dossier=dossier,
                                         outcome="rejected", motivation="Un seul acteur.")
            else:
                services.decision_record(user=committee["cnm"], session=session, dossier=dossier,
                                         outcome="granted", shares={"cnm": "6000"})
        CommitteeSession.objects.filter(pk=session.pk).update(status="closed")
        session.refresh_from_db()
    return session


def _progress_url(tenant, session):
    return reverse("reviews:session_letters_progress",
                   kwargs={"tenant_slug": tenant.slug, "session_pk": session.pk})


@pytest.mark.django_db
def test_batch_renders_every_letter_and_progress_counts_them(
        tenant, call, category, committee, officers, django_capture_on_commit_callbacks):
    session = _closed_session(tenant, call, category, committee)
    with scope(tenant=tenant):
        assert session_letters_progress(session) == {"total": 3, "done": 0}
        with django_capture_on_commit_callbacks(execute=True):
            assert session_letters_generate(user=officers["cnm"], session=session) == 3
        assert session_letters_progress(session) == {"total": 3, "done": 3}
        assert GeneratedDocument.objects.filter(kind="reviews.decision_letter").count() == 3
        assert AuditEvent.objects.get(action="reviews.session.letters_requested").data == {
            "decisions": 3}
        # Again: nothing changed, nothing re-rendered.
        before = set(GeneratedDocument.objects.values_list("file_path", flat=True))
        with django_capture_on_commit_callbacks(execute=True):
            session_letters_generate(user=officers["cnm"], session=session)
        assert set(GeneratedDocument.objects.values_list("file_path", flat=True)) == before


@pytest.mark.django_db
def test_letters_of_an_open_session_are_refused(tenant, call, category, committee, officers):
    session = _closed_session(tenant, call, category, committee)
    with scope(tenant=tenant):
        CommitteeSession.objects.filter(pk=session.pk).update(status="open")
        session.refresh_from_db()
    with scope(tenant=tenant), pytest.raises(services.ReviewError):
        session_letters_generate(user=officers["cnm"], session=session)
    assert not OutboxTask.objects.filter(task_name="reviews.decision_letter").exists()


@pytest.mark.django_db
def test_progress_page_and_batch_button_for_officers(client, tenant, call, category, committee,
                                                     officers, django_capture_on_commit_callbacks):
    session = _closed_session(tenant, call, category, committee, n=2)
    client.force_login(officers["cnm"])
    page = client.get(reverse("reviews:session", kwargs={"tenant_slug": tenant.slug,
                                                         "session_pk": session.pk}))
    html = page.content.decode()
    assert 'id="letters-progress" max="2" value="0"' in html
    assert "reviews/letters.js" in html and "Produire les courriers de la séance" in html
    assert client.get(_progress_url(tenant, session)).json() == {"total": 2, "done": 0}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reviews:session_letters",
                                       kwargs={"tenant_slug": tenant.slug,
                                               "session_pk": session.pk}))
    assert response.status_code == 302 and response.url.endswith("#courriers")
    assert client.get(_progress_url(tenant, session)).json() == {"total": 2, "done": 2}


@pytest.mark.django_db
def test_letters_endpoints_refuse_applicants_and_other_tenants(client, tenant, other_tenant, call,
                                                               category, committee, applicant,
                                                               make_member):
    session = _closed_session(tenant, call, category, committee, n=1)
    batch = reverse("reviews:session_letters", kwargs={"tenant_slug": tenant.slug,
                                                       "session_pk": session.pk})
    client.force_login(applicant)
    assert client.get(_progress_url(tenant, session)).status_code == 404
    assert client.post(batch).status_code == 404
    client.force_login(make_member(other_tenant, "instructor"))
    assert client.post(batch).status_code == 404
    foreign = reverse("reviews:session_letters_progress",
                      kwargs={"tenant_slug": other_tenant.slug, "session_pk": session.pk})
    assert client.get(foreign).status_code == 404
    assert not OutboxTask.objects.filter(task_name="reviews.decision_letter").exists()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_batch_on_a_real_worker_reaches_full_progress(client, tenant, call, category, committee,
                                                      officers, celery_worker):
    session = _closed_session(tenant, call, category, committee, n=4)
    client.force_login(officers["cnm"])
    client.post(reverse("reviews:session_letters",
                        kwargs={"tenant_slug": tenant.slug, "session_pk": session.pk}))
    url = _progress_url(tenant, session)
    final = celery_worker.wait_for(lambda: (lambda p: p if p["done"] == 4 else None)(
        client.get(url).json()), timeout=60)
    assert final == {"total": 4, "done": 4}
