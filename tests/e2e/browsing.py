"""Helpers shared by the browser tests."""

from django.conf import settings
from django.test import Client


def sign_in(context, user, base_url: str) -> None:
    """Give the browser `context` a signed-in session of `user` (no login form: the login
    journeys test the form)."""
    client = Client()
    client.force_login(user)
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                          "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                          "url": base_url}])


def shot(page, name: str) -> None:
    """With PORTAL_SCREENSHOTS=<dir>, save a full-page screenshot `<dir>/<name>.png` (to look
    at what a test saw); otherwise nothing."""
    import os
    from pathlib import Path

    folder = os.environ.get("PORTAL_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
