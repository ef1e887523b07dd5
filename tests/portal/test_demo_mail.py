"""The demo's e-mails: their links follow the port `make run` listens on, and each message
is a `.eml` file under `var/mail/` (not lines of the server's log)."""

import email
import os
import subprocess
import sys
from email import policy
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.test import override_settings

from tests.factories import InvitationFactory

ROOT = Path(__file__).resolve().parents[2]


def _dev_setting(name: str, **env) -> str:
    """The value of a setting under `portal.settings.dev`, in a fresh process with `env`."""
    clean = {k: v for k, v in os.environ.items()
             if k not in ("PORTAL_BASE_URL", "EMAIL_BACKEND", "PORT", "DJANGO_SETTINGS_MODULE")}
    clean.update(DJANGO_SETTINGS_MODULE="portal.settings.dev",
                 DATABASE_URL=os.environ.get("DATABASE_URL", "postgres://localhost/unused"),
                 **env)
    code = f"from django.conf import settings; print(settings.{name})"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, check=True,
                          capture_output=True, text=True).stdout.strip()


def test_the_demo_links_follow_the_port():
    assert _dev_setting("PORTAL_BASE_URL", PORT="8123") == "http://127.0.0.1:8123"
    assert _dev_setting("PORTAL_BASE_URL") == "http://127.0.0.1:8000"
    assert _dev_setting("PORTAL_BASE_URL", PORT="8123",
                        PORTAL_BASE_URL="https://demo.example") == "https://demo.example"


def test_make_run_passes_its_port_to_the_portal():
    dry = subprocess.run(["make", "-n", "run", "PORT=8123"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    assert 'PORTAL_BASE_URL="${PORTAL_BASE_URL:-http://127.0.0.1:8123}"' in dry
    assert "runserver 127.0.0.1:8123" in dry


def test_the_demo_writes_its_emails_to_files_under_var():
    assert _dev_setting("EMAIL_BACKEND") == "portal.mail_files.EmlFileBackend"
    assert _dev_setting("EMAIL_FILE_PATH") == str(ROOT / "var" / "mail")


@pytest.mark.django_db
def test_an_invitation_is_saved_as_a_readable_eml_file_with_the_port_in_its_link(
        tenant, tmp_path):
    from django_scopes import scope

    import portal.tasks  # noqa: F401  (registers the sending task when run alone)
    from portal.emails import render_and_send_invitation

    with override_settings(EMAIL_BACKEND="portal.mail_files.EmlFileBackend",
                           EMAIL_FILE_PATH=str(tmp_path), PORTAL_BASE_URL="http://127.0.0.1:8123"):
        invitation = InvitationFactory(tenant=tenant, email="léa.martin@example.org")
        with scope(tenant=tenant):
            render_and_send_invitation(invitation)
        files = sorted(tmp_path.glob("*.eml"))
        assert len(files) == 1
        assert "léa.martin@example.org".replace("é", "_") in files[0].name
        message = email.message_from_bytes(files[0].read_bytes(), policy=policy.default)
        assert message["To"] == "léa.martin@example.org"
        text = message.get_body(preferencelist=("plain",)).get_content()
        assert f"http://127.0.0.1:8123/invitations/{invitation.token}/" in text
    assert mail.outbox == [] and settings.EMAIL_BACKEND.endswith("locmem.EmailBackend")
