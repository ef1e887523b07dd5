"""System checks of the portal's own settings (run by `manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

LEGAL_NOTICE_SETTINGS = ("PORTAL_OPERATOR_NAME", "PORTAL_OPERATOR_ADDRESS",
                         "PORTAL_PUBLICATION_DIRECTOR", "PORTAL_HOST", "PORTAL_CONTACT_EMAIL",
                         "PORTAL_DPO_EMAIL")


@register(Tags.security, deploy=True)
def legal_notice_is_complete(app_configs, **kwargs):
    """The legal notice and the personal-data page must name the publisher, the host and
    whom to write to (French law: LCEN art. 6, GDPR art. 13)."""
    missing = [name for name in LEGAL_NOTICE_SETTINGS if not getattr(settings, name, "")]
    if not missing:
        return []
    return [Warning(f"{', '.join(missing)} not set: the legal notice (/mentions-legales/) and "
                    "the personal-data page would name no publisher, host or contact.",
                    hint="Set them in the environment (see deploy.env.example).",
                    id="portal.W001")]


#: Cache backends that each process keeps for itself: a rate limit or a used TOTP code held
#: there is unknown to the other gunicorn workers and web hosts.
PER_PROCESS_CACHES = ("django.core.cache.backends.locmem.LocMemCache",
                      "django.core.cache.backends.dummy.DummyCache",
                      "django.core.cache.backends.filebased.FileBasedCache")


@register(Tags.security, deploy=True)
def shared_cache_and_proxy_count(app_configs, **kwargs):
    """Login throttling and two-factor replay protection hold only with a cache shared by
    every process (Redis), and count clients, not the proxy, only when allauth knows how many
    reverse proxies stand in front (issue 13 finding 11)."""
    problems = []
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if backend in PER_PROCESS_CACHES:
        problems.append(Warning(
            f"The default cache ({backend.rsplit('.', 1)[-1]}) is kept by each process: login "
            "rate limits and used TOTP codes are not shared between gunicorn workers (a code "
            "is accepted twice), nor the tokens of the kept pages (a write in one worker does "
            "not reach the pages another keeps, for up to a minute).", hint="Set REDIS_URL (see deploy.env.example).",
            id="portal.W003"))
    if not hasattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT") and not getattr(
            settings, "ALLAUTH_TRUSTED_CLIENT_IP_HEADER", None):
        problems.append(Warning(
            "ALLAUTH_TRUSTED_PROXY_COUNT not set: behind a reverse proxy every user shares the "
            "proxy's address, hence one login rate limit.",
            hint="Set ALLAUTH_TRUSTED_PROXY_COUNT to the number of proxies in front of "
                 "gunicorn, 0 when none (see deploy.env.example).", id="portal.W002"))
    return problems
