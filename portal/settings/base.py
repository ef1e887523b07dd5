"""Settings shared by every environment; values come from the environment (django-environ)."""

import os
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-never-used-in-production")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rules.apps.AutodiscoverRulesConfig",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    # The rich-text editor's built assets (static/django_prose_editor/), started by
    # static/portal/richtext.js (portal/richtext.py says why this way).
    "django_prose_editor",
    "dsfr",
    # After dsfr: its overrides of Django's widget templates (radio, checkbox) must win.
    "django.forms",
    "widget_tweaks",
    "django_celery_beat",
    "portal",
    "calls",
    "applications",
    "reviews",
    "mentoring",
    "awards",
    "national",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # French spacing (no-break spaces before « : ; ! ? », inside « ») on every HTML page.
    "portal.typography.FrenchTypographyMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.middleware.TenantMiddleware",
    "portal.middleware.RequireStaffTwoFactorMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
]
# Forms render with DSFR's field templates (django-dsfr), layouts with crispy-forms.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:my_spaces"

# --- django-allauth: e-mail is the login, verification is mandatory -------------------------
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# First and last name are asked at sign-up (portal/signup.py), before the e-mail address.
ACCOUNT_SIGNUP_FORM_CLASS = "portal.signup.SignupNamesForm"
ACCOUNT_ADAPTER = "portal.account_adapter.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Portail filière musiques] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env("ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="http")
# Failed-login throttling (per IP and per account) is on; it relies on the cache below.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Portail filière musiques"
# Two-factor authentication is required for every staff role (instructor, committee member,
# pilot staff, tenant admin). On in production, off in the `make run` demo.
PORTAL_REQUIRE_STAFF_2FA = env.bool("PORTAL_REQUIRE_STAFF_2FA", default=True)

# --- crispy-forms with our DSFR template pack (templates/dsfr_crispy) -----------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = ("dsfr_crispy",)
CRISPY_TEMPLATE_PACK = "dsfr_crispy"
# DSFR marks the optional fields (« (optionnel) »), not the required ones.
DSFR_MARK_OPTIONAL_FIELDS = True

# --- Internationalisation: French first, English second -----------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Paris"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Private files (uploads, letters) live outside the web root and are served only by
# permission-checked views.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "var" / "private")))
MEDIA_ROOT = PRIVATE_MEDIA_ROOT
# Several web hosts keep no file: with PRIVATE_STORAGE_BUCKET the private files live in that
# (private) bucket of an S3-compatible object store instead (portal.storage, django-storages).
PRIVATE_STORAGE_BUCKET = env("PRIVATE_STORAGE_BUCKET", default="")
PRIVATE_STORAGE_OPTIONS = {
    "endpoint_url": env("S3_ENDPOINT_URL", default=None),
    "access_key": env("S3_ACCESS_KEY_ID", default=None),
    "secret_key": env("S3_SECRET_ACCESS_KEY", default=None),
    "region_name": env("S3_REGION", default="us-east-1"),
    "location": env("PRIVATE_STORAGE_PREFIX", default="private"),
    "addressing_style": "path",
    "signature_version": "s3v4",
    "default_acl": None,  # the bucket is private; objects inherit it
    "file_overwrite": False,
    "querystring_auth": True,
    "querystring_expire": 60,
}
# Downloads by a 60-second signed URL instead of streamed by the web process (the object store
# must then be reachable by browsers at S3_ENDPOINT_URL).
PRIVATE_STORAGE_SIGNED_URLS = env.bool("PRIVATE_STORAGE_SIGNED_URLS", default=False)
# Uploads: applications.uploads.SizeLimitUploadHandler runs first and stops any file above
# PORTAL_UPLOAD_MAX_BYTES while the body is read (the upload view installs a second one with
# the limit of the document requirement). Files above FILE_UPLOAD_MAX_MEMORY_SIZE are spooled
# to a temporary file; the other form fields together may not exceed
# DATA_UPLOAD_MAX_MEMORY_SIZE (Django's 2.5 MB, stated here). The reverse proxy in front of
# gunicorn must cap the request body too (nginx `client_max_body_size`): Django reads and
# drops the rest of a refused body so that the browser gets the explanation.
PORTAL_UPLOAD_MAX_BYTES = env.int("PORTAL_UPLOAD_MAX_MB", default=100) * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "applications.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

REDIS_URL = env("REDIS_URL", default="")
# How many reverse proxies in front of gunicorn append to X-Forwarded-For: allauth's login
# rate limits then count the client's address, not the proxy's (with 0, its default, every
# user behind the proxy shares one limit). Unset: `check --deploy` warns (portal.W002).
if "ALLAUTH_TRUSTED_PROXY_COUNT" in os.environ:
    ALLAUTH_TRUSTED_PROXY_COUNT = env.int("ALLAUTH_TRUSTED_PROXY_COUNT")
# With Redis (production, docker-compose) every web host shares one cache: allauth's rate limits
# and used-TOTP markers, the tenant and two-factor facts the middlewares read on each request
# (portal.tenancy), and the sessions (below). CACHE_KEY_PREFIX keeps two deployments (or a
# benchmark) on one Redis apart.
CACHE_KEY_PREFIX = env("CACHE_KEY_PREFIX", default="portal")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                    "LOCATION": REDIS_URL, "KEY_PREFIX": CACHE_KEY_PREFIX},
        # Its own alias: clearing the default cache never signs anybody out.
        "sessions": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                     "LOCATION": REDIS_URL, "KEY_PREFIX": f"{CACHE_KEY_PREFIX}-session"},
    }
    # Sessions read from Redis (no database query per request), written through to the
    # database, so that a Redis restart signs nobody out; any web host reads any session.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    SESSION_CACHE_ALIAS = "sessions"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery: Redis broker; with no REDIS_URL tasks run eagerly in-process (demo) -----------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="portal")
# Periodic jobs; django-celery-beat copies them into the database at start, where admins can
# see and pause them (Django admin → Periodic tasks).
CELERY_BEAT_SCHEDULE = {
    "portal.outbox_flush": {"task": "portal.outbox_flush", "schedule": 60.0},
    "portal.run_reminders": {"task": "portal.run_reminders", "schedule": 300.0},
    "portal.notifications_resend": {"task": "portal.notifications_resend", "schedule": 300.0},
    "portal.purge_expired_dossiers": {"task": "portal.purge_expired_dossiers",
                                      "schedule": 86400.0},
    # A dossier's PDF exports are kept a week (applications.exports.EXPORT_KEEP).
    "applications.dossier_exports_expire": {"task": "applications.dossier_exports_expire",
                                            "schedule": 86400.0},
    # Grants' follow-up: reports due at the end of the action, overdue past their deadline.
    "awards.tick": {"task": "awards.tick", "schedule": 86400.0},
}

# portal.typography.FrenchTypographyMiddleware: French spacing on every HTML page.
PORTAL_FRENCH_TYPOGRAPHY = True
# portal.pagecache: the pages people read again served from the cache until a write changes
# what they show (off: every request renders its page).
PORTAL_PAGE_CACHE = env.bool("PORTAL_PAGE_CACHE", default=True)

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Portail filière musiques <noreply@filiere-musiques.example>")

# Strict Content-Security-Policy (django-csp): no inline script or style, everything from us.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

CSRF_FAILURE_VIEW = "portal.views.errors.csrf_failure"

# django-dsfr marks the text of its alerts (our flash messages) safe unless told otherwise:
# messages quote what people typed (a view's name, a partner's name), so they are escaped.
DSFR_CONTENT_IS_SAFE = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# No script reads the csrftoken cookie: ours take the token from the form's hidden field
# (static/reviews/review.js sends it as X-CSRFToken).
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every rendering step at INFO: noise, and time, in the workers.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

PORTAL_NAME = _("Portail des contrats de filière musiques actuelles")
PORTAL_BASE_URL = env("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
# The legal notice (mentions légales): who publishes the portal, who hosts it, whom to write
# to about it and about personal data. Required in production (deploy check portal.W001).
PORTAL_OPERATOR_NAME = env("PORTAL_OPERATOR_NAME", default="")
PORTAL_OPERATOR_ADDRESS = env("PORTAL_OPERATOR_ADDRESS", default="")
PORTAL_PUBLICATION_DIRECTOR = env("PORTAL_PUBLICATION_DIRECTOR", default="")
PORTAL_HOST = env("PORTAL_HOST", default="")
PORTAL_CONTACT_EMAIL = env("PORTAL_CONTACT_EMAIL", default="")
PORTAL_DPO_EMAIL = env("PORTAL_DPO_EMAIL", default="")
