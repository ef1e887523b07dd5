"""Rule versioning: a dossier is judged against the rules it was filed under.

* `rules_snapshot(call, track, category)` — the rules as plain JSON (amounts, shares,
  eligibility criteria with their ids/fields/operators/values/messages, documents,
  appraisal criteria, `rules_version`). The applications app stores it on the dossier at
  filing time; `calls.eligibility.evaluate` accepts its criterion dicts.
* Every rule change of a non-draft call bumps `call.rules_version` (in `calls.services`) and
  stores the whole call's snapshot as a `RulesVersion` row (also written at publication).
* `register_filed_dossier_counter(func)`: the applications app registers
  ``func(call) -> int`` (dossiers already filed on the call); the admin pages warn
  "N dossiers déjà déposés restent jugés selon la version X". Nothing registered: 0.
"""

from __future__ import annotations

import json
from typing import Callable

from django.core.serializers.json import DjangoJSONEncoder

from .applicability import item_applies
from .eligibility import describe
from .enums import DocumentStage
from .funding import effective_rules
from .models import RULE_FIELDS, Call, RulesVersion

_COUNTERS: list[Callable[[Call], int]] = []


def register_filed_dossier_counter(func: Callable[[Call], int]) -> Callable[[Call], int]:
    """Register ``func(call) -> int``; usable as a decorator. Registering twice is harmless."""
    if func not in _COUNTERS:
        _COUNTERS.append(func)
    return func


def unregister_filed_dossier_counter(func) -> None:
    if func in _COUNTERS:
        _COUNTERS.remove(func)


def filed_dossier_count(call: Call) -> int:
    return sum(int(counter(call) or 0) for counter in _COUNTERS)


def _json(data):
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _rules(obj) -> dict:
    return {name: getattr(obj, name) for name in RULE_FIELDS}


def _applies(item, track, category) -> bool:
    """The call's own snapshot (no track, no category) keeps every item; a dossier's keeps
    those that apply to its track and category."""
    if track is None and category is None:
        return True
    return item_applies(item, track_id=track.pk if track else None,
                        category_id=category.pk if category else None)


def _document(d) -> dict:
    return {"id": d.pk, "label": d.label, "help_text": d.help_text, "required": d.required,
            "allowed_formats": list(d.allowed_formats), "max_size_mb": d.max_size_mb,
            "track_id": d.track_id, "category_id": d.category_id}


def rules_snapshot(call: Call, track=None, category=None) -> dict:
    """The call's rules, as JSON-serializable data. With a track and/or category: the
    effective rules of that choice and only the items that apply to it; without: the whole
    call (every track, category and item, with their `track_id` / `category_id`)."""
    rules = effective_rules(call, track, category)
    tracks = list(call.tracks.all())
    categories = list(call.categories.all())
    criteria = list(call.eligibility_criteria.all())
    documents = list(call.document_requirements.all())
    appraisal = list(call.appraisal_criteria.all())
    data = {
        "rules_version": call.rules_version,
        "call": {"id": call.pk, "slug": call.slug, "title": call.title,
                 "reference_code": call.reference_code, "status": call.status,
                 "opens_at": call.opens_at, "closes_at": call.closes_at,
                 "committee_date": call.committee_date,
                 "expenses_start": call.expenses_start, "expenses_end": call.expenses_end,
                 "eligible_expense_kinds": list(call.eligible_expense_kinds or []),
                 "envelope": call.envelope, "funders": list(call.funders or []),
                 "rules": _rules(call)},
        "track": ({"id": track.pk, "title": track.title} if track is not None else None),
        "category": ({"id": category.pk, "title": category.title}
                     if category is not None else None),
        "rules": rules,
        "tracks": [{"id": t.pk, "title": t.title, "rules": _rules(t)} for t in tracks],
        "categories": [{"id": c.pk, "title": c.title, "track_id": c.track_id,
                        "rules": _rules(c)} for c in categories],
        "eligibility_criteria": [
            {"id": c.pk, "kind": c.kind, "label": c.label, "field": c.field,
             "parameter": c.parameter, "operator": c.operator, "value": c.value,
             "severity": c.severity, "message": c.message, "track_id": c.track_id,
             "category_id": c.category_id, "description": describe(c)}
            for c in criteria if _applies(c, track, category)],
        # the documents of the application; those of the final report apart (a snapshot
        # older than them has no "report_documents")
        "document_requirements": [
            _document(d) for d in documents
            if d.stage == DocumentStage.FILING and _applies(d, track, category)],
        "report_documents": [
            _document(d) for d in documents
            if d.stage == DocumentStage.FINAL_REPORT and _applies(d, track, category)],
        "appraisal_criteria": [
            {"id": a.pk, "label": a.label, "help_text": a.help_text, "weight": a.weight,
             "scale_max": a.scale_max, "track_id": a.track_id, "category_id": a.category_id}
            for a in appraisal if _applies(a, track, category)],
    }
    return _json(data)


def record_rules_version(call: Call, *, user=None) -> RulesVersion:
    """Store the snapshot of `call.rules_version` (idempotent for one version)."""
    version, _created = RulesVersion.objects.get_or_create(
        call=call, version=call.rules_version,
        defaults={"snapshot": rules_snapshot(call), "created_by": user
                  if getattr(user, "is_authenticated", False) else None})
    return version


def snapshot_for_version(call: Call, version: int) -> dict | None:
    row = RulesVersion.objects.filter(call=call, version=version).first()
    return row.snapshot if row else None
