"""Amounts and decimal numbers as French users type them, and in words for letters.

One parser for the whole portal (`parse_number`), mirrored line for line by
``static/portal/amounts.js`` so that the live scripts (budget totals…) count exactly what the
server accepts; one form field (`AmountField`, and `NumberField` for quantities that are not
money) and one widget (`AmountInput`) that shows saved values back in French.

Accepted: ``12 000,50``, ``6 000``, ``4000,5``, ``12000.50``, ``12 000,50 €``, ``€ 300`` —
group separators are spaces (ordinary, no-break U+00A0, narrow no-break U+202F, thin U+2009,
figure U+2007), the decimal separator is one comma or one point. Refused with a message that
names the field and repeats what was typed: letters, two separators (``1.234,56``), more
decimals than the field keeps (``12,505`` for euros and cents), too many digits.
"""

import re
from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from num2words import num2words

#: What may separate groups of digits (mirrored in amounts.js: keep both lists identical).
SPACES = " \t\n\r\u00a0\u2007\u2009\u202f"
MINUS_SIGNS = "-\u2212"
_SPACES_RE = re.compile(f"[{SPACES}]")
_NUMBER_RE = re.compile(r"([0-9]*)(?:[.,]([0-9]*))?")


class AmountError(ValueError):
    """`code`: "invalid" (not a number), "negative", "decimal_places", "max_digits"."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def parse_number(text, *, units=("€",), decimal_places: int | None = 2,
                 max_digits: int | None = None, allow_negative: bool = False) -> Decimal | None:
    """The `Decimal` written in `text` (French or plain notation), ``None`` when empty.

    `units`: symbols that may stand before or after the number (``€``, ``%``);
    `decimal_places`: at most that many digits after the separator; `max_digits`: digits in
    all (as `models.DecimalField`). Raises `AmountError` with its code."""
    if text is None:
        return None
    compact = _SPACES_RE.sub("", str(text))
    if compact == "":
        return None
    for unit in units:
        if compact.endswith(unit):
            compact = compact[: -len(unit)]
            break
        if compact.startswith(unit):
            compact = compact[len(unit):]
            break
    negative = compact[:1] != "" and compact[:1] in MINUS_SIGNS
    if negative:
        compact = compact[1:]
    match = _NUMBER_RE.fullmatch(compact)
    if not match or not (match.group(1) or match.group(2)):
        raise AmountError("invalid")
    whole, decimals = match.group(1).lstrip("0") or "0", match.group(2) or ""
    if negative and not allow_negative and (whole != "0" or decimals.strip("0")):
        raise AmountError("negative")
    if decimal_places is not None and len(decimals) > decimal_places:
        raise AmountError("decimal_places")
    if max_digits is not None:
        whole_digits = 0 if whole == "0" else len(whole)
        if whole_digits > max_digits - (decimal_places or 0):
            raise AmountError("max_digits")
    sign = "-" if negative and allow_negative else ""
    return Decimal(f"{sign}{whole}.{decimals}" if decimals else f"{sign}{whole}")


def canonical(value: Decimal | None) -> str | None:
    """The plain text of a parsed value (``"12000.50"``): what amounts.js returns too."""
    return None if value is None else format(value, "f")


def _group(units: str) -> str:
    groups = []
    while units:
        groups.insert(0, units[-3:])
        units = units[:-3]
    return "\u00a0".join(groups) or "0"


def format_number_input(value, *, decimal_places: int | None = 2) -> str:
    """A value as the French input shows it back: ``25 000,00`` with `decimal_places`=2 (money),
    ``0,2`` / ``1 600`` with None (quantities: no trailing zeros)."""
    if value is None or value == "":
        return ""
    number = Decimal(value)
    if decimal_places is not None:
        number = number.quantize(Decimal(1).scaleb(-decimal_places), rounding=ROUND_HALF_UP)
        text = format(number, "f")
    else:
        text = format(number.normalize(), "f") if number else "0"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    sign = "-" if text.startswith("-") else ""
    whole, _sep, decimals = text.lstrip("-").partition(".")
    return f"{sign}{_group(whole)}{',' + decimals if decimals else ''}"


class AmountInput(forms.TextInput):
    """A text input (not type=number, which refuses « 12 000,50 ») with the decimal keypad on
    phones; saved values shown in French, typed text shown back as typed. The data- attributes
    give amounts.js the same parsing options as the server's field."""

    def __init__(self, attrs=None, *, decimal_places: int | None = 2):
        self.decimal_places = decimal_places
        super().__init__({"inputmode": "decimal", "autocomplete": "off", "spellcheck": "false",
                          **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
            return format_number_input(value, decimal_places=self.decimal_places)
        return super().format_value(value)


MESSAGES = {
    "invalid_money": _("%(label)s : « %(value)s » n'est pas un montant. Écrivez-le en "
                       "chiffres, par exemple 12 000,50."),
    "invalid": _("%(label)s : « %(value)s » n'est pas un nombre. Écrivez-le en chiffres, "
                 "par exemple 12,5."),
    "negative": _("%(label)s : le nombre ne peut pas être négatif (vous avez écrit "
                  "« %(value)s »)."),
    "decimal_places": _("%(label)s : au plus %(places)s chiffre(s) après la virgule (vous avez "
                        "écrit « %(value)s »)."),
    "max_digits": _("%(label)s : « %(value)s » est trop grand."),
    "min_value": _("%(label)s : au moins %(limit)s."),
    "max_value": _("%(label)s : au plus %(limit)s."),
}


def number_error(code: str, *, label, money: bool, **params) -> ValidationError:
    """The field error of `code` (see `AmountError`, plus min_value/max_value), naming the
    field and repeating what was typed."""
    key = "invalid_money" if code == "invalid" and money else code
    return ValidationError(MESSAGES[key], code=code,
                           params={"label": str(label or _("Ce champ")), **params})


def clean_number(value, *, label, money: bool = True, decimal_places: int | None = 2,
                 max_digits: int | None = 12, min_value=None, max_value=None,
                 allow_negative: bool | None = None) -> Decimal | None:
    """`value` as typed (or a Decimal) → `Decimal` or None; `ValidationError` with the field's
    message otherwise. The services that read a posted amount without a form use this."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    if allow_negative is None:
        allow_negative = min_value is None or min_value < 0
    if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
        number = Decimal(str(value))
    else:
        typed = str(value).strip()
        try:
            number = parse_number(typed, units=("€",) if money else ("%",),
                                  decimal_places=decimal_places, max_digits=max_digits,
                                  allow_negative=allow_negative)
        except AmountError as exc:
            raise number_error(exc.code, label=label, money=money, value=typed,
                               places=decimal_places) from None
    if not number.is_finite():
        raise number_error("invalid", label=label, money=money, value=str(value))
    def limit(v):
        if money:
            from .formatting import format_money

            return format_money(v)
        return format_number_input(v, decimal_places=None)
    if min_value is not None and number < min_value:
        raise number_error("min_value", label=label, money=money, limit=limit(min_value))
    if max_value is not None and number > max_value:
        raise number_error("max_value", label=label, money=money, limit=limit(max_value))
    return number


class NumberField(forms.DecimalField):
    """A decimal quantity typed the French way (percentages, days, hours, points). Same parser
    as `AmountField`; shown back without trailing zeros (``0,2``, ``1 600``)."""

    widget = AmountInput
    money = False
    display_places: int | None = None

    def __init__(self, *, max_value=None, min_value=None, max_digits=None, decimal_places=None,
                 allow_negative=None, **kwargs):
        kwargs.pop("localize", None)
        kwargs.pop("step_size", None)
        super().__init__(**kwargs)
        # The limits are checked by clean_number, with messages that name the field (Django's
        # validators would say « Assurez-vous que cette valeur… »).
        self.validators = [v for v in self.validators
                           if v.__class__.__name__ != "DecimalValidator"]
        self.max_value, self.min_value = max_value, min_value
        self.max_digits, self.decimal_places = max_digits, decimal_places
        self.allow_negative = (min_value is None or min_value < 0) if allow_negative is None \
            else allow_negative
        self.widget.decimal_places = self.display_places
        self.widget.attrs.update(self.widget_attrs(self.widget))

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({
            "data-amount": "",
            "data-amount-units": "€" if self.money else "%",
            "data-amount-places": "" if self.decimal_places is None else str(self.decimal_places),
            "data-amount-digits": "" if self.max_digits is None else str(self.max_digits),
            "data-amount-negative": "1" if getattr(self, "allow_negative", False) else "",
        })
        return attrs

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return clean_number(value, label=self.label, money=self.money,
                            decimal_places=self.decimal_places, max_digits=self.max_digits,
                            min_value=self.min_value, max_value=self.max_value,
                            allow_negative=self.allow_negative)


class AmountField(NumberField):
    """The portal's one money field: euros and cents (2 places, up to 9 999 999 999,99 €),
    never negative unless `min_value` says so, French or plain input, optional ``€``."""

    money = True
    display_places = 2

    def __init__(self, *, max_digits=12, decimal_places=2, min_value=Decimal("0"), **kwargs):
        super().__init__(max_digits=max_digits, decimal_places=decimal_places,
                         min_value=min_value, **kwargs)


def french_number_field(field: forms.Field, *, money: bool | None = None) -> forms.Field:
    """`field` (a Django DecimalField, e.g. built by a ModelForm from the model) replaced by
    the portal's French field with the same label, limits and help; other fields unchanged."""
    if not isinstance(field, forms.DecimalField) or isinstance(field, NumberField):
        return field
    if money is None:
        money = field.decimal_places == 2 and field.max_digits == 12
    kwargs = dict(required=field.required, label=field.label, initial=field.initial,
                  help_text=field.help_text, disabled=field.disabled,
                  max_digits=field.max_digits, decimal_places=field.decimal_places,
                  max_value=field.max_value, min_value=field.min_value)
    attrs = {k: v for k, v in field.widget.attrs.items()
             if k not in ("step", "min", "max", "inputmode")}
    cls = AmountField if money else NumberField
    if money and kwargs["min_value"] is None:
        kwargs["min_value"] = Decimal("0")
    new = cls(**kwargs)
    new.widget.attrs.update(attrs)
    return new


def euros_in_words(amount) -> str:
    """Amounts in French words for decision letters: 12000 → « douze mille euros »."""
    value = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if value < 0:
        raise ValueError("negative amount")
    euros = int(value)
    cents = int((value - euros) * 100)
    words = f"{num2words(euros, lang='fr')} euro{'s' if euros > 1 else ''}"
    # « un million d'euros », « deux millions d'euros »
    if euros >= 1_000_000 and euros % 1_000_000 == 0:
        words = f"{num2words(euros, lang='fr')} d'euros"
    if cents:
        cents_words = f"{num2words(cents, lang='fr')} centime{'s' if cents > 1 else ''}"
        words = f"{words} et {cents_words}" if euros else cents_words
    return words
