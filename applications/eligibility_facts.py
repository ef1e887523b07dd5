"""The facts `calls.eligibility.evaluate` judges a dossier on, computed from its structure
and its own data (keys documented in `calls.eligibility.FIELDS`)."""

from datetime import date, datetime

from django.utils import timezone

from portal.formatting import PARIS

from .budget import summarize


def months_between(start: date, end: date) -> int:
    """Whole months from `start` to `end` (1 March 2022 → 28 February 2024 = 23)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    return max(months, 0)


#: ``provider(structure, *, tenant, today) -> dict`` of facts that apps above compute (e.g. awards:
#: ``structure.previous_reports_sent``); `tenant` is None outside a tenant (the current scope).
_STRUCTURE_FACT_PROVIDERS: list = []


def register_structure_facts(provider) -> None:
    if provider not in _STRUCTURE_FACT_PROVIDERS:
        _STRUCTURE_FACT_PROVIDERS.append(provider)


def structure_facts(structure, *, today: date, tenant=None) -> dict:
    facts = _profile_facts(structure, today=today)
    for provider in _STRUCTURE_FACT_PROVIDERS:
        facts.update(provider(structure, tenant=tenant, today=today))
    return facts


def _profile_facts(structure, *, today: date) -> dict:
    return {
        "structure.months_of_activity": (months_between(structure.creation_date, today)
                                         if structure.creation_date else None),
        "structure.cnm_affiliated": structure.cnm_affiliated,
        "structure.seat_region": structure.region_code or None,
        "structure.departement": structure.departement or None,
        "structure.revenue": {str(r.year): r.amount for r in structure.revenues.all()},
        "structure.fte_hours": structure.fte_hours,
        "structure.licence_categories": {lic.category for lic in structure.licences.all()},
        "structure.main_activity": structure.main_activity or None,
        "structure.artists_count": structure.artists_count,
        "structure.regional_artists_count": structure.regional_artists_count,
    }


def dossier_facts(dossier, *, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    today = now.astimezone(PARIS).date()
    lines = list(dossier.budget_lines.all())
    summary = summarize(requested_amount=dossier.requested_amount, lines=lines)
    facts = structure_facts(dossier.structure, today=today, tenant=dossier.tenant)
    facts.update({
        "dossier.partner_count": dossier.partners.count(),
        "dossier.requested_amount": dossier.requested_amount,
        "dossier.total_budget": summary.total_budget if summary.total_budget else None,
        "dossier.requested_share_of_budget": summary.requested_share,
        "dossier.self_financing_share": summary.self_financing_share,
        "dossier.duration_months": dossier.duration_months,
        "declarations": set(dossier.declarations or []),
    })
    return facts
