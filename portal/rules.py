"""Permission predicates shared by every app. The object of a tenant-level check is the Tenant."""

import rules

from .enums import FUNDER_KINDS, Role
from .tenancy import roles_of


@rules.predicate
def is_platform_admin(user) -> bool:
    return bool(getattr(user, "is_platform_admin", False))


def has_role(role: str):
    @rules.predicate(name=f"has_role_{role}")
    def predicate(user, tenant) -> bool:
        return role in roles_of(user, tenant)

    return predicate


def on_tenant_of(perm: str):
    """A predicate on an object of a tenant (``obj.tenant``) that holds when the tenant-level
    permission `perm` does: dossier-level permissions reuse the tenant-level rule."""

    @rules.predicate(name=f"on_tenant_of_{perm}")
    def predicate(user, obj) -> bool:
        return obj is not None and user.has_perm(perm, obj.tenant)

    return predicate


@rules.predicate
def is_member_of_tenant(user, tenant) -> bool:
    return bool(roles_of(user, tenant))


is_tenant_admin = has_role(Role.ADMIN)
is_instructor = has_role(Role.INSTRUCTOR)
is_committee_member = has_role(Role.COMMITTEE)
is_pilot_staff = has_role(Role.PILOT)

rules.add_perm("portal.manage_tenant", is_tenant_admin)
rules.add_perm("portal.view_tenant_space", is_member_of_tenant)
rules.add_perm("portal.view_audit_log", is_tenant_admin)
rules.add_perm("portal.manage_platform", is_platform_admin)
# Appointing a tenant's admins is managing tenants: the platform admin invites the first admin
# of a new contract (from the platform pages) without holding any role in it.
rules.add_perm("portal.appoint_tenant_admin", is_platform_admin | is_tenant_admin)

__all__ = ["FUNDER_KINDS", "is_platform_admin", "is_member_of_tenant", "is_tenant_admin",
           "is_instructor", "is_committee_member", "is_pilot_staff", "has_role", "on_tenant_of"]
