"""Permissions of the calls app.

* ``calls.manage_call`` (object: the Tenant) — tenant admins configure the calls.
* ``calls.view_call`` (object: a Call) — published, closed and archived calls: everyone;
  drafts: the tenant's admins only (preview).
"""

import rules

from portal.enums import Role
from portal.rules import is_tenant_admin
from portal.tenancy import roles_of

from .enums import CALL_ACTIONS, CallStatus


@rules.predicate
def is_public_call(user, call) -> bool:
    return call is not None and call.status != CallStatus.DRAFT


@rules.predicate
def is_admin_of_call_tenant(user, call) -> bool:
    return call is not None and Role.ADMIN in roles_of(user, call.tenant)


def call_allows(action: str):
    """The call's status allows `action` (`calls.enums.CALL_ACTIONS`)."""

    @rules.predicate(name=f"call_allows_{action}")
    def predicate(user, call) -> bool:
        return call is not None and call.status in CALL_ACTIONS[action]

    return predicate


rules.add_perm("calls.manage_call", is_tenant_admin)
rules.add_perm("calls.view_call", is_public_call | is_admin_of_call_tenant)
# Call-level: what the management page offers, and what the services accept.
for _action in CALL_ACTIONS:
    rules.add_perm(f"calls.{_action}_call", is_admin_of_call_tenant & call_allows(_action))
