"""In Chromium: a national officer reads the figures of two regions (axe-core clean) and
downloads the XLSX export from the page."""

import pytest
from playwright.sync_api import expect

from tests.e2e.browsing import shot, sign_in
from tests.e2e.test_axe_all_pages import serious_violations
from tests.national.test_national import _region, national_officer, regions  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("no_staff_2fa")]


def test_the_national_officer_reads_and_exports_the_figures(browser, live_server, regions,
                                                            national_officer):  # noqa: F811
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris",
                                  base_url=live_server.url, accept_downloads=True)
    sign_in(context, national_officer, live_server.url)
    page = context.new_page()
    try:
        page.goto("/mes-espaces/")
        page.get_by_role("link", name="Vue nationale des contrats de filière").click()
        expect(page.get_by_role("heading", name="Vue nationale des contrats de filière")).to_be_visible()
        expect(page.locator("#national-pipeline svg")).to_be_visible()
        expect(page.locator("main, body").first).to_contain_text("Structuration Occitanie")
        assert "Les Voix de la Somme" not in page.content()
        shot(page, "national-view")
        # every table fits the page (the mentoring table had a column per need state)
        overflowing = page.evaluate("""() => [...document.querySelectorAll('main table')]
            .filter(t => t.getBoundingClientRect().right > document.documentElement.clientWidth)
            .map(t => t.caption ? t.caption.textContent.trim() : t.outerHTML.slice(0, 80))""")
        assert overflowing == []
        assert serious_violations(page) == []
        with page.expect_download() as download:
            page.get_by_role("link", name="Exporter les chiffres (XLSX)").click()
        assert download.value.suggested_filename == "chiffres-nationaux.xlsx"
    finally:
        context.close()
