"""`make run`: the local demo. Two-factor is not required so the demo logins work at once."""

from .base import *  # noqa: F401,F403
from .base import env

# The demo shows what users see: the portal's error pages, not Django's debug pages
# (`DEBUG=1 make run` for those). WhiteNoise serves the static files from their sources
# (no collectstatic), whatever DEBUG says.
DEBUG = env.bool("DEBUG", default=False)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
PORTAL_REQUIRE_STAFF_2FA = env.bool("PORTAL_REQUIRE_STAFF_2FA", default=False)
# The demo's e-mails are files under var/mail/ (one .eml per message, see README), not lines
# of the server's log; their links follow the port `make run` listens on.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="portal.mail_files.EmlFileBackend")
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default=f"http://127.0.0.1:{env('PORT', default='8000')}")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PORTAL_DEMO = True

# The demo names itself as such in its legal notice.
PORTAL_OPERATOR_NAME = env("PORTAL_OPERATOR_NAME", default="Démonstration locale (make run)")
PORTAL_OPERATOR_ADDRESS = env("PORTAL_OPERATOR_ADDRESS", default="Poste de développement")
PORTAL_PUBLICATION_DIRECTOR = env("PORTAL_PUBLICATION_DIRECTOR", default="L'équipe du portail")
PORTAL_HOST = env("PORTAL_HOST", default="Cette machine (127.0.0.1)")
PORTAL_CONTACT_EMAIL = env("PORTAL_CONTACT_EMAIL", default="contact@portail.demo")
PORTAL_DPO_EMAIL = env("PORTAL_DPO_EMAIL", default="dpo@portail.demo")
