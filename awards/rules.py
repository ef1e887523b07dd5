"""Who follows a grant after the decision.

* Each funder's officers (instructors whose organisation is that funder) see what their
  funder must pay, mark it sent and paid, export their funder's payment file and read the
  bank account of the structures it pays; an officer with a declared conflict on the dossier
  does none of it.
* The structure's members file the final report; its managers keep its bank account.
* Any unconflicted instructor of the tenant examines the report (accept, ask for completion,
  re-evaluate) and closes the file.
"""

import rules

from applications.rules import (is_dossier_member, is_structure_manager,
                                is_unconflicted_instructor)
from portal.enums import Role
from portal.rules import is_committee_member, is_instructor, is_tenant_admin
from portal.tenancy import memberships_of, roles_of


def officer_funder(user, tenant) -> str:
    """The funder (calls.enums.Funder value) an instructor of `tenant` acts for, "" if none."""
    if tenant is None or not getattr(user, "is_authenticated", False):
        return ""
    from calls.enums import Funder

    # read from the request's memberships (portal.tenancy): no query of its own
    return next((kind for role, kind in memberships_of(user, tenant)
                 if role == Role.INSTRUCTOR and kind in Funder.values), "")


@rules.predicate
def is_funder_officer(user, tenant) -> bool:
    return bool(officer_funder(user, tenant))


@rules.predicate
def is_officer_of_paying_funder(user, payment) -> bool:
    if payment is None:
        return False
    return (Role.INSTRUCTOR in roles_of(user, payment.tenant)
            and officer_funder(user, payment.tenant) == payment.funder
            and is_unconflicted_instructor(user, payment.dossier))


rules.add_perm("awards.view_payments", is_funder_officer)
rules.add_perm("awards.export_payments", is_funder_officer)
rules.add_perm("awards.record_payment", is_officer_of_paying_funder)
rules.add_perm("awards.manage_funder_accounts", is_tenant_admin)
rules.add_perm("awards.view_envelope", is_tenant_admin | is_instructor | is_committee_member)

# Dossier-level (the transition table checks these on the dossier)
rules.add_perm("awards.pay_dossier", is_unconflicted_instructor)
rules.add_perm("awards.file_report", is_dossier_member)
rules.add_perm("awards.examine_report", is_unconflicted_instructor)
rules.add_perm("awards.view_followup", is_dossier_member | is_unconflicted_instructor)

# The structure's bank account (global, like the structure)
rules.add_perm("awards.change_bank_account", is_structure_manager)
