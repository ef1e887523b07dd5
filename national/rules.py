"""Permissions of the national view (tenant-less: the object is None)."""

import rules

from portal.rules import is_platform_admin


@rules.predicate
def is_national_officer(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    from .models import NationalOfficer

    return NationalOfficer.objects.filter(user=user).exists()


rules.add_perm("national.view", is_national_officer)
rules.add_perm("national.grant", is_platform_admin)
