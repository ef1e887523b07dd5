"""Eligibility rules as data, and their small, safe evaluator (pure Python: no DB, no `eval`).

A criterion is either

* a **declaration** (`kind="declaration"`): a sentence the applicant ticks; the facts carry
  ``facts["declarations"]``, the set of the ids of the ticked criteria; or
* a **check** (`kind="check"`): ``field operator value`` over the facts computed from the
  applicant's structure and dossier, e.g. ``structure.revenue[2021] lt 100000``.

Facts are a plain dict keyed by the field keys of `FIELDS` below. A field with a parameter
(the revenue, per year) takes a dict keyed by the parameter as a string::

    facts = {"structure.months_of_activity": 30,
             "structure.revenue": {"2021": Decimal("85000"), "2022": Decimal("92000")},
             "structure.licence_categories": {"2", "3"},
             "declarations": {12, 13}}

`evaluate(criteria, facts)` accepts model instances (`calls.models.EligibilityCriterion`)
or the criterion dicts of a rules snapshot (`calls.versioning.rules_snapshot`), so a dossier
can be judged against the version of the rules it was filed under.

Missing data: a blocking check fails ("donnée manquante"), a warning check is "unknown".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from portal.enums import MainActivity
from portal.formatting import NBSP, format_money
from portal.validators import INSEE_REGION_CODES

# --- types and operators --------------------------------------------------------------------

INTEGER, DECIMAL, BOOLEAN, CHOICE, STRING, SET = (
    "integer", "decimal", "boolean", "choice", "string", "set")

NUMBER_OPERATORS = ("eq", "ne", "lt", "lte", "gt", "gte", "between")
OPERATORS_BY_TYPE: dict[str, tuple[str, ...]] = {
    INTEGER: NUMBER_OPERATORS + ("is_set",),
    DECIMAL: NUMBER_OPERATORS + ("is_set",),
    BOOLEAN: ("is_true", "is_false", "is_set"),
    CHOICE: ("eq", "ne", "in", "not_in", "is_set"),
    STRING: ("eq", "ne", "in", "not_in", "is_set"),
    SET: ("contains", "contains_all", "contains_any", "is_set"),
}

OPERATOR_LABELS = {
    "eq": _("égal à"), "ne": _("différent de"), "lt": _("inférieur à"),
    "lte": _("inférieur ou égal à"), "gt": _("supérieur à"),
    "gte": _("supérieur ou égal à"), "between": _("compris entre (deux valeurs)"),
    "is_true": _("est vrai"), "is_false": _("est faux"), "in": _("parmi (liste)"),
    "not_in": _("hors de (liste)"), "contains": _("contient"),
    "contains_all": _("contient tous (liste)"), "contains_any": _("contient au moins un (liste)"),
    "is_set": _("est renseigné"),
}
OPERATOR_CHOICES = [(key, label) for key, label in OPERATOR_LABELS.items()]
NO_VALUE_OPERATORS = frozenset({"is_true", "is_false", "is_set"})
LIST_OPERATORS = frozenset({"in", "not_in", "contains_all", "contains_any"})

# --- the documented list of fields --------------------------------------------------------

MAIN_ACTIVITY_CHOICES = (
    ("live_production", _("Production de spectacles (spectacle vivant)")),
    ("recorded_music", _("Production phonographique, label")),
    ("publishing", _("Édition musicale")),
    ("venue", _("Lieu de diffusion (salle de concert)")),
    ("festival", _("Festival")),
    ("network", _("Réseau, fédération ou centre de ressources")),
    ("music_to_image", _("Musique à l'image (vidéo, audiovisuel)")),
    ("career_development", _("Management, développement de carrières d'artistes")),
    ("education", _("Enseignement, formation, accompagnement")),
    ("other", _("Autre activité")),
)

# Same values as the structure profile (`portal.enums.MainActivity`, stored on
# `applications.Structure.main_activity`), so that rules compare like with like.
if {value for value, _label in MAIN_ACTIVITY_CHOICES} != set(MainActivity.values):
    raise RuntimeError("calls.eligibility.MAIN_ACTIVITY_CHOICES must list the values of "
                       "portal.enums.MainActivity")

LICENCE_CHOICES = (
    ("1", _("catégorie 1 (exploitant de lieux)")),
    ("2", _("catégorie 2 (producteur de spectacles)")),
    ("3", _("catégorie 3 (diffuseur de spectacles)")),
)

REGION_CHOICES = tuple(sorted(INSEE_REGION_CODES.items(),
                              key=lambda item: item[1].replace("Î", "I")))


def _departement_choices() -> tuple:
    from portal.geo import DEPARTEMENT_NAMES

    return tuple((code, f"{name} ({code})") for code, name in DEPARTEMENT_NAMES.items())


DEPARTEMENT_CHOICES = _departement_choices()


@dataclass(frozen=True)
class FactField:
    key: str
    label: Any
    type: str
    unit: str = ""            # "money", "percent", "hours", "months" or ""
    feminine: bool = False    # grammatical gender of `label`, for the French sentences
    parameter: str = ""       # "year": the field needs a parameter (e.g. revenue of 2021)
    choices: tuple = ()
    true_phrase: Any = ""
    false_phrase: Any = ""
    help_text: Any = ""

    @property
    def operators(self) -> tuple[str, ...]:
        return OPERATORS_BY_TYPE[self.type]

    def label_for(self, parameter: str = "") -> str:
        return f"{self.label} {parameter}".strip() if self.parameter else str(self.label)

    def choice_label(self, value) -> str:
        return str(dict(self.choices).get(value, value))


FIELDS: dict[str, FactField] = {f.key: f for f in (
    FactField("structure.months_of_activity", _("Ancienneté d'activité de la structure"),
              INTEGER, unit="months", feminine=True,
              help_text=_("Mois d'activité antérieure à la date de dépôt.")),
    FactField("structure.cnm_affiliated", _("Affiliation au CNM"), BOOLEAN, feminine=True,
              true_phrase=_("Structure affiliée au Centre national de la musique"),
              false_phrase=_("Structure non affiliée au Centre national de la musique")),
    FactField("structure.seat_region", _("Région du siège social"), CHOICE, feminine=True,
              choices=REGION_CHOICES,
              help_text=_("La région, par son nom (ex. : Pays de la Loire).")),
    FactField("structure.departement", _("Département du siège social"), CHOICE,
              choices=DEPARTEMENT_CHOICES,
              help_text=_("Le département, par son nom ou son numéro (ex. : Haute-Garonne, "
                          "31, 2A).")),
    FactField("structure.revenue", _("Chiffre d'affaires"), DECIMAL, unit="money",
              parameter="year", help_text=_("Paramètre : l'année de l'exercice (ex. : 2021).")),
    FactField("structure.previous_reports_sent", _("Bilan des précédentes aides transmis"),
              BOOLEAN,
              true_phrase=_("Bilans des précédentes aides transmis"),
              false_phrase=_("Un bilan final d'une précédente aide est en retard"),
              help_text=_("Faux dès que la structure a, dans ce contrat, un bilan final en "
                          "retard.")),
    FactField("structure.fte_hours",
              _("Volume annuel d'heures hors emplois artistiques et techniques"), DECIMAL,
              unit="hours", help_text=_("0,20 ETP = 320 heures.")),
    FactField("structure.licence_categories", _("Licences d'entrepreneur de spectacles"), SET,
              feminine=True, choices=LICENCE_CHOICES),
    FactField("structure.main_activity", _("Activité principale"), CHOICE, feminine=True,
              choices=MAIN_ACTIVITY_CHOICES),
    FactField("structure.artists_count", _("Nombre d'artistes produit·es"), INTEGER),
    FactField("structure.regional_artists_count",
              _("Nombre d'artistes établi·es dans la région"), INTEGER),
    FactField("dossier.partner_count", _("Nombre de structures partenaires"), INTEGER),
    FactField("dossier.requested_amount", _("Montant demandé"), DECIMAL, unit="money"),
    FactField("dossier.total_budget", _("Budget total du projet"), DECIMAL, unit="money"),
    FactField("dossier.requested_share_of_budget", _("Part de l'aide dans le budget de l'action"),
              DECIMAL, unit="percent", feminine=True),
    FactField("dossier.self_financing_share",
              _("Part d'autofinancement du ou de la candidat·e"), DECIMAL, unit="percent",
              feminine=True),
    FactField("dossier.duration_months", _("Durée du projet"), INTEGER, unit="months",
              feminine=True),
)}

FIELD_CHOICES = [(f.key, f.label) for f in FIELDS.values()]

# --- values: parsing, normalisation (JSON-safe), formatting --------------------------------


def _invalid(message, **params) -> ValidationError:
    return ValidationError({"value": ValidationError(message % params if params else message)})


def parse_decimal(raw) -> Decimal:
    """`Decimal`, int or text (French or English notation: "100 000,50", "0.2")."""
    if isinstance(raw, bool):
        raise ValueError("boolean")
    if isinstance(raw, Decimal):
        result = raw
    elif isinstance(raw, int):
        result = Decimal(raw)
    elif isinstance(raw, float):
        result = Decimal(str(raw))
    elif isinstance(raw, str):
        text = re.sub(r"[\s\u00a0\u202f€%]", "", raw).replace(",", ".")
        if not re.fullmatch(r"-?\d+(\.\d+)?", text):
            raise ValueError(raw)
        result = Decimal(text)
    else:
        raise ValueError(raw)
    if not result.is_finite():
        raise ValueError(raw)
    return result


def parse_integer(raw) -> int:
    value = parse_decimal(raw)
    if value != value.to_integral_value():
        raise ValueError(raw)
    return int(value)


def _split_list(raw) -> list:
    if isinstance(raw, str):
        return [part.strip() for part in re.split(r"[;,]", raw) if part.strip()]
    if isinstance(raw, (list, tuple, set, frozenset)):
        return list(raw)
    raise ValueError(raw)


def _normalize_scalar(field: FactField, raw):
    """One value of `field`'s type, JSON-safe (decimals as strings)."""
    if field.type == INTEGER:
        try:
            return parse_integer(raw)
        except (ValueError, InvalidOperation):
            raise _invalid(gettext("« %(value)s » n'est pas un nombre entier."),
                           value=raw) from None
    if field.type == DECIMAL:
        try:
            return str(parse_decimal(raw))
        except (ValueError, InvalidOperation):
            raise _invalid(gettext("« %(value)s » n'est pas un nombre."), value=raw) from None
    # choice, string, set items
    if not isinstance(raw, (str, int)) or isinstance(raw, bool):
        raise _invalid(gettext("« %(value)s » n'est pas un texte."), value=raw)
    value = str(raw).strip()
    if not value:
        raise _invalid(gettext("Une valeur est requise."))
    if field.choices:
        code = choice_for(field, value)
        if code is None:
            raise _invalid(gettext("« %(value)s » n'est pas une valeur possible "
                                   "(valeurs : %(choices)s)."),
                           value=value, choices=", ".join(
                               str(label) for _code, label in field.choices))
        return code
    return value


def _match_key(text: str) -> str:
    """Case, accents, hyphens and apostrophes ignored: "pays-de-la-loire" = "Pays de la Loire"."""
    import unicodedata

    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def choice_for(field: FactField, typed: str) -> str | None:
    """The stored value of a choice the admin typed by its code ("52") or by its name
    ("Pays de la Loire", "pays de la loire", "Haute-Garonne", "catégorie 2"); None when it
    names none."""
    typed = str(typed).strip()
    codes = dict(field.choices)
    if typed in codes:
        return typed
    key = _match_key(typed)
    for code, label in field.choices:
        full = _match_key(label)
        short = _match_key(re.sub(r"\s*\([^)]*\)\s*$", "", str(label)))
        if key and key in (full, short, _match_key(code)):
            return code
    return None


TWO_VALUES = _("Indiquez deux valeurs séparées par « ; » (ex. : 5000 ; 15000).")


def normalize_value(field: FactField, operator: str, raw):
    """Check `raw` against the field's type and the operator; return the stored JSON value
    (None, a number, a decimal string, a string or a list). Raises ValidationError on
    "value"."""
    if operator in NO_VALUE_OPERATORS:
        if raw not in (None, "", []):
            raise _invalid(gettext("L'opérateur « %(op)s » ne prend pas de valeur."),
                           op=OPERATOR_LABELS[operator])
        return None
    if raw is None or raw == "" or raw == []:
        raise _invalid(gettext("Une valeur est requise pour cet opérateur."))
    if operator == "between":
        try:
            parts = (re.split(r"\s*(?:;|\bet\b|\bà\b)\s*", raw.strip())
                     if isinstance(raw, str) else list(raw))
        except TypeError:
            raise _invalid(TWO_VALUES) \
                from None
        parts = [p for p in parts if p not in ("", None)]
        if len(parts) != 2:
            raise _invalid(TWO_VALUES)
        low, high = (_normalize_scalar(field, p) for p in parts)
        if Decimal(str(low)) > Decimal(str(high)):
            raise _invalid(gettext("La première valeur doit être inférieure ou égale à la "
                                   "seconde."))
        return [low, high]
    if operator in LIST_OPERATORS:
        try:
            items = _split_list(raw)
        except ValueError:
            raise _invalid(gettext("Indiquez une liste de valeurs séparées par des "
                                   "virgules.")) from None
        if not items:
            raise _invalid(gettext("Indiquez au moins une valeur."))
        return sorted({_normalize_scalar(field, item) for item in items})
    if isinstance(raw, (list, tuple, set, frozenset)):
        raise _invalid(gettext("Une seule valeur est attendue pour cet opérateur."))
    return _normalize_scalar(field, raw)


def validate_criterion(*, kind: str, field: str, parameter: str, operator: str, value):
    """Validate a criterion's rule; return its normalized value. Errors name the model field
    at fault ("field", "parameter", "operator" or "value")."""
    if kind == "declaration":
        return None
    if kind != "check":
        raise ValidationError({"kind": gettext("Type de critère inconnu : « %(kind)s ».")
                                       % {"kind": kind}})
    spec = FIELDS.get(field or "")
    if spec is None:
        raise ValidationError({"field": gettext("Donnée inconnue : « %(field)s ». Choisissez une "
                                          "donnée de la liste.") % {"field": field or ""}})
    errors = {}
    if spec.parameter:
        if not re.fullmatch(r"(19|20)\d\d", parameter or ""):
            errors["parameter"] = gettext("Indiquez l'année (ex. : 2021) pour « %(label)s ».") % {
                "label": spec.label}
    elif parameter:
        errors["parameter"] = gettext("« %(label)s » ne prend pas de paramètre.") % {
            "label": spec.label}
    if operator not in spec.operators:
        errors["operator"] = gettext(
            "L'opérateur « %(op)s » ne convient pas à « %(label)s » (possibles : %(ops)s).") % {
            "op": OPERATOR_LABELS.get(operator, operator or "—"), "label": spec.label,
            "ops": ", ".join(str(OPERATOR_LABELS[o]) for o in spec.operators)}
    if errors:
        raise ValidationError(errors)
    return normalize_value(spec, operator, value)


# --- evaluation ------------------------------------------------------------------------------

PASS, FAIL, WARNING, UNKNOWN = "pass", "fail", "warning", "unknown"

#: What a reader sees of a result (never « pass » or « fail »).
STATUS_LABELS = {PASS: _("Respecté"), FAIL: _("Non respecté"), WARNING: _("Point d’attention"),
                 UNKNOWN: _("À vérifier")}


def status_label(status) -> str:
    """« Respecté », « Non respecté », « Point d’attention », « À vérifier »."""
    return str(STATUS_LABELS.get(status, STATUS_LABELS[UNKNOWN]))


@dataclass(frozen=True)
class CriterionResult:
    criterion: Any
    status: str      # "pass", "fail", "warning" or "unknown"
    message: str

    @property
    def passed(self) -> bool:
        return self.status == PASS


def _get(criterion, name, default=None):
    if isinstance(criterion, dict):
        return criterion.get(name, default)
    return getattr(criterion, name, default)


class _Missing(Exception):
    pass


def _coerce_fact(spec: FactField, raw):
    if raw is None:
        raise _Missing
    try:
        if spec.type == INTEGER:
            return Decimal(parse_integer(raw))
        if spec.type == DECIMAL:
            return parse_decimal(raw)
        if spec.type == BOOLEAN:
            if isinstance(raw, bool):
                return raw
            raise ValueError(raw)
        if spec.type == SET:
            if isinstance(raw, str):
                raise ValueError(raw)
            return frozenset(str(item) for item in raw)
        if isinstance(raw, (dict, list, set, tuple)):
            raise ValueError(raw)
        text = str(raw)
        if text == "":
            raise _Missing
        return text
    except (ValueError, TypeError, InvalidOperation):
        raise _Missing from None


def lookup_fact(facts: dict, field: str, parameter: str = ""):
    """The raw fact for `field` (and its parameter), or None when it is missing."""
    raw = facts.get(field)
    spec = FIELDS.get(field)
    if spec is not None and spec.parameter:
        if not isinstance(raw, dict):
            return None
        return raw.get(str(parameter), raw.get(int(parameter)) if str(parameter).isdigit()
                       else None)
    return raw


def _number(value) -> Decimal:
    return Decimal(str(value))


def _apply(spec: FactField, operator: str, fact, value) -> bool:
    if operator == "is_set":
        return True
    if operator == "is_true":
        return fact is True
    if operator == "is_false":
        return fact is False
    if spec.type in (INTEGER, DECIMAL):
        if operator == "between":
            low, high = value
            return _number(low) <= fact <= _number(high)
        target = _number(value)
        return {"eq": fact == target, "ne": fact != target, "lt": fact < target,
                "lte": fact <= target, "gt": fact > target, "gte": fact >= target}[operator]
    if spec.type == SET:
        if operator == "contains":
            return str(value) in fact
        items = {str(v) for v in value}
        if operator == "contains_all":
            return items <= fact
        return bool(items & fact)  # contains_any
    # choice / string
    if operator == "eq":
        return fact == str(value)
    if operator == "ne":
        return fact != str(value)
    items = {str(v) for v in value}
    return fact in items if operator == "in" else fact not in items


def evaluate_one(criterion, facts: dict) -> CriterionResult:
    blocking = _get(criterion, "severity", "blocking") != "warning"
    label = str(_get(criterion, "label", "") or "")
    custom = str(_get(criterion, "message", "") or "")
    if _get(criterion, "kind", "check") == "declaration":
        ticked = {str(x) for x in facts.get("declarations") or ()}
        if str(_get(criterion, "id", _get(criterion, "pk"))) in ticked:
            return CriterionResult(criterion, PASS, "")
        return CriterionResult(criterion, FAIL if blocking else WARNING,
                               custom or gettext("Déclaration non cochée : %(label)s")
                               % {"label": label})
    field = _get(criterion, "field", "")
    parameter = str(_get(criterion, "parameter", "") or "")
    operator = _get(criterion, "operator", "")
    spec = FIELDS.get(field)
    if spec is None or operator not in spec.operators:
        return CriterionResult(criterion, FAIL if blocking else UNKNOWN,
                               gettext("Règle non évaluable : donnée ou opérateur inconnu."))
    fact_label = spec.label_for(parameter)
    try:
        fact = _coerce_fact(spec, lookup_fact(facts, field, parameter))
    except _Missing:
        missing = gettext("Donnée manquante : %(label)s.") % {"label": fact_label}
        if operator == "is_set":
            return CriterionResult(criterion, FAIL if blocking else WARNING, custom or missing)
        return CriterionResult(criterion, FAIL if blocking else UNKNOWN, missing)
    try:
        ok = _apply(spec, operator, fact, _get(criterion, "value"))
    except (TypeError, ValueError, InvalidOperation, KeyError):
        return CriterionResult(criterion, FAIL if blocking else UNKNOWN,
                               gettext("Règle non évaluable : valeur invalide."))
    if ok:
        return CriterionResult(criterion, PASS, "")
    return CriterionResult(criterion, FAIL if blocking else WARNING,
                           custom or gettext("Critère non rempli : %(rule)s.")
                           % {"rule": describe(criterion)})


def evaluate(criteria: Iterable, facts: dict) -> list[CriterionResult]:
    """Evaluate each criterion against `facts`; one result per criterion, in order."""
    return [evaluate_one(c, facts or {}) for c in criteria]


def has_blocking_failure(results: Iterable[CriterionResult]) -> bool:
    return any(r.status == FAIL for r in results)


# --- plain French --------------------------------------------------------------------------


def format_number(value) -> str:
    """``Decimal("100000")`` → ``100 000``; ``Decimal("0.20")`` → ``0,2``."""
    number = _number(value)
    sign = "-" if number < 0 else ""
    number = abs(number)
    if number == number.to_integral_value():
        units, decimals = str(int(number)), ""
    else:
        units, decimals = f"{number.normalize():f}".split(".")
    groups = []
    while units:
        groups.insert(0, units[-3:])
        units = units[:-3]
    text = NBSP.join(groups) or "0"
    return f"{sign}{text},{decimals}" if decimals else f"{sign}{text}"


def format_value(spec: FactField, value) -> str:
    if spec.type in (INTEGER, DECIMAL):
        if spec.unit == "money":
            return format_money(_number(value))
        text = format_number(value)
        return {"percent": f"{text}{NBSP}%", "hours": f"{text}{NBSP}h",
                "months": f"{text}{NBSP}" + gettext("mois")}.get(spec.unit, text)
    return spec.choice_label(str(value))


def _agree(word_m: str, word_f: str, spec: FactField) -> str:
    return word_f if spec.feminine else word_m


def describe(criterion) -> str:
    """The rule in plain French, e.g. "Chiffre d'affaires 2021 inférieur à 100 000,00 €"."""
    label = str(_get(criterion, "label", "") or "")
    if _get(criterion, "kind", "check") == "declaration":
        return label
    spec = FIELDS.get(_get(criterion, "field", ""))
    operator = _get(criterion, "operator", "")
    if spec is None or operator not in spec.operators:
        return label
    subject = spec.label_for(str(_get(criterion, "parameter", "") or ""))
    value = _get(criterion, "value")
    fmt = lambda v: format_value(spec, v)  # noqa: E731
    if operator == "is_true":
        return str(spec.true_phrase) or gettext("%(subject)s : oui") % {"subject": subject}
    if operator == "is_false":
        return str(spec.false_phrase) or gettext("%(subject)s : non") % {"subject": subject}
    if operator == "is_set":
        return f"{subject} " + _agree(gettext("renseigné"), gettext("renseignée"), spec)
    if spec.type in (CHOICE, STRING):
        if operator == "eq":
            return f"{subject} : {fmt(value)}"
        if operator == "ne":
            return f"{subject} " + gettext("autre que") + f" {fmt(value)}"
        joined = ", ".join(fmt(v) for v in value)
        if operator == "in":
            return f"{subject} " + gettext("parmi") + f" : {joined}"
        return f"{subject} " + gettext("hors de") + f" : {joined}"
    if spec.type == SET:
        if operator == "contains":
            return f"{subject} " + gettext("comprenant") + f" {fmt(value)}"
        items = [fmt(v) for v in value]
        if operator == "contains_all":
            listed = (", ".join(items[:-1]) + " " + gettext("et") + " " + items[-1]
                      if len(items) > 1 else items[0])
            return f"{subject} " + gettext("comprenant") + f" {listed}"
        return f"{subject} " + gettext("comprenant au moins l'une de") + " : " + ", ".join(items)
    # numbers
    if operator == "between":
        return (f"{subject} " + _agree(gettext("compris entre"), gettext("comprise entre"), spec)
                + f" {fmt(value[0])} " + gettext("et") + f" {fmt(value[1])}")
    words = {
        "eq": (gettext("égal à"), gettext("égale à")),
        "ne": (gettext("différent de"), gettext("différente de")),
        "lt": (gettext("inférieur à"), gettext("inférieure à")),
        "lte": (gettext("inférieur ou égal à"), gettext("inférieure ou égale à")),
        "gt": (gettext("supérieur à"), gettext("supérieure à")),
        "gte": (gettext("supérieur ou égal à"), gettext("supérieure ou égale à")),
    }[operator]
    return f"{subject} {_agree(*words, spec)} {fmt(value)}"


# --- the actual value, in plain French ----------------------------------------------------


def _duration_phrase(months: int) -> str:
    years, rest = divmod(int(months), 12)
    if years and rest:
        return (ngettext("%(n)d an", "%(n)d ans", years) % {"n": years} + " "
                + gettext("et") + " " + ngettext("%(n)d mois", "%(n)d mois", rest) % {"n": rest})
    if years:
        return ngettext("%(n)d an", "%(n)d ans", years) % {"n": years}
    return ngettext("%(n)d mois", "%(n)d mois", rest) % {"n": rest}


def describe_fact(criterion, facts: dict) -> str:
    """What the structure (or the dossier) actually has for the criterion's field, in plain
    French, to be read next to the rule: "créée il y a 6 mois", "siège social en Bretagne",
    "chiffre d'affaires 2021 : 120 000,00 €", "non renseigné dans le profil". Empty for a
    declaration or an unknown field."""
    if _get(criterion, "kind", "check") == "declaration":
        return ""
    field = _get(criterion, "field", "")
    spec = FIELDS.get(field)
    if spec is None:
        return ""
    parameter = str(_get(criterion, "parameter", "") or "")
    try:
        fact = _coerce_fact(spec, lookup_fact(facts, field, parameter))
    except _Missing:
        fact = None
    from portal.geo import REGION_LOCATIVE, departement_label

    if field == "structure.months_of_activity":
        if fact is None:
            return gettext("date de création non renseignée dans le profil")
        if fact < 1:
            return gettext("créée il y a moins d'un mois")
        return gettext("créée il y a %(duration)s") % {"duration": _duration_phrase(fact)}
    if field == "structure.cnm_affiliated":
        return (gettext("affiliée au CNM") if fact else
                gettext("pas d'affiliation au CNM indiquée dans le profil"))
    if field == "structure.seat_region":
        if fact is None:
            return gettext("région du siège inconnue (vérifiez le code postal du profil)")
        return gettext("siège social %(in_region)s") % {
            "in_region": REGION_LOCATIVE.get(fact, fact),
            "region": INSEE_REGION_CODES.get(fact, fact)}
    if field == "structure.departement":
        if fact is None:
            return gettext("département du siège inconnu (vérifiez le code postal du profil)")
        return gettext("siège social : %(departement)s") % {
            "departement": departement_label(fact)}
    if field == "structure.licence_categories":
        if not fact:
            return gettext("aucune licence d'entrepreneur de spectacles dans le profil")
        items = sorted(fact)
        listed = (", ".join(items[:-1]) + " " + gettext("et") + " " + items[-1]
                  if len(items) > 1 else items[0])
        return ngettext("licence de catégorie %(list)s", "licences de catégories %(list)s",
                        len(items)) % {"list": listed}
    subject = spec.label_for(parameter)
    if fact is None:
        return gettext("%(subject)s : non renseigné dans le profil") % {
            "subject": subject} if field.startswith("structure.") else gettext(
            "%(subject)s : non renseigné") % {"subject": subject}
    if spec.type == BOOLEAN:
        phrase = spec.true_phrase if fact else spec.false_phrase
        return str(phrase) or f"{subject} : " + (gettext("oui") if fact else gettext("non"))
    if spec.type == SET:
        return f"{subject} : " + ", ".join(spec.choice_label(v) for v in sorted(fact))
    return f"{subject} : {format_value(spec, fact)}"


def field_catalogue() -> list[dict]:
    """The documented list of fields, for the admin's help page."""
    return [{"key": f.key, "label": f.label, "type": f.type, "parameter": f.parameter,
             "operators": [OPERATOR_LABELS[o] for o in f.operators],
             "operator_keys": list(f.operators),
             "choices": [(k, v) for k, v in f.choices], "help_text": f.help_text}
            for f in FIELDS.values()]
