"""Recusal in one place: who takes no part in a decision (declared links and voluntary
recusals, `reviews.selectors.recused_by_dossier`), and voluntary recusal from the committee
page (POST form, audited, refused to anyone but a member of the open session)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django_scopes import scope

from portal.enums import OrganizationKind as K
from portal.models import AuditEvent
from reviews import services
from reviews.models import AgendaItem, ConflictDeclaration, Recusal
from reviews.selectors import recused_by_dossier
from tests.factories.reviews import (CommitteeMemberFactory, FiledDossierFactory,
                                     SessionFactory, officer)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]


@pytest.fixture
def sitting(tenant, call, category, committee):
    with scope(tenant=tenant):
        session = SessionFactory(tenant=tenant, quorum=2)
        session.calls.set([call])
        members = [CommitteeMemberFactory(session=session, user=u, funder=f, present=True)
                   for f, u in committee.items()]
        dossier = FiledDossierFactory(call=call, category=category, status="in_committee")
        AgendaItem.objects.create(session=session, dossier=dossier, position=1)
    return session, members, dossier


def _page(tenant, session):
    return reverse("reviews:session", kwargs={"tenant_slug": tenant.slug,
                                              "session_pk": session.pk})


def _recuse(tenant, session, dossier):
    return reverse("reviews:recusal_declare", kwargs={"tenant_slug": tenant.slug,
                                                      "session_pk": session.pk,
                                                      "pk": dossier.pk})


def test_recused_are_the_declared_links_and_the_voluntary_recusals(tenant, sitting, committee):
    session, members, dossier = sitting
    with scope(tenant=tenant):
        ConflictDeclaration.objects.create(tenant=tenant, officer=committee["cnm"],
                                           siret=dossier.structure.siret,
                                           structure_name="S", nature="Ancien salarié")
        services.recusal_declare(user=committee["drac"], session=session, dossier=dossier,
                                 reason="Ami du directeur")
        recused = recused_by_dossier(session, [dossier.pk], members)[dossier.pk]
    assert set(recused) == {committee["cnm"].pk, committee["drac"].pk}


def test_a_member_recuses_from_the_committee_page(client, tenant, sitting, committee):
    session, _members, dossier = sitting
    client.force_login(committee["region"])
    page = client.get(_page(tenant, session)).content.decode()
    assert "Me déporter sur ce dossier" in page
    assert f'action="{_recuse(tenant, session, dossier)}"' in page
    response = client.post(_recuse(tenant, session, dossier), {"reason": "Je siège au CA du "
                                                                         "partenaire"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#dossier-{dossier.pk}")
    with scope(tenant=tenant):
        recusal = Recusal.objects.get()
        assert (recusal.user, recusal.reason) == (committee["region"],
                                                  "Je siège au CA du partenaire")
        event = AuditEvent.objects.get(action="reviews.recusal.declared")
    assert event.actor == committee["region"] and event.data == {
        "session": session.pk, "reason": "Je siège au CA du partenaire"}
    page = client.get(_page(tenant, session)).content.decode()
    assert "Déporté·es :" in page and str(committee["region"]) in page
    assert "Me déporter sur ce dossier" not in page  # once is enough
    assert "Décider" not in page  # nor do they decide it
    with scope(tenant=tenant), pytest.raises(PermissionDenied):  # reviews.decide_agenda_dossier
        services.decision_record(user=committee["region"], session=session, dossier=dossier,
                                 outcome="rejected", motivation="Hors champ.")
    # They no longer count for the quorum of that dossier: two present of three, quorum two.
    with scope(tenant=tenant):
        members = list(session.members.select_related("user"))
        assert services.quorum_problems(session, members, dossier, {committee["region"].pk,
                                                                    committee["drac"].pk})


def test_without_a_reason_the_recusal_says_voluntary(client, tenant, sitting, committee):
    session, _members, dossier = sitting
    client.force_login(committee["cnm"])
    client.post(_recuse(tenant, session, dossier), {"reason": ""})
    with scope(tenant=tenant):
        assert Recusal.objects.get().reason == "Déport volontaire"


def test_only_a_member_of_the_session_may_recuse(client, tenant, sitting):
    session, _members, dossier = sitting
    outsider = officer(tenant, K.CNM, role="committee")
    client.force_login(outsider)
    assert client.post(_recuse(tenant, session, dossier), {"reason": "x"}).status_code == 404
    assert client.get(_recuse(tenant, session, dossier)).status_code == 405
    with scope(tenant=tenant):
        assert not Recusal.objects.exists()


def test_another_tenants_session_answers_404(client, tenant, other_tenant, sitting):
    session, _members, dossier = sitting
    stranger = officer(other_tenant, K.CNM, role="committee")
    client.force_login(stranger)
    url = reverse("reviews:recusal_declare", kwargs={"tenant_slug": other_tenant.slug,
                                                     "session_pk": session.pk, "pk": dossier.pk})
    assert client.post(url, {"reason": "x"}).status_code == 404


def test_a_closed_session_takes_no_recusal(client, tenant, sitting, committee, admin_user):
    session, _members, dossier = sitting
    with scope(tenant=tenant):
        services.decision_record(user=committee["cnm"], session=session, dossier=dossier,
                                 outcome="rejected", motivation="Hors champ.")
        services.session_close(user=admin_user, session=session)
    client.force_login(committee["drac"])
    assert "Me déporter" not in client.get(_page(tenant, session)).content.decode()
    client.post(_recuse(tenant, session, dossier), {"reason": "x"})
    with scope(tenant=tenant):
        assert not Recusal.objects.filter(user=committee["drac"]).exists()
