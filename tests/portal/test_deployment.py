"""How the portal runs: docker-compose shape, production settings, the demo seed."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.apps import apps
from django.core.management import call_command
from django_scopes import scopes_disabled

ROOT = Path(__file__).resolve().parent.parent.parent


def _manage(*args, **env):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env={**os.environ, **env})


def test_docker_compose_runs_the_five_services():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "web", "worker", "beat"}
    assert "gunicorn portal.wsgi" in services["web"]["command"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "portal", "worker"]
    assert "django_celery_beat.schedulers:DatabaseScheduler" in services["beat"]["command"]
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "portal.settings.production"
        assert env["REDIS_URL"].startswith("redis://redis:")
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])


def test_dockerfile_installs_weasyprint_system_libraries():
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in ("libpango-1.0-0", "libharfbuzz-subset0", "fonts-dejavu-core"):
        assert package in dockerfile


@pytest.mark.slow
def test_production_settings_pass_check_deploy(db):
    from django.db import connection

    result = _manage("check", "--deploy", "--fail-level", "WARNING",
                     DJANGO_SETTINGS_MODULE="portal.settings.production",
                     SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="portail.example",
                     DATABASE_URL=os.environ.get("DATABASE_URL", ""))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert connection.vendor == "postgresql"


@pytest.mark.slow
def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, capture_output=True,
                            text=True, timeout=120,
                            env={**env, "DJANGO_SETTINGS_MODULE": "portal.settings.production"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.slow
def test_seed_demo_refuses_production_settings():
    result = _manage("seed_demo", DJANGO_SETTINGS_MODULE="portal.settings.production",
                     SECRET_KEY=secrets.token_urlsafe(50))
    assert result.returncode != 0
    assert "refuses to run under production settings" in result.stderr


def _row_counts():
    with scopes_disabled():
        return {f"{m._meta.app_label}.{m.__name__}": m._default_manager.count()
                for m in apps.get_models()
                if m._meta.app_label in ("portal", "calls", "applications", "reviews",
                                         "mentoring", "account")}


@pytest.mark.slow
@pytest.mark.django_db
def test_seed_demo_twice_leaves_the_same_rows(capsys, client):
    call_command("seed_demo")
    printed = capsys.readouterr().out
    first = _row_counts()
    call_command("seed_demo")
    assert _row_counts() == first
    for login in ("applicant@occitanie.demo", "instructor-cnm@occitanie.demo",
                  "admin@hauts-de-france.demo", "pilot@occitanie.demo"):
        assert login in printed
    assert first["portal.Tenant"] == 2
    from portal.demo import DEMO_PASSWORD

    assert f"mot de passe : {DEMO_PASSWORD}" in printed
    assert client.login(email="applicant@occitanie.demo", password=DEMO_PASSWORD)
