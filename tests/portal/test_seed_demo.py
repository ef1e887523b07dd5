"""`seed_demo`: the demo contracts, organizations and one account per role; idempotent;
refused under production settings."""

import os
import re
import secrets
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.core.management import call_command
from django_scopes import scopes_disabled

from portal.management.commands.seed_demo import DEMO_APPS
from portal.models import Membership, Organization, Tenant

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    """Every row of the portal's models and the allauth addresses; row counts of the models of
    the other apps that ship demo data."""
    rows = {}
    with scopes_disabled():
        for model in apps.get_app_config("portal").get_models():
            rows[model._meta.label] = list(model._default_manager.order_by("pk").values())
        rows["account.EmailAddress"] = list(EmailAddress.objects.order_by("pk").values())
        for app in DEMO_APPS[1:]:
            try:
                config = apps.get_app_config(app)
            except LookupError:
                continue
            for model in config.get_models():
                rows[model._meta.label] = model._default_manager.count()
    return rows


def test_seed_demo_twice_leaves_the_same_rows():
    seed()
    first = snapshot()
    seed()
    assert snapshot() == first
    with scopes_disabled():
        assert sorted(Tenant.objects.values_list("slug", flat=True)) == [
            "hauts-de-france", "occitanie"]
        assert Organization.objects.filter(tenant__slug="hauts-de-france").count() == 4
        assert Membership.objects.filter(tenant__slug="occitanie").count() == 8
        assert Membership.objects.filter(tenant__slug="hauts-de-france").count() == 7


def test_seed_demo_prints_the_logins_and_the_password():
    out = seed()
    assert "Comptes de démonstration (mot de passe : filiere-demo-2026)" in out
    logins = re.findall(r"^  (\S+@\S+)$", out, re.M)
    for email in ("applicant@occitanie.demo", "instructor-cnm@occitanie.demo",
                  "admin@hauts-de-france.demo", "admin@plateforme.demo",
                  "pilot@occitanie.demo", "committee-region@hauts-de-france.demo"):
        assert email in logins
    assert "pilot@hauts-de-france.demo" not in logins  # no pilot structure in that contract
    assert len(logins) == len(set(logins))


def test_demo_users_log_in_with_the_printed_password(client, settings):
    settings.PORTAL_REQUIRE_STAFF_2FA = False  # as in `make run`
    password = re.search(r"mot de passe : (\S+)\)", seed()).group(1)
    response = client.post("/accounts/login/", {"login": "applicant@occitanie.demo",
                                                "password": password})
    assert response.status_code == 302 and response.url == "/mes-espaces/"
    client.post("/accounts/logout/")
    response = client.post("/accounts/login/", {"login": "instructor-cnm@occitanie.demo",
                                                "password": password})
    assert response.status_code == 302
    html = client.get("/mes-espaces/").content.decode()
    assert "Occitanie / Pyrénées-Méditerranée" in html
    assert "Instructeur·rice" in html


@pytest.mark.slow
def test_seed_demo_refuses_to_run_under_production_settings():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.production",
           "SECRET_KEY": secrets.token_urlsafe(60), "ALLOWED_HOSTS": "portail.example",
           "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")}
    result = subprocess.run([sys.executable, "manage.py", "seed_demo"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "seed_demo refuses to run under production settings." in result.stderr
