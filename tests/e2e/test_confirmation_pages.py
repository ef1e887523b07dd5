"""The confirmation steps of irreversible actions in Chromium: no serious axe-core violation,
and the confirming button is reached with Tab and pressed with Enter (no script needed)."""

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django_scopes import scope

from tests.e2e.browsing import shot
from tests.e2e.test_axe_all_pages import serious_violations
from tests.sweep_rules import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("no_staff_2fa")]


def _context(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris",
                                  base_url=live_server.url)
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                          "url": live_server.url}])
    return context


def test_confirmation_steps_are_accessible_and_work_with_the_keyboard(browser, live_server):
    from calls.enums import CallStatus
    from calls.models import DocumentRequirement

    w = build_world()
    a = w.a.slug
    steps = [
        (w.admin_a, f"/{a}/gestion/appels/{w.call.slug}/cloturer/", "Clore l'appel"),
        (w.admin_a, f"/{a}/gestion/appels/{w.call.slug}/pieces/{w.requirement.pk}/supprimer/",
         "Supprimer définitivement"),
        (w.admin_a, f"/{a}/comites/{w.session.pk}/cloture/", "Clore définitivement la séance"),
        (w.instructor_a, f"/{a}/instruction/dossiers/{w.dossier.pk}/rapporteurs/"
                         f"{w.assignment.pk}/retirer/", "Retirer le ou la rapporteur·rice"),
    ]
    problems = {}
    for user, url, button in steps:
        context = _context(browser, live_server, user)
        page = context.new_page()
        page.set_default_timeout(15000)
        try:
            assert page.goto(url).status == 200, url
            shot(page, "confirm-" + url.strip("/").replace("/", "-"))
            found = serious_violations(page)
            if found:
                problems[url] = found
            # Tab through the page until the confirming button has the focus.
            for _ in range(80):
                page.keyboard.press("Tab")
                if page.evaluate("() => document.activeElement.textContent.trim()") == button:
                    break
            else:
                problems[url] = [f"« {button} » is not reached with Tab"]
        finally:
            context.close()
    assert problems == {}

    # Enter on the focused button confirms: the piece (used by a dossier) is refused with its
    # reason, then the call is closed.
    answers = []
    for user, url, button in (steps[1], steps[0]):
        context = _context(browser, live_server, user)
        page = context.new_page()
        try:
            page.goto(url)
            page.get_by_role("button", name=button).focus()
            with page.expect_navigation():
                page.keyboard.press("Enter")
            answers.append(page.locator("body").inner_text())
        finally:
            context.close()
    assert "est utilisé par des dossiers" in answers[0] and "Appel clos." in answers[1]
    with scope(tenant=w.a):
        assert DocumentRequirement.objects.filter(pk=w.requirement.pk).exists()
        w.call.refresh_from_db()
        assert w.call.status == CallStatus.CLOSED
