"""The payment file of one funder (CSV or XLSX) for its finance department: what is due or
sent, with the structure's SIRET and bank account. Every text cell goes through
`portal.spreadsheets` (no formula runs); amounts stay numbers."""

from __future__ import annotations

import csv
import io

from django.utils.translation import gettext as _

from portal.spreadsheets import neutralise, xlsx_row


def headers() -> list[str]:
    return [_("Référence du dossier"), _("Structure"), _("SIRET"), _("Titulaire du compte"),
            _("IBAN"), _("BIC"), _("Nature"), _("Montant (€)"), _("État"),
            _("Référence du versement"), _("Appel à projets")]


def rows(payments) -> list[list]:
    out = []
    for p in payments:
        structure = p.dossier.structure
        account = getattr(structure, "bank_account", None)
        out.append([p.dossier.reference, structure.name, structure.siret,
                    account.holder if account else "", account.iban if account else "",
                    account.bic if account else "", str(p.get_kind_display()), p.amount,
                    str(p.get_status_display()), f"{p.dossier.reference}-{p.kind}-{p.funder}",
                    p.dossier.call.title])
    return out


def csv_bytes(payments) -> tuple[bytes, int]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers())
    data = rows(payments)
    for row in data:
        writer.writerow([neutralise(v) if isinstance(v, str) else
                         (f"{v:.2f}".replace(".", ",") if v is not None else "") for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8"), len(data)


def xlsx_bytes(payments, *, title: str) -> tuple[bytes, int]:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31])
    sheet.append(xlsx_row(sheet, headers()))
    data = rows(payments)
    for row in data:
        sheet.append(xlsx_row(sheet, row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), len(data)
