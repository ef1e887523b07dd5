"""Committee: who reads an agenda dossier and who records its decision (issue 13 finding 3,
issue 12 committee blockers); a member sits for their own funder."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.urls import reverse
from django_scopes import scope

from applications.models import Attachment
from portal.formatting import format_money
from portal.models import AuditEvent
from portal.enums import OrganizationKind as K
from portal.enums import Role
from reviews import services
from reviews.models import AgendaItem, CommitteeMember, ConflictDeclaration, Decision, Recusal
from tests.factories import DocumentRequirementFactory
from tests.factories.applications import BudgetLineFactory
from tests.factories.reviews import (FiledDossierFactory, ReviewFactory, SessionFactory,
                                     officer)

D = Decimal
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]

BUDGET_LABEL = "Résidence de création à Roubaix"


def url(name, tenant, **kw):
    return reverse(f"reviews:{name}", kwargs={"tenant_slug": tenant.slug, **kw})


@pytest.fixture
def agenda(tenant, call, category, committee):
    """An open session with the three funders' members seated and present, one agenda
    dossier with a budget, a document and a submitted review."""
    with scope(tenant=tenant):
        dossier = FiledDossierFactory(call=call, category=category, status="in_committee",
                                      title="Tournée régionale des labels",
                                      requested_amount=D("12000.00"))
        BudgetLineFactory(dossier=dossier, kind="expense", label=BUDGET_LABEL,
                          amount=D("30000.00"))
        attachment = Attachment(dossier=dossier, requirement=DocumentRequirementFactory(call=call),
                                original_name="budget-previsionnel.pdf",
                                content_type="application/pdf", extension="pdf", size=20,
                                sha256="0" * 64)
        attachment.file.save("b.pdf", ContentFile(b"%PDF-1.4 budget"), save=True)
        ReviewFactory(dossier=dossier, officer=officer(tenant, K.DRAC), funder="drac",
                      opinion="Avis favorable du rapporteur", total=D("15.00"))
        session = SessionFactory(tenant=tenant, quorum=1, quorum_each_funder=False)
        session.calls.set([call])
        item = AgendaItem.objects.create(session=session, dossier=dossier, position=1)
        for funder, user in committee.items():
            CommitteeMember.objects.create(session=session, user=user, funder=funder,
                                           present=True)
    return {"session": session, "dossier": dossier, "item": item, "attachment": attachment}


def _decide(client, tenant, agenda):
    s, d = agenda["session"], agenda["dossier"]
    return client.post(url("decision_record", tenant, session_pk=s.pk, pk=d.pk), {
        f"d{d.pk}-outcome": "rejected", f"d{d.pk}-motivation": "Hors priorités",
        f"d{d.pk}-version": "0"})


def _page(client, tenant, agenda):
    s, d = agenda["session"], agenda["dossier"]
    return client.get(url("decision_record", tenant, session_pk=s.pk, pk=d.pk))


def _download(client, tenant, agenda):
    s, d, a = agenda["session"], agenda["dossier"], agenda["attachment"]
    return client.get(url("agenda_attachment", tenant, session_pk=s.pk, pk=d.pk,
                          attachment_pk=a.pk))


# --- who decides ------------------------------------------------------------------------------

def test_a_committee_member_not_seated_in_the_session_cannot_decide(client, tenant, agenda):
    outsider = officer(tenant, K.CNM, role=Role.COMMITTEE)
    client.force_login(outsider)
    assert _decide(client, tenant, agenda).status_code == 403
    with scope(tenant=tenant):
        assert not Decision.objects.exists()
        with pytest.raises(PermissionDenied):
            services.decision_record(user=outsider, session=agenda["session"],
                                     dossier=agenda["dossier"], outcome="rejected",
                                     motivation="x")
    body = client.get(url("session", tenant, session_pk=agenda["session"].pk)).content.decode()
    assert "décider" not in body.lower()


def test_a_seated_member_who_is_absent_cannot_decide(client, tenant, agenda, committee):
    with scope(tenant=tenant):
        CommitteeMember.objects.filter(user=committee["cnm"]).update(present=False)
    client.force_login(committee["cnm"])
    assert _decide(client, tenant, agenda).status_code == 403
    assert _page(client, tenant, agenda).status_code == 200  # still reads it


def test_a_recused_member_neither_decides_nor_reads(client, tenant, agenda, committee):
    with scope(tenant=tenant):
        Recusal.objects.create(session=agenda["session"], dossier=agenda["dossier"],
                               user=committee["cnm"], reason="Déport volontaire")
    client.force_login(committee["cnm"])
    assert _decide(client, tenant, agenda).status_code == 403
    body = _page(client, tenant, agenda).content.decode()
    assert "déporté·e" in body and BUDGET_LABEL not in body and "Tournée" not in body
    assert _download(client, tenant, agenda).status_code == 404


def test_a_present_member_and_the_tenant_admin_decide(client, tenant, agenda, committee,
                                                      admin_user):
    client.force_login(committee["region"])
    assert _decide(client, tenant, agenda).status_code == 302
    with scope(tenant=tenant):
        decision = Decision.objects.get()
        assert (decision.outcome, decision.decided_by) == ("rejected", committee["region"])
    client.force_login(admin_user)
    response = client.post(url("decision_record", tenant, session_pk=agenda["session"].pk,
                               pk=agenda["dossier"].pk),
                           {f"d{agenda['dossier'].pk}-outcome": "rejected",
                            f"d{agenda['dossier'].pk}-motivation": "Revu",
                            f"d{agenda['dossier'].pk}-version": "1"})
    assert response.status_code == 302
    with scope(tenant=tenant):
        assert Decision.objects.get().decided_by == admin_user


# --- who reads ---------------------------------------------------------------------------------

def test_a_seated_member_reads_the_whole_agenda_dossier(client, tenant, agenda, committee):
    client.force_login(committee["drac"])
    body = _page(client, tenant, agenda).content.decode()
    for expected in ("Tournée régionale des labels", BUDGET_LABEL, format_money(D("30000")),
                     "budget-previsionnel.pdf", "Avis favorable du rapporteur",
                     "Recevabilité et éligibilité"):
        assert expected in body, expected
    response = _download(client, tenant, agenda)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 budget"
    assert response["Content-Disposition"].startswith("attachment")
    session = client.get(url("session", tenant, session_pk=agenda["session"].pk)
                         ).content.decode()
    assert "Lire le dossier" in session


def test_a_conflicted_member_reads_nothing_of_the_dossier(client, tenant, agenda, committee):
    with scope(tenant=tenant):
        ConflictDeclaration.objects.create(tenant=tenant, officer=committee["cnm"],
                                           siret=agenda["dossier"].structure.siret,
                                           structure_name="x", nature="Administrateur")
    client.force_login(committee["cnm"])
    response = _page(client, tenant, agenda)
    body = response.content.decode()
    assert response.status_code == 200 and "lien d'intérêts" in body
    for hidden in ("Tournée", BUDGET_LABEL, "budget-previsionnel.pdf", "Avis favorable"):
        assert hidden not in body, hidden
    assert _download(client, tenant, agenda).status_code == 404
    assert _decide(client, tenant, agenda).status_code == 403


def test_a_committee_member_not_seated_cannot_read_the_agenda_dossier(client, tenant, agenda):
    client.force_login(officer(tenant, K.CNM, role=Role.COMMITTEE))
    assert _page(client, tenant, agenda).status_code == 403
    assert _download(client, tenant, agenda).status_code == 404


def test_the_committee_members_menu_leads_to_their_conflict_declarations(client, tenant,
                                                                         committee, officers):
    client.force_login(committee["cnm"])
    body = client.get(url("session_list", tenant)).content.decode()
    assert f'href="{url("conflicts", tenant)}"' in body
    assert client.get(url("conflicts", tenant)).status_code == 200


# --- seats follow the member's funder --------------------------------------------------------

def test_a_member_is_seated_only_for_their_own_funder(client, tenant, call, committee,
                                                     admin_user):
    with scope(tenant=tenant):
        session = SessionFactory(tenant=tenant)
        session.calls.set([call])
    client.force_login(admin_user)
    members = url("session_members", tenant, session_pk=session.pk)
    client.post(members, {"action": "add", "user": committee["drac"].pk, "funder": "region"})
    with scope(tenant=tenant):
        assert not CommitteeMember.objects.filter(session=session).exists()
    response = client.post(members, {"action": "add", "user": committee["drac"].pk, "funder": "region"},
                           follow=True)
    assert "ne peut siéger que pour son financeur (DRAC (État))" in response.content.decode()
    client.post(members, {"action": "add", "user": committee["drac"].pk, "funder": "drac"})
    with scope(tenant=tenant):
        assert CommitteeMember.objects.get(session=session).funder == "drac"


def test_seating_for_another_funder_needs_a_justification_kept_in_the_history(
        tenant, call, committee, admin_user):
    with scope(tenant=tenant):
        session = SessionFactory(tenant=tenant)
        row = services.session_member_add(user=admin_user, session=session,
                                          member=committee["drac"], funder="region",
                                          override="Délégation écrite du vice-président")
        assert row.funder == "region"
        event = AuditEvent.objects.get(action="reviews.session.member_seated_for_another_funder")
        assert event.data["override"] == "Délégation écrite du vice-président"
        assert event.data["own_funders"] == ["drac"]


def test_the_session_page_checks_each_items_permissions_without_a_query_per_item(
        client, tenant, call, category, agenda, committee, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(committee["drac"])
    page = url("session", tenant, session_pk=agenda["session"].pk)
    client.get(page)
    with CaptureQueriesContext(connection) as one:
        client.get(page)
    with scope(tenant=tenant):
        for position in range(2, 12):
            AgendaItem.objects.create(session=agenda["session"], position=position,
                                      dossier=FiledDossierFactory(call=call, category=category,
                                                                  status="in_committee"))
    with django_assert_max_num_queries(len(one.captured_queries)):
        body = client.get(page).content.decode()
    assert body.count("Lire le dossier et décider") == 11
