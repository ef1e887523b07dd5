"""The project's URLs plus two probes of the tenancy layer itself (tests/portal/test_tenancy.py):
one says which scope a tenant URL's view runs in, one queries a tenant-owned model from a page
outside every tenant."""

from django.http import JsonResponse
from django.urls import path
from django_scopes import get_scope

from portal.models import Organization
from portal.urls import urlpatterns as portal_urlpatterns


def scope_probe(request, tenant_slug):
    current = get_scope()
    tenant = current.get("tenant")
    return JsonResponse({"enabled": current.get("_enabled", False),
                         "tenant": getattr(tenant, "pk", None),
                         "request_tenant": request.tenant.pk})


def unscoped_query(request):
    return JsonResponse({"organizations": Organization.objects.count()})


urlpatterns = [
    path("<slug:tenant_slug>/sonde-portee/", scope_probe),
    path("sonde-hors-portee/", unscoped_query),
    *portal_urlpatterns,
]
