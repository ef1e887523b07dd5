"""The eligibility evaluator: every operator and type, missing data, validation of rules,
plain French, and properties (hypothesis). Pure Python: no database."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from calls.eligibility import (FIELDS, OPERATORS_BY_TYPE, describe, evaluate, evaluate_one,
                               has_blocking_failure, normalize_value, validate_criterion)


def rule(field, operator, value=None, *, parameter="", severity="blocking", message="",
         id=1, label="règle"):
    return {"id": id, "kind": "check", "label": label, "field": field, "parameter": parameter,
            "operator": operator, "value": value, "severity": severity, "message": message}


def declaration(id, *, severity="blocking", label="Je certifie être à jour de mes taxes."):
    return {"id": id, "kind": "declaration", "label": label, "severity": severity,
            "message": ""}


def status(criterion, facts):
    return evaluate_one(criterion, facts).status


# --- numbers ---------------------------------------------------------------------------------

@pytest.mark.parametrize("operator, value, fact, expected", [
    ("eq", 24, 24, "pass"), ("eq", 24, 23, "fail"),
    ("ne", 24, 23, "pass"), ("ne", 24, 24, "fail"),
    ("lt", 24, 23, "pass"), ("lt", 24, 24, "fail"),
    ("lte", 24, 24, "pass"), ("lte", 24, 25, "fail"),
    ("gt", 24, 25, "pass"), ("gt", 24, 24, "fail"),
    ("gte", 24, 24, "pass"), ("gte", 24, 23, "fail"),
    ("between", [12, 24], 12, "pass"), ("between", [12, 24], 24, "pass"),
    ("between", [12, 24], 25, "fail"), ("between", [12, 24], 11, "fail"),
])
def test_integer_operators(operator, value, fact, expected):
    criterion = rule("structure.months_of_activity", operator, value)
    assert status(criterion, {"structure.months_of_activity": fact}) == expected


@pytest.mark.parametrize("operator, value, fact, expected", [
    ("lt", "100000", Decimal("99999.99"), "pass"),
    ("lt", "100000", Decimal("100000.00"), "fail"),
    ("gte", "320", "320", "pass"),            # facts given as text are read as numbers
    ("gte", "320", 319.5, "fail"),
    ("between", ["5000", "15000"], Decimal("15000"), "pass"),
    ("between", ["5000", "15000"], Decimal("15000.01"), "fail"),
    ("eq", "30.0", Decimal("30"), "pass"),
])
def test_decimal_operators(operator, value, fact, expected):
    criterion = rule("structure.fte_hours", operator, value)
    assert status(criterion, {"structure.fte_hours": fact}) == expected


def test_revenue_rule_reads_the_year_given_as_parameter():
    criterion = rule("structure.revenue", "lt", "100000", parameter="2021")
    facts = {"structure.revenue": {"2021": Decimal("85000"), "2022": Decimal("120000")}}
    assert status(criterion, facts) == "pass"
    criterion_2022 = rule("structure.revenue", "lt", "100000", parameter="2022")
    assert status(criterion_2022, facts) == "fail"
    assert status(criterion, {"structure.revenue": {2021: 85000}}) == "pass"  # int keys too


# --- booleans, choices, strings, sets -------------------------------------------------------

@pytest.mark.parametrize("operator, fact, expected", [
    ("is_true", True, "pass"), ("is_true", False, "fail"),
    ("is_false", False, "pass"), ("is_false", True, "fail"),
    ("is_set", False, "pass"),
])
def test_boolean_operators(operator, fact, expected):
    assert status(rule("structure.cnm_affiliated", operator),
                  {"structure.cnm_affiliated": fact}) == expected


def test_boolean_rule_does_not_take_truthy_values_for_true():
    assert status(rule("structure.cnm_affiliated", "is_true"),
                  {"structure.cnm_affiliated": "yes"}) == "fail"


@pytest.mark.parametrize("operator, value, fact, expected", [
    ("eq", "76", "76", "pass"), ("eq", "76", "32", "fail"),
    ("ne", "76", "32", "pass"), ("ne", "76", "76", "fail"),
    ("in", ["32", "76"], "76", "pass"), ("in", ["32", "76"], "11", "fail"),
    ("not_in", ["32", "76"], "11", "pass"), ("not_in", ["32", "76"], "32", "fail"),
])
def test_choice_operators(operator, value, fact, expected):
    assert status(rule("structure.seat_region", operator, value),
                  {"structure.seat_region": fact}) == expected


def test_string_field_compares_text():
    criterion = rule("structure.departement", "in", ["31", "2A"])
    assert status(criterion, {"structure.departement": "2A"}) == "pass"
    assert status(criterion, {"structure.departement": "2B"}) == "fail"


@pytest.mark.parametrize("operator, value, fact, expected", [
    ("contains", "2", {"2", "3"}, "pass"), ("contains", "1", {"2", "3"}, "fail"),
    ("contains_all", ["2", "3"], {"1", "2", "3"}, "pass"),
    ("contains_all", ["2", "3"], {"2"}, "fail"),
    ("contains_any", ["1", "2"], {"2"}, "pass"),
    ("contains_any", ["1", "2"], {"3"}, "fail"),
    ("contains_any", ["1", "2"], set(), "fail"),
    ("contains", "2", ["2"], "pass"),           # any iterable of codes
])
def test_set_operators(operator, value, fact, expected):
    assert status(rule("structure.licence_categories", operator, value),
                  {"structure.licence_categories": fact}) == expected


# --- declarations, missing data, severity -----------------------------------------------------

def test_declaration_passes_when_ticked_and_fails_otherwise():
    criterion = declaration(7)
    assert status(criterion, {"declarations": {7}}) == "pass"
    assert status(criterion, {"declarations": {"7"}}) == "pass"
    result = evaluate_one(criterion, {"declarations": set()})
    assert result.status == "fail"
    assert result.message == "Déclaration non cochée : Je certifie être à jour de mes taxes."


def test_unticked_warning_declaration_is_a_warning():
    assert status(declaration(7, severity="warning"), {}) == "warning"


def test_missing_data_fails_a_blocking_rule_with_a_message():
    result = evaluate_one(rule("structure.revenue", "lt", "100000", parameter="2021"), {})
    assert result.status == "fail"
    assert result.message == "Donnée manquante : Chiffre d'affaires 2021."


def test_missing_data_is_unknown_for_a_warning_rule():
    result = evaluate_one(rule("structure.seat_region", "eq", "76", severity="warning"), {})
    assert result.status == "unknown"
    assert result.message == "Donnée manquante : Région du siège social."


def test_unreadable_fact_counts_as_missing():
    assert status(rule("dossier.partner_count", "gte", 2),
                  {"dossier.partner_count": "deux"}) == "fail"
    assert status(rule("dossier.partner_count", "gte", 2, severity="warning"),
                  {"dossier.partner_count": "deux"}) == "unknown"


def test_is_set_fails_on_missing_data():
    assert status(rule("structure.departement", "is_set"), {}) == "fail"
    assert status(rule("structure.departement", "is_set"), {"structure.departement": "31"}) \
        == "pass"


def test_failed_warning_rule_is_a_warning_with_the_custom_message():
    criterion = rule("structure.main_activity", "ne", "live_production", severity="warning",
                     message="Producteurs de spectacles : sous conditions.")
    result = evaluate_one(criterion, {"structure.main_activity": "live_production"})
    assert (result.status, result.message) == ("warning",
                                               "Producteurs de spectacles : sous conditions.")


def test_failed_rule_without_message_explains_the_rule():
    result = evaluate_one(rule("structure.months_of_activity", "gte", 24),
                          {"structure.months_of_activity": 12})
    assert result.message == ("Critère non rempli : Ancienneté d'activité de la structure "
                              "supérieure ou égale à 24\u00a0mois.")


def test_evaluate_keeps_order_and_has_blocking_failure():
    criteria = [rule("dossier.partner_count", "gte", 2, id=1),
                rule("structure.seat_region", "eq", "76", severity="warning", id=2),
                declaration(3)]
    results = evaluate(criteria, {"dossier.partner_count": 3, "structure.seat_region": "32",
                                  "declarations": {3}})
    assert [r.status for r in results] == ["pass", "warning", "pass"]
    assert not has_blocking_failure(results)
    results = evaluate(criteria, {"dossier.partner_count": 1, "declarations": {3}})
    assert [r.status for r in results] == ["fail", "unknown", "pass"]
    assert has_blocking_failure(results)


def test_corrupted_rule_is_not_evaluable_rather_than_crashing():
    assert status(rule("structure.nope", "eq", 1), {}) == "fail"
    assert status(rule("dossier.partner_count", "contains", 1), {}) == "fail"
    assert status(rule("dossier.partner_count", "between", "x"),
                  {"dossier.partner_count": 1}) == "fail"


def test_evaluate_accepts_model_instances(db):
    from calls.models import EligibilityCriterion

    criterion = EligibilityCriterion(pk=5, kind="check", label="x", field="dossier.partner_count",
                                     operator="gte", value=2, severity="blocking")
    assert evaluate([criterion], {"dossier.partner_count": 2})[0].status == "pass"


# --- validation of rules ---------------------------------------------------------------------

def errors_of(**kwargs):
    params = {"kind": "check", "field": "dossier.partner_count", "parameter": "",
              "operator": "gte", "value": 2}
    params.update(kwargs)
    with pytest.raises(ValidationError) as info:
        validate_criterion(**params)
    return info.value.message_dict


def test_unknown_field_is_refused_on_field():
    assert list(errors_of(field="structure.shoe_size")) == ["field"]


def test_operator_that_does_not_fit_the_type_is_refused_on_operator():
    errors = errors_of(field="structure.cnm_affiliated", operator="gte", value=2)
    assert list(errors) == ["operator"]
    assert "ne convient pas" in errors["operator"][0]
    assert list(errors_of(operator="contains")) == ["operator"]


def test_value_of_the_wrong_type_is_refused_on_value():
    assert errors_of(value="deux")["value"] == ["« deux » n'est pas un nombre entier."]
    assert list(errors_of(value="2.5")) == ["value"]
    assert list(errors_of(field="structure.seat_region", operator="eq", value="99")) == ["value"]
    assert list(errors_of(field="structure.cnm_affiliated", operator="is_true", value="1")) \
        == ["value"]
    assert list(errors_of(operator="between", value="10")) == ["value"]
    assert list(errors_of(operator="between", value="20 ; 10")) == ["value"]
    assert list(errors_of(operator="gte", value="")) == ["value"]


def test_revenue_needs_a_year_and_other_fields_refuse_one():
    assert list(errors_of(field="structure.revenue", operator="lt", value="1")) == ["parameter"]
    assert list(errors_of(parameter="2021")) == ["parameter"]


def test_values_are_normalized_from_what_the_admin_types():
    assert validate_criterion(kind="check", field="structure.revenue", parameter="2021",
                              operator="lt", value="100 000,00") == "100000.00"
    assert validate_criterion(kind="check", field="dossier.requested_amount", parameter="",
                              operator="between", value="5 000 ; 15 000") == ["5000", "15000"]
    assert validate_criterion(kind="check", field="structure.licence_categories",
                              parameter="", operator="contains_all", value="3, 2") == ["2", "3"]
    assert validate_criterion(kind="check", field="structure.cnm_affiliated", parameter="",
                              operator="is_true", value="") is None
    assert validate_criterion(kind="declaration", field="", parameter="", operator="",
                              value=None) is None


# --- plain French ------------------------------------------------------------------------------

@pytest.mark.parametrize("criterion, text", [
    (rule("structure.revenue", "lt", "100000", parameter="2021"),
     "Chiffre d'affaires 2021 inférieur à 100\u00a0000,00\u00a0€"),
    (rule("structure.months_of_activity", "gte", 24),
     "Ancienneté d'activité de la structure supérieure ou égale à 24\u00a0mois"),
    (rule("structure.fte_hours", "gte", "320"),
     "Volume annuel d'heures hors emplois artistiques et techniques supérieur ou égal à "
     "320\u00a0h"),
    (rule("dossier.self_financing_share", "gte", "30"),
     "Part d'autofinancement du ou de la candidat·e supérieure ou égale à 30\u00a0%"),
    (rule("dossier.requested_amount", "between", ["5000", "15000"]),
     "Montant demandé compris entre 5\u00a0000,00\u00a0€ et 15\u00a0000,00\u00a0€"),
    (rule("structure.cnm_affiliated", "is_true"),
     "Structure affiliée au Centre national de la musique"),
    (rule("structure.seat_region", "eq", "76"), "Région du siège social : Occitanie"),
    (rule("structure.licence_categories", "contains_all", ["2", "3"]),
     "Licences d'entrepreneur de spectacles comprenant catégorie 2 (producteur de spectacles) "
     "et catégorie 3 (diffuseur de spectacles)"),
    (rule("structure.main_activity", "in", ["publishing", "recorded_music"]),
     "Activité principale parmi : Édition musicale, Production phonographique, label"),
    (declaration(1), "Je certifie être à jour de mes taxes."),
])
def test_rules_read_in_plain_french(criterion, text):
    assert describe(criterion) == text


# --- properties -----------------------------------------------------------------------------

NUMBER_FIELDS = [k for k, f in FIELDS.items() if f.type in ("integer", "decimal")
                 and not f.parameter]
numbers = st.integers(min_value=-10**9, max_value=10**9)


@given(field=st.sampled_from(NUMBER_FIELDS), fact=numbers, threshold=numbers)
def test_lt_and_gte_are_complementary(field, fact, threshold):
    facts = {field: fact}
    lt = status(rule(field, "lt", threshold), facts)
    gte = status(rule(field, "gte", threshold), facts)
    assert {lt, gte} == {"pass", "fail"}
    assert (lt == "pass") == (fact < threshold)


@given(field=st.sampled_from(NUMBER_FIELDS), fact=numbers, threshold=numbers)
def test_eq_and_ne_are_complementary(field, fact, threshold):
    facts = {field: fact}
    assert {status(rule(field, "eq", threshold), facts),
            status(rule(field, "ne", threshold), facts)} == {"pass", "fail"}


@given(fact=numbers, bounds=st.tuples(numbers, numbers))
def test_between_is_inclusive_interval(fact, bounds):
    low, high = sorted(bounds)
    value = normalize_value(FIELDS["dossier.partner_count"], "between", [low, high])
    expected = "pass" if low <= fact <= high else "fail"
    assert status(rule("dossier.partner_count", "between", value),
                  {"dossier.partner_count": fact}) == expected


@given(amount=st.decimals(min_value=0, max_value=10**9, places=2))
def test_decimal_values_survive_normalization_and_compare_exactly(amount):
    stored = normalize_value(FIELDS["dossier.requested_amount"], "eq", str(amount))
    assert normalize_value(FIELDS["dossier.requested_amount"], "eq", stored) == stored
    assert status(rule("dossier.requested_amount", "eq", stored),
                  {"dossier.requested_amount": amount}) == "pass"


@given(fact=st.sets(st.sampled_from(["1", "2", "3"])),
       wanted=st.sets(st.sampled_from(["1", "2", "3"]), min_size=1))
def test_set_operators_match_set_algebra(fact, wanted):
    facts = {"structure.licence_categories": fact}
    assert (status(rule("structure.licence_categories", "contains_all", sorted(wanted)), facts)
            == "pass") == wanted.issubset(fact)
    assert (status(rule("structure.licence_categories", "contains_any", sorted(wanted)), facts)
            == "pass") == bool(wanted & fact)


@given(field=st.sampled_from(sorted(FIELDS)), data=st.data())
def test_missing_data_never_passes_a_blocking_rule(field, data):
    operator = data.draw(st.sampled_from(OPERATORS_BY_TYPE[FIELDS[field].type]))
    result = evaluate_one(rule(field, operator, None, parameter="2021"), {})
    assert result.status == "fail"


@given(field=st.sampled_from(sorted(FIELDS)), data=st.data(),
       fact=st.one_of(st.none(), st.integers(), st.text(max_size=5), st.booleans(),
                      st.sets(st.text(max_size=2), max_size=3),
                      st.dictionaries(st.text(max_size=4), st.integers(), max_size=2)))
def test_evaluator_never_raises_on_any_fact(field, data, fact):
    operator = data.draw(st.sampled_from(OPERATORS_BY_TYPE[FIELDS[field].type]))
    value = {"between": ["1", "2"], "in": ["1"], "not_in": ["1"], "contains_all": ["1"],
             "contains_any": ["1"]}.get(operator, "1")
    result = evaluate_one(rule(field, operator, value, parameter="2021",
                               severity=data.draw(st.sampled_from(["blocking", "warning"]))),
                          {field: fact})
    assert result.status in {"pass", "fail", "warning", "unknown"}
    assert isinstance(describe(rule(field, operator, value, parameter="2021")), str)
