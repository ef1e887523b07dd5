"""Blind review (issue 12, issue 13 finding 2): until one's own review is submitted, no trace
of the others' scores — not on the dossier page, the dashboard (columns, sort, score
filters), the exports, the committee pages; committee members and tenant admins read them.
One rule, `reviews.selectors.scores_visible_q`, applied everywhere."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope

from portal.enums import OrganizationKind as K
from portal.enums import Role
from reviews import services
from reviews.models import AgendaItem, Assignment, CommitteeMember
from tests.factories.portal import MembershipFactory
from tests.factories.reviews import FiledDossierFactory, ReviewFactory, SessionFactory, officer

D = Decimal
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]

OPINION = "Avis DRAC très confidentiel"


def url(name, tenant, **kw):
    return reverse(f"reviews:{name}", kwargs={"tenant_slug": tenant.slug, **kw})


@pytest.fixture
def world(tenant, call, officers, committee):
    """A dossier with the DRAC rapporteur's submitted review (14,40/20) and the CNM
    rapporteur assigned, not yet submitted; on a session's agenda."""
    with scope(tenant=tenant):
        dossier = FiledDossierFactory(call=call, status="in_review")
        for key in ("drac1", "cnm"):
            Assignment.objects.create(dossier=dossier, officer=officers[key],
                                      funder=key[:4].rstrip("1"))
        ReviewFactory(dossier=dossier, officer=officers["drac1"], funder="drac",
                      total=D("14.40"), opinion=OPINION, proposed_amount=D("8765.00"))
        services.summary_refresh(dossier=dossier)
        session = SessionFactory(tenant=tenant)
        session.calls.set([call])
        AgendaItem.objects.create(session=session, dossier=dossier, position=1)
    return {"dossier": dossier, "session": session}


def _pages(client, tenant, world):
    d, s = world["dossier"], world["session"]
    return {
        "dossier": client.get(url("dossier", tenant, pk=d.pk)).content.decode(),
        "dashboard": client.get(url("dashboard", tenant)).content.decode(),
        "session": client.get(url("session", tenant, session_pk=s.pk)).content.decode(),
        "decision": client.get(url("decision_record", tenant, session_pk=s.pk, pk=d.pk)
                               ).content.decode(),
    }


def _export(client, tenant):
    from openpyxl import load_workbook

    raw = client.get(url("export_csv", tenant)).getvalue().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw), delimiter=";"))
    sheet = load_workbook(io.BytesIO(client.get(url("export_xlsx", tenant)).getvalue())).active
    return [dict(zip(rows[0], r)) for r in rows[1:]], list(sheet.iter_rows(values_only=True))


def _leaks(text: str) -> list[str]:
    return [m for m in ("14,40", "14.40", OPINION, "8 765", "8765") if m in text]


@pytest.mark.parametrize("who", ["rapporteur_pending", "instructor_not_assigned"])
def test_no_trace_of_others_scores_before_ones_own_review(client, tenant, officers, world, who):
    user = officers["cnm"] if who == "rapporteur_pending" else officers["region"]
    client.force_login(user)
    for name, body in _pages(client, tenant, world).items():
        assert _leaks(body) == [], name
    assert "1 évaluation soumise." in _pages(client, tenant, world)["dossier"]
    csv_rows, xlsx_rows = _export(client, tenant)
    assert len(csv_rows) == 1
    row = csv_rows[0]
    assert (row["Évaluations soumises"], row["Moyenne /20"], row["Médiane /20"], row["Écart"],
            row["Rapporteur·rice"], row["Note /20"], row["Montant proposé"],
            row["Avis technique"]) == ("1", "", "", "", "", "", "", "")
    assert _leaks(repr(xlsx_rows)) == [] and str(officers["drac1"]) not in repr(xlsx_rows)


def test_score_sort_and_filters_do_not_reveal_hidden_scores(client, tenant, call, officers,
                                                           world):
    with scope(tenant=tenant):
        low = FiledDossierFactory(call=call, status="in_review")
        ReviewFactory(dossier=low, officer=officers["drac1"], funder="drac", total=D("3.00"))
        ReviewFactory(dossier=low, officer=officers["region"], funder="region",
                      total=D("19.00"))
        services.summary_refresh(dossier=low)
    client.force_login(officers["cnm"])
    for params in ({"score_min": "10"}, {"score_max": "10"}, {"disagreement": "on"}):
        body = client.get(url("dashboard", tenant), params).content.decode()
        assert world["dossier"].reference not in body and low.reference not in body, params
    newest_first = [low.reference, world["dossier"].reference]
    for sort, expected in (("score", newest_first), ("-score", newest_first[::-1]),
                           ("spread", newest_first)):
        refs = [r["dossier"].reference for r in client.get(
            url("dashboard", tenant), {"sort": sort}).context["rows"]]
        # Hidden scores count as none: only the tie-break (the id) orders them, while the
        # scores (14,40 and 11,00; spreads 0 and 16) would order them the other way.
        assert refs == expected, sort


def test_after_submitting_the_rapporteur_reads_everything(client, tenant, officers, world):
    with scope(tenant=tenant):
        ReviewFactory(dossier=world["dossier"], officer=officers["cnm"], funder="cnm",
                      total=D("10.00"))
        services.summary_refresh(dossier=world["dossier"])
    client.force_login(officers["cnm"])
    pages = _pages(client, tenant, world)
    assert OPINION in pages["dossier"] and "moyenne 12,20/20" in pages["dossier"]
    assert "12,20" in pages["dashboard"] and OPINION in pages["decision"]
    csv_rows, _x = _export(client, tenant)
    assert sorted(r["Note /20"] for r in csv_rows) == ["10,00", "14,40"]
    assert {r["Moyenne /20"] for r in csv_rows} == {"12,20"}


@pytest.mark.parametrize("role", [Role.COMMITTEE, Role.ADMIN])
def test_committee_members_and_admins_read_the_scores(client, tenant, world, role):
    user = officer(tenant, K.REGION, role=role)
    s, d = world["session"], world["dossier"]
    if role == Role.COMMITTEE:  # members read the agenda dossiers of their own session
        with scope(tenant=tenant):
            CommitteeMember.objects.create(session=s, user=user, funder="region")
    client.force_login(user)
    session = client.get(url("session", tenant, session_pk=s.pk)).content.decode()
    decision = client.get(url("decision_record", tenant, session_pk=s.pk, pk=d.pk)
                          ).content.decode()
    assert "Moyenne 14,40/20" in session and OPINION in decision


def test_a_committee_member_who_is_also_a_pending_rapporteur_stays_blind(client, tenant,
                                                                        officers, world):
    with scope(tenant=tenant):
        MembershipFactory(tenant=tenant, user=officers["cnm"], role=Role.COMMITTEE,
                          organization=officers["cnm"].memberships.first().organization)
    client.force_login(officers["cnm"])
    for name, body in _pages(client, tenant, world).items():
        assert _leaks(body) == [], name


def test_the_permission_is_the_same_rule(tenant, officers, committee, world):
    from reviews.selectors import scores_visible_ids

    d = world["dossier"]
    with scope(tenant=tenant):
        for user, expected in ((officers["cnm"], False), (officers["region"], False),
                               (officers["drac1"], True), (committee["region"], True)):
            assert user.has_perm("reviews.view_scores", d) is expected
            assert (d.pk in scores_visible_ids(user, tenant, [d.pk])) is expected
