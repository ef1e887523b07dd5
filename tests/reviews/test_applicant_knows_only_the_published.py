"""What an applicant can do depends only on what they may know (issue 13 finding 9): a member's
recorded decision moves the dossier to granted / rejected at once, but until the session
closes the applicant reads « en comité » — and their page, their withdrawal and its refusal
must be exactly what they were before the decision was recorded."""

import re

import pytest
from django.urls import reverse
from django_scopes import scope

from applications.enums import DossierStatus
from reviews import services
from reviews.models import AgendaItem
from tests.factories.applications import StructureMemberFactory
from tests.factories.reviews import CommitteeMemberFactory, FiledDossierFactory, SessionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


@pytest.fixture
def sitting(tenant, call, category, committee, applicant):
    with scope(tenant=tenant):
        session = SessionFactory(tenant=tenant, quorum=2)
        session.calls.set([call])
        for funder, user in committee.items():
            CommitteeMemberFactory(session=session, user=user, funder=funder, present=True)
        dossier = FiledDossierFactory(call=call, category=category, status="in_committee")
        AgendaItem.objects.create(session=session, dossier=dossier, position=1)
    StructureMemberFactory(structure=dossier.structure, user=applicant)
    return session, dossier


def _applicant_sees(client, dossier) -> tuple[str, str]:
    detail = reverse("applications:dossier_detail",
                     kwargs={"tenant_slug": dossier.tenant.slug, "pk": dossier.pk})
    page = TOKEN.sub("", client.get(detail).content.decode())
    refused = client.post(reverse("applications:dossier_withdraw", kwargs={
        "tenant_slug": dossier.tenant.slug, "pk": dossier.pk}),
        {"reason": "Projet reporté", "confirm": "on"},
        follow=True)
    return page, TOKEN.sub("", refused.content.decode())


@pytest.mark.parametrize("outcome", ["granted", "rejected"])
def test_a_recorded_decision_changes_nothing_the_applicant_sees_or_may_do(
        client, tenant, sitting, committee, applicant, admin_user, outcome):
    session, dossier = sitting
    client.force_login(applicant)
    before_page, before_withdraw = _applicant_sees(client, dossier)
    assert "En comité" in before_page
    assert "Retirer définitivement ce dossier" not in before_page
    assert "il ne peut plus être retiré" in before_page
    assert "Ce dossier ne peut plus être retiré (état : En comité)." in before_withdraw

    with scope(tenant=tenant):
        services.decision_record(
            user=committee["cnm"], session=session, dossier=dossier, outcome=outcome,
            shares={"cnm": "10000"} if outcome == "granted" else None,
            motivation="" if outcome == "granted" else "Hors champ.")
        dossier.refresh_from_db()
        assert dossier.status == outcome  # the real state moved…
    after_page, after_withdraw = _applicant_sees(client, dossier)
    assert after_page == before_page  # …the applicant's page did not
    assert after_withdraw == before_withdraw
    with scope(tenant=tenant):
        dossier.refresh_from_db()
        assert dossier.status == outcome


def test_a_dossier_before_the_committee_is_still_withdrawn(client, tenant, call, category,
                                                          applicant):
    with scope(tenant=tenant):
        dossier = FiledDossierFactory(call=call, category=category, status="in_review")
    StructureMemberFactory(structure=dossier.structure, user=applicant)
    client.force_login(applicant)
    page, _refused = _applicant_sees(client, dossier)
    assert "Retirer définitivement ce dossier" in page
    with scope(tenant=tenant):
        dossier.refresh_from_db()
        assert dossier.status == DossierStatus.WITHDRAWN
