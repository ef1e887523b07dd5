"""Spreadsheet cells that cannot run: the one neutraliser of every CSV, XLSX or ODS export.

A spreadsheet evaluates a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, after a
tab or a line break, what follows), so a structure named ``=HYPERLINK("http://…","Cliquez")``
or an opinion starting with ``-`` becomes a live formula when an officer opens the export
(OWASP, *CSV Injection*). Every text cell of every export goes through this module:

* CSV and other plain text: ``neutralise(text)`` prefixes such a text with an apostrophe,
  which spreadsheets show as text and never evaluate;
* XLSX (openpyxl): ``xlsx_row(sheet, values)`` stores text as text (an inline string, never
  the formula type openpyxl picks for a leading ``=``) and marks the risky ones with Excel's
  *quote prefix*, so that editing the cell does not turn it into a formula either; numbers
  stay numbers.

Only text the portal did not compute is neutralised: amounts and counts are passed as
numbers (``Decimal``, ``int``), not as formatted strings.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

#: First characters that make a spreadsheet read a cell as a formula (OWASP's list, plus the
#: line feed some importers treat like the carriage return).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def is_risky(text: str) -> bool:
    """True when `text` would be evaluated: a trigger first, or after leading spaces (some
    importers trim them)."""
    return text.lstrip(" ")[:1] in FORMULA_TRIGGERS if text else False


def neutralise(value):
    """The value to write in a text cell: a risky string prefixed with ``'``; anything else
    unchanged (``None`` stays ``None``; numbers are not text)."""
    if isinstance(value, str) and is_risky(value):
        return "'" + value
    return value


def xlsx_cell(sheet, value):
    """One openpyxl write-only cell: text as text (quote-prefixed when risky), Decimal as a
    number, other values as openpyxl stores them."""
    from openpyxl.cell import WriteOnlyCell

    if isinstance(value, Decimal):
        return WriteOnlyCell(sheet, value=float(value))
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # never "f": a leading "=" stays text
        if is_risky(value):
            cell.quotePrefix = True
        return cell
    if value is None or isinstance(value, (bool, int, float, date, datetime)):
        return WriteOnlyCell(sheet, value=value)
    return xlsx_cell(sheet, str(value))


def xlsx_row(sheet, values: Iterable) -> list:
    """A row of cells for ``sheet.append`` (write-only workbooks)."""
    return [xlsx_cell(sheet, v) for v in values]


__all__ = ["FORMULA_TRIGGERS", "is_risky", "neutralise", "xlsx_cell", "xlsx_row"]
