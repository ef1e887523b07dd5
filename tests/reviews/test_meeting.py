"""The live committee meeting (« en séance »): the chair opens it on a quorum, moves through
the agenda, proposes a split that every screen shows with the funders' envelopes after it;
arrivals and departures are timed and re-check the quorum; nominal votes are printed in the
minutes; a recused member's screen shows nothing of the dossier; each funder's envelope per
call and per contract refuses an overrun without a justification."""

from decimal import Decimal
from html import unescape

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope

from portal.enums import OrganizationKind as K
from portal.enums import Role
from reviews import selectors, services
from reviews.documents import minutes_source
from reviews.models import (AgendaItem, CommitteeMember, CommitteeSession, FunderEnvelope,
                            PresenceEvent, Recusal, Vote)
from reviews.services import ReviewError
from tests.factories.reviews import FiledDossierFactory, ReviewFactory, SessionFactory, officer

D = Decimal
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]


def url(name, tenant, **kw):
    return reverse(f"reviews:{name}", kwargs={"tenant_slug": tenant.slug, **kw})


@pytest.fixture
def meeting(tenant, call, category, committee, admin_user):
    """A session with the three funders' members present, two agenda dossiers; the Région
    member has stepped out of the first one."""
    with scope(tenant=tenant):
        session = SessionFactory(tenant=tenant, title="Comité d'avril", quorum=2)
        session.calls.set([call])
        members = {f: CommitteeMember.objects.create(session=session, user=u, funder=f,
                                                     present=True)
                   for f, u in committee.items()}
        dossiers = []
        for position, title in enumerate(["Tournée des scènes de l'Oise",
                                          "Résidence à Roubaix"], start=1):
            dossier = FiledDossierFactory(call=call, category=category, status="in_committee",
                                          title=title, requested_amount=D("12000.00"))
            AgendaItem.objects.create(session=session, dossier=dossier, position=position)
            dossiers.append(dossier)
        for total in (D("18.00"), D("9.00")):  # spread 9 > threshold 4: disagreement
            ReviewFactory(dossier=dossiers[0], officer=officer(tenant, K.CNM),
                          funder="cnm", total=total, recommendation="favourable",
                          proposed_amount=D("10000.00"))
        services.summary_refresh(dossier=dossiers[0])
        Recusal.objects.create(session=session, dossier=dossiers[0], user=committee["region"],
                               reason="Ancienne salariée de la structure")
    return {"session": session, "members": members, "dossiers": dossiers}


def _fresh(session):
    return CommitteeSession.objects.get(pk=session.pk)


def test_opening_needs_the_quorum_then_starts_on_the_first_undecided_dossier(
        tenant, meeting, admin_user):
    session = meeting["session"]
    with scope(tenant=tenant):
        CommitteeMember.objects.filter(session=session).exclude(
            pk=meeting["members"]["drac"].pk).update(present=False)
        with pytest.raises(ReviewError) as refused:
            services.session_open(user=admin_user, session=session)
        assert "Quorum non atteint : 1 membre(s) présent(s), 2 requis." in refused.value.messages
        CommitteeMember.objects.filter(session=session).update(present=True)
        services.session_open(user=admin_user, session=session)
        session = _fresh(session)
        assert session.status == "in_session" and session.get_status_display() == "En séance"
        assert session.current_item.dossier == meeting["dossiers"][0]
        assert PresenceEvent.objects.filter(session=session, kind="arrived").count() == 3


def test_only_the_chair_leads_the_meeting(tenant, meeting, committee, admin_user):
    session = meeting["session"]
    with scope(tenant=tenant):
        with pytest.raises(PermissionDenied):
            services.session_open(user=committee["cnm"], session=session)
        services.session_conduct_set(user=admin_user, session=session, chair=committee["cnm"],
                                     votes_enabled=True)
        services.session_open(user=committee["cnm"], session=_fresh(session))
        second = AgendaItem.objects.get(session=session, position=2)
        services.meeting_move(user=committee["cnm"], session=_fresh(session), item=second)
        assert _fresh(session).current_item_id == second.pk
        with pytest.raises(PermissionDenied):
            services.meeting_move(user=committee["drac"], session=_fresh(session), item=second)


def test_a_departure_is_timed_and_the_quorum_checked_again(tenant, meeting, admin_user):
    session = meeting["session"]
    with scope(tenant=tenant):
        services.session_open(user=admin_user, session=session)
        problems = services.member_presence_change(user=admin_user, session=_fresh(session),
                                                   member=meeting["members"]["drac"],
                                                   present=False)
        assert problems == []  # two left, quorum 2
        problems = services.member_presence_change(user=admin_user, session=_fresh(session),
                                                   member=meeting["members"]["cnm"],
                                                   present=False)
        assert problems == ["Quorum non atteint : 1 membre(s) présent(s), 2 requis."]
        left = list(PresenceEvent.objects.filter(session=session, kind="left")
                    .values_list("user_id", flat=True))
        assert left == [meeting["members"]["drac"].user_id, meeting["members"]["cnm"].user_id]
        source = minutes_source(_fresh(session))
        assert [m["kind"] for m in source["movements"]].count("Départ") == 2


def test_each_funders_envelope_refuses_an_overrun_without_justification(
        tenant, meeting, call, admin_user):
    session = meeting["session"]
    dossier = meeting["dossiers"][1]
    with scope(tenant=tenant):
        services.funder_envelope_set(user=admin_user, tenant=tenant, funder="cnm", call=call,
                                     amount="5 000,00")
        services.funder_envelope_set(user=admin_user, tenant=tenant, funder="region",
                                     amount="100 000")
        assert FunderEnvelope.objects.get(call=call, funder="cnm").amount == D("5000.00")
        with pytest.raises(ReviewError) as refused:
            services.decision_record(user=admin_user, session=session, dossier=dossier,
                                     outcome="granted", shares={"cnm": "6 000", "region": "2 000"})
        message = refused.value.message_dict["envelope_override"][0]
        assert "Centre national de la musique — " in message and "Région" not in message
        # within the CNM's envelope: recorded, and the screens' version moves
        before = _fresh(session).live_version
        services.decision_record(user=admin_user, session=session, dossier=dossier,
                                 outcome="granted", shares={"cnm": "4 000", "region": "2 000"})
        assert _fresh(session).live_version == before + 1
        lines = {(l.call_id, l.funder): l for l in selectors.funder_envelope_lines(tenant, [call])}
        assert lines[(call.pk, "cnm")].committed == D("4000.00")
        assert lines[(call.pk, "cnm")].remaining == D("1000.00")
        assert lines[(None, "region")].remaining == D("98000.00")


def test_the_proposed_split_shows_against_the_envelopes_on_every_screen(
        client, tenant, meeting, call, committee, admin_user):
    session = meeting["session"]
    with scope(tenant=tenant):
        services.funder_envelope_set(user=admin_user, tenant=tenant, funder="cnm", call=call,
                                     amount="5000")
        services.session_open(user=admin_user, session=session)
        services.meeting_move(user=admin_user, session=_fresh(session),
                              item=AgendaItem.objects.get(session=session, position=2))
        services.meeting_propose(user=admin_user, session=_fresh(session),
                                 shares={"cnm": "6 000,00", "drac": "1 500"})
    client.force_login(committee["drac"])
    data = client.get(url("meeting_state", tenant, session_pk=session.pk)).json()
    html = unescape(data["html"]).replace("\u00a0", " ").replace("\u202f", " ")
    with scope(tenant=tenant):
        assert data["version"] == _fresh(session).live_version
    assert "Résidence à Roubaix" in html
    assert "Centre national de la musique : 6 000,00 €" in html
    assert "Total proposé : <strong>7 500,00 €</strong>" in html
    assert "La répartition proposée dépasserait" in html  # CNM: 5 000 € for the call
    # an unchanged screen gets the version only
    again = client.get(url("meeting_state", tenant, session_pk=session.pk) + f"?v={data['version']}")
    assert again.json() == {"version": data["version"], "status": "in_session"}


def test_a_recused_members_screen_shows_nothing_of_the_dossier(client, tenant, meeting,
                                                              committee, admin_user):
    session = meeting["session"]
    with scope(tenant=tenant):
        services.session_open(user=admin_user, session=session)
        services.meeting_propose(user=admin_user, session=_fresh(session), shares={"cnm": "3000"})
    client.force_login(committee["region"])
    page = unescape(client.get(url("meeting", tenant, session_pk=session.pk)).content.decode())
    assert "Vous êtes déporté·e sur ce dossier : rien ne s'en affiche" in page
    for secret in ("Tournée des scènes de l'Oise", meeting["dossiers"][0].reference, "18.00",
                   "3 000,00"):
        assert secret not in page.replace("\u00a0", " ").replace("\u202f", " ")
    client.force_login(committee["cnm"])
    page = unescape(client.get(url("meeting", tenant, session_pk=session.pk)).content.decode())
    assert "Tournée des scènes de l'Oise" in page
    assert "désaccord entre évaluateur·rices" in page  # spread 9 > 4


def test_votes_are_cast_by_present_members_not_recused_and_printed_in_the_minutes(
        client, tenant, meeting, committee, admin_user):
    session = meeting["session"]
    first = meeting["dossiers"][0]
    with scope(tenant=tenant):
        services.session_conduct_set(user=admin_user, session=session, votes_enabled=True)
        services.session_open(user=admin_user, session=_fresh(session))
    client.force_login(committee["drac"])
    response = client.post(url("meeting_vote", tenant, session_pk=session.pk, pk=first.pk),
                           {"choice": "for"})
    assert response.status_code == 302
    client.force_login(committee["cnm"])
    client.post(url("meeting_vote", tenant, session_pk=session.pk, pk=first.pk),
                {"choice": "abstain"})
    client.force_login(committee["region"])  # recused on it
    assert client.post(url("meeting_vote", tenant, session_pk=session.pk, pk=first.pk),
                       {"choice": "against"}).status_code == 404
    with scope(tenant=tenant):
        assert sorted(Vote.objects.filter(session=session).values_list("choice", flat=True)) == [
            "abstain", "for"]
        row = next(r for r in minutes_source(_fresh(session))["items"]
                   if r["reference"] == first.reference)
    drac_name = str(committee["drac"])
    assert row["votes"] == [{"label": "Pour", "count": 1, "names": drac_name},
                            {"label": "Contre", "count": 0, "names": ""},
                            {"label": "Abstention", "count": 1, "names": str(committee["cnm"])}]


def test_the_chair_records_the_decision_from_the_meeting_page(client, tenant, meeting,
                                                              committee, admin_user):
    session = meeting["session"]
    second = meeting["dossiers"][1]
    with scope(tenant=tenant):
        services.session_open(user=admin_user, session=session)
        services.meeting_move(user=admin_user, session=_fresh(session),
                              item=AgendaItem.objects.get(session=session, position=2))
    client.force_login(admin_user)
    page = client.get(url("meeting", tenant, session_pk=session.pk)).content.decode()
    assert "Enregistrer la décision" in page and "Proposer au comité" in page
    prefix = f"d{second.pk}"
    response = client.post(url("meeting_decide", tenant, session_pk=session.pk), {
        f"{prefix}-outcome": "granted", f"{prefix}-share_cnm": "7 000,50",
        f"{prefix}-share_region": "3 000", f"{prefix}-version": "0", "action": "record"})
    assert response.status_code == 302
    with scope(tenant=tenant):
        second.refresh_from_db()
        assert second.status == "granted" and second.decision.amount == D("10000.50")


def test_meeting_pages_answer_404_to_other_tenants_and_unseated_people(
        client, tenant, other_tenant, meeting, applicant, admin_user):
    session = meeting["session"]
    stranger = officer(tenant, K.CNM, role=Role.COMMITTEE)  # committee, not seated
    foreign_admin = officer(other_tenant, K.CNM, role=Role.ADMIN)
    names = [("meeting", {}), ("meeting_state", {}), ("meeting_projection", {})]
    for user in (stranger, applicant):
        client.force_login(user)
        for name, kw in names:
            assert client.get(url(name, tenant, session_pk=session.pk, **kw)).status_code == 404
    client.force_login(foreign_admin)
    for name, kw in names:
        assert client.get(url(name, other_tenant, session_pk=session.pk)).status_code == 404
    for name in ("meeting_status", "meeting_move", "meeting_presence", "meeting_decide"):
        assert client.post(url(name, other_tenant, session_pk=session.pk),
                           {"action": "open"}).status_code == 404
    client.force_login(stranger)
    assert client.post(url("meeting_status", tenant, session_pk=session.pk),
                       {"action": "open"}).status_code == 404


@pytest.mark.parametrize("data", [{}, {"action": "close"}])
def test_an_unknown_meeting_status_action_is_a_400_that_says_so(client, tenant, meeting,
                                                                admin_user, data):
    session = meeting["session"]
    client.force_login(admin_user)
    client.raise_request_exception = False
    response = client.post(url("meeting_status", tenant, session_pk=session.pk), data)
    assert response.status_code == 400
    assert "Action demandée : " in response.content.decode()
    with scope(tenant=tenant):
        assert _fresh(session).status == "planned"


def test_a_seated_member_follows_but_neither_leads_nor_projects(client, tenant, meeting,
                                                                committee):
    session = meeting["session"]
    client.force_login(committee["drac"])
    assert client.get(url("meeting", tenant, session_pk=session.pk)).status_code == 200
    assert client.get(url("meeting_projection", tenant, session_pk=session.pk)).status_code == 404
    assert client.get(url("meeting_state", tenant, session_pk=session.pk)
                      + "?vue=projection").status_code == 404
    for name in ("meeting_status", "meeting_move", "meeting_presence", "meeting_decide"):
        assert client.post(url(name, tenant, session_pk=session.pk),
                           {"action": "open"}).status_code == 404
    with scope(tenant=tenant):
        assert _fresh(session).status == "planned"


def test_the_projection_view_shows_the_current_dossier_for_the_room(client, tenant, meeting,
                                                                   admin_user):
    session = meeting["session"]
    with scope(tenant=tenant):
        services.session_open(user=admin_user, session=session)
    client.force_login(admin_user)
    page = client.get(url("meeting_projection", tenant, session_pk=session.pk)).content.decode()
    assert "Dossier 1 sur 2" in page and meeting["dossiers"][0].reference in page
    assert "<svg" in page and "Enveloppes par financeur" in page


def _meeting_queries(client, tenant, session):
    page = url("meeting", tenant, session_pk=session.pk)
    client.get(page)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(page)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_meeting_page_queries_do_not_grow_with_the_agenda(client, tenant, meeting, call,
                                                          category, admin_user):
    session = meeting["session"]
    with scope(tenant=tenant):
        services.session_open(user=admin_user, session=session)
    client.force_login(admin_user)
    few = _meeting_queries(client, tenant, session)
    with scope(tenant=tenant):
        for position in range(3, 40):
            dossier = FiledDossierFactory(call=call, category=category, status="in_committee")
            AgendaItem.objects.create(session=session, dossier=dossier, position=position)
            ReviewFactory(dossier=dossier, officer=officer(tenant, K.DRAC), funder="drac",
                          total=D("12.00"), recommendation="favourable")
    many = _meeting_queries(client, tenant, session)
    assert many == few
    assert few <= 40


def test_funder_envelopes_page_reads_french_amounts_and_is_for_the_admin(
        client, tenant, call, committee, admin_user, other_tenant):
    page = url("funder_envelopes", tenant)
    client.force_login(committee["cnm"])
    assert client.get(page).status_code == 403
    client.force_login(admin_user)
    response = client.post(page, {f"env_{call.pk}_cnm": "12 000,50 €",
                                  "env_contract_drac": "abc"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "abc" in body  # input kept, error named on its field
    assert "DRAC (État) — tout le contrat (€)" in unescape(body)
    response = client.post(page, {f"env_{call.pk}_cnm": "12 000,50 €", "env_contract_drac": ""})
    assert response.status_code == 302
    with scope(tenant=tenant):
        assert FunderEnvelope.objects.get(call=call, funder="cnm").amount == D("12000.50")
    client.force_login(officer(other_tenant, K.CNM, role=Role.ADMIN))
    with scope(tenant=other_tenant):
        assert client.get(url("funder_envelopes", other_tenant)).status_code == 200
    assert f"env_{call.pk}_cnm" not in client.get(url("funder_envelopes", other_tenant)).content.decode()
