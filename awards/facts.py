"""The eligibility fact « Bilan des précédentes aides transmis » (registered with
`applications.eligibility_facts.register_structure_facts`): false as soon as the structure has,
in the tenant, a grant whose final report is overdue."""

from django_scopes import ScopeError


def previous_reports_facts(structure, *, tenant=None, today=None) -> dict:
    from applications.models import Dossier

    from .enums import AwardStatus

    try:
        overdue = Dossier.objects.filter(structure_id=structure.pk,
                                         status=AwardStatus.REPORT_OVERDUE)
        if tenant is not None:
            overdue = overdue.filter(tenant=tenant)
        return {"structure.previous_reports_sent": not overdue.exists()}
    except ScopeError:  # no tenant known (a global page): the fact is unknown there
        return {}
