"""`make run`: the local demo. Two-factor is not required so the demo logins work at once."""

from .base import *  # noqa: F401,F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
PORTAL_REQUIRE_STAFF_2FA = env.bool("PORTAL_REQUIRE_STAFF_2FA", default=False)
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PORTAL_DEMO = True
