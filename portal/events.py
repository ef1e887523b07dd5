"""Audit events as French sentences: one registry of renderers for every audit action.

The audit log keeps dotted action names and a small JSON payload
(``reviews.decision.recorded``, ``{"amount": "7500.00", "shares": {"cnm": "5000.00"}}``).
No page shows those: histories, the admin's journal and exports show
`render_event(event)` — « Décision enregistrée : aide accordée de 7 500,00 € (CNM 5 000,00 € ;
Région 2 500,00 €) ».

Each app declares the sentences of its own actions in its ``events.py`` with `register`
(found by autodiscovery, so that the portal does not import the apps above it)::

    register("calls.call.published", _("Appel publié (version %(rules_version)s des règles)"))
    register("reviews.decision.recorded", lambda v: _("Décision : %(outcome)s") % {...})

A renderer is a text with ``%(key)s`` placeholders, filled with the payload's values formatted
by their key (`Values`: amounts in euros, dates in French, booleans as oui/non, lists
counted), or a function of `Values` for anything else. tests/portal/test_events.py checks that
every action the code can log has one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .formatting import format_date_local, format_datetime_local, format_money

Renderer = str | Promise | Callable[["Values"], str]

_REGISTRY: dict[str, Renderer] = {}
_DISCOVERED = False

#: Payload keys holding amounts in euros, dates, date-times.
MONEY_KEYS = {"amount", "proposed_amount", "envelope", "amount_min", "amount_max", "granted",
              "advance_amount", "total_amount"}
DATE_KEYS = {"date", "session_date", "start_date", "end_date", "due_date", "committee_date",
             "contract_start", "contract_end", "expenses_start", "expenses_end"}
DATETIME_KEYS = {"expires_at", "closed_at", "opens_at", "closes_at", "decided_at", "due_at"}


def register(action: str, renderer: Renderer) -> None:
    """Declare the sentence of `action` (see the module docstring)."""
    if action.count(".") < 2:
        raise ValueError(f"Audit actions are dotted 'app.entity.verb', got {action!r}")
    _REGISTRY[action] = renderer


def register_many(renderers: Mapping[str, Renderer]) -> None:
    for action, renderer in renderers.items():
        register(action, renderer)


def _discover() -> None:
    global _DISCOVERED
    if not _DISCOVERED:
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("events")
        _DISCOVERED = True


def registered_actions() -> frozenset[str]:
    _discover()
    return frozenset(_REGISTRY)


def has_renderer(action: str) -> bool:
    _discover()
    return action in _REGISTRY


def _parse_date(value):
    if isinstance(value, (date, datetime)):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value) if "T" in value or " " in value.strip() \
                else date.fromisoformat(value)
        except ValueError:
            return None
    return None


def format_value(key: str, value) -> str:
    """A payload value as a reader reads it (amounts, dates, yes/no, lists, nothing = —)."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return str(_("oui") if value else _("non"))
    if key in MONEY_KEYS or key.endswith("_amount"):
        try:
            return format_money(Decimal(str(value)))
        except (InvalidOperation, ValueError):
            return str(value)
    if key in DATE_KEYS or key in DATETIME_KEYS or key.endswith("_on"):
        parsed = _parse_date(value)
        if isinstance(parsed, datetime):
            return format_datetime_local(parsed)
        if isinstance(parsed, date):
            return format_date_local(parsed)
    if isinstance(value, (list, tuple)):
        return str(len(value))
    if isinstance(value, dict):
        return ", ".join(f"{k} {format_value(k, v)}" for k, v in value.items())
    if isinstance(value, Decimal):
        return f"{value:f}".replace(".", ",")
    if isinstance(value, str) and re.fullmatch(r"-?\d+\.\d+", value):
        return value.replace(".", ",")
    return str(value)


class Values(Mapping):
    """The event's payload, each value formatted by its key when read (``v["amount"]`` →
    ``7 500,00 €``); ``v.raw(key)`` gives the stored value; a missing key reads « — »."""

    def __init__(self, event):
        self.event = event
        self.data = dict(getattr(event, "data", None) or {})

    def __getitem__(self, key):
        return format_value(key, self.data.get(key))

    def __iter__(self):
        return iter(self.data)

    def __len__(self):
        return len(self.data)

    def raw(self, key, default=None):
        return self.data.get(key, default)

    def label(self, key, choices, default="—") -> str:
        """The French label of a choice stored under `key` (a TextChoices class or a dict)."""
        value = self.data.get(key)
        if value in (None, ""):
            return default
        mapping = dict(choices.choices) if hasattr(choices, "choices") else dict(choices)
        return str(mapping.get(value, default))

    def changed_fields(self, model=None, *, ignore=("call", "rules_version")) -> str:
        """« intitulé, enveloppe » — the verbose names of the payload's keys (the fields an
        update changed) on `model` (by default the event's target model)."""
        if model is None:
            target_type = getattr(self.event, "target_type", None)
            model = target_type.model_class() if target_type is not None else None
        names = []
        for key in self.data:
            if key in ignore:
                continue
            label = key
            if model is not None:
                try:
                    label = str(model._meta.get_field(key).verbose_name)
                except Exception:  # noqa: BLE001 - a key that is not a field: a plain word
                    label = key.replace("_", " ")
            else:
                label = key.replace("_", " ")
            names.append(label)
        return ", ".join(names) or "—"

    def count(self, key, singular, plural) -> str:
        value = self.data.get(key)
        n = len(value) if isinstance(value, (list, tuple, dict)) else int(value or 0)
        return ngettext(singular, plural, n) % {"n": n}


def render_event(event) -> str:
    """The French sentence of an audit event (never its dotted action name)."""
    _discover()
    renderer = _REGISTRY.get(event.action)
    values = Values(event)
    if renderer is None:
        return str(_("Opération enregistrée"))
    if callable(renderer) and not isinstance(renderer, (str, Promise)):
        return str(renderer(values))
    return str(renderer) % values


# --- The portal's own actions -----------------------------------------------------------------
# (autodiscover_modules("events") imports this module for the portal app.)

def _role(v: Values, key="role") -> str:
    from .enums import Role

    return v.label(key, Role)


def _membership_updated(v: Values) -> str:
    from .enums import Role

    parts = []
    for key, change in v.data.items():
        if not isinstance(change, dict):
            continue
        before, after = change.get("from"), change.get("to")
        if key == "role":
            labels = dict(Role.choices)
            before, after = labels.get(before, before), labels.get(after, after)
        name = {"role": _("rôle"), "organization": _("organisme"), "title": _("fonction")}.get(
            key, key)
        parts.append(_("%(field)s : %(before)s → %(after)s") % {
            "field": name, "before": before or "—", "after": after or "—"})
    return _("Membre modifié — %(changes)s") % {"changes": " ; ".join(parts) or "—"}


def _organization(v: Values, sentence) -> str:
    from .enums import OrganizationKind

    return sentence % {"name": v["name"], "kind": v.label("kind", OrganizationKind)}


register_many({
    "portal.dossier.purged": lambda v: _(
        "Dossier %(reference)s supprimé à la fin de sa durée de conservation (%(files)s "
        "fichier(s))") % {"reference": v.raw("reference") or _("sans référence"),
                          "files": v["files"]},
    "portal.invitation.created": lambda v: _("Invitation envoyée à %(email)s (%(role)s)") % {
        "email": v["email"], "role": _role(v)},
    "portal.invitation.resent": _("Invitation renvoyée à %(email)s, valable jusqu’au "
                                  "%(expires_at)s"),
    "portal.invitation.revoked": _("Invitation de %(email)s annulée"),
    "portal.invitation.accepted": lambda v: _("Invitation acceptée par %(email)s (%(role)s)") % {
        "email": v["email"], "role": _role(v)},
    "portal.membership.created": lambda v: _("%(user)s rejoint le contrat : %(role)s") % {
        "user": v["user"], "role": _role(v)},
    "portal.membership.updated": _membership_updated,
    "portal.membership.removed": lambda v: _("%(user)s retiré·e du contrat (%(role)s)") % {
        "user": v["user"], "role": _role(v)},
    "portal.organization.created": lambda v: _organization(
        v, _("Organisme ajouté : %(name)s (%(kind)s)")),
    "portal.organization.updated": lambda v: _organization(
        v, _("Organisme modifié : %(name)s (%(kind)s)")),
    "portal.organization.deleted": _("Organisme supprimé : %(name)s"),
    "portal.organization.identity_updated": lambda v: _(
        "Identité de l’organisme modifiée (courriers) : %(fields)s") % {
        "fields": v.changed_fields()},
    "portal.signatory.created": _("Signataire ajouté·e : %(person_name)s, %(title)s"),
    "portal.signatory.deleted": _("Signataire retiré·e : %(person_name)s"),
    "portal.signatory.updated": lambda v: _("Signataire modifié·e : %(fields)s") % {
        "fields": v.changed_fields()},
    "portal.tenant.created": _("Contrat régional créé : %(name)s"),
    "portal.tenant.updated": lambda v: _("Contrat modifié : %(fields)s") % {
        "fields": v.changed_fields()},
    "portal.tenant.documents_updated": lambda v: _(
        "Mentions des courriers modifiées : %(fields)s") % {"fields": v.changed_fields()},
    "portal.user.account_deleted": _("Compte supprimé à la demande de son ou sa titulaire"),
    "portal.user.name_changed": _("Nom enregistré : %(first_name)s %(last_name)s"),
    "portal.user.preferences_changed": lambda v: _("Préférences modifiées : %(fields)s") % {
        "fields": v.changed_fields()},
})
