"""Production shape: `check --deploy` passes, secrets come from the environment, and the
docker-compose file describes the five services."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, env_overrides=None, drop=()):
    # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser fixture of an e2e test that may have run
    # before in this process: never a production setting (check --deploy refuses it).
    env = {k: v for k, v in os.environ.items()
           if k not in drop and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(env_overrides or {})
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def example_env() -> dict:
    """The variables of deploy.env.example (what an operator copies to .env)."""
    pairs = (line.split("=", 1) for line in (ROOT / "deploy.env.example").read_text().splitlines()
             if line.strip() and not line.startswith("#"))
    return {key: value for key, value in pairs}


LEGAL = {k: v for k, v in example_env().items() if k.startswith("PORTAL_") and k != "PORTAL_BASE_URL"}
PRODUCTION = {"DJANGO_SETTINGS_MODULE": "portal.settings.production",
              "ALLOWED_HOSTS": "portail.example",
              "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
              "ALLAUTH_TRUSTED_PROXY_COUNT": example_env()["ALLAUTH_TRUSTED_PROXY_COUNT"],
              **LEGAL}


@pytest.mark.slow
def test_check_deploy_passes_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env_overrides={
        **PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(60)})
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


@pytest.mark.slow
def test_check_deploy_warns_when_the_legal_notice_names_no_publisher():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env_overrides={
        **PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(60), "PORTAL_OPERATOR_NAME": ""})
    assert result.returncode != 0
    assert "portal.W001" in result.stderr + result.stdout
    assert "PORTAL_OPERATOR_NAME not set" in result.stderr + result.stdout


@pytest.mark.slow
def test_production_refuses_to_start_without_a_shared_cache():
    """Issue 13 finding 11: with a per-process cache two gunicorn workers accepted the same
    TOTP code twice and throttled logins each on its own."""
    env = {**PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(60)}
    env.pop("REDIS_URL")
    result = run_manage("check", env_overrides=env, drop=("REDIS_URL",))
    assert result.returncode != 0
    assert "Set the REDIS_URL environment variable" in result.stderr


@pytest.mark.slow
def test_check_deploy_warns_without_the_proxy_count_or_a_shared_cache():
    env = {**PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(60)}
    env.pop("ALLAUTH_TRUSTED_PROXY_COUNT")
    result = run_manage("check", "--deploy", env_overrides=env,
                        drop=("ALLAUTH_TRUSTED_PROXY_COUNT",))
    assert "portal.W002" in result.stderr + result.stdout
    assert "ALLAUTH_TRUSTED_PROXY_COUNT not set" in result.stderr + result.stdout
    # The shared settings without REDIS_URL (what the demo runs): the cache is per process.
    result = run_manage("check", "--deploy", env_overrides={
        "DJANGO_SETTINGS_MODULE": "portal.settings.base", "ALLAUTH_TRUSTED_PROXY_COUNT": "1"},
        drop=("REDIS_URL",))
    assert "portal.W003" in result.stderr + result.stdout
    assert "portal.W002" not in result.stderr + result.stdout


def test_deploy_example_sets_the_shared_cache_and_the_proxy_count():
    assert example_env()["REDIS_URL"].startswith("redis://")
    assert int(example_env()["ALLAUTH_TRUSTED_PROXY_COUNT"]) >= 0


@pytest.mark.slow
def test_production_refuses_to_start_without_secret_key():
    result = run_manage("check", env_overrides=PRODUCTION, drop=("SECRET_KEY",))
    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable" in result.stderr


def test_docker_compose_defines_the_production_services():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert sorted(services) == ["beat", "createbucket", "migrate", "minio", "postgres", "redis",
                                "web-1", "web-2", "worker-1", "worker-2"]
    assert services["postgres"]["image"] == "postgres:16"
    assert services["redis"]["image"] == "redis:7"
    assert services["minio"]["image"].startswith("minio/minio")
    assert services["migrate"]["command"] == "python manage.py migrate --noinput"
    for web in ("web-1", "web-2"):
        assert "gunicorn portal.wsgi --bind 0.0.0.0:8000" in services[web]["command"]
        assert "collectstatic --noinput" in services[web]["command"]
        assert "/healthz" in " ".join(services[web]["healthcheck"]["test"])
        assert services[web]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully")
        assert "volumes" not in services[web]  # nothing on the web host's disk
    for worker in ("worker-1", "worker-2"):
        assert services[worker]["command"] == "celery -A portal worker -l info"
    assert services["beat"]["command"] == (
        "celery -A portal beat -l info "
        "--scheduler django_celery_beat.schedulers:DatabaseScheduler")
    for name in ("web-1", "web-2", "worker-1", "worker-2", "beat", "migrate"):
        service = services[name]
        assert service["env_file"] == ".env"  # SECRET_KEY lives there, never in the file
        environment = service["environment"]
        assert environment["DJANGO_SETTINGS_MODULE"] == "portal.settings.production"
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert environment["REDIS_URL"] == "redis://redis:6379/0"
        assert environment["S3_ENDPOINT_URL"] == "${S3_ENDPOINT_URL:-http://minio:9000}"
        assert environment["PRIVATE_STORAGE_BUCKET"] == "${PRIVATE_STORAGE_BUCKET:-portail-prive}"
        assert "SECRET_KEY" not in environment
    assert sorted(compose["volumes"]) == ["objects", "pgdata"]


def test_dockerfile_installs_weasyprint_libraries_and_requirements():
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0",
                    "fonts-dejavu-core"):
        assert package in dockerfile
    assert "pip install -r requirements.txt" in dockerfile
