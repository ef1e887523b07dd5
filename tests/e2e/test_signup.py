"""A visitor signs up in Chromium, verifies the e-mail, logs in and sees "Mes espaces"."""

import re

import pytest
from django.core import mail

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "une-phrase-de-passe-solide-2026"


def test_signup_verify_login_and_see_my_spaces(page, live_server):
    from portal.models import User

    page.goto("/accounts/signup/")
    assert page.locator("h1").inner_text().strip() == "Création de compte"
    page.get_by_label("Prénom").fill("Françoise")
    page.get_by_label("Nom", exact=True).fill("Dupré-Château")
    page.get_by_label("Courriel").fill("label.lille@example.org")
    page.get_by_label("Mot de passe", exact=False).first.fill(PASSWORD)
    page.get_by_label("Mot de passe (confirmation)").fill(PASSWORD)
    page.get_by_role("button", name="Création de compte").click()

    page.wait_for_url(re.compile(r".*/accounts/confirm-email/$"))
    assert "Vérifiez votre adresse" in page.locator("h1").inner_text()
    assert str(User.objects.get(email="label.lille@example.org")) == "Françoise Dupré-Château"
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)

    page.goto(link)
    page.get_by_role("button", name="Confirmer").click()
    if "/accounts/login/" in page.url:  # a confirmation in another browser asks to log in
        page.get_by_label("Courriel").fill("label.lille@example.org")
        page.get_by_label("Mot de passe").fill(PASSWORD)
        page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(re.compile(r".*/mes-espaces/$"))
    assert page.locator("h1").inner_text() == "Mes espaces"
    assert page.locator("#name-prompt").count() == 0  # the name was given at sign-up

    # And again from scratch: log out, log in with the new account.
    page.get_by_role("button", name="Se déconnecter").click()
    page.goto("/accounts/login/")
    page.get_by_label("Courriel").fill("label.lille@example.org")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(re.compile(r".*/mes-espaces/$"))
    assert page.locator("h1").inner_text() == "Mes espaces"
