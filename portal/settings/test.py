"""Settings for pytest: real PostgreSQL (DATABASE_URL), mail kept in memory."""

import tempfile

from .base import *  # noqa: F401,F403

DEBUG = False
PORTAL_REQUIRE_STAFF_2FA = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PRIVATE_MEDIA_ROOT = MEDIA_ROOT = __import__("pathlib").Path(tempfile.mkdtemp(prefix="portal-media-"))
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
CELERY_TASK_ALWAYS_EAGER = True
# Pages are compared with the strings of the templates as written: the French spacing of
# portal.typography is switched on by the tests that check it (tests/test_typography_sweep.py).
PORTAL_FRENCH_TYPOGRAPHY = False
ALLOWED_HOSTS = ["*"]
PORTAL_DEMO = True  # seed_demo may run in tests
PORTAL_OPERATOR_NAME = "Centre national de la musique (essai)"
PORTAL_OPERATOR_ADDRESS = "46 rue de Paradis, 75010 Paris"
PORTAL_PUBLICATION_DIRECTOR = "Direction du portail"
PORTAL_HOST = "Hébergeur d'essai, 1 rue du Serveur, 59000 Lille"
PORTAL_CONTACT_EMAIL = "contact@portail.example"
PORTAL_DPO_EMAIL = "dpo@portail.example"
