"""An instructor's morning under production settings, with the pages portal.pagecache keeps:
the dashboard read again comes from the cache, its forms still post (their CSRF tokens), and
each change shows at once, its flash message once."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.e2e.browsing import shot, sign_in
from tests.sweep_rules import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.xdist_group("production"),
              pytest.mark.usefixtures("no_staff_2fa")]

VIEW = "Dossiers d’été à revoir — priorité"


def _kept_pages() -> int:
    return sum(1 for key in cache._cache if ":page:" in key)  # the local-memory cache of tests


def _text(page) -> str:
    """The page's text, its no-break spaces as spaces (the typography is tested elsewhere)."""
    return page.locator("body").inner_text().replace("\u202f", " ").replace("\u00a0", " ")


def _open_fold(page) -> None:
    """The fold of the exports and saved views (open by itself on a wide screen)."""
    fold = page.locator("details", has_text="Exporter la liste, enregistrer la vue")
    if not fold.evaluate("d => d.open"):
        fold.locator("summary").click()


def test_the_dashboard_read_again_still_posts_and_shows_each_change(browser, production_server):
    world = build_world()
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris",
                                  base_url=production_server.url)
    sign_in(context, world.instructor_a, production_server.url)
    page = context.new_page()
    page.set_default_timeout(15000)
    errors: list[str] = []
    page.on("response", lambda r: r.status >= 400 and errors.append(f"{r.status}: {r.url}"))
    dashboard = reverse("reviews:dashboard", kwargs={"tenant_slug": world.a.slug})
    try:
        page.goto(dashboard)  # the first page gives the browser its CSRF cookie
        kept_before = _kept_pages()
        page.goto(dashboard)
        assert _kept_pages() == kept_before + 1  # this one was kept
        page.locator("td.reviews-ref a").first.click()
        page.wait_for_load_state("load")
        page.go_back()
        page.wait_for_load_state("load")
        _open_fold(page)
        page.get_by_label("Nom de la vue").fill(VIEW)
        page.get_by_role("button", name="Enregistrer cette vue").click()
        page.wait_for_load_state("load")
        body = _text(page)
        assert f"Vue « {VIEW} » enregistrée." in body, body[:2000]
        shot(page, "kept-pages-view-saved")
        page.reload()
        body = _text(page)
        assert "enregistrée." not in body  # the message was shown once
        _open_fold(page)
        assert page.get_by_role("button", name=f"Supprimer {VIEW}").is_visible()
        page.reload()  # read again: from the cache, with the view saved
        _open_fold(page)
        page.get_by_role("button", name=f"Supprimer {VIEW}").click()
        page.wait_for_load_state("load")
        body = _text(page)
        assert f"Vue « {VIEW} » supprimée." in body
        page.reload()
        assert VIEW not in _text(page)
        shot(page, "kept-pages-view-deleted")
    finally:
        context.close()
    assert errors == []
