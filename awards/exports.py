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


class SepaRefused(Exception):
    """The SEPA file cannot be made; the message says why, in French."""


def sepa_reference(p) -> str:
    """The payment's end-to-end reference (at most 35 characters, kept in the CSV too)."""
    return f"{p.dossier.reference}-{p.kind}-{p.funder}"[:35]


def sepa_bytes(payments, *, account, execution_date) -> tuple[bytes, int]:
    """A SEPA credit-transfer file (ISO 20022 pain.001.001.03) of `payments` from `account`
    (the funder's FunderAccount), one batch executed on `execution_date`, made by the
    `sepaxml` library and validated against the schema it ships. Recoveries are not
    transfers: left out. Refused (SepaRefused) when a structure has no bank account."""
    from sepaxml import SepaTransfer

    transfers = [p for p in payments if p.kind != "recovery"]
    missing = [p.dossier.reference for p in transfers
               if getattr(p.dossier.structure, "bank_account", None) is None]
    if missing:
        raise SepaRefused(_("Fichier SEPA non produit : ces structures n'ont pas renseigné "
                            "leurs coordonnées bancaires : %(refs)s.")
                          % {"refs": ", ".join(sorted(set(missing)))})
    if not transfers:
        raise SepaRefused(_("Fichier SEPA non produit : aucun versement n'est transmis au "
                            "service financier."))
    config = {"name": account.name, "IBAN": account.iban, "batch": True, "currency": "EUR"}
    if account.bic:
        config["BIC"] = account.bic
    sepa = SepaTransfer(config, schema="pain.001.001.03", clean=True)
    for p in transfers:
        bank = p.dossier.structure.bank_account
        payment = {"name": bank.holder, "IBAN": bank.iban,
                   "amount": int((p.amount * 100).to_integral_value()),
                   "execution_date": execution_date, "endtoend_id": sepa_reference(p),
                   "description": f"{p.dossier.reference} {p.get_kind_display()} "
                                  f"{p.dossier.call.title}"}
        if bank.bic:
            payment["BIC"] = bank.bic
        sepa.add_payment(payment)
    return sepa.export(validate=True), len(transfers)
