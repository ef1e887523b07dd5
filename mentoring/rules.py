"""Permission predicates of the mentoring scheme.

Tenant-level permissions take the Tenant as object; object-level ones take the need or the
engagement (views answer 404 when they fail, so existence is not revealed)."""

import rules

from applications.rules import is_structure_member
from portal.enums import OrganizationKind
from portal.rules import is_pilot_staff, is_tenant_admin


@rules.predicate
def tenant_runs_mentoring(user, tenant) -> bool:
    """The contract has a pilot structure, hence a mentoring scheme."""
    if tenant is None:
        return False
    if "_has_pilot" not in tenant.__dict__:  # (kept with the cached tenant: portal.tenancy)
        from portal.models import Organization

        tenant._has_pilot = Organization.objects.with_scope(tenant=tenant).filter(
            tenant=tenant, kind=OrganizationKind.PILOT).exists()
    return tenant._has_pilot


@rules.predicate
def is_authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


@rules.predicate
def is_need_beneficiary(user, need) -> bool:
    return need is not None and is_structure_member(user, need.structure)


@rules.predicate
def is_pilot_of_need_tenant(user, obj) -> bool:
    return obj is not None and is_pilot_staff(user, obj.tenant)


@rules.predicate
def is_engagement_beneficiary(user, engagement) -> bool:
    return engagement is not None and is_structure_member(user, engagement.need.structure)


@rules.predicate
def is_engagement_resource(user, engagement) -> bool:
    return (engagement is not None and getattr(user, "is_authenticated", False)
            and engagement.resource.user_id == user.pk)


rules.add_perm("mentoring.view_scheme", tenant_runs_mentoring)
rules.add_perm("mentoring.submit_need", is_authenticated & tenant_runs_mentoring)
rules.add_perm("mentoring.manage", is_pilot_staff)
rules.add_perm("mentoring.configure", is_pilot_staff | is_tenant_admin)
rules.add_perm("mentoring.view_need", is_need_beneficiary | is_pilot_of_need_tenant)
rules.add_perm("mentoring.view_engagement",
               is_engagement_beneficiary | is_engagement_resource | is_pilot_of_need_tenant)
rules.add_perm("mentoring.give_beneficiary_feedback", is_engagement_beneficiary)
rules.add_perm("mentoring.give_resource_feedback",
               is_engagement_resource | is_pilot_of_need_tenant)
