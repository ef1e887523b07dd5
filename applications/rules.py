"""Permission predicates of the applicant side. Structures are global: access comes from
`StructureMember`, never from a tenant role."""

import rules


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
                                          role="manager").exists()


rules.add_perm("applications.view_structure", is_structure_member)
rules.add_perm("applications.change_structure", is_structure_member)
rules.add_perm("applications.manage_structure_members", is_structure_manager)
