"""The instruction exports of the dashboard's selection: CSV, XLSX and ODS with the same rows.

One row per submitted review the user may read (a dossier without any: one row), with the
columns an officer needs to prepare the committee: category, submission date, amount
requested, mean, median and spread, recommendation, amount proposed, decision and the split
between funders. Every text cell goes through `portal.spreadsheets` (formula injection);
the blind-review rule comes from the queryset (`scores_visible`, `reviews.selectors`).

* XLSX (openpyxl, write-only): typed cells — amounts are numbers shown ``# ##0,00 €``, dates
  are dates, SIRET and postal codes are text —, bold frozen header with an auto-filter and
  column widths; one sheet per call when the selection spans calls, then a summary sheet
  (dossiers and amounts per state and per funder). Written to a temporary file and streamed.
* CSV: UTF-8 with BOM, ``;``, French decimal comma; generated row by row and streamed.
* ODS (odfpy): the same sheets and typed cells (float with currency, date, string), for
  LibreOffice users.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from applications.enums import DossierStatus
from calls.enums import Funder
from portal.formatting import to_paris
from portal.spreadsheets import neutralise, xlsx_cell

from .models import DecisionShare
from .scoring import is_disagreement

TEXT, MONEY, SCORE, INT, DATE = "text", "money", "score", "int", "date"
MONEY_FORMAT = '#,##0.00\\ "€"'  # shown « 12 000,00 € » by a French spreadsheet
DATE_FORMAT = "DD/MM/YYYY"
SCORE_FORMAT = "0.00"
FUNDERS = [Funder.DRAC, Funder.CNM, Funder.REGION]


@dataclass(frozen=True)
class Column:
    header: str
    kind: str
    width: int


def columns() -> list[Column]:
    return [Column("Référence", TEXT, 20), Column("Structure", TEXT, 36),
            Column("SIRET", TEXT, 16), Column("Code postal", TEXT, 11),
            Column("Appel", TEXT, 32), Column("Volet", TEXT, 20), Column("Catégorie", TEXT, 24),
            Column("État", TEXT, 16), Column("Déposé le", DATE, 12),
            Column("Montant demandé", MONEY, 16), Column("Évaluations soumises", INT, 12),
            Column("Moyenne /20", SCORE, 11), Column("Médiane /20", SCORE, 11),
            Column("Écart", SCORE, 9), Column("Désaccord", TEXT, 10),
            Column("Rapporteur·rice", TEXT, 24), Column("Financeur", TEXT, 20),
            Column("Note /20", SCORE, 9), Column("Recommandation", TEXT, 18),
            Column("Montant proposé", MONEY, 16), Column("Avis technique", TEXT, 48),
            Column("Décision", TEXT, 14), Column("Montant accordé", MONEY, 16),
            *[Column(f"Part {Funder(f).label}", MONEY, 16) for f in FUNDERS]]


def _shares(dossier) -> dict:
    decision = getattr(dossier, "decision", None)
    if decision is None:
        return {}
    return {s.funder: s.amount for s in decision.shares.all()}


def rows(queryset, threshold):
    """The export rows of `queryset` (dashboard selection, annotated ``scores_visible``),
    streamed in chunks."""
    for d in queryset.iterator(chunk_size=500):
        s = getattr(d, "review_summary", None) if d.scores_visible else None
        count = d.review_summary.review_count if getattr(d, "review_summary", None) else 0
        decision = getattr(d, "decision", None)
        shares = _shares(d)
        submitted = to_paris(d.first_submitted_at or d.submitted_at).date() \
            if (d.first_submitted_at or d.submitted_at) else None
        base = [d.reference, d.structure.name, d.structure.siret, d.structure.postal_code,
                d.call.title, d.track.title if d.track else "",
                d.category.title if d.category else "", d.get_status_display(), submitted,
                d.requested_amount, count, s.mean if s else None, s.median if s else None,
                s.spread if s else None,
                "oui" if s and is_disagreement(s.spread, threshold, s.review_count) else "non"]
        tail = [decision.get_outcome_display() if decision else "",
                decision.amount if decision else None,
                *[shares.get(f.value) for f in FUNDERS]]
        reviews = d.submitted_reviews if d.scores_visible else []
        if not reviews:
            yield base + ["", "", None, "", None, ""] + tail
        for r in reviews:
            yield base + [str(r.officer), r.get_funder_display() if r.funder else "", r.total,
                          r.get_recommendation_display(), r.proposed_amount, r.opinion] + tail


def export_queryset(queryset):
    return queryset.select_related("decision").prefetch_related("decision__shares")


def summary(queryset) -> dict:
    """Counts and amounts per state and per funder, in three aggregate queries."""
    ids = queryset.order_by().values("pk")
    per_state = {row["status"]: row for row in queryset.model.objects.filter(pk__in=ids)
                 .order_by().values("status").annotate(n=Count("pk"),
                                                       requested=Sum("requested_amount"))}
    granted = queryset.model.objects.filter(pk__in=ids, decision__outcome="granted").aggregate(
        n=Count("pk"), amount=Sum("decision__amount"))
    per_funder = {row["funder"]: row for row in DecisionShare.objects.filter(
        decision__dossier__in=ids).order_by().values("funder").annotate(
        n=Count("pk"), amount=Sum("amount"))}
    states = [(str(label), per_state[value]["n"], per_state[value]["requested"])
              for value, label in DossierStatus.choices if value in per_state]
    funders = [(str(Funder(f).label), per_funder[f.value]["n"], per_funder[f.value]["amount"])
               for f in FUNDERS if f.value in per_funder]
    return {"states": states, "funders": funders, "granted": granted,
            "total": sum(n for _l, n, _a in states),
            "requested": sum((a or Decimal(0) for _l, _n, a in states), Decimal(0))}


def summary_rows(data: dict) -> list[list]:
    """The summary sheet as rows (header rows are strings, figures typed)."""
    out = [[_("Par état"), _("Dossiers"), _("Montant demandé")]]
    out += [[label, n, amount] for label, n, amount in data["states"]]
    out += [[_("Total"), data["total"], data["requested"]], [],
            [_("Par financeur (aides accordées)"), _("Décisions"), _("Montant accordé")]]
    out += [[label, n, amount] for label, n, amount in data["funders"]]
    out += [[_("Total accordé"), data["granted"]["n"] or 0, data["granted"]["amount"]]]
    return out


# --- CSV ---------------------------------------------------------------------------------------

class _Echo:
    def write(self, value):
        return value


def csv_value(value):
    """A CSV cell: amounts with the French decimal comma, dates dd/mm/yyyy, text neutralised."""
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, (date, datetime)):
        return value.strftime("%d/%m/%Y")
    return "" if value is None else neutralise(str(value))


def csv_lines(row_iter):
    """The CSV file line by line (BOM first), for a StreamingHttpResponse."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    yield "\ufeff" + writer.writerow([c.header for c in columns()])
    for row in row_iter:
        yield writer.writerow([csv_value(v) for v in row])


# --- XLSX --------------------------------------------------------------------------------------

def _sheet_title(text: str, used: set) -> str:
    """An Excel sheet name: ≤ 31 characters, none of []:*?/\\, unique."""
    clean = "".join("-" if ch in '[]:*?/\\' else ch for ch in text).strip() or "Feuille"
    title, n = clean[:31], 2
    while title.lower() in used:
        suffix = f" ({n})"
        title, n = clean[:31 - len(suffix)] + suffix, n + 1
    used.add(title.lower())
    return title


def _xlsx_typed(sheet, value, kind):
    from openpyxl.cell import WriteOnlyCell

    if value is None or value == "":
        return WriteOnlyCell(sheet, value=None)
    if kind == MONEY:
        cell = WriteOnlyCell(sheet, value=float(value))
        cell.number_format = MONEY_FORMAT
        return cell
    if kind == SCORE:
        cell = WriteOnlyCell(sheet, value=float(value))
        cell.number_format = SCORE_FORMAT
        return cell
    if kind == DATE:
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if kind == INT:
        return WriteOnlyCell(sheet, value=int(value))
    return xlsx_cell(sheet, str(value))


def _xlsx_header(sheet, headers, widths):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = Font(bold=True)
        cells.append(cell)
    sheet.append(cells)


def write_xlsx(fh, groups, summary_data) -> int:
    """Write the workbook to `fh`: one sheet per (title, rows) group, then the summary sheet.
    Returns the number of data rows."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    cols = columns()
    wb = Workbook(write_only=True)
    used: set = set()
    total = 0
    for title, row_iter in groups:
        sheet = wb.create_sheet(_sheet_title(title, used))
        _xlsx_header(sheet, [c.header for c in cols], [c.width for c in cols])
        n = 0
        for row in row_iter:
            sheet.append([_xlsx_typed(sheet, v, c.kind) for v, c in zip(row, cols)])
            n += 1
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(cols))}{n + 1}"
        total += n
    sheet = wb.create_sheet(_sheet_title(_("Synthèse"), used))
    sheet.column_dimensions["A"].width = 36
    sheet.column_dimensions["B"].width = 12
    sheet.column_dimensions["C"].width = 18
    for row in summary_rows(summary_data):
        if len(row) == 3 and isinstance(row[1], str):
            _bold_row(sheet, row)
        else:
            sheet.append([_xlsx_typed(sheet, v, k) for v, k in zip(row, (TEXT, INT, MONEY))])
    wb.save(fh)
    return total


def _bold_row(sheet, values):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        cell.font = Font(bold=True)
        cells.append(cell)
    sheet.append(cells)


# --- ODS ---------------------------------------------------------------------------------------

def write_ods(fh, groups, summary_data) -> int:
    """The same sheets as the XLSX, typed (currency, date, float, string), bold header."""
    from odf.number import CurrencyStyle, CurrencySymbol, DateStyle, Day, Month, Number, Text, Year
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style, TableCellProperties, TableColumnProperties, TextProperties
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    money_style = CurrencyStyle(name="euro", volatile="true")
    money_style.addElement(Number(decimalplaces="2", minintegerdigits="1", grouping="true"))
    money_style.addElement(Text(text="\u00a0"))
    money_style.addElement(CurrencySymbol(language="fr", country="FR", text="€"))
    doc.automaticstyles.addElement(money_style)
    date_style = DateStyle(name="date-fr")
    for part in (Day(style="long"), Text(text="/"), Month(style="long"), Text(text="/"),
                 Year(style="long")):
        date_style.addElement(part)
    doc.automaticstyles.addElement(date_style)
    money_cell = Style(name="money", family="table-cell", datastylename="euro")
    date_cell = Style(name="date", family="table-cell", datastylename="date-fr")
    bold = Style(name="header", family="table-cell")
    bold.addElement(TextProperties(fontweight="bold"))
    bold.addElement(TableCellProperties(backgroundcolor="#e8edff"))
    for style in (money_cell, date_cell, bold):
        doc.automaticstyles.addElement(style)
    width_styles = {}

    def width_style(width):
        if width not in width_styles:
            style = Style(name=f"col{width}", family="table-column")
            style.addElement(TableColumnProperties(columnwidth=f"{width * 0.2:.1f}cm"))
            doc.automaticstyles.addElement(style)
            width_styles[width] = style
        return width_styles[width]

    def cell(value, kind):
        if value is None or value == "":
            return TableCell()
        if kind == MONEY:
            c = TableCell(valuetype="currency", currency="EUR", value=f"{Decimal(value):.2f}",
                          stylename=money_cell)
            text = f"{Decimal(value):,.2f}".replace(",", "\u202f").replace(".", ",") + "\u00a0€"
        elif kind in (SCORE, INT):
            c = TableCell(valuetype="float", value=str(value))
            text = str(value).replace(".", ",")
        elif kind == DATE:
            c = TableCell(valuetype="date", datevalue=value.isoformat(), stylename=date_cell)
            text = value.strftime("%d/%m/%Y")
        else:
            text = neutralise(str(value))
            c = TableCell(valuetype="string")
        c.addElement(P(text=text))
        return c

    def header_row(headers):
        tr = TableRow()
        for h in headers:
            c = TableCell(valuetype="string", stylename=bold)
            c.addElement(P(text=h))
            tr.addElement(c)
        return tr

    cols = columns()
    used: set = set()
    total = 0
    for title, row_iter in groups:
        table = Table(name=_sheet_title(title, used))
        for c in cols:
            table.addElement(TableColumn(stylename=width_style(c.width)))
        table.addElement(header_row([c.header for c in cols]))
        for row in row_iter:
            tr = TableRow()
            for value, c in zip(row, cols):
                tr.addElement(cell(value, c.kind))
            table.addElement(tr)
            total += 1
        doc.spreadsheet.addElement(table)
    table = Table(name=_sheet_title(_("Synthèse"), used))
    for width in (36, 12, 18):
        table.addElement(TableColumn(stylename=width_style(width)))
    for row in summary_rows(summary_data):
        if len(row) == 3 and isinstance(row[1], str):
            table.addElement(header_row(row))
        else:
            tr = TableRow()
            for value, kind in zip(row, (TEXT, INT, MONEY)):
                tr.addElement(cell(value, kind))
            table.addElement(tr)
    doc.spreadsheet.addElement(table)
    doc.write(fh)
    return total
