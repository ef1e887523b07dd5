"""axe-core in Chromium: no serious or critical violation on the applicant's pages."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_scopes import scope

from tests.factories.applications import (DossierFactory, StructureMemberFactory,
                                          balanced_budget)
from tests.factories.calls import CallFactory, CategoryFactory, DocumentRequirementFactory
from tests.factories.portal import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Axe()


def serious_violations(page) -> list[str]:
    results = AXE.run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def test_applicant_pages_have_no_serious_violation(page, tenant, applicant):
    structure = StructureMemberFactory(user=applicant).structure
    with scope(tenant=tenant):
        call = CallFactory(tenant=tenant, slug="cooperation")
        category = CategoryFactory(call=call, min_partners=2)
        DocumentRequirementFactory(call=call, label="Budget prévisionnel")
        dossier = balanced_budget(DossierFactory(call=call, structure=structure,
                                                 category=category))
    page.goto("/accounts/login/")
    page.fill("input[name=login]", applicant.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/mes-espaces/")
    base = f"/{tenant.slug}/dossiers/{dossier.pk}"
    problems = {}
    for path in ["/structures/", "/structures/nouvelle/", f"/structures/{structure.pk}/",
                 "/structures/mes-dossiers/", f"/{tenant.slug}/appels/cooperation/deposer/",
                 f"/{tenant.slug}/dossiers/", f"{base}/", f"{base}/etapes/project/",
                 f"{base}/etapes/budget/", f"{base}/etapes/partners/",
                 f"{base}/etapes/documents/", f"{base}/etapes/declarations/",
                 f"{base}/etapes/summary/"]:
        page.goto(path)
        found = serious_violations(page)
        if found:
            problems[path] = found
    assert problems == {}
