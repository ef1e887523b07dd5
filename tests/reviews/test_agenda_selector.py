"""The committee page reads its agenda through `reviews.selectors.agenda_rows`: plain rows in
a fixed number of queries (342 items made the page take over a second with model instances),
showing what the page showed: reviews with their authors, decision, recusals."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope

from portal.enums import OrganizationKind as K
from portal.enums import Role
from reviews import selectors
from reviews.models import AgendaItem, CommitteeMember, ConflictDeclaration, Decision, Recusal
from tests.factories.applications import StructureFactory
from tests.factories.reviews import FiledDossierFactory, ReviewFactory, SessionFactory, officer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]


def _agenda(tenant, call, category, n, *, session=None):
    session = session or SessionFactory(tenant=tenant)
    session.calls.set([call])
    start = AgendaItem.objects.filter(session=session).count()
    for i in range(n):
        dossier = FiledDossierFactory(call=call, category=category, status="in_committee",
                                      structure=StructureFactory(name=f"Label Écho {start + i}"))
        AgendaItem.objects.create(session=session, dossier=dossier, position=start + i + 1)
        for kind in (K.DRAC, K.CNM):
            ReviewFactory(dossier=dossier, officer=officer(tenant, kind, user__first_name="Inès",
                                                           user__last_name=f"Rapporteure {kind}"),
                          funder=kind, total=Decimal("14.50"), recommendation="favourable",
                          proposed_amount=Decimal("12000.00"))
    return session


def _page_queries(client, tenant, session):
    url = reverse("reviews:session", kwargs={"tenant_slug": tenant.slug,
                                             "session_pk": session.pk})
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def test_committee_page_queries_do_not_grow_with_the_agenda(client, tenant, call, category,
                                                           committee):
    client.force_login(committee["cnm"])
    with scope(tenant=tenant):
        session = _agenda(tenant, call, category, 2)
    few, _body = _page_queries(client, tenant, session)
    with scope(tenant=tenant):
        _agenda(tenant, call, category, 6, session=session)
    many, body = _page_queries(client, tenant, session)
    assert many == few
    assert body.count('class="fr-card fr-p-3w fr-mt-3w"') == 8


def test_agenda_rows_carry_reviews_decision_and_recusals(tenant, call, category, committee):
    with scope(tenant=tenant):
        session = _agenda(tenant, call, category, 2)
        first, second = AgendaItem.objects.filter(session=session).order_by("position")
        drac = CommitteeMember.objects.create(session=session, user=committee["drac"],
                                              funder="drac")
        cnm = CommitteeMember.objects.create(session=session, user=committee["cnm"],
                                             funder="cnm", present=True)  # present: decides
        Decision.objects.create(session=session, dossier=first.dossier, outcome="granted",
                                amount=Decimal("10000.00"), advance_amount=Decimal("8000.00"),
                                decided_by=committee["drac"], decided_at=session.created_at)
        Recusal.objects.create(session=session, dossier=second.dossier, user=committee["drac"],
                               reason="Ancien salarié")
        ConflictDeclaration.objects.create(tenant=tenant, officer=committee["cnm"],
                                           siret=second.dossier.structure.siret,
                                           structure_name="x", nature="y")
        rows = selectors.agenda_rows(session=session, user=committee["cnm"],
                                     members=[drac, cnm], can_decide=True)
    one, two = rows
    assert (one.position, one.reference, one.structure_name) == (
        1, first.dossier.reference, "Label Écho 0")
    assert [(r.officer, r.funder, r.total, r.recommendation) for r in one.reviews] == [
        ("Inès Rapporteure drac", "DRAC (État)",
         Decimal("14.50"), "Favorable"),
        ("Inès Rapporteure cnm", "Centre national de la musique", Decimal("14.50"),
         "Favorable")]
    assert (one.decision_label, one.decision_amount, one.decision_balance) == (
        "Aide accordée", Decimal("10000.00"), Decimal("2000.00"))
    assert one.decided_by == str(committee["drac"]) and one.can_decide
    # the reader's own conflict hides the reviews and the decision button; both members listed
    assert two.conflicted and two.reviews == () and not two.can_decide
    assert sorted(two.recused) == sorted([str(committee["drac"]), str(committee["cnm"])])


def test_the_agenda_names_each_project_the_committee_decides_on(client, tenant, call, category,
                                                                committee):
    """A member decides on a project, not on a reference: its title is on the agenda."""
    with scope(tenant=tenant):
        session = _agenda(tenant, call, category, 1)
        dossier = AgendaItem.objects.get(session=session).dossier
        dossier.title = "Scène ouverte régionale : accompagnement de groupes émergents"
        dossier.save(update_fields=["title"])
        member = CommitteeMember.objects.create(session=session, user=committee["cnm"],
                                                funder="cnm", present=True)
        [row] = selectors.agenda_rows(session=session, user=committee["cnm"], members=[member],
                                      can_decide=True)
    assert row.title == "Scène ouverte régionale : accompagnement de groupes émergents"
    client.force_login(committee["cnm"])
    _queries, body = _page_queries(client, tenant, session)
    assert "« Scène ouverte régionale : accompagnement de groupes émergents »" in body
