"""In Chromium: an officer saves a named view of the dashboard, checks rows and walks through
them with the keyboard, reading the application beside the scoring form; on a phone-sized
screen the page still reads top to bottom. axe-core on the pages seen."""

from decimal import Decimal

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from reviews import services
from reviews.models import Assignment, SavedView
from tests.e2e.browsing import shot, sign_in
from tests.e2e.test_axe_all_pages import serious_violations
from tests.factories.applications import BudgetLineFactory, StructureFactory
from tests.factories.reviews import FiledDossierFactory, PartnerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("no_staff_2fa")]


@pytest.fixture
def dossiers(tenant, call, category, officers):
    names = ["Association Les Sons d'Oc", "Bémol & Fils Productions", "Chœur de l'Aube",
             "Dièse Électronique", "Éole Musiques Actuelles"]
    with scope(tenant=tenant):
        rows = []
        for i, name in enumerate(names):
            d = FiledDossierFactory(call=call, category=category, status="in_review",
                                    structure=StructureFactory(name=name),
                                    title=f"Tournée coopérative « {name} » en Occitanie",
                                    summary="Résidences, concerts et ateliers dans 6 communes.",
                                    requested_amount=Decimal("12500.50") + i * 1000)
            BudgetLineFactory(dossier=d, kind="expense", label="Cachets artistiques",
                              amount=Decimal("18000.00"))
            PartnerFactory(dossier=d, name="La Halle aux Grains")
            Assignment.objects.create(dossier=d, officer=officers["cnm"], funder="cnm")
            services.summary_refresh(dossier=d)
            rows.append(d)
    return rows


def test_saved_view_selection_and_keyboard_walk(browser, live_server, tenant, officers,
                                                dossiers):
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris",
                                  base_url=live_server.url, viewport={"width": 1400, "height": 900})
    sign_in(context, officers["cnm"], live_server.url)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"/{tenant.slug}/instruction/?sort=structure")
    # a named view, typed in French
    page.fill("#id_name", "Coopération — à lire d'abord")
    page.get_by_role("button", name="Enregistrer cette vue").click()
    expect(page.get_by_text("Vue « Coopération — à lire d'abord » enregistrée.")).to_be_visible()
    with scope(tenant=tenant):
        assert SavedView.objects.get().query == "sort=structure"
    page.goto(f"/{tenant.slug}/instruction/")
    page.get_by_role("link", name="Coopération — à lire d'abord").click()
    expect(page.locator("tbody tr").first).to_contain_text("Association Les Sons d'Oc")
    assert serious_violations(page) == []
    shot(page, "dashboard-desktop")

    # check the 2nd and 4th rows (by keyboard: Space on the focused box) and walk through them
    page.locator(f"label[for=sel-{dossiers[1].pk}]").click()
    page.get_by_label(f"Cocher {dossiers[3].reference}").focus()
    page.keyboard.press("Space")
    expect(page.locator("#selection-count")).to_have_text("2 dossiers cochés")
    page.get_by_role("button", name="Parcourir la sélection").click()
    page.wait_for_url(f"**/instruction/dossiers/{dossiers[1].pk}/?liste=*")
    expect(page.get_by_text("Dossier 1 sur 2 de votre liste")).to_be_visible()
    # the application is beside the scoring form
    application = page.locator(".reviews-application")
    form = page.locator("#review-form")
    expect(application).to_contain_text("La Halle aux Grains")
    expect(application).to_contain_text("Cachets artistiques")
    a, f = application.bounding_box(), form.bounding_box()
    assert a["x"] + a["width"] <= f["x"] + 1 and abs(a["y"] - f["y"]) < 400
    assert serious_violations(page) == []
    shot(page, "dossier-walk-desktop")
    page.keyboard.press("Alt+Shift+ArrowRight")
    page.wait_for_url(f"**/instruction/dossiers/{dossiers[3].pk}/?liste=*")
    expect(page.get_by_text("Dossier 2 sur 2 de votre liste")).to_be_visible()
    # typing in a field does not leave the page
    page.fill("#opinion", "Projet très ancré")
    page.locator("#opinion").press("Alt+Shift+ArrowLeft")
    assert f"/dossiers/{dossiers[3].pk}/" in page.url
    page.locator("h1").click()
    page.keyboard.press("Alt+Shift+ArrowLeft")
    page.wait_for_url(f"**/instruction/dossiers/{dossiers[1].pk}/?liste=*")

    # 375 px: the list and the dossier still read without sideways scrolling of the page
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"/{tenant.slug}/instruction/?sort=structure")
    shot(page, "dashboard-375")
    page.goto(f"/{tenant.slug}/instruction/dossiers/{dossiers[1].pk}/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 380
    shot(page, "dossier-375")
    context.close()


@pytest.mark.slow
def test_batch_completion_request_with_its_progress_bar(browser, live_server, tenant, call,
                                                        category, officers, celery_worker):
    with scope(tenant=tenant):
        filed = [FiledDossierFactory(call=call, category=category, status="submitted",
                                     structure=StructureFactory(name=f"Scène n° {i} d'Occitanie"))
                 for i in range(1, 5)]
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris",
                                  base_url=live_server.url, viewport={"width": 1280, "height": 900})
    sign_in(context, officers["cnm"], live_server.url)
    page = context.new_page()
    page.set_default_timeout(30000)
    page.goto(f"/{tenant.slug}/instruction/?view=completude")
    page.goto(f"/{tenant.slug}/instruction/?status=submitted&sort=reference")
    page.locator("label[for=select-page]").click()  # the whole page: 4 dossiers
    expect(page.locator("#selection-count")).to_have_text("4 dossiers cochés")
    page.locator(f"label[for=sel-{filed[3].pk}]").click()
    page.get_by_role("button", name="Demander des compléments", exact=True).click()
    page.fill("#id_completion-message", "Merci de joindre le budget signé (montant : 12 000,50 €)")
    page.locator("#batch-request_completion label", has_text="Pièces justificatives").click()
    page.fill("#id_completion-due_date", "2031-06-15")
    page.get_by_role("button", name="Demander des compléments pour la sélection").click()
    page.wait_for_url("**/instruction/lots/*/")
    expect(page.locator("#batch-status")).to_contain_text("Terminé : 3 réussi(s), 0 refusé(s).")
    expect(page.locator("tbody tr")).to_have_count(3)
    assert page.locator("progress").get_attribute("value") == "3"
    assert serious_violations(page) == []
    shot(page, "batch-progress")
    with scope(tenant=tenant):
        states = [type(d).objects.get(pk=d.pk).status for d in filed]
    assert states == ["completion_requested"] * 3 + ["submitted"]
    context.close()
