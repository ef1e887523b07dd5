"""`make run` uses the embedded PostgreSQL of the pgserver wheel, which ships no contrib
extension (no unaccent, no pg_trgm): every migration must apply there and the demo load."""

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent

pytestmark = pytest.mark.slow


def test_migrations_and_demo_data_apply_on_the_embedded_postgresql(tmp_path):
    import pgserver

    # pgserver logs from an atexit hook, after pytest has closed its streams.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    server = pgserver.get_server(tmp_path / "pgdata", cleanup_mode="stop")
    try:
        server.psql('CREATE DATABASE "portal";')
        url = f"postgresql://postgres@/portal?host={tmp_path / 'pgdata'}"
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
               "REDIS_URL": ""}
        for command in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
            result = subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env,
                                    capture_output=True, text=True, timeout=300)
            assert result.returncode == 0, result.stderr[-3000:]
        assert "applicant@occitanie.demo" in result.stdout
    finally:
        server.cleanup()


def test_connection_url_reaches_the_same_server_for_tcp_and_socket_settings():
    """Child processes (workers, manage.py, gunicorn) get the URL of the test database: with
    the embedded server the host is a socket directory, which must survive the round trip."""
    import environ

    from portal.devdb import connection_url

    socket = {"NAME": "test_portal", "USER": "postgres", "PASSWORD": "", "HOST": "",
              "PORT": "", "OPTIONS": {"host": "/work/var/pg data"}}
    parsed = environ.Env.db_url_config(connection_url(socket))
    assert (parsed["NAME"], parsed["HOST"] or parsed["OPTIONS"]["host"]) == (
        "test_portal", "/work/var/pg data")
    tcp = {"NAME": "test_portal_gw1", "USER": "postgres", "PASSWORD": "s3cret/:@",
           "HOST": "127.0.0.1", "PORT": 5433, "OPTIONS": {}}
    parsed = environ.Env.db_url_config(connection_url(tcp))
    assert (parsed["NAME"], parsed["HOST"], parsed["PORT"], parsed["PASSWORD"]) == (
        "test_portal_gw1", "127.0.0.1", 5433, "s3cret/:@")
