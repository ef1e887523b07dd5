"""The follow-up of a grant in Chromium: a dossier granted in committee gets its advance paid
by two funders (each officer on their own payments page), the applicant files the final report
with lower realised expenses typed the French way (12 000,50), the instructor re-evaluates the
grant, the balance letter is produced and the envelope chart shows the released amount."""

import pytest
from django_scopes import scope

from awards.enums import AwardStatus, PaymentStatus
from awards.models import FinalReport, Payment
from portal.enums import OrganizationKind as K
from portal.models import GeneratedDocument
from tests.awards.world import build
from tests.e2e.browsing import shot, sign_in
from tests.factories import TenantFactory

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("no_staff_2fa")]


def _as(page, live_server, user):
    page.context.clear_cookies()
    sign_in(page.context, user, live_server.url)


def _pay(page, reference: str, amount: str, mandate: str):
    row = page.locator("tr", has_text=reference)
    row.get_by_role("button", name="Transmis au service financier").click()
    row = page.locator("tr", has_text=reference)
    row.locator("summary", has_text="Enregistrer le versement").click()
    row.get_by_label("Date du versement").fill("2024-05-10")
    row.get_by_label("Montant versé (€)").fill(amount)
    row.get_by_label("Référence du mandat ou du titre de recettes").fill(mandate)
    row.get_by_role("button", name="Enregistrer", exact=True).click()
    page.get_by_text("Versement enregistré").wait_for()


def test_advance_report_reevaluation_letter_and_envelope(page, live_server):
    tenant = TenantFactory(slug="occitanie", name="Occitanie", region_code="76")
    w = build(tenant, reference="OCC-2024-COOP-0007")
    slug = tenant.slug

    # The two paying funders record their advance (the DRAC pays nothing on this grant).
    _as(page, live_server, w.officers[K.CNM])
    page.goto(f"/{slug}/versements/")
    shot(page, "award-01-cnm-payments")
    _pay(page, "OCC-2024-COOP-0007", "5 600,40", "MANDAT-CNM-2024-118")
    _as(page, live_server, w.officers[K.REGION])
    page.goto(f"/{slug}/versements/")
    _pay(page, "OCC-2024-COOP-0007", "4 000,00 €", "REG-2024-5531")
    with scope(tenant=tenant):
        w.dossier.refresh_from_db()
        assert w.dossier.status == AwardStatus.ADVANCE_PAID

    # The applicant files the final report: realised expenses lower than planned.
    _as(page, live_server, w.applicant)
    page.goto(f"/{slug}/dossiers/{w.dossier.pk}/")
    assert page.get_by_text("Avance versée", exact=True).first.is_visible()
    page.get_by_role("link", name="Remplir le bilan final").click()
    page.get_by_label("Bilan d'activité").fill(
        "Neuf concerts sur douze à Sète, Albi et Foix ; trois résidences ; 1 800 spectateurs.")
    page.get_by_label("Réalisé — Cachets des artistes").fill("12 000,50")
    page.get_by_label("Réalisé — Déplacements").fill("3 000")
    page.get_by_label("Réalisé — Achat de matériel").fill("9 000")
    page.get_by_label("Réalisé — Fonds propres").fill("10 000")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.get_by_text("Brouillon du bilan enregistré").wait_for()
    assert page.get_by_label("Réalisé — Cachets des artistes").input_value() == "12\u00a0000,50"
    shot(page, "award-02-report-draft")
    page.get_by_role("button", name="Déposer le bilan final").click()
    page.get_by_text("Votre bilan final est déposé").wait_for()

    # The instructor re-evaluates: 12 000,50 × 15 000,50 / 25 000 = 7 200,54 €.
    _as(page, live_server, w.officers[K.DRAC])
    page.goto(f"/{slug}/suivi/{w.dossier.pk}/")
    page.get_by_text("est ramenée à 7\u00a0200,54\u00a0€ au prorata").wait_for()
    shot(page, "award-03-followup-proposal")
    page.get_by_label("Motivation").fill("Trois dates annulées : dépenses éligibles réalisées "
                                         "inférieures au budget prévu.")
    page.get_by_role("button", name="Réévaluer l'aide").click()
    page.get_by_text("Aide réévaluée").first.wait_for()
    with scope(tenant=tenant):
        report = FinalReport.objects.get(dossier=w.dossier)
        assert str(report.reevaluated_amount) == "7200.54"
        recoveries = {p.funder: str(p.amount) for p in Payment.objects.filter(
            dossier=w.dossier, kind="recovery", status=PaymentStatus.DUE)}
        assert recoveries == {"cnm": "1399.96", "region": "999.90"}

    # The balance letter, for the applicant.
    _as(page, live_server, w.applicant)
    page.goto(f"/{slug}/dossiers/{w.dossier.pk}/")
    page.get_by_text("L'aide a été réévaluée au vu du bilan final").wait_for()
    shot(page, "award-04-applicant-reevaluated")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le courrier de solde (PDF)").click()
    pdf = open(download.value.path(), "rb").read()
    assert pdf.startswith(b"%PDF")
    with scope(tenant=tenant):
        assert GeneratedDocument.objects.filter(kind="awards.balance_letter").count() == 1

    # The envelope: the released amount in figures and in the chart.
    _as(page, live_server, w.admin)
    page.goto(f"/{slug}/enveloppes/")
    assert page.get_by_text("libéré 4\u00a0799,96\u00a0€").first.is_visible()
    released = page.locator("svg rect[data-segment='released']")
    assert released.count() >= 1
    assert float(released.first.get_attribute("width")) > 0
    shot(page, "award-05-envelope")
