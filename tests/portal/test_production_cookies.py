"""Under the production settings, every cookie the portal sets (session, CSRF, language) is
Secure, HttpOnly and SameSite=Lax, and HTTPS is pinned with HSTS.

The cookie and transport settings are taken from portal.settings.production itself (imported
with a throw-away SECRET_KEY) and applied over the test settings: the database and the rest
stay those of the tests."""

import importlib
import os
import secrets
import sys

import pytest
from django.test import Client, override_settings

from tests.factories.portal import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PREFIXES = ("SESSION_COOKIE_", "CSRF_COOKIE_", "LANGUAGE_COOKIE_", "SECURE_")


@pytest.fixture
def production_client(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(60))
    monkeypatch.setenv("REDIS_URL", os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    sys.modules.pop("portal.settings.production", None)
    production = importlib.import_module("portal.settings.production")
    sys.modules.pop("portal.settings.production", None)
    values = {name: getattr(production, name) for name in dir(production)
              if name.startswith(PREFIXES)}
    with override_settings(**values):
        # HTTPS as the reverse proxy reports it (SECURE_PROXY_SSL_HEADER).
        yield Client(HTTP_X_FORWARDED_PROTO="https")


def _assert_hardened(response, name):
    cookie = response.cookies[name]
    assert cookie["secure"] is True, name
    assert cookie["httponly"] is True, name
    assert cookie["samesite"] == "Lax", name
    header = cookie.output()
    assert "; Secure" in header and "; HttpOnly" in header and "SameSite=Lax" in header


def test_production_session_csrf_and_language_cookies_are_secure_httponly_lax(
        production_client):
    user = UserFactory(email="cookies@example.org")
    page = production_client.get("/accounts/login/")
    assert page.status_code == 200
    _assert_hardened(page, "csrftoken")

    login = production_client.post("/accounts/login/",
                                   {"login": user.email, "password": PASSWORD})
    assert login.status_code == 302
    _assert_hardened(login, "sessionid")

    language = production_client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert language.status_code == 302
    _assert_hardened(language, "django_language")


def test_production_sends_hsts_and_redirects_plain_http(production_client):
    response = production_client.get("/accounts/login/")
    assert response["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload")
    plain = Client().get("/accounts/login/")
    assert plain.status_code == 301
    assert plain["Location"] == "https://testserver/accounts/login/"
