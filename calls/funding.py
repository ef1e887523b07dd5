"""The funding rules that apply to one choice of the applicant (call, track, category).

`effective_rules(call, track, category)` is THE function every app uses: each rule of the
category falls back to its track's, then to its call's (None: the rule does not apply).
"""

from decimal import Decimal

from .models import RULE_FIELDS, PERCENT_FIELDS  # noqa: F401  (re-exported)

#: rules stored as decimals (JSON snapshots hold them as strings)
DECIMAL_RULE_FIELDS = ("amount_min", "amount_max", "max_share_of_budget",
                       "min_self_financing_share", "advance_percentage")


def effective_rules(call, track=None, category=None) -> dict:
    """``{"amount_min": Decimal | None, "amount_max": ..., "max_share_of_budget": ...,
    "min_self_financing_share": ..., "advance_percentage": ..., "min_partners": int | None,
    "duration_months_min": ..., "duration_months_max": ...}`` for this choice.

    Raises ValueError when the track or category does not belong to the call, or when the
    category belongs to another track."""
    if track is not None and track.call_id != call.pk:
        raise ValueError("track does not belong to call")
    if category is not None:
        if category.call_id != call.pk:
            raise ValueError("category does not belong to call")
        if category.track_id is not None and track is not None and category.track_id != track.pk:
            raise ValueError("category belongs to another track")
    if category is not None and track is None and category.track_id is not None:
        track = category.track
    levels = [level for level in (category, track, call) if level is not None]
    rules = {}
    for name in RULE_FIELDS:
        rules[name] = next((getattr(level, name) for level in levels
                            if getattr(level, name) is not None), None)
    return rules


def rules_from_snapshot(snapshot: dict | None) -> dict | None:
    """The effective rules stored in a rules snapshot (`calls.versioning.rules_snapshot`),
    typed as `effective_rules` returns them (Decimal amounts and shares); None when the
    snapshot holds no rules. What a filed dossier is judged against, whatever changed on the
    call since."""
    stored = (snapshot or {}).get("rules")
    if stored is None:
        return None
    rules = {name: None for name in RULE_FIELDS}
    for name, value in stored.items():
        rules[name] = (Decimal(str(value)) if value is not None and name in DECIMAL_RULE_FIELDS
                       else value)
    return rules
