"""French typography on every HTML page of every role (the pages of the axe sweep, built from
the URL registry of tests/sweep_rules.py): no breaking space before « : ; ! ? » », none after
« « », « 1er » for the first of the month, times written « 9 h 14 »."""

import pytest

from portal.typography import (french_html, french_typography, text_of_html,
                               typography_violations)

pytestmark = pytest.mark.usefixtures("no_staff_2fa")


def test_the_rules_on_sentences():
    assert french_typography("Avant de publier : les dates ; prêt ? Oui !") == (
        "Avant de publier\u00a0: les dates\u202f; prêt\u202f? Oui\u202f!")
    assert french_typography("« Comité d'avril »") == "«\u202fComité d'avril\u202f»"
    # Nothing else moves: URLs, clock-like codes, a run of « ?! », already correct text.
    for kept in ("http://127.0.0.1:8000/a?b=1", "SHA-256 3f:2a", "Quoi\u202f?!",
                 "Note\u00a0: 12"):
        assert french_typography(kept) == kept
    assert typography_violations("le 1 décembre à 09:14 : fin") == [
        "espace insécable avant « : » : 'le 1 décembre à 09:14 : fin'",
        "« 1er » pour le premier du mois : 'le 1 décembre à 09:14 : fin'",
        "heure écrite « 9 h 14 » : 'le 1 décembre à 09:14 : fin'"]


@pytest.mark.django_db
def test_a_page_is_served_with_french_spacing(client, settings, tenant):
    settings.PORTAL_FRENCH_TYPOGRAPHY = True
    body = client.get(f"/{tenant.slug}/").content.decode()
    assert "Accessibilité\u00a0: non conforme" in body
    settings.LANGUAGE_CODE = "en"
    client.cookies["django_language"] = "en"
    assert "Accessibility\u00a0:" not in client.get(f"/{tenant.slug}/").content.decode()


def test_pages_keep_code_scripts_and_typed_text_as_they_are():
    page = ('<p>Motif :</p><code>a : b</code><script>x = a ? b : c;</script>'
            '<textarea>Déjà tapé : ici</textarea><input value="v : w">')
    assert french_html(page) == page.replace("Motif :", "Motif\u00a0:")


@pytest.mark.xdist_group("sweep")
def test_every_page_of_every_role_follows_french_typography(settings, sweep_site):
    settings.PORTAL_FRENCH_TYPOGRAPHY = True  # as in production and the demo
    problems, checked = {}, 0
    for role, url in sweep_site.pages():
        body = sweep_site.clients[role].get(url).content.decode()
        checked += 1
        found = typography_violations(text_of_html(body))
        if found:
            problems[f"{url} as {role}"] = found[:4]
    assert problems == {}
    assert checked > 80


@pytest.mark.django_db
def test_emails_follow_the_rules_in_french_only(settings, tenant):
    import portal.tasks  # noqa: F401  (registers the sending task when run alone)
    from django.core import mail
    from django_scopes import scope

    from portal.emails import render_and_send_invitation
    from tests.factories import InvitationFactory

    settings.PORTAL_FRENCH_TYPOGRAPHY = True
    with scope(tenant=tenant):
        render_and_send_invitation(InvitationFactory(tenant=tenant, email="lea@example.org"))
    message = mail.outbox[-1]
    assert typography_violations(message.subject + "\n" + message.body) == []
    assert typography_violations(text_of_html(message.alternatives[0][0])) == []
    assert "«\u202f" in message.body or "\u00a0:" in message.body


def test_pdfs_and_emails_in_english_are_left_alone(settings):
    from portal.typography import typeset_html, typeset_text

    settings.PORTAL_FRENCH_TYPOGRAPHY = True
    assert typeset_text("Note : 12", "en") == "Note : 12"
    assert typeset_text("Note : 12", "fr") == "Note\u00a0: 12"
    assert typeset_html("<p>Motif :</p>", "fr") == "<p>Motif\u00a0:</p>"
