"""Production: secrets only from the environment, HTTPS everywhere, two-factor for staff."""

from .base import *  # noqa: F401,F403
from .base import env

DEBUG = False
# No default: production refuses to start without a real secret.
SECRET_KEY = env("SECRET_KEY")
# No default either: login throttling, used-TOTP markers (replay protection) and sessions live
# in the cache, and a per-process cache lets each gunicorn worker accept the same code again
# (issue 13 finding 11). base.py builds the Redis caches from this same variable.
REDIS_URL = env("REDIS_URL")
PORTAL_REQUIRE_STAFF_2FA = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
