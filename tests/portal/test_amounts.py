from decimal import Decimal

import pytest

from portal.amounts import euros_in_words
from portal.formatting import format_date_fr, format_money


@pytest.mark.parametrize("amount, words", [
    ("12000", "douze mille euros"),
    ("5000", "cinq mille euros"),
    ("15000", "quinze mille euros"),
    ("25000", "vingt-cinq mille euros"),
    ("210000", "deux cent dix mille euros"),
    ("80", "quatre-vingts euros"),
    ("1", "un euro"),
    ("0.01", "un centime"),
    ("9600.50", "neuf mille six cents euros et cinquante centimes"),
    ("2000000", "deux millions d'euros"),
])
def test_euros_in_words(amount, words):
    assert euros_in_words(Decimal(amount)) == words


@pytest.mark.parametrize("amount, text", [
    ("12000", "12\u00a0000,00\u00a0€"),
    ("210000.5", "210\u00a0000,50\u00a0€"),
    ("999.999", "1\u00a0000,00\u00a0€"),
    ("0", "0,00\u00a0€"),
    ("-1500", "-1\u00a0500,00\u00a0€"),
    ("1234567.89", "1\u00a0234\u00a0567,89\u00a0€"),
])
def test_format_money_french(amount, text):
    assert format_money(Decimal(amount)) == text


def test_format_date_fr():
    from datetime import date, datetime, timezone

    assert format_date_fr(date(2023, 9, 18)) == "18 septembre 2023"
    assert format_date_fr(date(2024, 1, 1)) == "1er janvier 2024"
    # 22:30 UTC on 18 September is already the 19th in Paris.
    assert format_date_fr(datetime(2023, 9, 18, 22, 30, tzinfo=timezone.utc)) == "19 septembre 2023"


# --- The one parser of typed amounts (portal.amounts.parse_number), mirrored in amounts.js ----

from portal.amounts import (AmountError, AmountField, NumberField, canonical,  # noqa: E402
                            format_number_input, parse_number)

NNBSP, NBSP = "\u202f", "\u00a0"

#: (typed, options, canonical value or error code). tests/portal/test_amounts_js.py runs the
#: same table through static/portal/amounts.js in Chromium: both must agree on every line.
AMOUNT_CASES = [
    ("12 000,50", {}, "12000.50"),
    ("6 000", {}, "6000"),
    ("4000,5", {}, "4000.5"),
    ("12000.50", {}, "12000.50"),
    (f"12{NNBSP}000,50", {}, "12000.50"),
    (f"12{NBSP}000,50{NBSP}€", {}, "12000.50"),
    ("1\u2009234\u2007567,89", {}, "1234567.89"),
    ("12 000,50 €", {}, "12000.50"),
    ("12000€", {}, "12000"),
    ("€ 300", {}, "300"),
    ("  250  ", {}, "250"),
    ("0,5", {}, "0.5"),
    (",5", {}, "0.5"),
    ("12,", {}, "12"),
    ("007", {}, "7"),
    ("0", {}, "0"),
    ("", {}, None),
    ("   ", {}, None),
    (NNBSP, {}, None),
    ("abc", {}, "invalid"),
    ("12 000,5O", {}, "invalid"),
    ("1.234,56", {}, "invalid"),
    ("1,234.56", {}, "invalid"),
    ("12,50,3", {}, "invalid"),
    ("€", {}, "invalid"),
    (",", {}, "invalid"),
    ("1e5", {}, "invalid"),
    ("+5", {}, "invalid"),
    ("12 %", {}, "invalid"),
    ("€12€", {}, "invalid"),
    ("٣٤", {}, "invalid"),
    ("12,505", {}, "decimal_places"),
    ("12.000", {}, "decimal_places"),
    ("-5", {}, "negative"),
    ("\u22125", {}, "negative"),
    ("-0", {}, "0"),
    ("-5", {"allow_negative": True}, "-5"),
    ("\u22121 500,25", {"allow_negative": True}, "-1500.25"),
    ("99 999 999,99", {"max_digits": 10}, "99999999.99"),
    ("999 999 999,99", {"max_digits": 10}, "max_digits"),
    ("9 999 999 999,99", {"max_digits": 12}, "9999999999.99"),
    ("10 000 000 000", {"max_digits": 12}, "max_digits"),
    ("30 %", {"units": ["%"], "decimal_places": None}, "30"),
    ("12,125", {"units": ["%"], "decimal_places": None}, "12.125"),
    ("1,5", {"units": [], "decimal_places": 1}, "1.5"),
    ("1,55", {"units": [], "decimal_places": 1}, "decimal_places"),
    ("12 €", {"units": []}, "invalid"),
]


def python_result(typed, options):
    try:
        return canonical(parse_number(typed, units=tuple(options.get("units", ["€"])),
                                      decimal_places=options.get("decimal_places", 2),
                                      max_digits=options.get("max_digits"),
                                      allow_negative=options.get("allow_negative", False)))
    except AmountError as exc:
        return exc.code


@pytest.mark.parametrize("typed, options, expected", AMOUNT_CASES)
def test_parse_number_reads_what_a_french_user_types(typed, options, expected):
    assert python_result(typed, options) == expected


@pytest.mark.parametrize("value, places, text", [
    (Decimal("25000"), 2, f"25{NBSP}000,00"),
    (Decimal("25000.5"), 2, f"25{NBSP}000,50"),
    (Decimal("1234567.891"), 2, f"1{NBSP}234{NBSP}567,89"),
    (Decimal("0"), 2, "0,00"),
    (Decimal("-1500"), 2, f"-1{NBSP}500,00"),
    (Decimal("50.00"), None, "50"),
    (Decimal("0.20"), None, "0,2"),
    (Decimal("1600.00"), None, f"1{NBSP}600"),
    (Decimal("1.5"), None, "1,5"),
    (Decimal("0"), None, "0"),
])
def test_saved_values_are_shown_back_in_french(value, places, text):
    assert format_number_input(value, decimal_places=places) == text


def test_amount_field_cleans_french_input_and_shows_it_back():
    field = AmountField(label="Montant (€)")
    assert field.clean("12 000,50") == Decimal("12000.50")
    assert field.clean(f"6{NNBSP}000 €") == Decimal("6000")
    html = field.widget.render("amount", Decimal("25000.00"))
    assert f'value="25{NBSP}000,00"' in html
    assert 'inputmode="decimal"' in html and 'type="text"' in html
    # what was typed is shown back as typed (a bound form passes the raw text)
    assert 'value="12 000,5O"' in field.widget.render("amount", "12 000,5O")


@pytest.mark.parametrize("typed, message", [
    ("12 000,5O", "Montant (€) : « 12 000,5O » n'est pas un montant. Écrivez-le en chiffres, "
                  "par exemple 12 000,50."),
    ("12,505", "Montant (€) : au plus 2 chiffre(s) après la virgule (vous avez écrit "
               "« 12,505 »)."),
    ("-300", "Montant (€) : le nombre ne peut pas être négatif (vous avez écrit « -300 »)."),
    ("99 999 999 999", "Montant (€) : « 99 999 999 999 » est trop grand."),
])
def test_amount_field_errors_name_the_field_and_repeat_the_input(typed, message):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        AmountField(label="Montant (€)").clean(typed)
    assert info.value.messages == [message]


def test_number_field_limits_are_french():
    from django.core.exceptions import ValidationError

    field = NumberField(label="Note moyenne min. (/20)", min_value=0, max_value=20,
                        decimal_places=2)
    assert field.clean("12,5") == Decimal("12.5")
    with pytest.raises(ValidationError) as info:
        field.clean("20,5")
    assert info.value.messages == ["Note moyenne min. (/20) : au plus 20."]


def test_no_form_of_the_portal_builds_a_plain_decimal_field():
    """Every decimal input is the portal's (AmountField / NumberField): a plain
    forms.DecimalField would refuse « 12 000,50 »."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = [str(path.relative_to(root)) for app in ("portal", "calls", "applications",
                                                          "reviews", "mentoring")
                 for path in (root / app).rglob("*.py")
                 if "forms.DecimalField(" in path.read_text() and path.name != "amounts.py"]
    assert offenders == []


def test_model_forms_turn_money_fields_into_the_amount_field(db):
    from calls.forms import CallForm
    from portal.forms import TenantForm

    assert type(TenantForm().fields["envelope"]) is AmountField
    form = CallForm()
    assert type(form.fields["envelope"]) is AmountField
    assert type(form.fields["amount_min"]) is AmountField
    assert type(form.fields["max_share_of_budget"]) is NumberField
    assert 'class="fr-input"' in str(form["envelope"])


def test_a_model_form_reads_a_french_envelope(db):
    from portal.forms import TenantContractForm

    form = TenantContractForm(data={"name": "Pays de la Loire", "region_code": "52",
                                    "reference_prefix": "PDL",
                                    "contract_title": "Contrat de filière",
                                    "contract_start": "2024-01-01", "contract_end": "2026-12-31",
                                    "envelope": "210\u202f000 €", "description": ""})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["envelope"] == Decimal("210000")
    bound = TenantContractForm(initial={"envelope": Decimal("210000.00")})
    assert 'value="210\u00a0000,00"' in str(bound["envelope"])
