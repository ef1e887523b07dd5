"""Accounts through django-allauth, end to end with the test client: sign-up with e-mail
verification, login, logout, password reset and change, TOTP two-factor (required for
staff), failed-login throttling. Pages are checked for their DSFR markup and French texts."""

import re
from urllib.parse import quote

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (SECRET_SESSION_KEY, TOTP, format_hotp_value,
                                            hotp_value, yield_hotp_counters_from_time)
from django.core import mail

from portal.models import User
from tests.factories import UserFactory
from tests.factories.portal import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "une-autre-phrase-secrete-2026"
NAMES = {"first_name": "  Marie-Hélène ", "last_name": "Lefèvre-Dupont"}


def totp_code(secret: str) -> str:
    """The current code an authenticator app would show, computed with allauth's helpers."""
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


def log_in(client, email, password=PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password})


def link_in(message) -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def reauthenticate(client, password=PASSWORD):
    """allauth asks for the password again before a security change (TOTP activation)."""
    response = client.get("/accounts/2fa/totp/activate/")
    if response.status_code == 200:
        return  # reauthenticated a moment ago
    assert response.url == "/accounts/reauthenticate/?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F"
    response = client.post(response.url, {"password": password})
    assert response.status_code == 302


def enrol_totp(client) -> str:
    """Activate TOTP for the logged-in user as the activation page does; return the secret."""
    reauthenticate(client)
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response.status_code == 302, response.content.decode()
    return secret


# --- Sign-up and e-mail verification ------------------------------------------------------

def test_signup_asks_first_and_last_name_before_the_email(client):
    html = client.get("/accounts/signup/").content.decode()
    positions = [html.index(f'for="id_{name}"') for name in
                 ("first_name", "last_name", "email", "password1", "password2")]
    assert positions == sorted(positions)
    assert re.search(r'<label for="id_first_name" class="fr-label">\s*Prénom\s*</label>', html)
    assert 'autocomplete="family-name"' in html


def test_signup_without_a_name_is_refused_and_keeps_the_input(client):
    response = client.post("/accounts/signup/", {
        "first_name": "   ", "last_name": "", "email": "sans.nom@example.org",
        "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    html = response.content.decode()
    assert response.status_code == 200
    assert '<li class="fr-error-text">Indiquez votre prénom.</li>' in html
    assert 'value="sans.nom@example.org"' in html
    assert not User.objects.filter(email="sans.nom@example.org").exists()


def test_signup_page_is_dsfr_and_french(client):
    html = client.get("/accounts/signup/").content.decode()
    assert re.search(r"<h1>\s*Création de compte\s*</h1>", html)
    assert 'class="fr-input-group"' in html
    assert '<label for="id_email" class="fr-label">' in html
    assert 'class="fr-input"' in html and 'class="fr-btn"' in html
    assert "Mot de passe (confirmation)" in html


def test_signup_sends_verification_mail_then_confirmation_logs_in(client):
    response = client.post("/accounts/signup/", {
        **NAMES, "email": "Label.Nord@example.org", "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.url == "/accounts/confirm-email/"
    user = User.objects.get(email__iexact="label.nord@example.org")
    assert (user.first_name, user.last_name, str(user)) == (
        "Marie-Hélène", "Lefèvre-Dupont", "Marie-Hélène Lefèvre-Dupont")
    assert EmailAddress.objects.get(user=user).verified is False
    # Mandatory verification: not logged in yet.
    assert client.get("/mes-espaces/").status_code == 302
    assert "Vérifiez votre adresse e-mail" in client.get("/accounts/confirm-email/").content.decode() \
        or client.get("/accounts/confirm-email/").status_code == 200

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["label.nord@example.org"]
    assert message.subject.startswith("[Portail filière musiques] ")
    confirm_url = link_in(message)
    assert "Confirmer" in client.get(confirm_url).content.decode()
    response = client.post(confirm_url)
    assert response.status_code == 302
    assert EmailAddress.objects.get(user=user).verified is True
    response = client.get("/mes-espaces/")
    assert response.status_code == 200
    assert "<h1>Mes espaces</h1>" in response.content.decode()


def test_confirmed_user_can_log_in_from_another_browser(client):
    client.post("/accounts/signup/", {
        **NAMES, "email": "label@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    confirm_url = link_in(mail.outbox[0])
    client.post(confirm_url)
    client.logout()
    response = log_in(client, "label@example.org", NEW_PASSWORD)
    assert response.status_code == 302
    assert response.url == "/mes-espaces/"


def test_unverified_user_cannot_log_in(client):
    UserFactory(email="pending@example.org", verified=False)
    EmailAddress.objects.create(user=User.objects.get(email="pending@example.org"),
                                email="pending@example.org", verified=False, primary=True)
    response = log_in(client, "pending@example.org")
    assert response.status_code == 302
    assert response.url == "/accounts/confirm-email/"
    assert client.get("/mes-espaces/").status_code == 302


def test_signup_with_mismatched_passwords_shows_error_next_to_field_and_keeps_input(client):
    response = client.post("/accounts/signup/", {
        **NAMES, "email": "keep.me@example.org", "password1": NEW_PASSWORD, "password2": "autre-chose-123"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="keep.me@example.org"' in html
    assert re.search(r'<div class="fr-input-group fr-input-group--error">\s*'
                     r'<label for="id_password2"', html)
    assert '<li class="fr-error-text">Vous devez saisir deux fois le même mot de passe.</li>' in html
    assert 'aria-describedby="id_password2-desc-error"' in html
    assert "Le formulaire contient des erreurs" in html
    assert not User.objects.filter(email="keep.me@example.org").exists()


def test_signup_with_invalid_email_names_the_field(client):
    response = client.post("/accounts/signup/", {
        **NAMES, "email": "pas-une-adresse", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="pas-une-adresse"' in html
    assert re.search(r'<div class="fr-input-group fr-input-group--error">\s*'
                     r'<label for="id_email"', html)
    assert '<li class="fr-error-text">Saisissez une adresse de courriel valide.</li>' in html
    assert User.objects.count() == 0


def test_signup_with_an_email_already_used_creates_nothing_and_warns_the_owner(client, applicant):
    """No account enumeration (allauth's ACCOUNT_PREVENT_ENUMERATION): the form answers as for
    a new address, no second account is created and the owner is told by e-mail."""
    response = client.post("/accounts/signup/", {
        **NAMES, "email": "candidate@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.url == "/accounts/confirm-email/"
    assert User.objects.filter(email__iexact="candidate@example.org").count() == 1
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["candidate@example.org"], "[Portail filière musiques] Ce compte existe déjà")]
    assert "/accounts/password/reset/" in mail.outbox[0].body


def test_signup_with_a_weak_password_is_refused(client):
    response = client.post("/accounts/signup/", {
        **NAMES, "email": "weak@example.org", "password1": "12345", "password2": "12345"})
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<div class="fr-input-group fr-input-group--error">\s*'
                     r'<label for="id_password1"', html)
    assert "Ce mot de passe est trop court. Il doit contenir au minimum 10 caractères." in html


# --- Login / logout ---------------------------------------------------------------------------

def test_login_page_is_dsfr_and_french(client):
    html = client.get("/accounts/login/").content.decode()
    assert "<title>" in html and "Connexion" in html
    assert '<label for="id_login" class="fr-label">' in html
    assert '<input type="email" name="login"' in html and 'class="fr-input"' in html
    assert '<a href="/accounts/password/reset/">Mot de passe oublié ?</a>' in html
    assert 'class="fr-checkbox-group fr-mb-2w"' in html


def test_login_and_logout(client, applicant):
    response = log_in(client, "candidate@example.org")
    assert response.status_code == 302
    assert response.url == "/mes-espaces/"
    assert client.get("/mes-espaces/").status_code == 200
    # Logout is a POST (the header button); GET only asks for confirmation.
    assert client.get("/accounts/logout/").status_code == 200
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/mes-espaces/").status_code == 302


def test_login_with_wrong_password_keeps_email_and_says_why(client, applicant):
    response = log_in(client, "candidate@example.org", "mauvais-mot-de-passe")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="candidate@example.org"' in html
    assert "L’adresse e-mail ou le mot de passe sont incorrects." in html or \
        "L'adresse e-mail ou le mot de passe sont incorrects." in html
    assert 'class="fr-alert fr-alert--error fr-mb-3w" role="alert"' in html


# --- Throttling --------------------------------------------------------------------------------

def test_failed_logins_are_throttled_per_account(client, applicant):
    """ACCOUNT_RATE_LIMITS login_failed 5/5m/key: the 6th attempt is refused, even with the
    right password."""
    for _ in range(5):
        response = log_in(client, "candidate@example.org", "mauvais-mot-de-passe")
        assert "Trop de tentatives" not in response.content.decode()
    response = log_in(client, "candidate@example.org", PASSWORD)
    assert response.status_code == 200
    assert "Trop de tentatives de connexion échouées. Veuillez réessayer ultérieurement." in \
        response.content.decode()
    assert client.get("/mes-espaces/").status_code == 302


def test_login_posts_are_throttled_per_ip_with_429(client):
    """ACCOUNT_RATE_LIMITS login 30/m/ip: the 31st login POST from one address answers 429."""
    for n in range(30):
        assert log_in(client, f"someone{n}@example.org", "x").status_code == 200
    response = log_in(client, "someone-else@example.org", "x")
    assert response.status_code == 429
    assert "Trop de requêtes" in response.content.decode()


# --- Password reset and change -----------------------------------------------------------------

def test_password_reset_by_mail_then_login_with_new_password(client, applicant):
    response = client.post("/accounts/password/reset/", {"email": "candidate@example.org"})
    assert response.status_code == 302
    assert response.url == "/accounts/password/reset/done/"
    assert len(mail.outbox) == 1
    reset_url = link_in(mail.outbox[0])
    response = client.get(reset_url)  # allauth moves the key to the session, then redirects
    assert response.status_code == 302
    form_url = response.url
    html = client.get(form_url).content.decode()
    assert '<label for="id_password1" class="fr-label">' in html
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.url == "/accounts/password/reset/key/done/"
    client.logout()
    assert log_in(client, "candidate@example.org", PASSWORD).status_code == 200
    response = log_in(client, "candidate@example.org", NEW_PASSWORD)
    assert response.status_code == 302 and response.url == "/mes-espaces/"


def test_password_reset_with_unknown_address_sends_no_link(client):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert all("/accounts/password/reset/key/" not in m.body for m in mail.outbox)


def test_password_change(client, applicant):
    log_in(client, "candidate@example.org")
    response = client.post("/accounts/password/change/", {
        "oldpassword": "faux", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<div class="fr-input-group fr-input-group--error">\s*'
                     r'<label for="id_oldpassword"', html)
    response = client.post("/accounts/password/change/", {
        "oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.check_password(NEW_PASSWORD)


def test_email_management_page_is_dsfr(client, applicant):
    log_in(client, "candidate@example.org")
    html = client.get("/accounts/email/").content.decode()
    assert "Adresses e-mail" in html
    assert 'class="fr-radio-group fr-mb-2w"' in html
    assert "fr-badge--success" in html


# --- Two-factor authentication -----------------------------------------------------------------

def test_applicant_enrols_totp_and_is_then_asked_for_the_code(client, applicant):
    log_in(client, "candidate@example.org")
    reauthenticate(client)
    html = client.get("/accounts/2fa/totp/activate/").content.decode()
    assert "Activer l'application d'authentification" in html or \
        "Activer l’application d’authentification" in html
    assert 'class="portal-qr fr-mb-2w" src="data:image/svg+xml;base64,' in html
    assert '<label for="id_code" class="fr-label">' in html
    # A wrong code is refused next to the field.
    response = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    assert response.status_code == 200
    assert re.search(r'fr-input-group--error">\s*<label for="id_code"', response.content.decode())
    secret = enrol_totp(client)
    assert Authenticator.objects.filter(user=applicant, type="totp").count() == 1
    assert Authenticator.objects.filter(user=applicant, type="recovery_codes").count() == 1

    client.post("/accounts/logout/")
    response = log_in(client, "candidate@example.org")
    assert response.status_code == 302
    assert response.url == "/accounts/2fa/authenticate/"
    assert client.get("/mes-espaces/").status_code == 302  # not logged in before the code
    page = client.get("/accounts/2fa/authenticate/").content.decode()
    assert "Authentification à deux facteurs" in page
    assert 'class="fr-input"' in page
    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert response.status_code == 200
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secret)})
    assert response.status_code == 302 and response.url == "/mes-espaces/"
    assert client.get("/mes-espaces/").status_code == 200


def test_mfa_pages_render_in_dsfr(client, applicant):
    log_in(client, "candidate@example.org")
    html = client.get("/accounts/2fa/").content.decode()
    assert 'class="fr-card fr-card--no-arrow fr-mb-3w portal-account-panel"' in html
    assert "Application d'authentification" in html or "Application d’authentification" in html
    enrol_totp(client)
    html = client.get("/accounts/2fa/recovery-codes/").content.decode()
    assert '<textarea class="fr-input"' in html
    html = client.get("/accounts/2fa/totp/deactivate/").content.decode()
    assert 'class="fr-btn' in html


@pytest.fixture
def staff(tenant, make_member):
    user = make_member(tenant, "instructor")
    user.email = "officer@example.org"
    user.save(update_fields=["email"])
    EmailAddress.objects.filter(user=user).update(email="officer@example.org")
    return user


def test_staff_without_totp_is_sent_to_enrolment(client, tenant, staff, settings):
    settings.PORTAL_REQUIRE_STAFF_2FA = True
    log_in(client, "officer@example.org")
    for path in (f"/{tenant.slug}/", "/mes-espaces/", "/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.url == f"/accounts/2fa/totp/activate/?next={quote(path, safe='')}"
    # The enrolment pages themselves stay reachable (allauth first asks for the password again).
    assert client.get("/accounts/2fa/totp/activate/").url.startswith("/accounts/reauthenticate/")
    assert client.get("/accounts/reauthenticate/").status_code == 200


def test_platform_admin_without_totp_is_sent_to_enrolment(client, platform_admin, settings):
    settings.PORTAL_REQUIRE_STAFF_2FA = True
    log_in(client, "operator@example.org")
    response = client.get("/plateforme/contrats/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/2fa/totp/activate/")


def test_applicant_without_totp_is_not_redirected(client, tenant, applicant, settings):
    settings.PORTAL_REQUIRE_STAFF_2FA = True
    log_in(client, "candidate@example.org")
    assert client.get(f"/{tenant.slug}/").status_code == 200
    assert client.get("/mes-espaces/").status_code == 200


def test_staff_rule_off_lets_staff_in_without_totp(client, tenant, staff, settings):
    settings.PORTAL_REQUIRE_STAFF_2FA = False
    log_in(client, "officer@example.org")
    assert client.get(f"/{tenant.slug}/").status_code == 200


def test_staff_after_enrolment_gets_through_and_next_login_asks_for_code(
        client, tenant, staff, settings):
    settings.PORTAL_REQUIRE_STAFF_2FA = True
    response = log_in(client, "officer@example.org")
    assert client.get(response.url).url == "/accounts/2fa/totp/activate/?next=%2Fmes-espaces%2F"
    secret = enrol_totp(client)
    assert client.get(f"/{tenant.slug}/").status_code == 200
    assert client.get("/mes-espaces/").status_code == 200

    client.post("/accounts/logout/")
    response = log_in(client, "officer@example.org")
    assert response.url == "/accounts/2fa/authenticate/"
    assert client.get(f"/{tenant.slug}/gestion/").status_code == 302
    # Use the code of the next period: the activation code may not be reused within its period.
    code = format_hotp_value(hotp_value(secret, list(yield_hotp_counters_from_time())[-1]))
    response = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert response.status_code == 302 and response.url == "/mes-espaces/"
    assert client.get(f"/{tenant.slug}/").status_code == 200


def test_totp_helper_matches_allauth_validation(applicant):
    """Guard for the tests above: our code generator agrees with allauth's validator."""
    from allauth.mfa.totp.internal.auth import generate_totp_secret

    secret = generate_totp_secret()
    totp = TOTP.activate(applicant, secret)
    assert totp.validate_code(totp_code(secret)) is True


def test_staff_goes_on_to_the_page_they_asked_for_once_enrolled(client, tenant, staff, settings):
    settings.PORTAL_REQUIRE_STAFF_2FA = True
    log_in(client, "officer@example.org")
    wanted = f"/{tenant.slug}/instruction/?statut=submitted"
    assert client.get(wanted).url.startswith("/accounts/2fa/totp/activate/")
    reauthenticate(client)
    client.get("/accounts/2fa/totp/activate/")
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response.url == "/accounts/2fa/recovery-codes/"  # the codes first
    page = client.get(response.url).content.decode()
    assert "Continuer vers la page demandée" in page
    assert 'href="/mes-espaces/continuer/"' in page
    response = client.get("/mes-espaces/continuer/")
    assert response.status_code == 302 and response.url == wanted
    # Used once: afterwards the page no longer offers it and the link leads to "my spaces".
    assert "Continuer vers la page demandée" not in client.get(
        "/accounts/2fa/recovery-codes/").content.decode()
    assert client.get("/mes-espaces/continuer/").url == "/mes-espaces/"


def test_continue_after_two_factor_never_leaves_the_site(client, applicant):
    client.force_login(applicant)
    session = client.session
    session["portal_after_two_factor"] = "https://evil.example/phish"
    session.save()
    assert client.get("/mes-espaces/continuer/").url == "/mes-espaces/"
