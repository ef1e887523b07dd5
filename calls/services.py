"""Writes of the calls app: calls, their tracks, categories, criteria and documents, and the
status transitions (publish, close, archive, clone). Each function checks the permission
and the state, validates, writes atomically and logs an audit event.

Rule changes on a non-draft call bump `call.rules_version` and store a `RulesVersion`
snapshot, so dossiers already filed keep the version they were filed under.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit_log
from portal.formatting import PARIS

from .enums import CALL_ACTIONS, CallStatus
from .models import (RULE_FIELDS, AppraisalCriterion, Call, Category, DocumentRequirement,
                     EligibilityCriterion, Track)
from .versioning import record_rules_version


class CallError(ValidationError):
    """A business rule of the calls refused the action (shown to the user as is)."""


MANAGE = "calls.manage_call"

#: Call fields whose change alters what dossiers are judged against.
CALL_RULE_FIELDS = frozenset((*RULE_FIELDS, "expenses_start", "expenses_end",
                              "eligible_expense_kinds"))

CALL_FIELDS = ("title", "slug", "reference_code", "summary", "description", "opens_at",
               "closes_at", "committee_date", "committee_label", "expenses_start",
               "expenses_end", "eligible_expense_kinds", "envelope", "funders", *RULE_FIELDS)


def _require(user, tenant) -> None:
    if user is None or not user.has_perm(MANAGE, tenant):
        raise PermissionDenied(MANAGE)


def _require_editable(call: Call) -> None:
    if call.status not in CALL_ACTIONS["change"]:
        raise CallError(_("Un appel archivé ne peut plus être modifié."))


def _audit_value(value):
    if isinstance(value, (Decimal, datetime)):
        return str(value)
    return value


def _changes(before: dict, after: dict) -> dict:
    return {k: _audit_value(after[k]) for k in after if before.get(k) != after[k]}


def _lock(call: Call) -> Call:
    """Serialize rule changes of one call (the version counter)."""
    return Call.objects.select_for_update(of=("self",)).get(pk=call.pk)


def _sync(call: Call, locked: Call) -> Call:
    """Copy the state written through the locked row back onto the caller's instance."""
    for name in ("status", "published_at", "rules_version", "updated_at"):
        setattr(call, name, getattr(locked, name))
    return call


def _rules_changed(call: Call, *, user) -> int | None:
    """After a rule change: on a non-draft call, bump the version and store its snapshot.
    Returns the new version, or None for a draft."""
    locked = _lock(call)
    if locked.status == CallStatus.DRAFT:
        return None
    locked.rules_version += 1
    locked.save(update_fields=["rules_version", "updated_at"])
    call.rules_version = locked.rules_version
    record_rules_version(locked, user=user)
    audit_log(tenant=call.tenant, actor=user, action="calls.call.rules_version_bumped",
              target=call, data={"rules_version": locked.rules_version})
    return locked.rules_version


# --- Calls ----------------------------------------------------------------------------------

@transaction.atomic
def call_create(*, user, tenant, **fields) -> Call:
    _require(user, tenant)
    unknown = set(fields) - set(CALL_FIELDS)
    if unknown:
        raise TypeError(f"Unknown call fields: {sorted(unknown)}")
    call = Call(tenant=tenant, status=CallStatus.DRAFT, **fields)
    call.full_clean()
    call.save()
    audit_log(tenant=tenant, actor=user, action="calls.call.created", target=call,
              data={"slug": call.slug, "title": call.title})
    return call


@transaction.atomic
def call_update(*, user, call: Call, **fields) -> Call:
    _require(user, call.tenant)
    unknown = set(fields) - set(CALL_FIELDS)
    if unknown:
        raise TypeError(f"Unknown call fields: {sorted(unknown)}")
    stored = Call.objects.get(pk=call.pk)
    _require_editable(stored)
    before = {k: getattr(stored, k) for k in fields}
    for name, value in fields.items():
        setattr(call, name, value)
    _sync(call, stored)
    call.full_clean()
    call.save(update_fields=[*fields, "updated_at"])
    changed = _changes(before, {k: getattr(call, k) for k in fields})
    if changed:
        audit_log(tenant=call.tenant, actor=user, action="calls.call.updated", target=call,
                  data=changed)
    if CALL_RULE_FIELDS & set(changed):
        _rules_changed(call, user=user)
    return call


def publication_problems(call: Call) -> list[str]:
    """Why `call` cannot be published yet (empty list: it can). Tracks and categories are
    optional: a call without them is filed and instructed under the call's own rules."""
    problems = []
    if call.opens_at is None or call.closes_at is None:
        problems.append(_("Renseignez les dates d'ouverture et de clôture."))
    return problems


@transaction.atomic
def call_publish(*, user, call: Call, now=None) -> Call:
    _require(user, call.tenant)
    locked = _lock(call)
    if locked.status not in CALL_ACTIONS["publish"]:
        raise CallError(_("Seul un brouillon ou un appel clos peut être publié."))
    problems = publication_problems(locked)
    if problems:
        raise CallError(problems)
    previous = locked.status
    locked.status = CallStatus.PUBLISHED
    locked.published_at = locked.published_at or (now or timezone.now())
    locked.save(update_fields=["status", "published_at", "updated_at"])
    record_rules_version(locked, user=user)
    audit_log(tenant=call.tenant, actor=user, action="calls.call.published", target=locked,
              data={"from": previous, "rules_version": locked.rules_version})
    return _sync(call, locked)


def _call_move(*, user, call: Call, action: str, to: str, refusal: str) -> Call:
    """Apply one row of the call's small life (`CALL_ACTIONS`): check, write, audit."""
    _require(user, call.tenant)
    locked = _lock(call)
    if locked.status not in CALL_ACTIONS[action]:
        raise CallError(refusal)
    locked.status = to
    locked.save(update_fields=["status", "updated_at"])
    audit_log(tenant=call.tenant, actor=user, action=f"calls.call.{to}", target=locked)
    return _sync(call, locked)


@transaction.atomic
def call_close(*, user, call: Call) -> Call:
    return _call_move(user=user, call=call, action="close", to=CallStatus.CLOSED,
                      refusal=_("Seul un appel publié peut être clos."))


@transaction.atomic
def call_archive(*, user, call: Call) -> Call:
    return _call_move(user=user, call=call, action="archive", to=CallStatus.ARCHIVED,
                      refusal=_("Seul un appel publié ou clos peut être archivé."))


@transaction.atomic
def call_delete(*, user, call: Call) -> None:
    """Only a draft may be deleted (a published call is archived instead)."""
    _require(user, call.tenant)
    if call.status not in CALL_ACTIONS["delete"]:
        raise CallError(_("Seul un brouillon peut être supprimé ; archivez plutôt cet "
                                "appel."))
    audit_log(tenant=call.tenant, actor=user, action="calls.call.deleted", target=call,
              data={"slug": call.slug, "title": call.title})
    try:
        with transaction.atomic():
            call.delete()
    except ProtectedError:
        raise CallError(_("Des dossiers existent sur cet appel : archivez-le plutôt.")) \
            from None


def _shift(value, years: int):
    return value + relativedelta(years=years) if value is not None and years else value


def _shift_paris(value, years: int):
    """Move an aware datetime by whole years on the Paris wall clock, so that "until
    18 September 23:59:59 inclusive" stays 23:59:59 across DST differences."""
    if value is None or not years:
        return value
    local = value.astimezone(PARIS).replace(tzinfo=None)
    return (local + relativedelta(years=years)).replace(tzinfo=PARIS)


@transaction.atomic
def call_clone(*, user, call: Call, title: str, slug: str, reference_code: str | None = None,
               shift_years: int = 1) -> Call:
    """A new draft with everything under `call` (tracks, categories, criteria, documents,
    appraisal criteria), its dates moved by `shift_years` (next edition)."""
    _require(user, call.tenant)
    source = call
    new = Call(
        tenant=source.tenant, title=title, slug=slug,
        reference_code=reference_code or source.reference_code,
        summary=source.summary, description=source.description,
        opens_at=_shift_paris(source.opens_at, shift_years),
        closes_at=_shift_paris(source.closes_at, shift_years),
        committee_date=_shift(source.committee_date, shift_years),
        committee_label=source.committee_label,
        expenses_start=_shift(source.expenses_start, shift_years),
        expenses_end=_shift(source.expenses_end, shift_years),
        eligible_expense_kinds=list(source.eligible_expense_kinds or []),
        envelope=source.envelope, funders=list(source.funders or []),
        status=CallStatus.DRAFT, rules_version=1, cloned_from=source,
        **{name: getattr(source, name) for name in RULE_FIELDS})
    new.full_clean()
    new.save()
    track_map = {}
    for track in source.tracks.all():
        old_pk = track.pk
        track.pk = None
        track.id = None
        track.call = new
        track.save()
        track_map[old_pk] = track
    category_map = {}
    for category in source.categories.all():
        old_pk = category.pk
        category.pk = None
        category.id = None
        category.call = new
        category.track = track_map.get(category.track_id)
        category.save()
        category_map[old_pk] = category
    counts = {}
    for model, related in ((EligibilityCriterion, "eligibility_criteria"),
                           (AppraisalCriterion, "appraisal_criteria"),
                           (DocumentRequirement, "document_requirements")):
        items = list(getattr(source, related).all())
        for item in items:
            item.pk = None
            item.id = None
            item.call = new
            item.track = track_map.get(item.track_id)
            item.category = category_map.get(item.category_id)
        model.objects.bulk_create(items)
        counts[related] = len(items)
    audit_log(tenant=source.tenant, actor=user, action="calls.call.cloned", target=new,
              data={"from": source.pk, "from_slug": source.slug, "tracks": len(track_map),
                    "categories": len(category_map), **counts})
    return new


# --- Tracks, categories, criteria, documents ----------------------------------------------

ITEM_FIELDS = {
    Track: ("title", "description", "position", *RULE_FIELDS),
    Category: ("track", "title", "description", "position", *RULE_FIELDS),
    EligibilityCriterion: ("track", "category", "kind", "label", "field", "parameter",
                           "operator", "value", "severity", "message", "position"),
    AppraisalCriterion: ("track", "category", "label", "help_text", "weight", "scale_max",
                         "position"),
    DocumentRequirement: ("track", "category", "label", "help_text", "required",
                          "allowed_formats", "max_size_mb", "stage", "position"),
}

ITEM_ACTION = {Track: "track", Category: "category", EligibilityCriterion: "criterion",
               AppraisalCriterion: "appraisal_criterion",
               DocumentRequirement: "document_requirement"}


def _item_data(item) -> dict:
    data = {}
    for name in ITEM_FIELDS[type(item)]:
        value = getattr(item, f"{name}_id") if name in ("track", "category") else getattr(
            item, name)
        data[name] = _audit_value(value)
    return data


def _check_item_scope(call: Call, fields: dict) -> None:
    """Tracks and categories given must belong to the call (forms already scope them)."""
    errors = {}
    track, category = fields.get("track"), fields.get("category")
    if track is not None and track.call_id != call.pk:
        errors["track"] = _("Ce volet n'appartient pas à cet appel.")
    if category is not None and category.call_id != call.pk:
        errors["category"] = _("Cette catégorie n'appartient pas à cet appel.")
    if errors:
        raise CallError(errors)


@transaction.atomic
def item_create(*, user, call: Call, model, **fields):
    """Create a Track, Category, EligibilityCriterion, AppraisalCriterion or
    DocumentRequirement under `call`."""
    _require(user, call.tenant)
    _require_editable(call)
    unknown = set(fields) - set(ITEM_FIELDS[model])
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")
    _check_item_scope(call, fields)
    item = model(call=call, **fields)
    item.full_clean()
    item.save()
    version = _rules_changed(call, user=user)
    audit_log(tenant=call.tenant, actor=user, action=f"calls.{ITEM_ACTION[model]}.created",
              target=item, data={"call": call.pk, **_item_data(item),
                                 **({"rules_version": version} if version else {})})
    return item


@transaction.atomic
def item_update(*, user, item, **fields):
    call = item.call
    _require(user, call.tenant)
    _require_editable(call)
    model = type(item)
    unknown = set(fields) - set(ITEM_FIELDS[model])
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")
    _check_item_scope(call, fields)
    before = _item_data(model.objects.get(pk=item.pk))
    for name, value in fields.items():
        setattr(item, name, value)
    item.full_clean()
    item.save()
    changed = _changes(before, _item_data(item))
    if not changed:
        return item
    version = _rules_changed(call, user=user)
    audit_log(tenant=call.tenant, actor=user, action=f"calls.{ITEM_ACTION[model]}.updated",
              target=item, data={"call": call.pk, **changed,
                                 **({"rules_version": version} if version else {})})
    return item


@transaction.atomic
def item_delete(*, user, item) -> None:
    call = item.call
    _require(user, call.tenant)
    _require_editable(call)
    model = type(item)
    data = {"call": call.pk, "label": str(item)}
    audit_log(tenant=call.tenant, actor=user, action=f"calls.{ITEM_ACTION[model]}.deleted",
              target=item, data=data)
    try:
        with transaction.atomic():
            item.delete()
    except ProtectedError:
        raise CallError(_("« %(label)s » est utilisé par des dossiers : il ne peut pas "
                                "être supprimé.") % {"label": str(item)}) from None
    _rules_changed(call, user=user)
