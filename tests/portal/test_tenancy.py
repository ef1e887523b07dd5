import pytest
from django.apps import apps
from django_scopes import scope
from django_scopes.exceptions import ScopeError

from portal.models import Organization, Tenant
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

PROJECT_APPS = ("portal", "calls", "applications", "reviews", "mentoring")

#: Models with a path to Tenant that are deliberately not scoped, with the reason. Empty: every
#: model that belongs to a tenant, directly or through its parents, is scoped.
UNSCOPED_ON_PURPOSE: dict[str, str] = {}


def _project_models():
    return [m for m in apps.get_models() if m._meta.app_label in PROJECT_APPS]


def _is_scoped(model) -> bool:
    # django_scopes.ScopedManager builds its manager class inside the function.
    return type(model._default_manager).__qualname__.startswith("ScopedManager.")


def _paths_to_tenant(model, seen=()) -> list[str]:
    """The lookups (`tenant`, `call__tenant`, ...) that lead from `model` to Tenant through
    foreign keys and one-to-one fields."""
    found = []
    for field in model._meta.get_fields():
        if not (field.concrete and (field.many_to_one or field.one_to_one)):
            continue
        target = field.related_model
        if target is Tenant:
            found.append(field.name)
        elif target not in seen and target._meta.app_label in PROJECT_APPS:
            found += [f"{field.name}__{path}"
                      for path in _paths_to_tenant(target, (*seen, model))]
    return found


SCOPED = [m for m in _project_models() if _is_scoped(m)]


def test_the_scoped_models_are_found():
    names = {m._meta.label for m in SCOPED}
    assert {"portal.Organization", "portal.AuditEvent", "calls.Call", "applications.Dossier",
            "reviews.Review", "mentoring.Engagement"} <= names
    assert "portal.Tenant" not in names and "portal.User" not in names


@pytest.mark.parametrize("model", SCOPED, ids=lambda m: m._meta.label)
def test_query_on_tenant_owned_model_outside_a_scope_raises(model):
    with pytest.raises(ScopeError):
        list(model.objects.all())
    with pytest.raises(ScopeError):
        model._default_manager.filter(pk=1).exists()


@pytest.mark.parametrize("model", _project_models(), ids=lambda m: m._meta.label)
def test_every_model_with_a_path_to_the_tenant_is_scoped(model):
    paths = _paths_to_tenant(model)
    if not paths or model._meta.label in UNSCOPED_ON_PURPOSE:
        return
    assert _is_scoped(model), (f"{model._meta.label} reaches Tenant through {paths} but its "
                               "default manager is not a ScopedManager")


def test_deliberate_exceptions_are_real_models_with_a_path_to_the_tenant():
    labels = {m._meta.label: m for m in _project_models()}
    for label, reason in UNSCOPED_ON_PURPOSE.items():
        assert reason and _paths_to_tenant(labels[label]) and not _is_scoped(labels[label])


def test_scope_returns_only_the_tenants_rows(tenant, other_tenant):
    mine = OrganizationFactory(tenant=tenant, name="DRAC Hauts-de-France")
    OrganizationFactory(tenant=other_tenant, name="DRAC Occitanie")
    with scope(tenant=tenant):
        assert list(Organization.objects.all()) == [mine]
        assert Organization.objects.filter(name="DRAC Occitanie").count() == 0


def test_unknown_tenant_answers_404(client):
    assert client.get("/nowhere/").status_code == 404


def test_inactive_tenant_answers_404(client, tenant):
    tenant.is_active = False
    tenant.save()
    assert client.get(f"/{tenant.slug}/").status_code == 404


def test_platform_pages_run_outside_any_scope(client, tenant):
    # A scoped query slipped into a non-tenant page would raise, not leak.
    assert client.get("/").status_code == 200


# --- the layer itself (issue 13): a request runs in its tenant's scope, and only there -------

@pytest.mark.urls("tests.portal.scope_probe_urls")
def test_a_tenant_url_runs_its_view_in_that_tenants_scope(client, tenant, other_tenant):
    """Replacing scope(tenant=request.tenant) in portal/middleware.py by scopes_disabled()
    makes this fail (the scope would be off, every tenant's rows readable)."""
    for each in (tenant, other_tenant):
        assert client.get(f"/{each.slug}/sonde-portee/").json() == {
            "enabled": True, "tenant": each.pk, "request_tenant": each.pk}


@pytest.mark.urls("tests.portal.scope_probe_urls")
def test_a_scoped_query_outside_any_tenant_scope_fails_loudly(client, tenant):
    OrganizationFactory(tenant=tenant)
    with pytest.raises(ScopeError):
        client.get("/sonde-hors-portee/")


def test_exists_outside_any_scope_raises_too(tenant):
    """django-scopes 2.1 left exists() & co. off its refused methods (portal.scope_guard)."""
    organization = OrganizationFactory(tenant=tenant)
    for read in (lambda: Organization.objects.exists(),
                 lambda: Organization.objects.filter(kind="cnm").exists(),
                 lambda: Organization.objects.exclude(kind="cnm").exists(),
                 lambda: Organization.objects.contains(organization),
                 lambda: Organization.objects.in_bulk([organization.pk]),
                 lambda: Organization.objects.explain()):
        with pytest.raises(ScopeError):
            read()
    with scope(tenant=tenant):
        assert Organization.objects.exists()
