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


def _closed_session_with(tenant, call, category, committee, admin_user, applicant, outcome):
    from tests.factories import OrganizationFactory, SignatoryFactory

    call.expenses_start, call.expenses_end = date(2024, 1, 1), date(2025, 12, 31)
    call.report_due_months = 3  # the call's rule, not a constant of the code
    call.save()
    with scope(tenant=tenant):
        org = OrganizationFactory(tenant=tenant, kind="region", name="Région Hauts-de-France")
        SignatoryFactory(tenant=tenant, organization=org, person_name="Xavier Bertrand",
                         title="Président de la Région Hauts-de-France")
        session = SessionFactory(tenant=tenant)
        session.calls.set([call])
        CommitteeMemberFactory(session=session, user=committee["cnm"], funder="cnm")
        dossier = FiledDossierFactory(call=call, category=category, status="in_committee",
                                      requested_amount=Decimal("15000"))
        StructureMemberFactory(structure=dossier.structure, user=applicant)
        AgendaItem.objects.create(session=session, dossier=dossier, position=1)
        kwargs = ({"shares": {"cnm": "12000", "region": "345.67"}, "conditions": "Citer les financeurs."}
                  if outcome == "granted" else {"motivation": "Projet hors du champ de l'appel."})
        decision = services.decision_record(user=committee["cnm"], session=session,
                                            dossier=dossier, outcome=outcome, **kwargs)
        services.session_close(user=admin_user, session=session)
    return decision


def _pdf_text(content: bytes) -> str:
    import io

    from pypdf import PdfReader

    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_grant_letter_has_amount_in_words_advance_balance_and_signatories(
        client, tenant, other_tenant, call, category, committee, admin_user, applicant, settings,
        tmp_path):
    from reviews.tasks import decision_letter_task
    from django.urls import reverse

    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    decision = _closed_session_with(tenant, call, category, committee, admin_user, applicant,
                                    "granted")
    decision_letter_task(decision_id=decision.pk)
    url = reverse("reviews:decision_letter", kwargs={"tenant_slug": tenant.slug,
                                                     "decision_pk": decision.pk})
    client.force_login(applicant)
    response = client.get(url)
    assert response.status_code == 200
    text = " ".join(_pdf_text(b"".join(response.streaming_content)).split())
    assert "12 345,67 €" in text.replace("\u00a0", " ")
    assert "douze mille trois cent quarante-cinq euros et soixante-sept centimes" in text
    assert "9 876,54" in text.replace("\u00a0", " ")  # advance 80 %
    assert "2 469,13" in text.replace("\u00a0", " ")  # balance
    assert "Xavier Bertrand" in text and "Citer les financeurs." in text
    assert "31 mars 2026" in text  # report due 3 months after 31 December 2025 (no end date)
    # another applicant, and the same URL under another tenant: 404
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(applicant)
    assert client.get(reverse("reviews:decision_letter", kwargs={
        "tenant_slug": other_tenant.slug, "decision_pk": decision.pk})).status_code == 404


def test_refusal_letter_states_the_motivation(tenant, call, category, committee, admin_user,
                                              applicant, settings, tmp_path):
    from portal.documents import private_path
    from reviews.letters import decision_letter_generate

    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    decision = _closed_session_with(tenant, call, category, committee, admin_user, applicant,
                                    "rejected")
    with scope(tenant=tenant):
        document, rendered = decision_letter_generate(decision)
        again, rendered_again = decision_letter_generate(decision)
    assert rendered and not rendered_again and again.sha256 == document.sha256
    text = _pdf_text(private_path(document.file_path).read_bytes())
    assert "Projet hors du champ de l'appel." in " ".join(text.split())


def test_letter_task_for_a_deleted_decision_ends_quietly_with_a_log_line(caplog):
    from portal.models import GeneratedDocument
    from reviews.tasks import decision_letter_task

    with caplog.at_level("INFO"):
        decision_letter_task(decision_id=987654)
    assert "reviews.decision_letter: decision_id=987654 no longer exists" in caplog.text
    from django_scopes import scopes_disabled
    with scopes_disabled():
        assert not GeneratedDocument.objects.exists()


def test_letter_task_loads_the_decision_in_one_query(
        tenant, call, category, committee, admin_user, applicant, settings, tmp_path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reviews.tasks import decision_letter_task

    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    decision = _closed_session_with(tenant, call, category, committee, admin_user, applicant,
                                    "granted")
    with CaptureQueriesContext(connection) as queries:
        decision_letter_task(decision_id=decision.pk)
    selects = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    # The task base finds the tenant (one query on portal_tenant), then the task loads the
    # decision once with its dossier, structure, call, category, tenant.
    assert selects[0].startswith('SELECT "portal_tenant"')
    decision_loads = [sql for sql in selects if sql.startswith('SELECT "reviews_decision"')]
    assert len(decision_loads) == 1
    # then signatories, the funders' organisations (letterhead), shares, the stored document
    # (and its content type, once per process); the logos only when one is uploaded
    assert len(selects) <= 8
