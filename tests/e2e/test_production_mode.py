"""Under production settings (DEBUG off, static files collected with the manifest storage and
served by WhiteNoise: tests/e2e/production.py) each role's main pages are styled by the DSFR —
its stylesheets load, pass their integrity check and apply — with no console error, no failed
request and no refused resource."""

import pytest
from django.urls import reverse

from tests.e2e.browsing import shot, sign_in
from tests.sweep_rules import RULES, build_world

#: On the xdist worker of test_role_journeys.py: `collected_static` is collected once for both.
pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.xdist_group("production"),
              pytest.mark.usefixtures("no_staff_2fa")]

#: role → its main pages (URL names of the sweep's registry, built on the sweep's world).
MAIN_PAGES = {
    "anonymous": ["portal:platform_home", "portal:tenant_home", "calls:call_index",
                  "calls:call_detail"],
    "applicant_a": ["portal:my_spaces", "structures:list", "structures:detail",
                    "structures:my_dossiers", "applications:dossier_detail",
                    "applications:dossier_step", "mentoring:my_needs"],
    "instructor_a": ["reviews:dashboard", "reviews:dossier", "reviews:assignments",
                     "reviews:conflicts"],
    "committee_a": ["reviews:session_list", "reviews:session", "reviews:decision_record"],
    "pilot_a": ["mentoring:dashboard", "mentoring:pilot_needs", "mentoring:pilot_need",
                "mentoring:resources", "mentoring:engagements", "mentoring:engagement"],
    "admin_a": ["portal:manage_overview", "portal:manage_members", "portal:manage_audit_log",
                "calls:manage_call_list", "calls:manage_call", "calls:manage_call_edit"],
    "platform_admin": ["portal:platform_tenants", "portal:platform_tenant_create",
                       "portal:platform_tenant_edit"],
}

#: What the DSFR's stylesheet does to a page once applied (unstyled: Times, no layout).
STYLE_PROBE = """() => {
  const body = getComputedStyle(document.body);
  const logo = document.querySelector('.fr-header .fr-logo');
  const container = document.querySelector('.fr-container');
  const sheets = [...document.querySelectorAll('link[rel=stylesheet]')].map(
      link => ({href: link.getAttribute('href'), loaded: link.sheet !== null,
                integrity: link.integrity}));
  return {
    font: body.fontFamily,
    logo: logo ? getComputedStyle(logo).textTransform : null,
    containerMax: container ? getComputedStyle(container).maxWidth : null,
    sheets: sheets,
  };
}"""


def _url(name, world):
    from tests.sweep_rules import url_entries

    entry = next(e for e in url_entries() if e.name == name)
    kwargs = dict(RULES[name].kwargs(world))
    if entry.takes_tenant:
        kwargs["tenant_slug"] = world.a.slug
    return reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("role", list(MAIN_PAGES))
def test_main_pages_are_styled_by_the_dsfr_in_production_mode(role, browser, production_server):
    world = build_world()
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris",
                                  base_url=production_server.url)
    if role != "anonymous":
        sign_in(context, getattr(world, role), production_server.url)
    page = context.new_page()
    page.set_default_timeout(15000)
    problems: list[str] = []
    page.on("console", lambda m: m.type in ("error", "warning")
            and problems.append(f"console {m.type}: {m.text}"))
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    # The browser's own favicon fetch, cut short when the test moves to the next page at once,
    # is not a failure of the page (seen on a fast run: favicon.<hash>.ico net::ERR_ABORTED).
    page.on("requestfailed", lambda r: None if (
        r.failure == "net::ERR_ABORTED" and "/favicon" in r.url)
        else problems.append(f"failed: {r.url} {r.failure}"))
    page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status}: {r.url}"))
    try:
        for name in MAIN_PAGES[role]:
            url = _url(name, world)
            response = page.goto(url)
            assert response.status == 200, f"{url} as {role}: {response.status}"
            page.wait_for_load_state("load")
            probe = page.evaluate(STYLE_PROBE)
            assert "Marianne" in probe["font"], (url, probe)
            assert probe["logo"] == "uppercase", (url, probe)  # « RÉPUBLIQUE FRANÇAISE »
            assert probe["containerMax"] == "1248px", (url, probe)  # 78rem, at 1280 px wide
            # Hashed names (manifest storage) with their integrity, every sheet applied.
            dsfr = [s for s in probe["sheets"] if "/dsfr/dist/" in s["href"]]
            assert len(dsfr) == 2, (url, probe["sheets"])
            for sheet in probe["sheets"]:
                assert sheet["loaded"], (url, sheet)
            for sheet in dsfr:
                assert sheet["integrity"].startswith("sha384-"), (url, sheet)
                assert sheet["href"].endswith(".css") and sheet["href"].count(".") >= 3, sheet
            shot(page, f"production-{role}-{name.replace(':', '-')}")
    finally:
        context.close()
    assert problems == []
