"""The dossier's history as its structure sees it: only the steps that concern the applicant,
each with a French label, never the internal steps of the instruction nor an instructor's
name."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from applications import services
from applications.selectors import timeline_for
from portal.audit import audit_log
from tests.factories.applications import DossierFactory, balanced_budget

pytestmark = pytest.mark.django_db

INTERNAL = ("reviews.assignment.added", "reviews.assignment.removed", "reviews.review.started",
            "reviews.review.submitted", "reviews.recusal.declared",
            "reviews.eligibility.overridden", "reviews.envelope.overridden",
            "applications.dossier.notified")


@pytest.fixture
def filed(tenant, call, structure, applicant, make_member):
    from portal.enums import Role

    instructor = make_member(tenant, Role.INSTRUCTOR, user__first_name="Ysolde",
                             user__last_name="Rapporteuse")
    with scope(tenant=tenant):
        dossier = balanced_budget(DossierFactory(call=call, structure=structure))
        services.dossier_submit(user=applicant, dossier=dossier)
        for action in INTERNAL:
            audit_log(tenant=tenant, actor=instructor, action=action, target=dossier,
                      data={"officer": instructor.pk, "total": "17.5",
                            "justification": "Avis du rapporteur"})
        services.dossier_request_completion(
            user=instructor, dossier=dossier, message="Ajoutez le calendrier.",
            steps=["project"], due_at=timezone.now() + timedelta(days=5))
        audit_log(tenant=tenant, actor=instructor, action="reviews.dossier.eligible",
                  target=dossier, data={"eligibility_review": 1, "overrides": 1})
        audit_log(tenant=tenant, actor=instructor, action="reviews.decision.recorded",
                  target=dossier, data={"outcome": "granted", "amount": "9000.00"})
    return dossier, instructor


def _timeline_html(html: str) -> str:
    return re.search(r'<ol class="applications-timeline">(.*?)</ol>', html, re.S).group(1)


def test_applicant_timeline_keeps_only_the_steps_shown_to_the_structure(tenant, filed):
    dossier, _ = filed
    with scope(tenant=tenant):
        actions = [e.action for e in timeline_for(dossier)]
    # The decision line of the fixture has no published decision behind it: not shown.
    assert actions == ["applications.dossier.submitted",
                       "applications.dossier.completion_requested",
                       "reviews.dossier.eligible"]


def test_applicant_page_shows_no_internal_event_nor_instructor_name(client, tenant, applicant,
                                                                    filed):
    dossier, instructor = filed
    client.force_login(applicant)
    html = client.get(f"/{tenant.slug}/dossiers/{dossier.pk}/").content.decode()
    for action in INTERNAL:
        assert action not in html
    assert "Ysolde" not in html
    assert "Rapporteuse" not in html
    assert instructor.email not in html
    assert "17.5" not in html
    assert "Avis du rapporteur" not in html
    timeline = _timeline_html(html)
    assert "Compléments demandés par l’instruction" in timeline
    assert "Dossier déclaré recevable" in timeline
    assert "Décision" not in timeline  # no published decision behind that line (see below)
    assert "9000" not in timeline
    assert f"({applicant})" in timeline  # the structure's own steps name their author
    assert "reviews." not in timeline
    assert "applications." not in timeline


def test_instructor_page_keeps_the_whole_history_with_authors(client, tenant, filed,
                                                             no_staff_2fa):
    dossier, instructor = filed
    client.force_login(instructor)
    html = client.get(f"/{tenant.slug}/dossiers/{dossier.pk}/").content.decode()
    timeline = _timeline_html(html)
    assert "Évaluation soumise" in timeline  # a sentence, never « reviews.review.submitted »
    assert "reviews." not in timeline
    assert "applications.dossier.notified" not in timeline
    assert "Ysolde Rapporteuse" in timeline


def test_a_step_completed_during_a_completion_request_is_labelled_in_french(
        client, tenant, applicant, filed):
    dossier, _ = filed
    with scope(tenant=tenant):
        dossier.refresh_from_db()
        services.dossier_update_project(
            user=applicant, dossier=dossier, title=dossier.title, summary=dossier.summary,
            start_date=dossier.start_date, end_date=dossier.end_date)
    client.force_login(applicant)
    timeline = _timeline_html(
        client.get(f"/{tenant.slug}/dossiers/{dossier.pk}/").content.decode())
    assert "Étape « Projet » complétée" in timeline


def test_a_decision_is_shown_to_the_applicant_only_once_its_session_is_closed(
        client, tenant, call, structure, applicant, make_member):
    """Members may record and change decisions while the session is open: the structure
    sees « En comité » until it closes, then the final decision only."""
    from decimal import Decimal

    from calls.models import Category
    from reviews import services as reviews
    from reviews.models import AgendaItem
    from tests.factories.reviews import (CommitteeMemberFactory, FiledDossierFactory,
                                         SessionFactory, officer)
    from portal.enums import OrganizationKind as K
    from portal.enums import Role

    admin = make_member(tenant, Role.ADMIN)
    member = officer(tenant, K.CNM, role=Role.COMMITTEE)
    with scope(tenant=tenant):
        call.funders = ["cnm"]
        call.save(update_fields=["funders"])
        category = Category.objects.filter(call=call).first()
        dossier = FiledDossierFactory(call=call, category=category, structure=structure,
                                      status="in_committee")
        session = SessionFactory(tenant=tenant)
        session.calls.set([call])
        CommitteeMemberFactory(session=session, user=member, funder="cnm", present=True)
        AgendaItem.objects.create(session=session, dossier=dossier, position=1)
        amount = category.amount_min if category else Decimal("5000")
        reviews.decision_record(user=member, session=session, dossier=dossier,
                                outcome="rejected", motivation="Hors champ.")
        decision = reviews.decision_record(user=member, session=session, dossier=dossier,
                                           outcome="granted", shares={"cnm": str(amount)},
                                           version=1)
    client.force_login(applicant)
    url = f"/{tenant.slug}/dossiers/{dossier.pk}/"
    html = client.get(url).content.decode()
    assert ">En comité<" in html and "Aide accordée" not in html and "aide refusée" not in html
    mine = client.get(f"/{tenant.slug}/dossiers/").content.decode()
    assert "En comité" in mine and "Aide accordée" not in mine

    with scope(tenant=tenant):
        reviews.session_close(user=admin, session=session)
    html = client.get(url).content.decode()
    # published: the follow-up of the grant starts (awards) and the decision shows
    with scope(tenant=tenant):
        dossier.refresh_from_db()
    assert dossier.status in ("advance_due", "report_due")
    assert f">{dossier.get_status_display()}<" in html and "Aide accordée :" in html
    timeline = _timeline_html(html)
    assert timeline.count("Décision") == 1 and "aide accordée" in timeline
    assert "aide refusée" not in timeline  # how the committee got there is not shown
    assert decision.pk
