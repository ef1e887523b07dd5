"""Irreversible actions of instruction and committees ask for confirmation: a GET, or a POST
without `confirm`, shows what will happen and changes nothing; only the confirmation step's
POST (`confirm`) acts. The confirmation pages keep the tenancy and role rules of the action."""

import html
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from reviews import services
from reviews.models import AgendaItem, Assignment, Review
from tests.factories.reviews import (CommitteeMemberFactory, FiledDossierFactory,
                                     ReviewFactory, SessionFactory)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]


def url(name, tenant, **kw):
    return reverse(f"reviews:{name}", kwargs={"tenant_slug": tenant.slug, **kw})


def text(response) -> str:
    return html.unescape(response.content.decode()).replace("\u00a0", " ").replace("\u202f", " ")


@pytest.fixture
def decided_session(tenant, call, category, committee, officers):
    """A session of today with one dossier on its agenda, decided."""
    with scope(tenant=tenant):
        session = SessionFactory(tenant=tenant, title="Comité d'avril")
        session.calls.set([call])
        for funder, user in committee.items():
            CommitteeMemberFactory(session=session, user=user, funder=funder, present=True)
        dossier = FiledDossierFactory(call=call, category=category, status="in_committee")
        AgendaItem.objects.create(session=session, dossier=dossier, position=1)
        ReviewFactory(dossier=dossier, officer=officers["drac1"], funder="drac")
        services.summary_refresh(dossier=dossier)
        services.decision_record(user=committee["cnm"], session=session, dossier=dossier,
                                 outcome="rejected", motivation="Hors champ.")
    return session


def test_closing_a_session_shows_what_will_happen_before_closing(client, tenant, admin_user,
                                                                decided_session):
    client.force_login(admin_user)
    target = url("session_close", tenant, session_pk=decided_session.pk)
    page = client.get(target)
    body = text(page)
    assert page.status_code == 200
    assert "Clore la séance « Comité d'avril »" in body
    assert "La décision enregistrée est figée : elle ne pourra plus être modifiée." in body
    assert 'name="confirm"' in body and "Clore définitivement la séance" in body
    # A POST without confirmation (the old one-click form) shows the same step.
    assert "Clore définitivement la séance" in text(client.post(target))
    decided_session.refresh_from_db()
    assert decided_session.status != "closed"

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(target, {"confirm": "on"})
    assert response.status_code == 302
    decided_session.refresh_from_db()
    assert decided_session.status == "closed"


def test_closing_early_asks_the_reason_on_the_confirmation_step(client, tenant, admin_user,
                                                               decided_session):
    decided_session.date = timezone.localdate() + timedelta(days=3)
    decided_session.save()
    client.force_login(admin_user)
    target = url("session_close", tenant, session_pk=decided_session.pk)
    assert 'name="early_reason"' in text(client.get(target))
    refused = client.post(target, {"confirm": "on", "early_reason": ""})
    assert refused.status_code == 400
    assert "pour la clore avant cette date, indiquez pourquoi" in text(refused)
    decided_session.refresh_from_db()
    assert decided_session.status != "closed"
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(target, {"confirm": "on", "early_reason": "Quorum réuni à l'avance."})
    decided_session.refresh_from_db()
    assert decided_session.status == "closed"


def test_session_close_confirmation_is_refused_to_others(client, tenant, other_tenant,
                                                         committee, make_member,
                                                         decided_session):
    from portal.enums import Role

    target = url("session_close", tenant, session_pk=decided_session.pk)
    client.force_login(committee["cnm"])
    assert client.get(target).status_code == 403
    client.force_login(make_member(other_tenant, Role.ADMIN))
    assert client.get(target).status_code == 404
    assert client.get(url("session_close", other_tenant,
                          session_pk=decided_session.pk)).status_code == 404


@pytest.fixture
def scored(tenant, call, category, officers):
    with scope(tenant=tenant):
        dossier = FiledDossierFactory(call=call, category=category, status="in_review")
        Assignment.objects.create(dossier=dossier, officer=officers["cnm"], funder="cnm")
        q, t = [c["id"] for c in dossier.rules_snapshot["appraisal_criteria"]]
    return dossier, q, t


def test_submitting_a_review_saves_the_draft_and_asks_for_confirmation(client, tenant,
                                                                      officers, scored):
    dossier, q, t = scored
    client.force_login(officers["cnm"])
    target = url("review_save", tenant, pk=dossier.pk)
    data = {f"score_{q}": "4", f"score_{t}": "8", "version": "0", "opinion": "Bon projet",
            "recommendation": "favourable", "proposed_amount": "10 000,50", "action": "submit"}
    page = client.post(target, data)
    body = text(page)
    assert page.status_code == 200
    assert "Soumettre définitivement l'évaluation" in body
    assert "16,00 / 20" in body and "10 000,50 €" in body and "Favorable" in body
    with scope(tenant=tenant):
        review = Review.objects.get(dossier=dossier)
        assert review.status == "draft" and review.version == 1
    # The confirmation step posts the same values again, with the draft's new version.
    assert 'name="version" value="1"' in body and 'name="opinion" value="Bon projet"' in body

    response = client.post(target, {**data, "version": "1", "confirm": "on"})
    assert response.status_code == 302
    with scope(tenant=tenant):
        review.refresh_from_db()
        assert review.status == "submitted" and review.proposed_amount == Decimal("10000.50")


def test_removing_a_rapporteur_asks_for_confirmation(client, tenant, officers, scored,
                                                     other_tenant, make_member):
    from portal.enums import Role

    dossier, _q, _t = scored
    with scope(tenant=tenant):
        assignment = Assignment.objects.get(dossier=dossier)
    target = url("assignment_remove", tenant, pk=dossier.pk, assignment_pk=assignment.pk)
    client.force_login(officers["drac1"])
    page = client.get(target)
    assert page.status_code == 200
    assert f"Retirer {officers['cnm']} des rapporteur·rices" in text(page)
    client.post(target)
    with scope(tenant=tenant):
        assert Assignment.objects.filter(pk=assignment.pk).exists()
    assert client.post(target, {"confirm": "on"}).status_code == 302
    with scope(tenant=tenant):
        assert not Assignment.objects.filter(pk=assignment.pk).exists()

    client.force_login(make_member(other_tenant, Role.ADMIN))
    assert client.get(target).status_code == 404
