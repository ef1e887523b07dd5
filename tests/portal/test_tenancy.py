import pytest
from django_scopes import scope
from django_scopes.exceptions import ScopeError

from portal.models import AuditEvent, Invitation, Membership, Organization, Signatory
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

TENANT_OWNED = [Organization, Signatory, Membership, Invitation, AuditEvent]


@pytest.mark.parametrize("model", TENANT_OWNED, ids=lambda m: m.__name__)
def test_query_on_tenant_owned_model_outside_a_scope_raises(model):
    with pytest.raises(ScopeError):
        list(model.objects.all())


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
