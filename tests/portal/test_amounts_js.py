"""The live scripts parse exactly what the server parses: the table of
tests/portal/test_amounts.py goes through static/portal/amounts.js in Chromium and through
portal.amounts.parse_number, and both give the same value or the same refusal."""

from decimal import Decimal
from pathlib import Path

import pytest

from portal.formatting import format_money
from tests.portal.test_amounts import AMOUNT_CASES, python_result

pytestmark = pytest.mark.e2e

SCRIPT = Path(__file__).resolve().parents[2] / "static" / "portal" / "amounts.js"


@pytest.fixture(scope="module")
def js(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_content("<!doctype html><html lang='fr'><body></body></html>")
    page.add_script_tag(path=str(SCRIPT))
    yield page
    context.close()


def test_the_script_and_the_server_agree_on_every_typed_amount(js):
    cases = [{"typed": typed, "options": {
        "units": options.get("units", ["€"]), "decimalPlaces": options.get("decimal_places", 2),
        "maxDigits": options.get("max_digits"), "allowNegative": options.get(
            "allow_negative", False)}} for typed, options, _ in AMOUNT_CASES]
    results = js.evaluate("""cases => cases.map(c => {
        const r = window.PortalAmounts.parse(c.typed, c.options);
        return r.error || (r.value === null ? null : r.value);
    })""", cases)
    expected = [python_result(typed, options) for typed, options, _ in AMOUNT_CASES]
    assert list(zip([c[0] for c in AMOUNT_CASES], results)) == \
        list(zip([c[0] for c in AMOUNT_CASES], expected))


@pytest.mark.parametrize("cents", [0, 1, 50, 1200050, 100000, -150000, 123456789, 99])
def test_the_script_formats_money_as_the_server_does(js, cents):
    assert js.evaluate("c => window.PortalAmounts.formatCents(c)", cents) == \
        format_money(Decimal(cents) / 100)


def test_the_script_reads_the_options_the_field_renders(js):
    from portal.amounts import AmountField, NumberField

    html = (AmountField(label="Montant").widget.render("a", None)
            + NumberField(label="Jours", decimal_places=1, max_digits=3,
                          min_value=Decimal("0")).widget.render("d", None))
    js.set_content(f"<!doctype html><html lang='fr'><body>{html}</body></html>")
    js.add_script_tag(path=str(SCRIPT))
    options = js.evaluate("""() => [...document.querySelectorAll('input')].map(
        i => window.PortalAmounts.optionsOf(i))""")
    assert options == [
        {"units": ["€"], "decimalPlaces": 2, "maxDigits": 12, "allowNegative": False},
        {"units": ["%"], "decimalPlaces": 1, "maxDigits": 3, "allowNegative": False}]
