"""The final report's required documents: declared in the call's rules (« au bilan final »),
uploaded in the report's draft through the dossier attachments' checks, filing refused while
one is missing (named, draft kept), downloaded by the instructors (not by a conflicted
officer), asked again for by a completion request."""

import io
from datetime import date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope

from applications.forms import AttachmentForm  # noqa: F401  (the upload form reused)
from awards import services
from awards.enums import AwardStatus, PaymentKind
from awards.models import FinalReport, Payment, ReportAttachment
from calls.models import DocumentRequirement
from calls.versioning import rules_snapshot
from portal.enums import OrganizationKind as K
from portal.events import render_event
from portal.formatting import PARIS
from portal.models import AuditEvent
from tests.awards.world import build
from tests.factories.reviews import ConflictFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]
DOCS = ("Bilan financier signé", "Rapport d'activité", "Revue de presse (facultatif)")


def _pdf(title="Bilan") -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def w(tenant, settings):
    settings.PORTAL_REQUIRE_STAFF_2FA = False
    w = build(tenant, report_documents=DOCS)
    with scope(tenant=tenant):
        for p in Payment.objects.filter(dossier=w.dossier, kind=PaymentKind.ADVANCE):
            services.payment_mark_paid(user=w.officers[p.funder], payment=p,
                                       paid_on=date(2024, 5, 10), amount=str(p.amount),
                                       reference="M-1", now=datetime(2024, 5, 10, tzinfo=PARIS))
    return w


def url(name, w, **kw):
    return reverse(f"awards:{name}", kwargs={"tenant_slug": w.tenant.slug, "pk": w.dossier.pk,
                                             **kw})


def _report_post(w, action):
    return {"activity_report": "Douze concerts à Montpellier, trois résidences à Sète.",
            **{f"line_{line.pk}": "1 000" for line in w.lines.values()}, "action": action}


def _upload(client, w, label, content=None, name="bilan.pdf"):
    req = w.report_documents[label]
    return client.post(url("report_document_upload", w, requirement_pk=req.pk), {
        f"req{req.pk}-file": SimpleUploadedFile(name, content or _pdf(label),
                                                content_type="application/pdf")})


def test_the_admin_declares_report_documents_in_the_call_editor(client, tenant):
    w = build(tenant)
    admin_client = client
    client.force_login(w.admin)
    response = admin_client.post(
        f"/{tenant.slug}/gestion/appels/{w.call.slug}/pieces/nouveau/",
        {"label": "Bilan financier signé", "stage": "final_report", "allowed_formats": "pdf",
         "required": "on", "max_size_mb": "10", "position": "0"})
    assert response.status_code == 302
    with scope(tenant=tenant):
        doc = DocumentRequirement.objects.get(call=w.call, label="Bilan financier signé")
        assert doc.stage == "final_report"
        snapshot = rules_snapshot(w.call)
        # asked with the report, not with the application
        assert [d["label"] for d in snapshot["report_documents"]] == ["Bilan financier signé"]
        assert snapshot["document_requirements"] == []
    page = admin_client.get(f"/{tenant.slug}/appels/{w.call.slug}/").content.decode()
    assert "Pièces à fournir avec le bilan final" in page


def test_filing_without_the_required_documents_names_them_and_keeps_the_draft(client, w):
    client.force_login(w.applicant)
    response = client.post(url("report_edit", w), _report_post(w, "file"))
    assert response.status_code == 400
    page = response.content.decode().replace("&#x27;", "'")
    assert ("Pièces manquantes au bilan final : « Bilan financier signé », « Rapport "
            "d'activité ». Déposez-les dans « Pièces du bilan final » ; votre brouillon est "
            "conservé.") in page
    assert "Revue de presse" in page  # listed, but optional: not named as missing
    with scope(tenant=w.tenant):
        report = FinalReport.objects.get(dossier=w.dossier)
        assert report.activity_report.startswith("Douze concerts à Montpellier")
        assert report.filed_at is None and report.lines.count() == 4
        w.dossier.refresh_from_db()
        assert w.dossier.status == AwardStatus.ADVANCE_PAID


def test_documents_go_through_the_upload_checks_then_the_report_files(client, w):
    client.force_login(w.applicant)
    # a text file named .pdf: refused by the attachments' content sniffing, under its field
    response = _upload(client, w, DOCS[0], content=b"pas un PDF du tout", name="faux.pdf")
    assert response.status_code == 400
    assert "format détecté" in response.content.decode()
    # a file above the document's limit (2 Mo) stopped while it arrives
    response = _upload(client, w, DOCS[0], content=b"%PDF-" + b"0" * (2 * 1024 * 1024 + 1),
                       name="énorme.pdf")
    assert response.status_code == 400
    assert "dépasse la taille maximale" in response.content.decode()
    assert _upload(client, w, DOCS[0]).status_code == 302
    assert _upload(client, w, DOCS[1], name="rapport d'activité.pdf").status_code == 302
    with scope(tenant=w.tenant):
        names = sorted(ReportAttachment.objects.filter(report__dossier=w.dossier)
                       .values_list("original_name", flat=True))
        assert names == ["bilan.pdf", "rapport d'activité.pdf"]
    response = client.post(url("report_edit", w), _report_post(w, "file"))
    assert response.status_code == 302
    with scope(tenant=w.tenant):
        w.dossier.refresh_from_db()
        assert w.dossier.status == AwardStatus.REPORT_FILED
    # once filed, the draft is closed to uploads
    assert _upload(client, w, DOCS[0]).status_code == 404


def test_a_document_of_the_application_cannot_be_sent_as_report_document(client, w):
    with scope(tenant=w.tenant):
        other = DocumentRequirement.objects.create(call=w.call, label="Statuts", stage="filing")
    client.force_login(w.applicant)
    response = client.post(url("report_document_upload", w, requirement_pk=other.pk), {
        f"req{other.pk}-file": SimpleUploadedFile("s.pdf", _pdf(), "application/pdf")})
    assert response.status_code == 404


def test_instructors_download_the_documents_a_conflicted_officer_cannot(client, w,
                                                                        other_tenant):
    client.force_login(w.applicant)
    _upload(client, w, DOCS[0])
    with scope(tenant=w.tenant):
        attachment = ReportAttachment.objects.get(report__dossier=w.dossier)
    download = url("report_document_download", w, attachment_pk=attachment.pk)
    client.force_login(w.officers[K.REGION])
    page = client.get(url("followup", w)).content.decode()
    assert "Bilan financier signé" in page and download in page
    response = client.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    with scope(tenant=w.tenant):
        ConflictFactory(tenant=w.tenant, officer=w.officers[K.DRAC], siret=w.structure.siret)
    client.force_login(w.officers[K.DRAC])
    assert client.get(download).status_code == 404
    foreign = build(other_tenant, reference="OCC-2024-COOP-0001")
    client.force_login(foreign.officers[K.CNM])
    assert client.get(download).status_code == 404


def test_a_completion_request_names_a_document_to_send_again(client, w):
    client.force_login(w.applicant)
    _upload(client, w, DOCS[0])
    _upload(client, w, DOCS[1])
    client.post(url("report_edit", w), _report_post(w, "file"))
    bilan = w.report_documents[DOCS[0]]
    client.force_login(w.officers[K.CNM])
    response = client.post(url("report_examine", w), {
        "action": "completion", "message": "Le bilan financier n'est pas signé.",
        "due_on": "2099-01-31", "documents": [str(bilan.pk)]})
    assert response.status_code == 302
    with scope(tenant=w.tenant):
        event = AuditEvent.objects.get(action="awards.dossier.report_completion_requested")
        sentence = str(render_event(event))
        assert "Pièces à fournir de nouveau : « Bilan financier signé »." in sentence
    client.force_login(w.applicant)
    page = client.get(url("report_edit", w)).content.decode()
    assert "à fournir de nouveau" in page
    response = client.post(url("report_edit", w), _report_post(w, "file"))
    assert response.status_code == 400
    assert "« Bilan financier signé »" in response.content.decode()
    assert "Rapport d" not in response.content.decode().split("Pièces manquantes")[1][:80]
    assert _upload(client, w, DOCS[0], name="bilan signé.pdf").status_code == 302
    assert client.post(url("report_edit", w), _report_post(w, "file")).status_code == 302
