"""In Chromium: an officer scores a dossier (total shown as they type, draft autosaved,
then submitted), a committee member decides it in the session, the coordinator closes it.
Also an axe-core check of the dashboard and committee pages."""

import re
from decimal import Decimal

import pytest

from applications.services import dossiers_transition
from playwright.sync_api import expect
from django_scopes import scope

from reviews.models import AgendaItem, Assignment, Decision, Review
from tests.factories.portal import PASSWORD
from tests.factories.reviews import CommitteeMemberFactory, FiledDossierFactory, SessionFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("no_staff_2fa")]


def login(page, user):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/mes-espaces/")


def test_officer_scores_and_committee_decides(page, tenant, call, category, officers, committee,
                                              admin_user):
    with scope(tenant=tenant):
        dossier = FiledDossierFactory(call=call, category=category, status="in_review",
                                      requested_amount=Decimal("12000"))
        Assignment.objects.create(dossier=dossier, officer=officers["cnm"], funder="cnm")
        q, t = [c["id"] for c in dossier.rules_snapshot["appraisal_criteria"]]

    login(page, officers["cnm"])
    page.goto(f"/{tenant.slug}/instruction/")
    page.get_by_role("link", name=dossier.reference).click()
    page.fill(f"#score_{q}", "4")
    page.fill(f"#score_{t}", "5")
    # 20 × (2×4/5 + 1×5/10) / 3 = 14,00 shown as the officer types
    assert page.locator("#review-total").inner_text() == "14,00"
    page.fill("#opinion", "Projet solide, bon ancrage régional.")
    expect(page.locator("#review-status")).to_contain_text("Brouillon enregistré")
    with scope(tenant=tenant):
        draft = Review.objects.get(dossier=dossier)
        assert draft.status == "draft" and draft.total == Decimal("14.00")
    page.select_option("#recommendation", "favourable")
    page.fill("#proposed_amount", "10000")
    page.get_by_role("button", name="Soumettre (définitif)").click()
    # The confirmation step says what will be submitted; nothing is final before it.
    assert "14,00 / 20" in page.locator("main").inner_text().replace("\u00a0", " ")
    with scope(tenant=tenant):
        assert Review.objects.get(dossier=dossier).status == "draft"
    from tests.e2e.test_axe_all_pages import serious_violations

    assert serious_violations(page) == []
    # Confirmed with the keyboard: Tab order reaches the button, Enter submits.
    page.get_by_role("button", name="Soumettre définitivement l'évaluation").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Mon évaluation (soumise)")
    with scope(tenant=tenant):
        assert Review.objects.get(dossier=dossier).status == "submitted"
        session = SessionFactory(tenant=tenant, title="Comité d'avril", quorum=2)
        session.calls.set([call])
        for funder, user in committee.items():
            CommitteeMemberFactory(session=session, user=user, funder=funder, present=True)
        AgendaItem.objects.create(session=session, dossier=dossier, position=1)
        dossiers_transition(dossiers=[dossier], to="in_committee")  # as agenda_build does

    login(page, committee["region"])
    page.goto(f"/{tenant.slug}/comites/{session.pk}/")
    section = page.locator(f"#dossier-{dossier.pk}")
    assert "Favorable" in section.inner_text() and "10 000,00" in section.inner_text().replace("\u00a0", " ")
    section.get_by_role("link", name="Décider").click()
    assert "Projet solide" in page.locator("main, body").first.inner_text()
    page.get_by_role("radio", name="Aide accordée").check(force=True)
    page.get_by_label("Montant versé par : Région (€)").fill("6000")
    page.get_by_label("Montant versé par : Centre national de la musique (€)").fill("4000")
    page.get_by_role("button", name="Enregistrer la décision").click()
    page.wait_for_selector("text=Décision enregistrée")
    with scope(tenant=tenant):
        decision = Decision.objects.get(dossier=dossier)
        assert decision.amount == Decimal("10000.00") and decision.advance_amount == Decimal("8000.00")
    assert "10 000,00" in page.locator("table").first.inner_text().replace("\u00a0", " ")

    login(page, admin_user)
    page.goto(f"/{tenant.slug}/comites/{session.pk}/")
    page.get_by_role("link", name=re.compile("Clore la séance")).click()
    assert "Les 1 décisions" not in page.locator("main").inner_text()
    assert serious_violations(page) == []
    # Closing renders the minutes in-process (eager Celery): give the navigation time.
    page.get_by_role("button", name="Clore définitivement la séance").click(timeout=60000)
    page.wait_for_selector("text=Séance close")
    with scope(tenant=tenant):
        session.refresh_from_db()
        assert session.status == "closed"


def test_dashboard_and_committee_pages_have_no_serious_accessibility_violation(
        page, tenant, call, category, officers, committee, admin_user):
    from axe_playwright_python.sync_playwright import Axe

    with scope(tenant=tenant):
        dossier = FiledDossierFactory(call=call, category=category, status="in_committee")
        session = SessionFactory(tenant=tenant)
        session.calls.set([call])
        AgendaItem.objects.create(session=session, dossier=dossier, position=1)
    axe = Axe()

    def serious():
        return [v["id"] for v in axe.run(page).response["violations"]
                if v["impact"] in ("serious", "critical")]

    login(page, officers["cnm"])
    problems = {}
    for path in ["instruction/", f"instruction/dossiers/{dossier.pk}/", "instruction/affectations/",
                 "instruction/liens-d-interets/"]:
        page.goto(f"/{tenant.slug}/{path}")
        problems[path] = serious()
    login(page, admin_user)
    page.goto(f"/{tenant.slug}/comites/{session.pk}/")
    problems["session"] = serious()
    page.goto(f"/{tenant.slug}/comites/{session.pk}/modifier/")
    problems["session_edit"] = serious()
    assert {k: v for k, v in problems.items() if v} == {}
