"""Pages anyone may see: the platform home, a region's home, the health check."""

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ..decorators import tenant_view
from ..pagecache import cached_page
from ..selectors import public_tenants
from ..tenancy import frame_signatories


#: Sections other apps add at the bottom of the region home, from their AppConfig.ready():
#: (template name, optional function(request) -> extra context dict).
HOME_SECTIONS: list[tuple[str, object]] = []


def register_home_section(template_name: str, context=None) -> None:
    if all(name != template_name for name, _ctx in HOME_SECTIONS):
        HOME_SECTIONS.append((template_name, context))


@require_GET
def platform_home(request):
    return render(request, "portal/platform_home.html", {"tenants": public_tenants()})


def _legal_context() -> dict:
    from django.conf import settings

    from ..checks import LEGAL_NOTICE_SETTINGS

    return {name.removeprefix("PORTAL_").lower(): getattr(settings, name, "")
            for name in LEGAL_NOTICE_SETTINGS}


@require_GET
def legal_notice(request):
    """Mentions légales: publisher, publication director, host, contact."""
    return render(request, "portal/legal/notice.html", _legal_context())


@require_GET
def accessibility_statement(request):
    """Déclaration d'accessibilité (RGAA): status, what was checked, how to report a problem."""
    return render(request, "portal/legal/accessibility.html", _legal_context())


@require_GET
def personal_data(request):
    """Données personnelles: what is kept, why, by whom, how long, and the user's rights."""
    from ..models import Tenant

    retention = sorted({t.retention_years for t in Tenant.objects.all()})
    return render(request, "portal/legal/personal_data.html",
                  {**_legal_context(), "retention_years": retention})


@require_GET
@tenant_view()
@cached_page
def tenant_home(request):
    tenant = request.tenant
    context = {"signatories": frame_signatories(tenant), "home_sections": []}
    for template_name, extra in HOME_SECTIONS:
        if extra is not None:
            context.update(extra(request))
        context["home_sections"].append(template_name)
    return render(request, "portal/tenant_home.html", context)


@never_cache
@require_GET
def healthz(request):
    """Database and broker status as JSON: 200 when both answer, 503 otherwise."""
    checks = {"database": _check_database(), "broker": _check_broker()}
    healthy = all(c["ok"] for c in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", "checks": checks},
                        status=200 if healthy else 503)


def _check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"ok": True}
    except Exception as exc:  # noqa: BLE001 - any failure is a failed check, reported
        return {"ok": False, "error": exc.__class__.__name__}


def _check_broker() -> dict:
    from django.conf import settings

    if not settings.REDIS_URL:
        return {"ok": True, "mode": "eager"}
    try:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1,
                                      socket_timeout=1)
        client.ping()
        return {"ok": True, "mode": "redis"}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "mode": "redis", "error": exc.__class__.__name__}


@never_cache
@require_GET
def ping(request):
    """A trivial answer with no database and no broker: the load benchmark's baseline."""
    return HttpResponse("ok", content_type="text/plain")
