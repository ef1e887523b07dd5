"""In Chromium, as the applicant of a grant whose advance is paid « au démarrage de l'action,
sur attestation » and whose final report needs documents: the dossier page names the next
step, the structure attests the start (the advance then waits on the officers, not on it);
the final report typed the French way (12 000,50, accents) is refused while « Bilan
financier signé » is missing, the draft kept, and files once it is uploaded."""

import io

import pytest
from django_scopes import scope

from awards import services
from awards.enums import AwardStatus, PaymentKind, PaymentStatus
from awards.models import FinalReport, Payment
from portal.enums import OrganizationKind as K
from tests.awards.world import build
from tests.e2e.browsing import shot, sign_in
from tests.factories import TenantFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("no_staff_2fa")]


def _pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_start_attestation_then_report_with_its_documents(page, live_server):
    tenant = TenantFactory(slug="occitanie", name="Occitanie", region_code="76")
    w = build(tenant, reference="OCC-2024-COOP-0009", advance_paid_on="start",
              report_documents=("Bilan financier signé", "Rapport d'activité illustré"))
    slug = tenant.slug
    sign_in(page.context, w.applicant, live_server.url)

    # The next step, in words, on the dossier page; the attestation with a date and a file.
    page.goto(f"/{slug}/dossiers/{w.dossier.pk}/")
    page.get_by_text("Prochaine étape : attestez le démarrage de l'action").wait_for()
    shot(page, "award-docs-01-next-step")
    page.get_by_role("link", name="Attester le démarrage de l'action").click()
    page.get_by_role("button", name="Attester le démarrage").click()
    page.get_by_text("Déclaration : cochez la case").wait_for()
    page.get_by_label("Je certifie que l'action a démarré à la date indiquée.").check(force=True)
    page.get_by_label("Date de démarrage de l'action").fill("2024-03-04")
    page.get_by_label("Pièce justificative (facultative)").set_input_files(
        {"name": "Attestation de démarrage signée.pdf", "mimeType": "application/pdf",
         "buffer": _pdf()})
    shot(page, "award-docs-02-attestation-form")
    page.get_by_role("button", name="Attester le démarrage").click()
    page.get_by_text("Démarrage de l'action attesté : les financeurs").wait_for()
    assert page.get_by_text("Démarrage de l'action attesté au 4 mars 2024.").is_visible()
    with scope(tenant=tenant):
        advances = list(Payment.objects.filter(dossier=w.dossier, kind=PaymentKind.ADVANCE))
        assert {p.status for p in advances} == {PaymentStatus.DUE}
        for p in advances:  # the funders pay it (walked in test_award_journey)
            services.payment_mark_paid(user=w.officers[p.funder], payment=p,
                                       paid_on=p.created_at.date(), amount=str(p.amount),
                                       reference="M-1")

    # The final report: French amounts and accents; filing refused while a document lacks.
    page.goto(f"/{slug}/dossiers/{w.dossier.pk}/")
    page.get_by_role("link", name="Remplir le bilan final").click()
    page.get_by_label("Bilan d'activité").fill(
        "Neuf concerts à Sète, Albi et Foix ; résidences à Pézenas ; 1 800 spectateurs.")
    page.get_by_label("Réalisé — Cachets des artistes").fill("12 000,50")
    page.get_by_label("Réalisé — Déplacements").fill("3 000")
    page.get_by_label("Réalisé — Achat de matériel").fill("0")
    page.get_by_label("Réalisé — Fonds propres").fill("10 000")
    page.get_by_role("button", name="Déposer le bilan final").click()
    page.get_by_text("Pièces manquantes au bilan final : « Bilan financier signé », "
                     "« Rapport d'activité illustré »").wait_for()
    shot(page, "award-docs-03-report-refused")
    # the typed amounts stay as typed; the draft was saved with them
    assert page.get_by_label("Réalisé — Cachets des artistes").input_value() == "12 000,50"
    for label in ("Bilan financier signé", "Rapport d'activité illustré"):
        page.get_by_label(f"Ajouter le fichier — {label}").set_input_files(
            {"name": f"{label}.pdf", "mimeType": "application/pdf", "buffer": _pdf()})
        page.get_by_role("button", name=f"Téléverser — {label}").click()
        page.get_by_text(f"« {label} » : fichier enregistré.").wait_for()
    assert page.get_by_label("Bilan d'activité").input_value().startswith("Neuf concerts à Sète")
    assert page.get_by_label("Réalisé — Cachets des artistes").input_value() == "12\u00a0000,50"
    shot(page, "award-docs-04-documents-uploaded")
    page.get_by_role("button", name="Déposer le bilan final").click()
    page.get_by_text("Votre bilan final est déposé").wait_for()
    with scope(tenant=tenant):
        w.dossier.refresh_from_db()
        assert w.dossier.status == AwardStatus.REPORT_FILED
        assert FinalReport.objects.get(dossier=w.dossier).attachments.count() == 2

    # The instructor sees the documents on the follow-up page.
    page.context.clear_cookies()
    sign_in(page.context, w.officers[K.CNM], live_server.url)
    page.goto(f"/{slug}/suivi/{w.dossier.pk}/")
    page.get_by_role("link", name="Bilan financier signé.pdf").wait_for()
    shot(page, "award-docs-05-followup-documents")
