"""The applicant's whole journey in Chromium: sign-up, structure profile, a dossier through
every step (one invalid step on the way), submission and the acknowledgement of receipt."""

import io
import re
from decimal import Decimal

import pytest
from django.core import mail
from django_scopes import scope
from pypdf import PdfWriter

from applications.models import Dossier
from tests.factories import TenantFactory
from tests.factories.applications import make_siret
from tests.factories.calls import (CallFactory, CategoryFactory, CriterionFactory,
                                   DocumentRequirementFactory)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "une-phrase-de-passe-solide-2026"
EMAIL = "label.montpellier@example.org"


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _sign_up(page):
    page.goto("/accounts/signup/")
    page.get_by_label("Prénom").fill("Maëlle")
    page.get_by_label("Nom", exact=True).fill("Le Guévellou-Brémond")
    page.get_by_label("Courriel").fill(EMAIL)
    page.get_by_label("Mot de passe", exact=False).first.fill(PASSWORD)
    page.get_by_label("Mot de passe (confirmation)").fill(PASSWORD)
    page.get_by_role("button", name="Création de compte").click()
    page.wait_for_url(re.compile(r".*/accounts/confirm-email/$"))
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirmer").click()
    if "/accounts/login/" in page.url:
        page.get_by_label("Courriel").fill(EMAIL)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(re.compile(r".*/mes-espaces/$"))


def test_applicant_files_a_dossier_from_sign_up_to_receipt(page, live_server):
    tenant = TenantFactory(slug="occitanie", name="Occitanie", region_code="76")
    with scope(tenant=tenant):
        call = CallFactory(tenant=tenant, slug="cooperation", reference_code="COOP",
                           title="Aide aux projets de coopération professionnelle",
                           min_self_financing_share=Decimal("30"))
        category = CategoryFactory(call=call, title="Expérimentation", min_partners=2,
                                   amount_min=Decimal("5000"), amount_max=Decimal("15000"))
        requirement = DocumentRequirementFactory(call=call, label="Budget prévisionnel")
        CriterionFactory(call=call, label="24 mois d'activité antérieure")
        CriterionFactory(call=call, kind="declaration", field="", operator="", value=None,
                         label="Je certifie être à jour de mes obligations fiscales")

    _sign_up(page)

    # The call page → "Déposer une candidature" → no structure yet → create its profile.
    page.goto(f"/occitanie/appels/{call.slug}/")
    page.get_by_role("link", name="Déposer une candidature").click()
    page.get_by_role("link", name="Créer le profil de ma structure").click()
    page.locator("#id_name").fill("Les Disques du Midi")
    page.locator("#id_siret").fill(make_siret(4242))
    page.locator("#id_legal_form").select_option("association")
    page.locator("#id_address").fill("3 place de la Comédie")
    page.locator("#id_postal_code").fill("34000")
    page.locator("#id_city").fill("Montpellier")
    page.locator("#id_creation_date").fill("2018-05-02")
    page.locator("#id_cnm_affiliation_number").fill("CNM-004242")
    page.locator("#id_main_activity").select_option("recorded_music")
    page.get_by_role("button", name="Enregistrer").click()

    # Back on the start page: choose the category.
    page.wait_for_url(re.compile(r".*/occitanie/appels/cooperation/deposer/$"))
    page.locator("#id_category").select_option(str(category.pk))
    page.get_by_role("button", name="Commencer le dossier").click()

    # Step 1, with an invalid end date first: the error names the field, input is kept.
    page.wait_for_url(re.compile(r".*/etapes/project/$"))
    assert "Étape 1 sur 6" in page.locator(".fr-stepper").inner_text()
    page.locator("#id_title").fill("Tournée coopérative des labels d'Occitanie")
    page.locator("#id_summary").fill("Trois labels mutualisent une tournée régionale.")
    page.locator("#id_start_date").fill("2024-06-01")
    page.locator("#id_end_date").fill("2024-05-01")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    assert "La date de fin doit suivre la date de début." in page.content()
    assert page.locator("#id_title").input_value() == "Tournée coopérative des labels d'Occitanie"
    page.locator("#id_end_date").fill("2025-05-31")
    page.get_by_role("button", name="Enregistrer et continuer").click()

    # Step 2: the budget, totals computed live in the page.
    page.wait_for_url(re.compile(r".*/etapes/budget/$"))
    page.locator("#id_requested_amount").fill("10000")
    page.locator("#id_expense-0-label").fill("Cachets et transport")
    page.locator("#id_expense-0-amount").fill("30000")
    page.locator("#id_income-0-source").select_option("self_financing")
    page.locator("#id_income-0-label").fill("Fonds propres")
    page.locator("#id_income-0-amount").fill("12000")
    page.locator("#id_income-1-source").select_option("public")
    page.locator("#id_income-1-label").fill("Département de l'Hérault")
    page.locator("#id_income-1-amount").fill("8000")
    live_total = page.locator("[data-budget-total='income']").inner_text()
    assert re.sub(r"\s", " ", live_total) == "30 000,00 €"
    assert "Le budget est équilibré." in page.locator("[data-budget-balance]").inner_text()
    page.get_by_role("button", name="Enregistrer et continuer").click()

    # Step 3: two partners (the category's minimum).
    page.wait_for_url(re.compile(r".*/etapes/partners/$"))
    page.locator("#id_partner-0-name").fill("La Rampe")
    page.locator("#id_partner-0-role").fill("Accueil en résidence")
    page.locator("#id_partner-1-name").fill("Le Krakatoa")
    page.locator("#id_partner-1-role").fill("Diffusion")
    page.get_by_role("button", name="Enregistrer et continuer").click()

    # Step 4: the document.
    page.wait_for_url(re.compile(r".*/etapes/documents/$"))
    page.locator(f"#id_req{requirement.pk}-file").set_input_files(
        {"name": "budget.pdf", "mimeType": "application/pdf", "buffer": _pdf()})
    page.get_by_role("button", name="Téléverser").click()
    assert "budget.pdf" in page.locator("main").inner_text()
    page.get_by_role("link", name="Continuer").click()

    # Step 5: the declaration; step 6: the pre-check and submission.
    page.wait_for_url(re.compile(r".*/etapes/declarations/$"))
    page.get_by_label("Je certifie être à jour de mes obligations fiscales").check(force=True)
    page.get_by_role("button", name="Enregistrer et continuer").click()
    page.wait_for_url(re.compile(r".*/etapes/summary/$"))
    assert page.locator(".fr-badge--error").count() == 0
    page.get_by_role("button", name="Déposer le dossier").click()

    with scope(tenant=tenant):
        dossier = Dossier.objects.get()
    page.wait_for_url(re.compile(rf".*/occitanie/dossiers/{dossier.pk}/$"))
    assert dossier.status == "submitted"
    assert re.fullmatch(r"OCC-\d{4}-COOP-0001", dossier.reference)
    assert dossier.reference in page.locator("main").inner_text()
    assert any(dossier.reference in m.subject and m.to == [EMAIL] for m in mail.outbox)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Accusé de réception (PDF)").click()
    path = download_info.value.path()
    with open(path, "rb") as fh:
        assert fh.read(5) == b"%PDF-"
