"""The national figures as an XLSX workbook (typed cells through portal.spreadsheets): one
sheet per region's figures, the calls, the committees."""

from __future__ import annotations

from django.utils.translation import gettext as _

from portal.formatting import to_paris
from portal.spreadsheets import xlsx_row


def _sheet(wb, title, headers):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    sheet = wb.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = Font(bold=True)
        cells.append(cell)
    sheet.append(cells)
    return sheet


def write_national_xlsx(fh, data) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    funders = [label for _v, label in data["funders"]]
    sheet = _sheet(wb, _("Régions"), [
        _("Région"), _("Enveloppe du contrat (€)"), _("Dossiers déposés"), _("Demandé (€)"),
        *[_("Accordé — %(f)s (€)") % {"f": f} for f in funders],
        *[_("Versé — %(f)s (€)") % {"f": f} for f in funders],
        _("Accompagnements démarrés")])
    for r in data["regions"]:
        sheet.append(xlsx_row(sheet, [r["name"], r["envelope"], r["dossiers"], r["requested"],
                                      *[g for _l, g, _p in r["funders"]],
                                      *[p for _l, _g, p in r["funders"]], r["engagements"]]))
    sheet = _sheet(wb, _("Dossiers par état"), [_("Région"), *[l for _v, l in data["states"]]])
    for r in data["regions"]:
        sheet.append(xlsx_row(sheet, [r["name"], *[n for _l, n in r["states"]]]))
    sheet = _sheet(wb, _("Appels"), [_("Région"), _("Appel"), _("Statut"), _("Ouverture"),
                                     _("Clôture"), _("Comité"), _("Enveloppe (€)")])
    for c in data["calls"]:
        sheet.append(xlsx_row(sheet, [
            c["tenant__name"], c["title"], data["call_status"].get(c["status"], c["status"]),
            to_paris(c["opens_at"]).date() if c["opens_at"] else None,
            to_paris(c["closes_at"]).date() if c["closes_at"] else None,
            c["committee_date"], c["envelope"]]))
    sheet = _sheet(wb, _("Comités"), [_("Région"), _("Séance"), _("Date"), _("Statut"),
                                      _("Dossiers à l'ordre du jour")])
    for s in data["committees"]:
        sheet.append(xlsx_row(sheet, [s["tenant__name"], s["title"], s["date"],
                                      data["session_status"].get(s["status"], s["status"]),
                                      s["items"]]))
    sheet = _sheet(wb, _("Mentorat"), [_("Région"), *[l for l, _n in (data["regions"][0]["needs"]
                                                                      if data["regions"] else [])],
                                       _("Accompagnements démarrés")])
    for r in data["regions"]:
        sheet.append(xlsx_row(sheet, [r["name"], *[n for _l, n in r["needs"]], r["engagements"]]))
    wb.save(fh)
