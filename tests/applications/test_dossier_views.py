"""Dossier pages: the guided form, documents, submission, follow-up, permissions."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from pypdf import PdfWriter

from applications import services
from applications.models import Attachment, BudgetLine, Dossier
from tests.factories.applications import (DossierFactory, StructureMemberFactory,
                                          balanced_budget)
from tests.factories.calls import CallFactory, CategoryFactory, DocumentRequirementFactory

pytestmark = pytest.mark.django_db


def pdf_bytes(*, password: str | None = None) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture
def dossier(tenant, call, structure):
    with scope(tenant=tenant):
        return balanced_budget(DossierFactory(call=call, structure=structure))


def url(dossier, suffix=""):
    return f"/{dossier.tenant.slug}/dossiers/{dossier.pk}/{suffix}"


# --- start ------------------------------------------------------------------------------------

def test_start_page_creates_a_draft_and_goes_to_the_first_step(client, tenant, call, structure,
                                                              applicant):
    with scope(tenant=tenant):
        category = CategoryFactory(call=call, title="Expérimentation")
    client.force_login(applicant)
    start = f"/{tenant.slug}/appels/{call.slug}/deposer/"
    assert client.get(start).status_code == 200
    response = client.post(start, {"structure": structure.pk, "category": category.pk})
    with scope(tenant=tenant):
        dossier = Dossier.objects.get()
    assert response.status_code == 302
    assert response.url == url(dossier, "etapes/project/")
    assert (dossier.status, dossier.category, dossier.structure) == ("draft", category, structure)


def test_start_without_structure_offers_to_create_one(client, tenant, call, applicant):
    client.force_login(applicant)
    response = client.get(f"/{tenant.slug}/appels/{call.slug}/deposer/")
    assert "/structures/nouvelle/?next=" in response.content.decode()


def test_start_with_someone_elses_structure_is_refused(client, tenant, call, applicant):
    foreign = StructureMemberFactory().structure
    client.force_login(applicant)
    response = client.post(f"/{tenant.slug}/appels/{call.slug}/deposer/",
                           {"structure": foreign.pk})
    assert response.status_code == 200
    assert "structure" in response.context["form"].errors
    with scope(tenant=tenant):
        assert Dossier.objects.count() == 0


# --- steps: nothing typed is lost --------------------------------------------------------------

def test_invalid_project_input_is_kept_and_shown_with_its_error(client, dossier, applicant):
    client.force_login(applicant)
    response = client.post(url(dossier, "etapes/project/"), {
        "title": "Mon projet modifié", "summary": "Texte", "start_date": "2024-13-45",
        "end_date": "2024-12-31", "action": "next"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"start_date"}
    # Come back later: the typed values and the error are still there.
    page = client.get(url(dossier, "etapes/project/")).content.decode()
    assert 'value="Mon projet modifié"' in page
    assert 'value="2024-13-45"' in page
    assert "fr-input-group--error" in page
    with scope(tenant=dossier.tenant):
        dossier.refresh_from_db()
    assert dossier.title == "Tournée coopérative en Occitanie"
    assert dossier.draft_data["project"]["start_date"] == ["2024-13-45"]
    # Fixing it saves and clears the kept input.
    response = client.post(url(dossier, "etapes/project/"), {
        "title": "Mon projet modifié", "summary": "Texte", "start_date": "2024-02-01",
        "end_date": "2024-12-31", "action": "next"})
    assert response.url == url(dossier, "etapes/budget/")
    with scope(tenant=dossier.tenant):
        dossier.refresh_from_db()
    assert (dossier.title, dossier.draft_data) == ("Mon projet modifié", {})


def test_budget_step_saves_lines_and_shows_reasons_next_to_fields(client, dossier, applicant):
    with scope(tenant=dossier.tenant):
        dossier.category = CategoryFactory(call=dossier.call, amount_max=Decimal("15000"),
                                           min_self_financing_share=Decimal("30"))
        dossier.save()
    client.force_login(applicant)
    data = {"expense-TOTAL_FORMS": "2", "expense-INITIAL_FORMS": "0",
            "income-TOTAL_FORMS": "2", "income-INITIAL_FORMS": "0",
            "requested_amount": "20000",
            "expense-0-label": "Cachets", "expense-0-amount": "25000",
            "expense-1-label": "", "expense-1-amount": "",
            "income-0-source": "self_financing", "income-0-label": "Fonds propres",
            "income-0-amount": "5000", "income-1-source": "public", "income-1-label": "",
            "income-1-amount": "", "action": "save"}
    response = client.post(url(dossier, "etapes/budget/"), data)
    assert response.status_code == 302
    with scope(tenant=dossier.tenant):
        assert list(BudgetLine.objects.filter(dossier=dossier).values_list(
            "kind", "label", "amount")) == [("expense", "Cachets", Decimal("25000.00")),
                                            ("income", "Fonds propres", Decimal("5000.00"))]
    page = client.get(url(dossier, "etapes/budget/")).content.decode()
    assert ("Le montant demandé (20\u00a0000,00\u00a0€) dépasse le maximum de la catégorie "
            "(15\u00a0000,00\u00a0€).") in page
    assert "L&#x27;autofinancement représente 20\u00a0% du budget" in page


def test_budget_line_without_amount_names_the_field_and_keeps_input(client, dossier, applicant):
    client.force_login(applicant)
    response = client.post(url(dossier, "etapes/budget/"), {
        "expense-TOTAL_FORMS": "1", "expense-INITIAL_FORMS": "0",
        "income-TOTAL_FORMS": "0", "income-INITIAL_FORMS": "0", "requested_amount": "abc",
        "expense-0-label": "Studio", "expense-0-amount": ""})
    assert response.status_code == 200
    assert response.context["expenses"].forms[0].errors == {
        "amount": ["Indiquez le montant de « Studio »."]}
    assert "requested_amount" in response.context["amount_form"].errors
    body = response.content.decode()
    assert 'value="Studio"' in body and 'value="abc"' in body


# --- documents ----------------------------------------------------------------------------------

@pytest.fixture
def requirement(dossier):
    with scope(tenant=dossier.tenant):
        return DocumentRequirementFactory(call=dossier.call, label="Budget prévisionnel",
                                          allowed_formats=["pdf"], max_size_mb=1)


def upload(client, dossier, requirement, name, content, content_type="application/pdf"):
    return client.post(url(dossier, f"pieces/{requirement.pk}/"), {
        f"req{requirement.pk}-file": SimpleUploadedFile(name, content, content_type)})


def test_pdf_upload_is_stored_privately_with_its_checksum(client, dossier, requirement,
                                                          applicant, settings):
    import hashlib

    client.force_login(applicant)
    content = pdf_bytes()
    response = upload(client, dossier, requirement, "budget.PDF", content)
    assert response.status_code == 302
    with scope(tenant=dossier.tenant):
        attachment = Attachment.objects.get(dossier=dossier)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert (attachment.size, attachment.extension, attachment.original_name) == (
        len(content), "pdf", "budget.pdf")
    assert attachment.file.path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    assert "budget" not in attachment.file.name  # random names on disk
    download = client.get(url(dossier, f"fichiers/{attachment.pk}/"))
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="budget.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == content


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("faux.pdf", PNG, "Le contenu de « faux.pdf » n'est pas d'un format accepté (format "
                      "détecté : PNG ; accepté(s) : PDF)."),
    ("abime.pdf", b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog", "Ce PDF est endommagé ou illisible "
                                                          ": enregistrez-le à nouveau puis "
                                                          "déposez-le."),
    ("secret.pdf", None, "Ce PDF est protégé par un mot de passe (chiffré) : déposez une "
                         "version sans protection."),
    # Stopped while the body is read (applications.uploads.SizeLimitUploadHandler).
    ("gros.pdf", b"%PDF-" + b"0" * (1024 * 1024 + 1), "Le fichier « gros.pdf » dépasse la "
                                                      "taille maximale (1,0 Mo) : il n'a pas "
                                                      "été enregistré."),
])
def test_bad_uploads_are_refused_with_their_reason(client, dossier, requirement, applicant,
                                                   name, content, reason):
    client.force_login(applicant)
    content = pdf_bytes(password="s3cret") if content is None else content
    response = upload(client, dossier, requirement, name, content)
    assert response.status_code == 400
    assert response.context["requirements"][0]["form"].errors == {"file": [reason]}
    with scope(tenant=dossier.tenant):
        assert Attachment.objects.count() == 0


def test_a_long_file_name_is_stored_with_its_extension(client, dossier, requirement, applicant):
    """A name over 255 characters is cut in its stem: the download keeps « .pdf » (issue 13
    finding 12); without an extension the sniffed one is added, within the 255."""
    client.force_login(applicant)
    for name in ("Budget prévisionnel " + "é" * 300 + ".pdf", "Budget " + "x" * 300):
        assert upload(client, dossier, requirement, name, pdf_bytes()).status_code == 302
        with scope(tenant=dossier.tenant):
            attachment = Attachment.objects.get(dossier=dossier)
        assert attachment.original_name.endswith(".pdf")
        assert len(attachment.original_name) == 255
        assert attachment.original_name.startswith(name[:200])
        response = client.get(url(dossier, f"fichiers/{attachment.pk}/"))
        assert response.status_code == 200
        assert ".pdf" in response["Content-Disposition"]


def test_active_pdf_and_zip_bomb_are_refused_under_their_field(client, dossier, requirement,
                                                               applicant):
    """A PDF that runs JavaScript when opened and a zip bomb named .docx are refused, the
    reason under the document's field, nothing stored (issue 13 finding 12)."""
    from tests.applications.test_uploads import _office, _open_action_js, _pdf

    with scope(tenant=dossier.tenant):
        office = DocumentRequirementFactory(call=dossier.call, label="Dossier artistique",
                                            allowed_formats=["docx"], max_size_mb=1)
    client.force_login(applicant)
    response = upload(client, dossier, requirement, "Budget prévisionnel.pdf",
                      _pdf(_open_action_js))
    assert response.status_code == 400
    errors = {r["requirement"].label: r["form"].errors for r in response.context["requirements"]}
    assert errors["Budget prévisionnel"]["file"][0].startswith(
        "Le PDF « Budget prévisionnel.pdf » contient du code actif (JavaScript")
    assert not errors["Dossier artistique"]
    response = upload(client, dossier, office, "Dossier artistique.docx",
                      _office([("document.xml", b"\0" * (20 * 1024 * 1024))]),
                      "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert response.status_code == 400
    errors = {r["requirement"].label: r["form"].errors for r in response.context["requirements"]}
    assert errors["Dossier artistique"] == {"file": [
        "Le fichier « Dossier artistique.docx » se décompresse en un volume anormal (archive "
        "piégée ?) : il n'a pas été enregistré."]}
    body = response.content.decode()
    assert "archive piégée" in body and "Dossier artistique" in body
    with scope(tenant=dossier.tenant):
        assert Attachment.objects.count() == 0


def test_replacing_a_document_keeps_one_file(client, dossier, requirement, applicant):
    client.force_login(applicant)
    upload(client, dossier, requirement, "v1.pdf", pdf_bytes())
    upload(client, dossier, requirement, "v2.pdf", pdf_bytes())
    with scope(tenant=dossier.tenant):
        assert list(Attachment.objects.values_list("original_name", flat=True)) == ["v2.pdf"]
        attachment = Attachment.objects.get()
    client.post(url(dossier, f"fichiers/{attachment.pk}/retirer/"), {"confirm": "on"})
    with scope(tenant=dossier.tenant):
        assert Attachment.objects.count() == 0


def test_removing_a_file_asks_for_confirmation(client, dossier, requirement, applicant,
                                              other_tenant, make_member, no_staff_2fa):
    import html

    from portal.enums import Role

    client.force_login(applicant)
    upload(client, dossier, requirement, "budget-prévisionnel.pdf", pdf_bytes())
    with scope(tenant=dossier.tenant):
        attachment = Attachment.objects.get()
    target = url(dossier, f"fichiers/{attachment.pk}/retirer/")
    for response in (client.get(target), client.post(target)):
        body = html.unescape(response.content.decode())
        assert response.status_code == 200
        assert "Retirer le fichier « budget-prévisionnel.pdf »" in body
    with scope(tenant=dossier.tenant):
        assert Attachment.objects.count() == 1
    client.force_login(make_member(other_tenant, Role.ADMIN))
    assert client.get(target).status_code == 404
    client.force_login(applicant)
    assert client.post(target, {"confirm": "on"}).status_code == 302
    with scope(tenant=dossier.tenant):
        assert Attachment.objects.count() == 0


def test_files_are_not_served_to_others(client, dossier, requirement, applicant, other_tenant,
                                        make_member, no_staff_2fa):
    client.force_login(applicant)
    upload(client, dossier, requirement, "budget.pdf", pdf_bytes())
    with scope(tenant=dossier.tenant):
        attachment = Attachment.objects.get()
    path = url(dossier, f"fichiers/{attachment.pk}/")
    client.logout()
    assert client.get(path).status_code == 302  # anonymous → login
    client.force_login(StructureMemberFactory().user)
    assert client.get(path).status_code == 404  # another structure
    client.force_login(make_member(dossier.tenant, "instructor"))
    assert client.get(path).status_code == 404  # a draft is private to the applicant
    client.force_login(make_member(other_tenant, "instructor"))
    assert client.get(f"/{other_tenant.slug}/dossiers/{dossier.pk}/fichiers/"
                      f"{attachment.pk}/").status_code == 404


# --- submission ---------------------------------------------------------------------------------

def test_submit_through_the_page_then_double_click_files_once(client, dossier, applicant,
                                                              django_capture_on_commit_callbacks):
    client.force_login(applicant)
    summary = client.get(url(dossier, "etapes/summary/"))
    assert summary.context["can_submit"] is True
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url(dossier, "deposer/"))
    second = client.post(url(dossier, "deposer/"))
    assert first.status_code == second.status_code == 302
    with scope(tenant=dossier.tenant):
        dossier.refresh_from_db()
    year = timezone.now().year
    assert dossier.reference == f"HAU-{year}-COOP-0001"
    messages = [str(m) for m in second.wsgi_request._messages]
    assert messages[-1:] == [f"Ce dossier a déjà été déposé (référence HAU-{year}-COOP-0001)."]
    receipt = client.get(url(dossier, "accuse-de-reception.pdf"))
    assert receipt.status_code == 200
    assert receipt["Content-Type"] == "application/pdf"
    assert receipt.content.startswith(b"%PDF")
    # The receipt was produced once, at submission, stored privately and mailed.
    import hashlib

    with scope(tenant=dossier.tenant):
        dossier.refresh_from_db()
    assert dossier.receipt_sha256 == hashlib.sha256(receipt.content).hexdigest()
    assert client.get(url(dossier, "accuse-de-reception.pdf")).content == receipt.content
    from django.core import mail

    (name, content, mimetype), = mail.outbox[-1].attachments
    assert (name, mimetype) == (f"accuse-reception-{dossier.reference}.pdf", "application/pdf")
    assert content == receipt.content


def test_editing_a_submitted_dossier_is_refused_and_changes_nothing(client, dossier, applicant):
    with scope(tenant=dossier.tenant):
        services.dossier_submit(user=applicant, dossier=dossier)
    client.force_login(applicant)
    response = client.post(url(dossier, "etapes/project/"), {"title": "Changé"})
    assert response.status_code == 403
    with scope(tenant=dossier.tenant):
        dossier.refresh_from_db()
    assert dossier.title == "Tournée coopérative en Occitanie"


def test_submission_after_closing_is_refused_with_a_clear_message(client, dossier, applicant):
    with scope(tenant=dossier.tenant):
        call = dossier.call
        call.opens_at = timezone.now() - timedelta(days=30)
        call.closes_at = timezone.now() - timedelta(seconds=1)
        call.save()
    client.force_login(applicant)
    response = client.post(url(dossier, "deposer/"), follow=True)
    assert "aucun dossier ne peut plus être déposé" in response.content.decode()
    with scope(tenant=dossier.tenant):
        assert Dossier.objects.get(pk=dossier.pk).status == "draft"


# --- permissions and 404 ------------------------------------------------------------------------

PAGES = ["", "etapes/project/", "etapes/budget/", "etapes/summary/"]


@pytest.mark.parametrize("suffix", PAGES)
def test_another_structures_member_gets_404(client, dossier, suffix):
    client.force_login(StructureMemberFactory().user)
    assert client.get(url(dossier, suffix)).status_code == 404


@pytest.mark.parametrize("suffix", PAGES)
def test_anonymous_is_sent_to_login(client, dossier, suffix):
    response = client.get(url(dossier, suffix))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_dossier_of_another_tenant_answers_404(client, dossier, applicant, other_tenant):
    client.force_login(applicant)
    assert client.get(f"/{other_tenant.slug}/dossiers/{dossier.pk}/").status_code == 404
    assert client.post(f"/{other_tenant.slug}/dossiers/{dossier.pk}/deposer/").status_code == 404
    with scope(tenant=dossier.tenant):
        assert Dossier.objects.get(pk=dossier.pk).status == "draft"


def test_instructor_reads_filed_dossiers_of_their_tenant_only(client, dossier, applicant,
                                                              make_member, no_staff_2fa):
    instructor = make_member(dossier.tenant, "instructor")
    client.force_login(instructor)
    assert client.get(url(dossier)).status_code == 404  # draft
    with scope(tenant=dossier.tenant):
        services.dossier_submit(user=applicant, dossier=dossier)
    page = client.get(url(dossier))
    assert page.status_code == 200
    assert page.context["can_request_completion"] is True
    body = page.content.decode()
    assert "Fonds propres" in body and "30\u00a0000,00\u00a0€" in body
    assert client.get(url(dossier, "etapes/project/")).status_code == 404


def test_completion_request_round_trip_through_pages(client, dossier, applicant, make_member,
                                                     no_staff_2fa):
    with scope(tenant=dossier.tenant):
        services.dossier_submit(user=applicant, dossier=dossier)
    instructor = make_member(dossier.tenant, "instructor")
    client.force_login(instructor)
    due = (timezone.now() + timedelta(days=10)).date().isoformat()
    client.post(url(dossier, "complements/"), {"message": "Le titre, svp.", "steps": ["project"],
                                               "due_date": due})
    client.force_login(applicant)
    assert client.post(url(dossier, "etapes/budget/"), {}).status_code == 403
    response = client.post(url(dossier, "etapes/project/"), {
        "title": "Titre précisé", "summary": "Trois labels mutualisent une tournée.",
        "start_date": "2024-01-01", "end_date": "2024-12-31", "action": "save"})
    assert response.status_code == 302
    client.post(url(dossier, "deposer/"))
    with scope(tenant=dossier.tenant):
        dossier.refresh_from_db()
    assert (dossier.status, dossier.title) == ("submitted", "Titre précisé")
    timeline = [e.action for e in client.get(url(dossier)).context["timeline"]]
    assert timeline == ["applications.dossier.submitted",
                        "applications.dossier.completion_requested",
                        "applications.dossier.completed", "applications.dossier.resubmitted"]


def test_messages_between_applicant_and_instructors(client, dossier, applicant, make_member,
                                                    no_staff_2fa, mailoutbox,
                                                    django_capture_on_commit_callbacks):
    with scope(tenant=dossier.tenant):
        services.dossier_submit(user=applicant, dossier=dossier)
    instructor = make_member(dossier.tenant, "instructor")
    client.force_login(applicant)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(dossier, "messages/"), {"body": "Une question sur le budget."})
    assert [m.to for m in mailoutbox] == [[instructor.email]]
    client.force_login(instructor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url(dossier, "messages/"), {"body": "Voici la réponse."})
    assert mailoutbox[-1].to == [applicant.email]
    with scope(tenant=dossier.tenant):
        assert [(m.body, m.from_instructor) for m in dossier.messages.all()] == [
            ("Une question sur le budget.", False), ("Voici la réponse.", True)]


def test_withdraw_a_draft_from_the_page(client, dossier, applicant):
    client.force_login(applicant)
    client.post(url(dossier, "retirer/"), {"reason": "Reporté"})
    with scope(tenant=dossier.tenant):
        assert Dossier.objects.get(pk=dossier.pk).status == "draft"  # not confirmed
    client.post(url(dossier, "retirer/"), {"reason": "Reporté", "confirm": "on"})
    with scope(tenant=dossier.tenant):
        assert Dossier.objects.get(pk=dossier.pk).status == "withdrawn"


# --- lists ----------------------------------------------------------------------------------------

def test_my_dossiers_lists_every_region(client, dossier, applicant, other_tenant, structure,
                                        django_assert_max_num_queries):
    with scope(tenant=other_tenant):
        other_call = CallFactory(tenant=other_tenant, reference_code="STRU")
        for _ in range(3):
            DossierFactory(call=other_call, structure=structure, title="En Occitanie")
        DossierFactory(call=other_call, title="Pas à moi")
    client.force_login(applicant)
    with django_assert_max_num_queries(6):
        response = client.get("/structures/mes-dossiers/")
    body = response.content.decode()
    assert len(response.context["dossiers"]) == 4
    assert "Pas à moi" not in body
    assert body.count("En Occitanie") == 3
    with django_assert_max_num_queries(10):
        tenant_list = client.get(f"/{dossier.tenant.slug}/dossiers/")
    assert [d.pk for d in tenant_list.context["dossiers"]] == [dossier.pk]


def test_export_pdf_of_a_draft(client, dossier, applicant, django_capture_on_commit_callbacks):
    """Asked from the page, laid out by the (eager) task after commit, downloaded from its
    page (tests/applications/test_dossier_export.py follows the whole flow)."""
    client.force_login(applicant)
    assert "Exporter le dossier (PDF)" in client.get(url(dossier)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(url(dossier, "export/"))
    assert asked.status_code == 302
    page = client.get(asked.url)
    assert "Le PDF est prêt" in page.content.decode()
    response = client.get(f"{asked.url}dossier.pdf")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_unused_scopes_disabled_import_guard():
    with scopes_disabled():
        assert Dossier.objects.count() == 0


def test_partner_with_invalid_siret_names_the_field_and_keeps_input(client, dossier, applicant):
    client.force_login(applicant)
    data = {"partner-TOTAL_FORMS": "2", "partner-INITIAL_FORMS": "0",
            "partner-0-name": "La Rampe", "partner-0-siret": "12345678901234",
            "partner-0-role": "Accueil en résidence",
            "partner-1-name": "Le Krakatoa", "partner-1-siret": "", "partner-1-role": "",
            "action": "next"}
    response = client.post(url(dossier, "etapes/partners/"), data)
    assert response.status_code == 200
    assert [f.errors for f in response.context["partners"].forms] == [
        {"siret": ["« 12345678901234 » n'est pas un numéro SIRET valide (14 chiffres, clé de "
                   "contrôle)."]},
        {"role": ["Décrivez le rôle de Le Krakatoa."]}]
    assert 'value="La Rampe"' in response.content.decode()
    data.update({"partner-0-siret": "", "partner-1-role": "Diffusion"})
    response = client.post(url(dossier, "etapes/partners/"), data)
    assert response.url == url(dossier, "etapes/documents/")
    with scope(tenant=dossier.tenant):
        assert list(dossier.partners.values_list("name", "role")) == [
            ("La Rampe", "Accueil en résidence"), ("Le Krakatoa", "Diffusion")]


def test_declarations_step_ticks_the_call_declarations(client, dossier, applicant):
    from tests.factories.calls import CriterionFactory

    with scope(tenant=dossier.tenant):
        declaration = CriterionFactory(call=dossier.call, kind="declaration", field="",
                                       operator="", value=None,
                                       label="Je certifie être à jour de mes cotisations")
    client.force_login(applicant)
    page = client.get(url(dossier, "etapes/declarations/")).content.decode()
    assert "Je certifie être à jour de mes cotisations" in page
    client.post(url(dossier, "etapes/declarations/"), {"declarations": [str(declaration.pk)]})
    with scope(tenant=dossier.tenant):
        dossier.refresh_from_db()
    assert dossier.declarations == [declaration.pk]
    summary = client.get(url(dossier, "etapes/summary/"))
    assert [r.status for r in summary.context["check"].criteria] == ["pass"]


def test_documents_step_page_lists_requirements(client, dossier, requirement, applicant):
    client.force_login(applicant)
    page = client.get(url(dossier, "etapes/documents/")).content.decode()
    assert "Budget prévisionnel" in page
    assert "Formats acceptés : PDF. Taille maximale : 1 Mo." in page


def test_an_empty_new_draft_renders_every_step(client, tenant, call, structure, applicant):
    with scope(tenant=tenant):
        empty = DossierFactory(call=call, structure=structure, title="", summary="",
                               start_date=None, end_date=None)
    client.force_login(applicant)
    for step in ("project", "budget", "partners", "documents", "declarations", "summary"):
        assert client.get(url(empty, f"etapes/{step}/")).status_code == 200, step
    assert "Dossier sans titre" in client.get(url(empty)).content.decode()


def test_receipt_lists_documents_with_checksums(client, dossier, requirement, applicant):
    from pypdf import PdfReader

    client.force_login(applicant)
    upload(client, dossier, requirement, "budget.pdf", pdf_bytes())
    with scope(tenant=dossier.tenant):
        services.dossier_submit(user=applicant, dossier=dossier)
        attachment = Attachment.objects.get()
    response = client.get(url(dossier, "accuse-de-reception.pdf"))
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    flat = " ".join(text.split())
    assert dossier.reference in flat
    assert "Budget prévisionnel" in flat
    assert attachment.sha256[:32] in flat.replace(" ", "")


def test_posting_to_another_structures_dossier_changes_nothing(client, dossier, requirement):
    client.force_login(StructureMemberFactory().user)
    assert client.post(url(dossier, "etapes/project/"), {"title": "Piraté"}).status_code == 404
    assert upload(client, dossier, requirement, "x.pdf", pdf_bytes()).status_code == 404
    assert client.post(url(dossier, "retirer/")).status_code == 404
    assert client.post(url(dossier, "deposer/")).status_code == 404
    with scope(tenant=dossier.tenant):
        dossier.refresh_from_db()
        assert Attachment.objects.count() == 0
    assert (dossier.title, dossier.status) == ("Tournée coopérative en Occitanie", "draft")


# --- query bounds -----------------------------------------------------------------------------

#: Queries of an applicant's dossier page in the test settings (session, user, the dossier
#: with its decision, the user's structures, budget lines, partners, the timeline with whether
#: its authors are members, the memberships, documents, messages): the same with 1 or 8
#: budget lines, partners, messages and events.
DOSSIER_PAGE_QUERIES = 9
#: « Mes dossiers »: the session, the user, the dossiers of every region in one query.
MY_DOSSIERS_QUERIES = 3


def _add_to_dossier(dossier, applicant, n):
    from applications.models import DossierMessage
    from portal.audit import audit_log
    from tests.factories.applications import BudgetLineFactory, PartnerFactory

    with scope(tenant=dossier.tenant):
        for i in range(n):
            BudgetLineFactory(dossier=dossier, kind="expense", label=f"Dépense {i}",
                              amount=Decimal("100.00"), position=10 + i)
            PartnerFactory(dossier=dossier, name=f"Partenaire {i}")
            DossierMessage.objects.create(dossier=dossier, author=applicant, body=f"Message {i}")
            audit_log(tenant=dossier.tenant, actor=applicant, target=dossier,
                      action="applications.dossier.message_posted")


@pytest.mark.usefixtures("render_every_time")
def test_dossier_page_query_count_does_not_grow_with_its_content(client, dossier, applicant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(applicant)
    counts = []
    for n in (1, 7):
        _add_to_dossier(dossier, applicant, n)
        client.get(url(dossier))
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url(dossier))
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= DOSSIER_PAGE_QUERIES
    body = response.content.decode()
    assert "Partenaire 6" in body and len(response.context["dossier_messages"]) == 8
    assert len(response.context["timeline"]) >= 8


@pytest.mark.usefixtures("render_every_time")
def test_my_dossiers_query_count_does_not_grow_with_the_dossiers(client, dossier, applicant,
                                                                 other_tenant, structure):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(applicant)
    counts = []
    with scope(tenant=other_tenant):
        other_call = CallFactory(tenant=other_tenant, reference_code="STRU")
    for n in (1, 8):  # 2 then 10 dossiers, in two regions
        with scope(tenant=other_tenant):
            for _ in range(n):
                DossierFactory(call=other_call, structure=structure, title="En Occitanie")
        client.get("/structures/mes-dossiers/")
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/structures/mes-dossiers/")
        counts.append(len(ctx.captured_queries))
    assert len(response.context["dossiers"]) == 10
    assert counts[0] == counts[1] <= MY_DOSSIERS_QUERIES
