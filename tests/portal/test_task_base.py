"""The task base (portal.taskbase): every task of the project declares where its tenant comes
from and runs in that tenant's scope only; a task outside its scope fails loudly."""

import pytest
from django_scopes import scope
from django_scopes.exceptions import ScopeError

from portal.celery import app
from portal.models import Organization
from portal.taskbase import TenantTask, for_each_tenant, tenant_task
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

PROJECT_PREFIXES = ("portal.", "applications.", "reviews.", "mentoring.", "calls.")


@tenant_task(name="tests.scope_probe",
             tenant_from=("organization_id", "portal.Organization", "tenant"))
def scope_probe(*, organization_id: int) -> list[str]:
    """What a task body sees of a tenant-owned model, without filtering by hand."""
    return sorted(Organization.objects.values_list("name", flat=True))


@tenant_task(name="tests.platform_probe", tenant_from=None)
def platform_probe() -> list[str]:
    return sorted(Organization.objects.values_list("name", flat=True))


@tenant_task(name="tests.each_tenant_probe", tenant_from=None)
def each_tenant_probe() -> dict[str, list[str]]:
    return {t.slug: sorted(Organization.objects.values_list("name", flat=True))
            for t in for_each_tenant()}


@pytest.fixture
def two_tenants(tenant, other_tenant):
    a = OrganizationFactory(tenant=tenant, name="DRAC A")
    OrganizationFactory(tenant=other_tenant, name="DRAC B")
    return a


def test_every_task_of_the_project_runs_on_the_tenant_task_base():
    app.loader.import_default_modules()
    names = sorted(n for n in app.tasks if n.startswith(PROJECT_PREFIXES))
    assert len(names) >= 15, names
    off_base = [n for n in names if not isinstance(app.tasks[n], TenantTask)]
    assert off_base == [], f"tasks not declared with portal.taskbase.tenant_task: {off_base}"
    platform = sorted(n for n in names if app.tasks[n].tenant_from is None)
    # Platform tasks (global rows, or jobs over every tenant) are few and named here.
    # The ledger's tasks are platform tasks: a message may belong to no tenant (a structure
    # invitation); `send_one` enters the row's tenant scope for its attachments.
    assert platform == ["applications.dossier_exports_expire",
                        "applications.structure_invitation_email",
                        "portal.notification_send", "portal.notifications_resend",
                        "portal.outbox_flush", "portal.purge_expired_dossiers",
                        "portal.run_reminders"]


def test_a_tenant_task_sees_only_its_tenants_rows(two_tenants):
    assert scope_probe.delay(organization_id=two_tenants.pk).get() == ["DRAC A"]
    assert scope_probe(organization_id=two_tenants.pk) == ["DRAC A"]


def test_a_task_run_from_another_tenants_request_does_not_inherit_its_scope(two_tenants,
                                                                          other_tenant):
    with scope(tenant=other_tenant):  # an eager task started while serving tenant B
        assert scope_probe(organization_id=two_tenants.pk) == ["DRAC A"]
        assert sorted(Organization.objects.values_list("name", flat=True)) == ["DRAC B"]


def test_a_platform_task_that_forgets_the_scope_fails_loudly(two_tenants, tenant):
    with pytest.raises(ScopeError):
        platform_probe()
    with scope(tenant=tenant), pytest.raises(ScopeError):  # even started inside a scope
        platform_probe()


def test_for_each_tenant_enters_each_scope_in_turn(two_tenants, tenant, other_tenant):
    assert each_tenant_probe() == {tenant.slug: ["DRAC A"], other_tenant.slug: ["DRAC B"]}


def test_a_task_whose_row_is_gone_does_nothing(caplog):
    with caplog.at_level("INFO"):
        assert scope_probe(organization_id=987654) is None
    assert "tests.scope_probe: organization_id=987654 no longer exists" in caplog.text


def test_a_tenant_source_must_name_kwarg_model_and_path():
    with pytest.raises(ValueError):
        tenant_task(name="tests.bad", tenant_from=("x_id", "portal.Organization"))
