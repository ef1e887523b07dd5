"""Permission predicates of the applicant side. Structures are global: access comes from
`StructureMember`, never from a tenant role."""

import rules

from .enums import EDITABLE_STATES, StructureRole


@rules.predicate
def is_structure_member(user, structure) -> bool:
    if not getattr(user, "is_authenticated", False) or structure is None:
        return False
    cache = user.__dict__.setdefault("_structure_ids", None)
    if cache is None:
        from .models import StructureMember

        cache = user._structure_ids = set(
            StructureMember.objects.filter(user=user).values_list("structure_id", flat=True))
    return structure.pk in cache


@rules.predicate
def is_structure_manager(user, structure) -> bool:
    if not getattr(user, "is_authenticated", False) or structure is None:
        return False
    from .models import StructureMember

    return StructureMember.objects.filter(user=user, structure=structure,
                                          role=StructureRole.MANAGER).exists()


rules.add_perm("applications.view_structure", is_structure_member)
rules.add_perm("applications.change_structure", is_structure_member)
rules.add_perm("applications.manage_structure_members", is_structure_manager)


# --- Dossiers ----------------------------------------------------------------------------------

@rules.predicate
def is_dossier_member(user, dossier) -> bool:
    """A member of the dossier's structure (any member works on its dossiers)."""
    return dossier is not None and is_structure_member(user, dossier.structure)


@rules.predicate
def is_instructor_of_dossier_tenant(user, dossier) -> bool:
    """An instructor of the dossier's tenant; drafts stay private to the applicant."""
    if dossier is None or dossier.is_draft:
        return False
    from portal.enums import Role
    from portal.tenancy import roles_of

    return Role.INSTRUCTOR in roles_of(user, dossier.tenant)


#: Checks ``(user, dossier) -> bool`` saying the user has a conflict of interest on the
#: dossier; the app that keeps the conflicts registry (reviews) registers its own.
_CONFLICT_CHECKS: list = []


def register_conflict_check(check) -> None:
    if check not in _CONFLICT_CHECKS:
        _CONFLICT_CHECKS.append(check)


@rules.predicate
def is_conflicted_officer(user, dossier) -> bool:
    """A declared conflict of interest on the dossier's structure or one of its partners (a
    registered check): such an officer must not see the dossier at all."""
    if dossier is None or not getattr(user, "is_authenticated", False):
        return False
    return any(check(user, dossier) for check in _CONFLICT_CHECKS)


@rules.predicate
def is_dossier_editable(user, dossier) -> bool:
    return dossier is not None and dossier.status in EDITABLE_STATES


is_unconflicted_instructor = is_instructor_of_dossier_tenant & ~is_conflicted_officer

rules.add_perm("applications.view_dossier", is_dossier_member | is_unconflicted_instructor)
rules.add_perm("applications.change_dossier", is_dossier_member & is_dossier_editable)
rules.add_perm("applications.submit_dossier", is_dossier_member)
rules.add_perm("applications.withdraw_dossier", is_dossier_member)
rules.add_perm("applications.request_completion", is_unconflicted_instructor)
rules.add_perm("applications.message_dossier", is_dossier_member | is_unconflicted_instructor)


@rules.predicate
def is_authenticated_user(user, tenant=None) -> bool:
    return bool(getattr(user, "is_authenticated", False))


# Tenant-level: anyone signed in may file (structures are global, membership is checked on
# the structure chosen).
rules.add_perm("applications.file_dossier", is_authenticated_user)
