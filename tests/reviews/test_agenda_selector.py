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


@pytest.mark.usefixtures("render_every_time")
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


#: The committee page's queries for a seated member and for the admin who manages the session,
#: whatever the length of the agenda (issue 17: 24 at 342 items before the page was reworked;
#: now the session's tenant is the request's and only a manager's page reads the accounts
#: that may be seated; the admin skips the seat check of reviews.follow_session; the page
#: frame's signatories and pilot structure come from the cached tenant).
MEMBER_PAGE_QUERIES = 20
ADMIN_PAGE_QUERIES = 20


@pytest.mark.usefixtures("render_every_time")
@pytest.mark.parametrize("who,expected", [("member", MEMBER_PAGE_QUERIES),
                                          ("admin", ADMIN_PAGE_QUERIES)])
def test_committee_page_reads_the_same_queries_at_3_and_30_items(client, tenant, call, category,
                                                                 committee, admin_user, who,
                                                                 expected):
    viewer = committee["cnm"] if who == "member" else admin_user
    with scope(tenant=tenant):
        session = _agenda(tenant, call, category, 3)
        CommitteeMember.objects.create(session=session, user=committee["cnm"], funder="cnm",
                                       present=True)
    client.force_login(viewer)
    few, body = _page_queries(client, tenant, session)
    assert body.count('class="fr-card fr-p-3w fr-mt-3w"') == 3
    with scope(tenant=tenant):
        _agenda(tenant, call, category, 27, session=session)
    many, body = _page_queries(client, tenant, session)
    assert body.count('class="fr-card fr-p-3w fr-mt-3w"') == 30
    assert (few, many) == (expected, expected)


def test_agenda_cards_escape_what_applicants_typed(client, tenant, call, category, committee):
    with scope(tenant=tenant):
        session = _agenda(tenant, call, category, 1)
        dossier = AgendaItem.objects.get(session=session).dossier
        dossier.title = '<script>alert("x")</script> & « fête »'
        dossier.save(update_fields=["title"])
        dossier.structure.name = "Label <b>Écho</b>"
        dossier.structure.save(update_fields=["name"])
        CommitteeMember.objects.create(session=session, user=committee["cnm"], funder="cnm",
                                       present=True)
    client.force_login(committee["cnm"])
    _queries, body = _page_queries(client, tenant, session)
    assert "<script>alert" not in body and "<b>Écho" not in body
    assert "« &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; « fête » »" in body
    assert f"{dossier.reference} — Label &lt;b&gt;Écho&lt;/b&gt;</h3>" in body


def test_agenda_scores_and_amounts_are_written_as_the_template_wrote_them(tenant, call,
                                                                          category, committee):
    """The rows carry their numbers written out (« 14,50 », « 12 000,00 € »), in French and
    in English, as `{{ value }}` and `|money` wrote them."""
    from django.utils import translation

    with scope(tenant=tenant):
        session = _agenda(tenant, call, category, 1)
        member = CommitteeMember.objects.create(session=session, user=committee["cnm"],
                                                funder="cnm", present=True)
        for language, total in (("fr", "14,50"), ("en", "14.50")):
            with translation.override(language):
                [row] = selectors.agenda_rows(session=session, user=committee["cnm"],
                                              members=[member], can_decide=True)
            assert [(r.total_text, r.proposed_text) for r in row.reviews] == [
                (total, "12\u00a0000,00\u00a0€")] * 2
            assert row.requested_text == "12\u00a0000,00\u00a0€"


@pytest.mark.parametrize("who", ["drac", "cnm", "admin", "instructor"])
def test_agenda_permissions_are_those_of_the_rules_on_each_item(tenant, call, category,
                                                                committee, admin_user, who):
    """The rows check reviews.read_agenda_dossier / decide_agenda_dossier once per kind of
    item (recused or not, conflicted or not): each answer is the one the rules give on the
    item itself, read from the database."""
    viewer = {"admin": admin_user, "instructor": officer(tenant, K.CNM)}.get(who) \
        or committee[who]
    with scope(tenant=tenant):
        session = _agenda(tenant, call, category, 4)
        items = list(AgendaItem.objects.filter(session=session).order_by("position"))
        members = [CommitteeMember.objects.create(session=session, user=committee["drac"],
                                                  funder="drac", present=True),
                   CommitteeMember.objects.create(session=session, user=committee["cnm"],
                                                  funder="cnm", present=False)]
        for user in (committee["drac"], committee["cnm"]):
            Recusal.objects.create(session=session, dossier=items[1].dossier, user=user,
                                   reason="Lien")
            ConflictDeclaration.objects.create(tenant=tenant, officer=user,
                                               siret=items[2].dossier.structure.siret,
                                               structure_name="x", nature="y")
        rows = selectors.agenda_rows(session=session, user=viewer, members=members,
                                     can_decide=True)
        expected = [(viewer.has_perm("reviews.read_agenda_dossier", item),
                     viewer.has_perm("reviews.decide_agenda_dossier", item))
                    for item in AgendaItem.objects.filter(session=session).order_by("position")]
    assert [(r.can_read, r.can_decide) for r in rows] == expected
    if who == "drac":  # present: decides the two free items only
        assert expected == [(True, True), (False, False), (False, False), (True, True)]
