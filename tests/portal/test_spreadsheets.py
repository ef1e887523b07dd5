"""The export cell neutraliser (portal.spreadsheets): OWASP's CSV-injection rule."""

import io
from decimal import Decimal

import pytest

from portal.spreadsheets import is_risky, neutralise, xlsx_row


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1", "\n=1", "  =1",
                                  '=HYPERLINK("http://x","y")'])
def test_risky_text_is_prefixed_with_an_apostrophe(text):
    assert is_risky(text)
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Éléphant Rose", "12 000,00 €", "a=b", "", None, 3,
                                   Decimal("-5.00"), "'déjà"])
def test_other_values_are_unchanged(value):
    assert neutralise(value) == value


def test_xlsx_row_keeps_numbers_numeric_and_text_as_text():
    from openpyxl import Workbook, load_workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("x")
    ws.append(xlsx_row(ws, ["=1+1", "texte", Decimal("-12.50"), 3, None]))
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    row = next(load_workbook(out).active.iter_rows())
    assert [(c.value, c.data_type) for c in row[:4]] == [
        ("=1+1", "s"), ("texte", "s"), (-12.5, "n"), (3, "n")]
    assert row[0].quotePrefix and not row[1].quotePrefix
