"""In Chromium, script on, with a real Celery worker: the applicant asks for the dossier's PDF
from its page, lands on the export's page, which follows the worker by itself and then offers
the file; the download is the PDF the worker laid out (issue 13, finding 5)."""

import pytest
from django.urls import reverse
from django_scopes import scope
from playwright.sync_api import expect

from tests.e2e.browsing import shot, sign_in
from tests.factories import CallFactory, TenantFactory
from tests.factories.applications import DossierFactory, StructureMemberFactory, balanced_budget

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_the_export_page_follows_the_worker_and_offers_the_pdf(browser, live_server,
                                                               celery_worker):
    from applications.models import DossierExport

    tenant = TenantFactory(slug="occitanie", name="Occitanie", region_code="76")
    with scope(tenant=tenant):
        call = CallFactory(tenant=tenant, slug="cooperation")
        dossier = balanced_budget(DossierFactory(call=call, title="Tournée « Les Suds » 2026"))
        member = StructureMemberFactory(structure=dossier.structure)
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris",
                                  base_url=live_server.url, accept_downloads=True)
    sign_in(context, member.user, live_server.url)
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(reverse("applications:dossier_detail",
                      kwargs={"tenant_slug": tenant.slug, "pk": dossier.pk}))
    page.get_by_role("button", name="Exporter le dossier (PDF)").click()
    page.wait_for_url("**/export/*/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Export PDF du dossier")
    # the worker finishes; the page, polling, reloads by itself and offers the file
    link = page.locator("#export-download")
    expect(link).to_be_visible()
    expect(link).to_contain_text("Télécharger le dossier (PDF, ")
    shot(page, "dossier-export-ready")
    with page.expect_download() as info:
        link.click()
    download = info.value
    with scope(tenant=tenant):
        export = DossierExport.objects.get()
    assert download.suggested_filename == f"dossier-{dossier.pk}.pdf"
    content = open(download.path(), "rb").read()
    assert content.startswith(b"%PDF") and len(content) == export.size
    assert "applications.dossier_export" in celery_worker.log.read_text()

    # An export still queued (its task held back): the page says so, then, once laid out,
    # shows the download by itself, the page polling its state.
    with scope(tenant=tenant):
        held = DossierExport.objects.create(tenant=tenant, dossier=dossier,
                                            requested_by=member.user)
    page.goto(reverse("applications:dossier_export_job", kwargs={
        "tenant_slug": tenant.slug, "pk": dossier.pk, "export_pk": held.pk}))
    expect(page.locator("#export-status")).to_have_text("État : En attente.")
    with scope(tenant=tenant):
        from applications.exports import export_run

        export_run(export_id=held.pk)  # what the worker does
    expect(page.locator("#export-download")).to_be_visible()
    assert errors == []
    context.close()
