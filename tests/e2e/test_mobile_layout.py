"""At 375 px (a small phone), the main pages of each role never scroll sideways, and the
instruction dashboard shows its results near the top (its filters fold away)."""

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests.e2e.browsing import shot
from tests.sweep_rules import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("no_staff_2fa")]

WIDTH, HEIGHT = 375, 812

#: The page's width beyond the viewport, and the elements that stick out (for the message).
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  document.querySelectorAll('main *, header *, footer *').forEach(el => {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 1 && getComputedStyle(el).position !== 'fixed') {
      let clipped = false;
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const s = getComputedStyle(p);
        if (['auto', 'scroll', 'hidden', 'clip'].includes(s.overflowX)
            && p.getBoundingClientRect().right <= width + 1) { clipped = true; break; }
      }
      if (!clipped) out.push((el.tagName + '.' + el.className).slice(0, 80) + ' → ' + Math.round(box.right));
    }
  });
  return {scroll: document.documentElement.scrollWidth - width, out: out.slice(0, 5)};
}"""


def _pages(w):
    a = w.a.slug
    return {
        "applicant_a": ["/mes-espaces/", f"/{a}/", f"/{a}/appels/", f"/{a}/appels/{w.call.slug}/",
                        f"/{a}/dossiers/", f"/{a}/dossiers/{w.dossier.pk}/"],
        "instructor_a": [f"/{a}/instruction/", f"/{a}/instruction/dossiers/{w.dossier.pk}/"],
        "admin_a": [f"/{a}/comites/{w.session.pk}/", f"/{a}/gestion/appels/{w.call.slug}/"],
    }


def test_main_pages_do_not_scroll_sideways_at_375_px_and_results_come_first(browser,
                                                                          live_server):
    w = build_world()
    problems = {}
    for role, paths in _pages(w).items():
        client = Client()
        client.force_login(getattr(w, role))
        context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris",
                                      base_url=live_server.url,
                                      viewport={"width": WIDTH, "height": HEIGHT})
        context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME,
                              "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                              "url": live_server.url}])
        page = context.new_page()
        try:
            for path in paths:
                assert page.goto(path).status == 200, path
                shot(page, f"375-{role}-{path.strip('/').replace('/', '-')}")
                result = page.evaluate(OVERFLOW)
                if result["scroll"] > 0:
                    problems[f"{path} as {role}"] = result
                if path.endswith("/instruction/"):
                    top = page.evaluate(
                        "() => document.querySelector('#dashboard-results, main table')"
                        ".getBoundingClientRect().top + window.scrollY")
                    if top > 1.5 * HEIGHT:
                        problems[f"{path} results"] = f"the results start at {top} px"
        finally:
            context.close()
    assert problems == {}
