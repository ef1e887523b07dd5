"""The character counter of the text areas with a limit (static/portal/textcount.js, loaded by
base.html under the strict CSP): it follows the typing and tells a screen reader the count
once the typing pauses."""

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from portal.textlimits import PRESENTATION
from tests.e2e.browsing import shot, sign_in
from tests.factories.applications import DossierFactory, StructureMemberFactory
from tests.factories.calls import CallFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NBSP = "\u00a0"


def test_the_counter_follows_the_typing_of_the_presentation(page, live_server, tenant,
                                                            applicant):
    structure = StructureMemberFactory(user=applicant).structure
    with scope(tenant=tenant):
        dossier = DossierFactory(call=CallFactory(tenant=tenant, slug="cooperation"),
                                 structure=structure, summary="")
    refused = []
    page.on("console", lambda m: refused.append(m.text) if m.type == "error" else None)
    sign_in(page.context, applicant, live_server.url)
    page.goto(f"/{tenant.slug}/dossiers/{dossier.pk}/etapes/project/")
    summary = page.locator("#id_summary")
    assert summary.get_attribute("maxlength") == str(PRESENTATION)
    hint = page.locator("#id_summary-count")
    assert hint.locator("[aria-hidden]").inner_text() == f"0 / 5{NBSP}000 caractères"
    assert hint.locator("[aria-live=polite]").count() == 1
    assert "id_summary-count" in summary.get_attribute("aria-describedby")
    summary.fill("Trois labels occitans mutualisent une tournée d’été : 12 dates.")
    typed = len("Trois labels occitans mutualisent une tournée d’été : 12 dates.")
    assert hint.locator("[aria-hidden]").inner_text() == f"{typed} / 5{NBSP}000 caractères"
    expect(hint.locator("[aria-live]")).to_have_text(f"{typed} / 5{NBSP}000 caractères")
    # the browser stops at the limit; the counter says it is reached
    summary.fill("é" * (PRESENTATION + 50))
    assert hint.locator("[aria-hidden]").inner_text() == f"5{NBSP}000 / 5{NBSP}000 caractères"
    summary.fill("")
    summary.type("ab")
    assert hint.locator("[aria-hidden]").inner_text() == f"2 / 5{NBSP}000 caractères"
    assert "fr-error-text" not in hint.get_attribute("class")
    shot(page, "text-counter")
    # a longer text kept from a refused save (sent without the browser) shows as an error
    with scope(tenant=tenant):
        dossier.draft_data = {"project": {"title": ["Tournée"],
                                          "summary": ["é" * (PRESENTATION + 50)]}}
        dossier.save(update_fields=["draft_data"])
    page.reload()
    assert hint.locator("[aria-hidden]").inner_text() == f"5{NBSP}050 / 5{NBSP}000 caractères"
    assert "fr-error-text" in hint.get_attribute("class")
    shot(page, "text-counter-over")
    assert not [m for m in refused if "Content Security Policy" in m], refused
