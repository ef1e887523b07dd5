"""In Chromium: a PDF that runs JavaScript and a zip bomb named .docx are refused on the
documents step, each reason under its own document's field, nothing listed as received
(issue 13 finding 12)."""

import pytest
from django.urls import reverse
from django_scopes import scope

from tests.applications.test_uploads import _office, _open_action_js, _pdf
from tests.e2e.browsing import shot, sign_in
from tests.factories import CallFactory, TenantFactory
from tests.factories.applications import DossierFactory, StructureMemberFactory
from tests.factories.calls import DocumentRequirementFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_active_pdf_and_zip_bomb_are_refused_on_the_documents_step(page, live_server):
    tenant = TenantFactory(slug="occitanie", name="Occitanie", region_code="76")
    with scope(tenant=tenant):
        call = CallFactory(tenant=tenant, slug="cooperation")
        budget = DocumentRequirementFactory(call=call, label="Budget prévisionnel",
                                            allowed_formats=["pdf"], max_size_mb=1)
        artistic = DocumentRequirementFactory(call=call, label="Dossier artistique",
                                              allowed_formats=["docx"], max_size_mb=1)
        dossier = DossierFactory(call=call)
        member = StructureMemberFactory(structure=dossier.structure)
    sign_in(page.context, member.user, live_server.url)
    page.goto(live_server.url + reverse("applications:dossier_step", kwargs={
        "tenant_slug": tenant.slug, "pk": dossier.pk, "step": "documents"}))

    page.locator(f"#id_req{budget.pk}-file").set_input_files(
        {"name": "Budget prévisionnel 2026.pdf", "mimeType": "application/pdf",
         "buffer": _pdf(_open_action_js)})
    page.locator(f"#id_req{budget.pk}-file").locator(
        "xpath=ancestor::form").get_by_role("button", name="Téléverser").click()
    section = page.locator("section, div.fr-upload-group, form").filter(
        has=page.locator(f"#id_req{budget.pk}-file")).last
    assert ("Le PDF « Budget prévisionnel 2026.pdf » contient du code actif"
            in section.inner_text())
    shot(page, "upload-refused-active-pdf")

    page.locator(f"#id_req{artistic.pk}-file").set_input_files(
        {"name": "Dossier artistique.docx",
         "mimeType": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "buffer": _office([("document.xml", b"\0" * (20 * 1024 * 1024))])})
    page.locator(f"#id_req{artistic.pk}-file").locator(
        "xpath=ancestor::form").get_by_role("button", name="Téléverser").click()
    section = page.locator("section, div.fr-upload-group, form").filter(
        has=page.locator(f"#id_req{artistic.pk}-file")).last
    assert "« Dossier artistique.docx » se décompresse en un volume anormal" in section.inner_text()
    assert "code actif" not in section.inner_text()
    shot(page, "upload-refused-zip-bomb")
    with scope(tenant=tenant):
        assert not dossier.attachments.exists()
