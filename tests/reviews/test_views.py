import csv
import html
import io
import re
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from portal.enums import OrganizationKind as K
from portal.enums import Role
from reviews import services
from reviews.models import (AgendaItem, Assignment, CommitteeMember, ConflictDeclaration, Decision,
                            Review)
from tests.factories import CallFactory
from tests.factories.applications import StructureFactory
from tests.factories.reviews import (CommitteeMemberFactory, FiledDossierFactory,
                                     PartnerFactory, ReviewFactory, SessionFactory, officer)

D = Decimal
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]


def url(name, tenant, **kw):
    return reverse(f"reviews:{name}", kwargs={"tenant_slug": tenant.slug, **kw})


@pytest.fixture
def dossier(tenant, call, category):
    with scope(tenant=tenant):
        return FiledDossierFactory(call=call, category=category, status="in_review",
                                   structure=StructureFactory(name="Éléphant Rose Productions"))


def _login(client, user):
    client.force_login(user)
    return client


# --- permissions ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["dashboard", "export_csv", "export_xlsx", "export_ods",
                                  "assignments"])
def test_applicant_and_committee_cannot_open_instructor_pages(client, tenant, applicant,
                                                             committee, name):
    assert _login(client, applicant).get(url(name, tenant)).status_code == 404  # no role here
    assert _login(client, committee["cnm"]).get(url(name, tenant)).status_code == 403


def test_anonymous_is_sent_to_login(client, tenant):
    response = client.get(url("dashboard", tenant))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_applicant_never_sees_reviews_of_their_dossier(client, tenant, applicant, dossier):
    from tests.factories.applications import StructureMemberFactory

    StructureMemberFactory(structure=dossier.structure, user=applicant)
    response = _login(client, applicant).get(url("dossier", tenant, pk=dossier.pk))
    assert response.status_code == 404


def test_officer_of_another_tenant_gets_404_on_dossier_and_session(client, tenant, other_tenant,
                                                                  dossier):
    stranger = officer(other_tenant, K.CNM)
    _login(client, stranger)
    assert client.get(url("dossier", other_tenant, pk=dossier.pk)).status_code == 404
    assert client.post(url("review_save", other_tenant, pk=dossier.pk)).status_code == 404
    with scope(tenant=tenant):
        session = SessionFactory(tenant=tenant)
    assert client.get(url("session", other_tenant, session_pk=session.pk)).status_code == 404


def test_other_tenant_dossier_absent_from_dashboard_and_export(client, tenant, other_tenant,
                                                               dossier):
    stranger = officer(other_tenant, K.CNM)
    _login(client, stranger)
    response = client.get(url("dashboard", other_tenant))
    assert dossier.reference not in response.content.decode()
    assert dossier.reference not in client.get(url("export_csv", other_tenant)).getvalue().decode(
        "utf-8-sig")


# --- conflicts everywhere ------------------------------------------------------------------

def test_conflicted_officer_cannot_open_score_or_export_the_dossier(client, tenant, officers,
                                                                    dossier):
    partner = PartnerFactory(dossier=dossier)
    Assignment.objects.create(dossier=dossier, officer=officers["cnm"], funder="cnm")
    ConflictDeclaration.objects.create(tenant=tenant, officer=officers["cnm"], siret=partner.siret,
                                       structure_name="Partenaire", nature="Associé")
    _login(client, officers["cnm"])
    assert client.get(url("dossier", tenant, pk=dossier.pk)).status_code == 404
    assert client.post(url("review_save", tenant, pk=dossier.pk),
                       {"action": "draft"}).status_code == 404
    assert dossier.reference not in client.get(url("dashboard", tenant)).content.decode()
    assert dossier.reference not in client.get(url("export_csv", tenant)).getvalue().decode("utf-8-sig")
    with scope(tenant=tenant):
        assert not Review.objects.exists()
    # another officer still sees it
    _login(client, officers["drac1"])
    assert client.get(url("dossier", tenant, pk=dossier.pk)).status_code == 200


def test_conflicted_committee_member_sees_recusal_not_reviews(client, tenant, committee, dossier,
                                                             admin_user, call):
    with scope(tenant=tenant):
        session = SessionFactory(tenant=tenant)
        session.calls.set([call])
        AgendaItem.objects.create(session=session, dossier=dossier, position=1)
        ReviewFactory(dossier=dossier, officer=officer(tenant, K.DRAC), opinion="Avis secret XYZ")
        for funder in ("drac", "cnm"):
            CommitteeMemberFactory(session=session, user=committee[funder], funder=funder)
        ConflictDeclaration.objects.create(tenant=tenant, officer=committee["cnm"],
                                           siret=dossier.structure.siret, structure_name="x",
                                           nature="y")
    body = _login(client, committee["cnm"]).get(url("session", tenant, session_pk=session.pk)
                                                ).content.decode()
    assert "déporté·e" in body
    # no score shown (not "/20" alone: an id in a URL may be 20)
    assert "Moyenne " not in body and not re.search(r"\d/20,", body)
    decision_page = url("decision_record", tenant, session_pk=session.pk, pk=dossier.pk)
    body = client.get(decision_page).content.decode()
    assert "Avis secret XYZ" not in body and "déporté·e" in body
    assert client.post(decision_page, {}).status_code == 403
    body = _login(client, committee["drac"]).get(decision_page).content.decode()
    assert "Avis secret XYZ" in body
    session_page = client.get(url("session", tenant, session_pk=session.pk)).content.decode()
    assert re.search(r"\d/20,", session_page)  # the check above does see a shown score


def test_conflict_registry_page(client, tenant, officers, admin_user):
    structure = StructureFactory()
    _login(client, officers["cnm"])
    response = client.post(url("conflicts", tenant), {"siret": structure.siret,
                                                      "nature": "Membre du bureau"})
    assert response.status_code == 302
    with scope(tenant=tenant):
        assert ConflictDeclaration.objects.get().structure_name == structure.name
    body = _login(client, admin_user).get(url("conflicts", tenant)).content.decode()
    assert "Membre du bureau" in body


# --- dashboard -------------------------------------------------------------------------------

def test_dashboard_search_ignores_accents_and_finds_siret_and_reference(client, tenant, officers,
                                                                         dossier, call):
    with scope(tenant=tenant):
        other = FiledDossierFactory(call=call, structure=StructureFactory(name="Label Nord"))
    _login(client, officers["cnm"])
    for q in ["elephant", "Éléphant rose", dossier.structure.siret, dossier.reference]:
        body = client.get(url("dashboard", tenant), {"q": q}).content.decode()
        assert dossier.reference in body and other.reference not in body, q


def test_dashboard_filters_and_counters(client, tenant, officers, call, category):
    with scope(tenant=tenant):
        mine = FiledDossierFactory(call=call, category=category, status="in_review")
        Assignment.objects.create(dossier=mine, officer=officers["cnm"], funder="cnm")
        ineligible = FiledDossierFactory(call=call, status="ineligible")
        services.summary_refresh(dossier=mine)
        ReviewFactory(dossier=mine, officer=officers["drac1"], total=D("17.50"))
        ReviewFactory(dossier=mine, officer=officers["region"], total=D("11.00"))
        services.summary_refresh(dossier=mine)
    _login(client, officers["cnm"])
    body = client.get(url("dashboard", tenant), {"mine": "on"}).content.decode()
    assert mine.reference in body and ineligible.reference not in body
    body = client.get(url("dashboard", tenant), {"eligibility": "ineligible"}).content.decode()
    assert ineligible.reference in body and mine.reference not in body
    # Blind review: the rapporteur who has not submitted cannot find it by its score.
    body = client.get(url("dashboard", tenant), {"score_min": "14"}).content.decode()
    assert mine.reference not in body
    _login(client, officers["drac1"])  # has submitted: reads the scores, filters on them
    body = client.get(url("dashboard", tenant), {"score_min": "14"}).content.decode()
    assert mine.reference in body and ineligible.reference not in body
    body = client.get(url("dashboard", tenant), {"score_min": "14.26"}).content.decode()
    assert mine.reference not in body
    body = client.get(url("dashboard", tenant), {"disagreement": "on"}).content.decode()
    assert mine.reference in body and "désaccord" in body
    _login(client, officers["cnm"])
    response = client.get(url("dashboard", tenant))
    assert {(c["value"], c["label"], c["n"]) for c in response.context["counters"]} >= {
        ("ineligible", "Irrecevable", 1)}
    other_call = CallFactory(tenant=tenant)
    body = client.get(url("dashboard", tenant), {"call": call.pk}).content.decode()
    assert mine.reference in body and ineligible.reference in body
    body = client.get(url("dashboard", tenant), {"call": other_call.pk}).content.decode()
    assert mine.reference not in body
    body = client.get(url("dashboard", tenant), {"category": category.pk}).content.decode()
    assert mine.reference in body and ineligible.reference not in body


def _bulk(tenant, call, category, n, officers):
    with scope(tenant=tenant):
        for _ in range(n):
            d = FiledDossierFactory(call=call, category=category, status="in_review")
            Assignment.objects.create(dossier=d, officer=officers["cnm"], funder="cnm")
            ReviewFactory(dossier=d, officer=officers["drac1"], funder="drac")
            services.summary_refresh(dossier=d)


def test_dashboard_query_count_does_not_grow_with_rows(client, tenant, officers, call, category,
                                                       django_assert_max_num_queries):
    _login(client, officers["cnm"])
    _bulk(tenant, call, category, 3, officers)
    client.get(url("dashboard", tenant))  # warm caches (session, content types)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        client.get(url("dashboard", tenant), {"sort": "score"})
    _bulk(tenant, call, category, 27, officers)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url("dashboard", tenant), {"sort": "score"})
    assert len(response.context["rows"]) == 30


def test_csv_export_is_excel_friendly_with_scores_and_authors(client, tenant, officers, dossier):
    with scope(tenant=tenant):
        ReviewFactory(dossier=dossier, officer=officers["drac1"], funder="drac",
                      total=D("15.25"), opinion="Très bon; ancrage", proposed_amount=D("9000"))
        services.summary_refresh(dossier=dossier)
    response = _login(client, officers["drac1"]).get(url("export_csv", tenant))
    raw = response.getvalue()
    assert raw.startswith(b"\xef\xbb\xbf") and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    header, line = rows[0], rows[1]
    assert header[0] == "Référence"
    record = dict(zip(header, line))
    assert record["Structure"] == "Éléphant Rose Productions"
    assert record["Note /20"] == "15,25" and record["Montant proposé"] == "9000,00"
    assert record["Rapporteur·rice"] == str(officers["drac1"])
    assert record["Avis technique"] == "Très bon; ancrage"


def test_xlsx_export_has_the_same_rows(client, tenant, officers, dossier):
    from openpyxl import load_workbook

    with scope(tenant=tenant):
        ReviewFactory(dossier=dossier, officer=officers["drac1"], total=D("15.25"))
        services.summary_refresh(dossier=dossier)
    response = _login(client, officers["drac1"]).get(url("export_xlsx", tenant))
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Référence" and rows[1][0] == dossier.reference
    assert rows[1][rows[0].index("Note /20")] == 15.25


# --- dossier page, scoring ---------------------------------------------------------------------

#: Queries of one instruction page (issue #17): session, user, roles, the officer's declared
#: links, the dossier (with its summary, the blind-review answer and the disagreement
#: threshold), budget lines, partners, attachments (shared by the application and the
#: checklist), rapporteurs, candidates, recevabilité, history, reviews. In production the
#: session comes from Redis.
INSTRUCTION_QUERIES = 13


def _rich_dossier(tenant, dossier, officers, n):
    """`n` more of everything the instruction page shows or could read per item."""
    from applications.models import Attachment, DossierMessage
    from portal.audit import audit_log
    from reviews.models import EligibilityReview
    from tests.factories import DocumentRequirementFactory
    from tests.factories.applications import BudgetLineFactory

    with scope(tenant=tenant):
        for i in range(n):
            someone = officer(tenant, K.DRAC)
            Assignment.objects.create(dossier=dossier, officer=someone, funder="drac")
            ReviewFactory(dossier=dossier, officer=someone, funder="drac", opinion=f"Avis {i}")
            partner = PartnerFactory(dossier=dossier)
            ConflictDeclaration.objects.create(tenant=tenant, officer=officer(tenant, K.CNM),
                                               siret=partner.siret, structure_name="x",
                                               nature="Associé")
            BudgetLineFactory(dossier=dossier, label=f"Dépense {i}")
            Attachment.objects.create(
                dossier=dossier, requirement=DocumentRequirementFactory(call=dossier.call),
                original_name=f"p{i}.pdf", content_type="application/pdf", extension="pdf",
                size=10, sha256="0" * 64, file=f"p{i}.pdf")
            DossierMessage.objects.create(dossier=dossier, author=officers["drac1"],
                                          from_instructor=True, body=f"Message {i}")
            EligibilityReview.objects.create(dossier=dossier, outcome="eligible",
                                             confirmed_by=officers["drac1"])
            audit_log(tenant=tenant, actor=officers["drac1"], action="reviews.review.saved",
                      target=dossier)
        services.summary_refresh(dossier=dossier)


@pytest.mark.usefixtures("render_every_time")
@pytest.mark.parametrize("who", ["assigned_pending", "submitted", "admin"])
def test_instruction_page_queries_are_bounded_and_do_not_grow_with_the_dossier(
        client, tenant, officers, dossier, who, django_assert_max_num_queries):
    """The page reads a fixed number of queries whatever the dossier holds (reviews,
    rapporteurs, partners with declared links, attachments, messages, history), for an
    officer yet to submit, one who submitted (the others' reviews shown) and an instructor
    who is also the tenant's admin."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import MembershipFactory

    user = officers["drac2"] if who == "admin" else officers["cnm"]
    with scope(tenant=tenant):
        Assignment.objects.create(dossier=dossier, officer=officers["cnm"], funder="cnm")
        ReviewFactory(dossier=dossier, officer=officers["cnm"], funder="cnm",
                      status="submitted" if who == "submitted" else "draft")
        if who == "admin":
            MembershipFactory(tenant=tenant, user=user, role=Role.ADMIN)
    _rich_dossier(tenant, dossier, officers, 1)
    _login(client, user)
    page = url("dossier", tenant, pk=dossier.pk)
    client.get(page)  # warm caches (content types)
    with CaptureQueriesContext(connection) as small:
        assert client.get(page).status_code == 200
    assert len(small.captured_queries) <= INSTRUCTION_QUERIES
    _rich_dossier(tenant, dossier, officers, 6)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(page)
    body = response.content.decode()
    assert response.status_code == 200 and "p5.pdf" in body and "Dépense 5" in body
    assert ("Avis 5" in body) == (who != "assigned_pending")
    assert len(response.context["assignments"]) == 8



@pytest.mark.usefixtures("render_every_time")
def test_instruction_page_flags_a_disagreement_by_the_calls_else_the_tenants_threshold(
        client, tenant, officers, dossier, call):
    """The threshold read with the dossier: the call's setting wins over the tenant's, which
    wins over the default (4); reviews 16 and 10 (spread 6)."""
    from reviews.models import ReviewSettings

    with scope(tenant=tenant):
        for who, total in (("drac1", "16.00"), ("drac2", "10.00")):
            ReviewFactory(dossier=dossier, officer=officers[who], funder="drac", total=D(total))
        services.summary_refresh(dossier=dossier)
    _login(client, officers["drac1"])
    page = url("dossier", tenant, pk=dossier.pk)

    def badge():
        found = re.search(r"Désaccord \(écart > ([\d,.]+)\)", client.get(page).content.decode())
        return found and found.group(1)

    assert badge() == "4,00"
    with scope(tenant=tenant):
        ReviewSettings.objects.create(tenant=tenant, disagreement_threshold=D("5.00"))
    assert badge() == "5,00"
    with scope(tenant=tenant):
        ReviewSettings.objects.create(tenant=tenant, call=call, disagreement_threshold=D("6.50"))
    assert badge() is None
    with scope(tenant=tenant):
        ReviewSettings.objects.filter(call=call).update(disagreement_threshold=D("5.50"))
    assert badge() == "5,50"


@pytest.mark.usefixtures("render_every_time")
def test_only_a_rapporteur_of_the_dossier_gets_the_scoring_form(client, tenant, officers,
                                                                dossier):
    """`reviews.score_dossier` on the page reads the rapporteurs the page lists (no query of
    its own): the assigned officer scores, another instructor of the tenant does not, and
    neither does the assigned one once removed."""
    with scope(tenant=tenant):
        assignment = Assignment.objects.create(dossier=dossier, officer=officers["cnm"],
                                               funder="cnm")
    page = url("dossier", tenant, pk=dossier.pk)
    assert 'id="review-form"' in _login(client, officers["cnm"]).get(page).content.decode()
    assert 'id="review-form"' not in _login(client, officers["drac1"]).get(page).content.decode()
    with scope(tenant=tenant):
        assignment.delete()
    assert 'id="review-form"' not in _login(client, officers["cnm"]).get(page).content.decode()


def test_scoring_flow_hides_other_reviews_until_submitted(client, tenant, officers, dossier):
    with scope(tenant=tenant):
        Assignment.objects.create(dossier=dossier, officer=officers["cnm"], funder="cnm")
        ReviewFactory(dossier=dossier, officer=officers["drac1"], opinion="Avis DRAC confidentiel")
        q, t = [c["id"] for c in dossier.rules_snapshot["appraisal_criteria"]]
    _login(client, officers["cnm"])
    body = client.get(url("dossier", tenant, pk=dossier.pk)).content.decode()
    assert "Avis DRAC confidentiel" not in body and "une fois la vôtre soumise" in body
    response = client.post(url("review_save", tenant, pk=dossier.pk),
                           {f"score_{q}": "4", "version": "0", "action": "draft"},
                           HTTP_ACCEPT="application/json")
    assert response.json()["ok"] and response.json()["total"] == "16,00"
    response = client.post(url("review_save", tenant, pk=dossier.pk),
                           {f"score_{q}": "4", f"score_{t}": "12", "version": "1"},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 400 and "entre 0 et 10" in response.json()["errors"][0]
    response = client.post(url("review_save", tenant, pk=dossier.pk),
                           {f"score_{q}": "4", "version": "0"}, HTTP_ACCEPT="application/json")
    assert response.status_code == 409
    client.post(url("review_save", tenant, pk=dossier.pk),
                {f"score_{q}": "4", f"score_{t}": "8", "version": "1", "opinion": "Bon projet",
                 "recommendation": "favourable", "proposed_amount": "10 000", "action": "submit",
                 "confirm": "on"})
    body = client.get(url("dossier", tenant, pk=dossier.pk)).content.decode()
    assert "Avis DRAC confidentiel" in body and "Mon évaluation (soumise)" in body


def test_eligibility_override_via_the_page(client, tenant, officers, call):
    with scope(tenant=tenant):
        dossier = FiledDossierFactory(call=call, eligibility_results=[
            {"id": 5, "label": "Licence", "status": "fail", "message": ""}])
    _login(client, officers["cnm"])
    client.post(url("eligibility_confirm", tenant, pk=dossier.pk),
                {"final_5": "pass", "justification_5": ""})
    dossier.refresh_from_db()
    assert dossier.status == "submitted"
    client.post(url("eligibility_confirm", tenant, pk=dossier.pk),
                {"final_5": "pass", "justification_5": "Licence produite en annexe."})
    dossier.refresh_from_db()
    assert dossier.status == "eligible"
    body = client.get(url("dossier", tenant, pk=dossier.pk)).content.decode()
    assert "Licence produite en annexe." in body


def test_auto_assignment_page_and_workload(client, tenant, officers, call):
    with scope(tenant=tenant):
        FiledDossierFactory(call=call, status="eligible")
    _login(client, officers["cnm"])
    client.post(url("assignments", tenant))
    with scope(tenant=tenant):
        assert Assignment.objects.count() == 3
    response = client.get(url("assignments", tenant))
    assert sum(r["assigned"] for r in response.context["workload"]) == 3


# --- committee page ------------------------------------------------------------------------------

def _session_with(tenant, call, category, committee, n, officers):
    with scope(tenant=tenant):
        session = SessionFactory(tenant=tenant)
        session.calls.set([call])
        for f, u in committee.items():
            CommitteeMemberFactory(session=session, user=u, funder=f)
        start = AgendaItem.objects.filter(session=session).count()
        for i in range(n):
            d = FiledDossierFactory(call=call, category=category, status="in_committee")
            AgendaItem.objects.create(session=session, dossier=d, position=start + i + 1)
            ReviewFactory(dossier=d, officer=officers["drac1"], funder="drac")
            services.summary_refresh(dossier=d)
    return session


def test_committee_page_query_count_is_constant(client, tenant, call, category, committee,
                                               officers, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    session = _session_with(tenant, call, category, committee, 3, officers)
    _login(client, committee["cnm"])
    client.get(url("session", tenant, session_pk=session.pk))
    with CaptureQueriesContext(connection) as small:
        client.get(url("session", tenant, session_pk=session.pk))
    with scope(tenant=tenant):
        for i in range(27):
            d = FiledDossierFactory(call=call, category=category, status="in_committee")
            AgendaItem.objects.create(session=session, dossier=d, position=10 + i)
            ReviewFactory(dossier=d, officer=officers["drac1"], funder="drac")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url("session", tenant, session_pk=session.pk))
    assert len(response.context["rows"]) == 30


def test_decision_form_records_and_second_stale_submit_is_told(client, tenant, call, category,
                                                              committee, officers):
    session = _session_with(tenant, call, category, committee, 1, officers)
    with scope(tenant=tenant):
        dossier = session.agenda.get().dossier
    prefix = f"d{dossier.pk}"
    data = {f"{prefix}-outcome": "granted", f"{prefix}-share_cnm": "5000",
            f"{prefix}-share_region": "2500", f"{prefix}-version": "0"}
    _login(client, committee["cnm"])
    response = client.post(url("decision_record", tenant, session_pk=session.pk, pk=dossier.pk),
                           data, follow=True)
    assert "Décision enregistrée" in response.content.decode()
    response = client.post(url("decision_record", tenant, session_pk=session.pk, pk=dossier.pk),
                           {**data, f"{prefix}-share_cnm": "6000"}, follow=True)
    assert "rechargez la page" in response.content.decode()
    # a rejection without motivation is refused with the reason, on the form
    response = client.post(url("decision_record", tenant, session_pk=session.pk, pk=dossier.pk),
                           {f"{prefix}-outcome": "rejected", f"{prefix}-version": "1"})
    assert response.status_code == 200
    assert "la motivation est obligatoire" in response.content.decode()
    with scope(tenant=tenant):
        assert Decision.objects.get().amount == D("7500.00")


def test_decision_amounts_typed_in_french_are_recorded(client, tenant, call, category, committee,
                                                      officers):
    session = _session_with(tenant, call, category, committee, 1, officers)
    with scope(tenant=tenant):
        dossier = session.agenda.get().dossier
    prefix = f"d{dossier.pk}"
    _login(client, committee["cnm"])
    target = url("decision_record", tenant, session_pk=session.pk, pk=dossier.pk)
    response = client.post(target, {f"{prefix}-outcome": "granted",
                                    f"{prefix}-share_cnm": "5 OOO",
                                    f"{prefix}-share_region": "2\u202f500,50", f"{prefix}-version": "0"})
    body = html.unescape(response.content.decode())
    assert ("Montant versé par : Centre national de la musique (€) : « 5 OOO » n'est "
            "pas un montant.") in body
    assert 'value="5 OOO"' in body
    client.post(target, {f"{prefix}-outcome": "granted", f"{prefix}-share_cnm": "5 000 €",
                         f"{prefix}-share_region": "2\u202f500,50", f"{prefix}-version": "0"})
    with scope(tenant=tenant):
        decision = Decision.objects.get()
        assert decision.amount == D("7500.50")
        assert sorted(decision.shares.values_list("funder", "amount")) == [
            ("cnm", D("5000.00")), ("region", D("2500.50"))]


def test_applicant_cannot_see_committee_pages(client, tenant, applicant, call, category,
                                              committee, officers):
    session = _session_with(tenant, call, category, committee, 1, officers)
    assert _login(client, applicant).get(url("session", tenant, session_pk=session.pk)
                                         ).status_code == 404
    assert client.get(url("session_list", tenant)).status_code == 404


def test_closed_session_minutes_pdf_downloadable(client, tenant, call, category, committee,
                                                 officers, admin_user, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    session = _session_with(tenant, call, category, committee, 1, officers)
    with scope(tenant=tenant):
        dossier = session.agenda.get().dossier
        services.decision_record(user=committee["cnm"], session=session, dossier=dossier,
                                 outcome="rejected", motivation="Hors champ.")
    _login(client, admin_user)
    from django.test import TestCase  # noqa: F401

    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(url("session_close", tenant, session_pk=session.pk), {"confirm": "on"})
    response = client.get(url("session_minutes", tenant, session_pk=session.pk))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF")
    from django.core import mail

    assert mail.outbox == []  # the structure has no member to notify in this test


def test_conflicted_instructor_cannot_download_the_minutes(client, tenant, call, category,
                                                           committee, officers, admin_user,
                                                           settings, tmp_path):
    """The minutes name each agenda dossier's decision: an officer with a declared link with
    one of those dossiers' structures gets 404 and no link (issue 13 finding 12)."""
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    session = _session_with(tenant, call, category, committee, 2, officers)
    with scope(tenant=tenant):
        first, second = [item.dossier for item in session.agenda.all()]
        for d in (first, second):
            services.decision_record(user=committee["cnm"], session=session, dossier=d,
                                     outcome="rejected", motivation="Hors champ.")
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        _login(client, admin_user).post(url("session_close", tenant, session_pk=session.pk),
                                        {"confirm": "on"})
    minutes = url("session_minutes", tenant, session_pk=session.pk)
    _login(client, officers["cnm"])
    assert client.get(minutes).status_code == 200
    assert minutes in client.get(url("session", tenant, session_pk=session.pk)).content.decode()
    with scope(tenant=tenant):
        ConflictDeclaration.objects.create(tenant=tenant, officer=officers["cnm"],
                                           siret=second.structure.siret,
                                           structure_name=second.structure.name, nature="Associé")
    assert client.get(minutes).status_code == 404
    assert minutes not in client.get(url("session", tenant, session_pk=session.pk)
                                     ).content.decode()
    # a link through a partner of the dossier counts too; the others still download them
    with scope(tenant=tenant):
        partner = PartnerFactory(dossier=first)
        ConflictDeclaration.objects.create(tenant=tenant, officer=committee["drac"],
                                           siret=partner.siret, structure_name="Partenaire",
                                           nature="Associé")
    assert _login(client, committee["drac"]).get(minutes).status_code == 404
    assert _login(client, officers["drac1"]).get(minutes).status_code == 200
    assert _login(client, admin_user).get(minutes).status_code == 200


def test_a_member_recused_on_one_dossier_cannot_download_the_minutes(
        client, tenant, call, category, committee, officers, admin_user, settings, tmp_path):
    """Recused (déporté) on a dossier of the session, as opposed to a declared conflict: the
    member stepped out of that deliberation, so the minutes that record it are refused whole
    (404, no link); the other members and the admin still download them (issue 13)."""
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    session = _session_with(tenant, call, category, committee, 2, officers)
    with scope(tenant=tenant):
        first, second = [item.dossier for item in session.agenda.all()]
        services.recusal_declare(user=committee["region"], session=session, dossier=second,
                                 reason="Administratrice de la structure")
        for d in (first, second):
            services.decision_record(user=committee["cnm"], session=session, dossier=d,
                                     outcome="rejected", motivation="Hors champ.")
        assert not ConflictDeclaration.objects.filter(officer=committee["region"]).exists()
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        _login(client, admin_user).post(url("session_close", tenant, session_pk=session.pk),
                                        {"confirm": "on"})
    minutes = url("session_minutes", tenant, session_pk=session.pk)
    session_page = url("session", tenant, session_pk=session.pk)
    _login(client, committee["region"])
    assert client.get(session_page).status_code == 200
    assert client.get(minutes).status_code == 404
    assert minutes not in client.get(session_page).content.decode()
    for user in (committee["cnm"], committee["drac"], admin_user):
        _login(client, user)
        assert client.get(minutes).status_code == 200
        assert minutes in client.get(session_page).content.decode()


@pytest.mark.parametrize("name,data", [
    ("session_members", {"action": "add", "user": "abc"}),
    ("session_members", {"action": "presence", "present": ["x", "-1"]}),
    ("session_agenda", {"action": "move", "item": "abc"}), ("threshold_set", {"call": "abc", "threshold": "2"}),
])
def test_garbage_ids_are_refused_without_a_500(client, tenant, admin_user, name, data):
    with scope(tenant=tenant):
        session = SessionFactory(tenant=tenant)
    kwargs = {} if name == "threshold_set" else {"session_pk": session.pk}
    client.raise_request_exception = False
    response = _login(client, admin_user).post(url(name, tenant, **kwargs), data)
    assert response.status_code in (302, 404)


@pytest.mark.parametrize("data", [{}, {"action": "expel"}, {"user": "1", "present": ["1"]}])
def test_an_unknown_members_action_is_a_400_that_says_so(client, tenant, admin_user, data):
    """The session page's two member forms are told apart by their hidden `action`; without
    one of the two (a forged or stale form) the page says which field is wrong, no 500."""
    with scope(tenant=tenant):
        session = SessionFactory(tenant=tenant)
    client.raise_request_exception = False
    response = _login(client, admin_user).post(
        url("session_members", tenant, session_pk=session.pk), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Action demandée : " in body
    assert ("Ce champ est obligatoire." in body if "action" not in data
            else "Sélectionnez un choix valide. expel n’en fait pas partie." in body)
    with scope(tenant=tenant):
        assert not session.members.exists()


@pytest.mark.parametrize("data", [{}, {"action": "shuffle"}, {"item": "1", "direction": "up"}])
def test_an_unknown_agenda_action_is_a_400_that_says_so(client, tenant, admin_user, data):
    """The agenda's build button and move arrows post to one URL, told apart by `action`."""
    with scope(tenant=tenant):
        session = SessionFactory(tenant=tenant)
    client.raise_request_exception = False
    response = _login(client, admin_user).post(
        url("session_agenda", tenant, session_pk=session.pk), data)
    assert response.status_code == 400
    assert "Action demandée : " in response.content.decode()


def test_the_agenda_build_and_move_forms_carry_their_action(client, tenant, call, category,
                                                             admin_user):
    from tests.factories.reviews import FiledDossierFactory

    with scope(tenant=tenant):
        session = SessionFactory(tenant=tenant)
        session.calls.set([call])
        for n in range(2):
            AgendaItem.objects.create(session=session, position=n + 1, dossier=FiledDossierFactory(
                call=call, category=category, status="in_committee"))
    body = _login(client, admin_user).get(url("session", tenant, session_pk=session.pk)
                                          ).content.decode()
    assert body.count('name="action" value="build"') == 1
    assert body.count('name="action" value="move"') == 2


def test_the_session_pages_member_and_presence_forms_carry_their_action(
        client, tenant, call, committee, admin_user):
    with scope(tenant=tenant):
        session = SessionFactory(tenant=tenant)
        session.calls.set([call])
    _login(client, admin_user)
    members = url("session_members", tenant, session_pk=session.pk)
    page = client.get(url("session", tenant, session_pk=session.pk)).content.decode()
    assert '<input type="hidden" name="action" value="add">' in page
    client.post(members, {"action": "add", "user": committee["drac"].pk, "funder": "drac"})
    with scope(tenant=tenant):
        seat = CommitteeMember.objects.get(session=session)
        assert (seat.user, seat.present) == (committee["drac"], False)
    page = client.get(url("session", tenant, session_pk=session.pk)).content.decode()
    assert '<input type="hidden" name="action" value="presence">' in page
    client.post(members, {"action": "presence", "present": [seat.pk]})
    with scope(tenant=tenant):
        seat.refresh_from_db()
        assert seat.present is True


def test_garbage_officer_id_is_refused_without_a_500(client, tenant, officers, call):
    with scope(tenant=tenant):
        dossier = FiledDossierFactory(call=call, status="eligible")
    client.raise_request_exception = False
    response = _login(client, officers["cnm"]).post(url("assignment_add", tenant, pk=dossier.pk),
                                                    {"officer": "abc"})
    assert response.status_code == 404


# --- editing a session -----------------------------------------------------------------------

def test_admin_changes_the_date_quorum_and_calls_of_an_open_session(
        client, tenant, call, category, committee, officers, admin_user):
    from portal.models import AuditEvent

    session = _session_with(tenant, call, category, committee, 1, officers)
    other_call = CallFactory(tenant=tenant, title="Structuration")
    _login(client, admin_user)
    page = client.get(url("session_edit", tenant, session_pk=session.pk)).content.decode()
    assert f'value="{session.title}"' in page
    response = client.post(url("session_edit", tenant, session_pk=session.pk), {
        "title": "Comité de printemps", "date": "2027-04-28", "quorum": "4",
        "calls": [call.pk, other_call.pk]})
    assert response.status_code == 302
    with scope(tenant=tenant):
        session.refresh_from_db()
        assert (session.title, str(session.date), session.quorum, session.quorum_each_funder) \
            == ("Comité de printemps", "2027-04-28", 4, False)
        assert set(session.calls.all()) == {call, other_call}
        event = AuditEvent.objects.get(action="reviews.session.updated")
    assert event.data["quorum"] == {"from": 1, "to": 4}  # the factory's quorum was 1
    assert event.data["title"]["to"] == "Comité de printemps"
    assert event.data["calls"] == {"from": [call.pk], "to": sorted([call.pk, other_call.pk])}
    assert "quorum_each_funder" not in event.data  # unchanged (False)


def test_a_call_with_dossiers_on_the_agenda_cannot_be_taken_off_the_session(
        client, tenant, call, category, committee, officers, admin_user):
    session = _session_with(tenant, call, category, committee, 1, officers)
    other_call = CallFactory(tenant=tenant, title="Structuration")
    _login(client, admin_user)
    response = client.post(url("session_edit", tenant, session_pk=session.pk), {
        "title": "Comité modifié", "date": "2027-04-28", "quorum": "3",
        "calls": [other_call.pk]})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["calls"] == [
        f"Des dossiers de « {call.title} » sont à l'ordre du jour : cet appel ne peut pas être "
        "retiré de la séance."]
    assert 'value="Comité modifié"' in response.content.decode()  # what was typed is kept
    with scope(tenant=tenant):
        session.refresh_from_db()
        assert session.title != "Comité modifié" and list(session.calls.all()) == [call]


def test_session_edit_form_errors_name_the_field_and_keep_the_input(client, tenant, admin_user,
                                                                    call):
    with scope(tenant=tenant):
        session = SessionFactory(tenant=tenant)
        session.calls.set([call])
    _login(client, admin_user)
    response = client.post(url("session_edit", tenant, session_pk=session.pk), {
        "title": "Comité d'automne", "date": "31/02/2027", "quorum": "0", "calls": []})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"date", "quorum", "calls"}
    assert 'value="Comité d&#x27;automne"' in response.content.decode()


def test_a_closed_session_cannot_be_edited_nor_its_members_removed(
        client, tenant, call, category, committee, officers, admin_user):
    session = _session_with(tenant, call, category, committee, 0, officers)
    with scope(tenant=tenant):
        session.status = "closed"
        session.save(update_fields=["status"])
        member = session.members.first()
    _login(client, admin_user)
    response = client.get(url("session_edit", tenant, session_pk=session.pk))
    assert response.status_code == 302
    response = client.post(url("session_edit", tenant, session_pk=session.pk), {
        "title": "X", "date": "2027-04-28", "quorum": "3", "calls": [call.pk]})
    assert response.status_code == 302
    client.post(url("session_member_remove", tenant, session_pk=session.pk, member_pk=member.pk))
    with scope(tenant=tenant):
        assert session.members.filter(pk=member.pk).exists()
        session.refresh_from_db()
        assert session.title != "X"


def test_admin_removes_a_member_from_an_open_session(client, tenant, call, category, committee,
                                                     officers, admin_user):
    from portal.models import AuditEvent

    session = _session_with(tenant, call, category, committee, 0, officers)
    with scope(tenant=tenant):
        member = session.members.get(user=committee["region"])
    _login(client, admin_user)
    page = client.get(url("session", tenant, session_pk=session.pk)).content.decode()
    assert url("session_member_remove", tenant, session_pk=session.pk,
               member_pk=member.pk) in page
    response = client.post(url("session_member_remove", tenant, session_pk=session.pk,
                               member_pk=member.pk))
    assert response.status_code == 302
    with scope(tenant=tenant):
        assert sorted(session.members.values_list("funder", flat=True)) == ["cnm", "drac"]
        assert AuditEvent.objects.get(action="reviews.session.member_removed").data == {
            "user": committee["region"].pk, "funder": "region"}


def test_session_edit_and_member_removal_are_for_session_managers_only(
        client, tenant, other_tenant, call, category, committee, officers, admin_user):
    session = _session_with(tenant, call, category, committee, 0, officers)
    with scope(tenant=tenant):
        member = session.members.first()
    edit = url("session_edit", tenant, session_pk=session.pk)
    remove = url("session_member_remove", tenant, session_pk=session.pk, member_pk=member.pk)
    for user in (officers["cnm"], committee["cnm"]):
        _login(client, user)
        assert client.get(edit).status_code == 403
        assert client.post(remove).status_code == 403
    foreign_admin = officer(other_tenant, K.CNM, role=Role.ADMIN)
    _login(client, foreign_admin)
    assert client.get(edit).status_code in (403, 404)
    assert client.get(url("session_edit", other_tenant, session_pk=session.pk)).status_code == 404
    assert client.post(url("session_member_remove", other_tenant, session_pk=session.pk,
                           member_pk=member.pk)).status_code == 404
    with scope(tenant=tenant):
        assert session.members.filter(pk=member.pk).exists()


# --- posts parsed by forms -----------------------------------------------------------------

def test_threshold_is_set_for_the_tenant_and_for_one_call_typed_the_french_way(
        client, tenant, admin_user, call):
    from reviews.models import ReviewSettings

    _login(client, admin_user)
    response = client.post(url("threshold_set", tenant), {"threshold": "3,5"})
    assert response.status_code == 302 and response.url == url("assignments", tenant)
    response = client.post(url("threshold_set", tenant), {"call": call.pk, "threshold": "4"})
    with scope(tenant=tenant):
        assert {s.call_id: s.disagreement_threshold for s in ReviewSettings.objects.all()} == {
            None: D("3.50"), call.pk: D("4.00")}
    page = client.get(url("assignments", tenant), follow=True).content.decode()
    assert "Seuil de désaccord enregistré." in page


def test_threshold_out_of_range_is_refused_with_the_field_named(client, tenant, admin_user):
    from reviews.models import ReviewSettings

    _login(client, admin_user)
    response = client.post(url("threshold_set", tenant), {"threshold": "25"}, follow=True)
    assert "Le seuil est compris entre 0 et 20 points." in response.content.decode()
    with scope(tenant=tenant):
        assert not ReviewSettings.objects.exists()


def test_threshold_of_another_tenants_call_answers_404_and_other_roles_are_refused(
        client, tenant, other_tenant, admin_user, officers, applicant):
    from reviews.models import ReviewSettings

    with scope(tenant=other_tenant):
        foreign = CallFactory(tenant=other_tenant)
    assert _login(client, admin_user).post(
        url("threshold_set", tenant), {"call": foreign.pk, "threshold": "2"}).status_code == 404
    assert _login(client, officers["cnm"]).post(
        url("threshold_set", tenant), {"threshold": "2"}).status_code == 403
    assert _login(client, applicant).post(
        url("threshold_set", tenant), {"threshold": "2"}).status_code == 404
    with scope(tenant=tenant):
        assert not ReviewSettings.objects.exists()


def test_review_autosave_with_a_garbage_version_names_the_field_without_a_500(
        client, tenant, officers, dossier):
    with scope(tenant=tenant):
        Assignment.objects.create(dossier=dossier, officer=officers["cnm"], funder="cnm")
        q, _t = [c["id"] for c in dossier.rules_snapshot["appraisal_criteria"]]
    _login(client, officers["cnm"])
    response = client.post(url("review_save", tenant, pk=dossier.pk),
                           {f"score_{q}": "4", "version": "abc"},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json() == {"ok": False, "errors": ["Version : Saisissez un nombre entier."]}
    with scope(tenant=tenant):
        assert not Review.objects.exists()
    response = client.post(url("review_save", tenant, pk=dossier.pk),
                           {f"score_{q}": "4", "version": "abc"}, follow=True)
    assert "Version : Saisissez un nombre entier." in response.content.decode()


def test_eligibility_confirmation_reads_the_ticked_documents_and_the_comment(
        client, tenant, officers, call):
    from reviews.models import EligibilityReview

    with scope(tenant=tenant):
        dossier = FiledDossierFactory(call=call, eligibility_results=[
            {"id": 5, "label": "Licence", "status": "pass", "message": ""}])
        documents = services.required_documents(dossier)
    _login(client, officers["cnm"])
    data = {"final_5": "", "comment": "Pièces vérifiées, conformes."}
    data.update({f"doc_{doc['id']}": "on" for doc in documents})
    client.post(url("eligibility_confirm", tenant, pk=dossier.pk), data)
    with scope(tenant=tenant):
        dossier.refresh_from_db()
        review = EligibilityReview.objects.get(dossier=dossier)
        assert review.comment == "Pièces vérifiées, conformes."
        # the result left as it was is confirmed
        assert review.outcome == "eligible" and dossier.status == "eligible"


# --- hand-made input (issue 13 finding 7) --------------------------------------------------------

@pytest.mark.parametrize("data, field_message", [
    ({"version": "abc"}, "Version"),
    ({"version": "-1"}, "Version"),
    ({"version": "0", "proposed_amount": "1e30"}, "Montant proposé"),
    ({"version": "0", "proposed_amount": "1" + "0" * 40}, "Montant proposé"),
    ({"version": "0", "proposed_amount": "NaN"}, "Montant proposé"),
])
def test_autosave_with_hand_made_values_answers_400_naming_the_field(
        client, tenant, officers, dossier, data, field_message):
    with scope(tenant=tenant):
        Assignment.objects.create(dossier=dossier, officer=officers["cnm"], funder="cnm")
        q = dossier.rules_snapshot["appraisal_criteria"][0]["id"]
    _login(client, officers["cnm"])
    response = client.post(url("review_save", tenant, pk=dossier.pk),
                           {f"score_{q}": "4", **data}, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response.json()["ok"] is False
    assert any(field_message in error for error in response.json()["errors"]), response.json()
    with scope(tenant=tenant):
        assert not Review.objects.filter(dossier=dossier).exists()


def test_review_form_post_with_a_bad_version_keeps_the_page(client, tenant, officers, dossier):
    with scope(tenant=tenant):
        Assignment.objects.create(dossier=dossier, officer=officers["cnm"], funder="cnm")
    _login(client, officers["cnm"])
    response = client.post(url("review_save", tenant, pk=dossier.pk), {"version": "abc"},
                           follow=True)
    assert response.status_code == 200
    assert "Version" in html.unescape(response.content.decode())


#: Queries of one dashboard page, whatever the filters and sort (session, user, memberships,
#: threshold, conflicts, state counters, the rows with the user's part in each, saved views,
#: the batch form's officers). The frame's facts (signatories, pilot structure) come with the
#: cached tenant, the filters' calls, tracks and categories with the tenant's cached calls; in
#: production the session comes from Redis.
DASHBOARD_QUERIES = 9


@pytest.mark.parametrize("params", [
    {}, {"sort": "score"}, {"sort": "-spread"}, {"sort": "amount"}, {"sort": "structure"},
    {"q": "Éléphant"}, {"status": "in_review"}, {"mine": "on"}, {"disagreement": "on"},
    {"funder": "cnm", "eligibility": "eligible"}, {"score_min": "10", "sort": "median"},
    {"submitted_from": "2024-01-01", "submitted_to": "2030-12-31", "sort": "-date"},
    {"page": "2", "per_page": "10"},
], ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()) or "default")
def test_dashboard_queries_are_bounded_whatever_the_filters_and_sort(
        client, tenant, officers, call, category, params, django_assert_max_num_queries):
    _login(client, officers["cnm"])
    _bulk(tenant, call, category, 25, officers)
    client.get(url("dashboard", tenant))  # warm caches (content types)
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        response = client.get(url("dashboard", tenant), params)
    assert response.status_code == 200


def test_dashboard_with_a_selection_keeps_its_query_count(client, tenant, officers, call,
                                                          category,
                                                          django_assert_max_num_queries):
    """Rows checked (kept across pages and filters in `ids`) cost no query per row: the page
    with 3 checked and the page with 30 checked read the same number of queries, within the
    dashboard's bound; the walk through the selection (a dossier page with its list) too."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from applications.models import Dossier

    _login(client, officers["cnm"])
    _bulk(tenant, call, category, 30, officers)
    with scope(tenant=tenant):
        ids = list(Dossier.objects.filter(call=call).order_by("pk").values_list("pk", flat=True))
    client.get(url("dashboard", tenant))  # warm caches (content types)
    with CaptureQueriesContext(connection) as few:
        response = client.get(url("dashboard", tenant), {"ids": ",".join(map(str, ids[:3]))})
    assert response.status_code == 200 and len(response.context["checked"]) == 3
    with django_assert_max_num_queries(min(len(few.captured_queries), DASHBOARD_QUERIES)):
        response = client.get(url("dashboard", tenant), {"ids": ",".join(map(str, ids))})
    assert response.status_code == 200 and len(response.context["checked"]) == 30

    listed = urlencode({"liste": urlencode({"ids": ",".join(map(str, ids[:3]))})})
    with CaptureQueriesContext(connection) as walk_few:
        assert client.get(f"{url('dossier', tenant, pk=ids[0])}?{listed}").status_code == 200
    listed = urlencode({"liste": urlencode({"ids": ",".join(map(str, ids))})})
    with django_assert_max_num_queries(len(walk_few.captured_queries)):
        assert client.get(f"{url('dossier', tenant, pk=ids[0])}?{listed}").status_code == 200
