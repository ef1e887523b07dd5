"""The three export formats read back as an officer's spreadsheet reads them: XLSX typed
cells (amounts as numbers in euros, dates as dates, SIRET and postal codes as text), bold
frozen header with an auto-filter, one sheet per call and a summary; CSV with BOM and `;`;
ODS with the same typed content."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope

from portal.formatting import PARIS
from reviews import services
from reviews.models import AgendaItem, CommitteeMember
from tests.factories import CallFactory, CategoryFactory
from tests.factories.applications import StructureFactory
from tests.factories.reviews import FiledDossierFactory, ReviewFactory, SessionFactory

D = Decimal
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]


def url(name, tenant):
    return reverse(f"reviews:{name}", kwargs={"tenant_slug": tenant.slug})


@pytest.fixture
def selection(tenant, call, category, officers, committee, admin_user):
    """Two calls; a granted dossier (split between two funders) on the first, one filed on
    the second; the exporting CNM officer has reviewed the first."""
    with scope(tenant=tenant):
        second = CallFactory(tenant=tenant, title="Aide à la structuration: [production]",
                             funders=["drac", "cnm", "region"])
        granted = FiledDossierFactory(
            call=call, category=category, status="in_committee", requested_amount=D("15000"),
            structure=StructureFactory(siret="00012345600018", postal_code="01000",
                                       name="Ateliers de l'Ain"),
            submitted_at=datetime(2024, 3, 7, 23, 30, tzinfo=PARIS))
        granted.first_submitted_at = granted.submitted_at
        granted.save()
        ReviewFactory(dossier=granted, officer=officers["cnm"], funder="cnm", total=D("15.50"),
                      proposed_amount=D("12000"), recommendation="favourable")
        services.summary_refresh(dossier=granted)
        session = SessionFactory(tenant=tenant)
        session.calls.set([call])
        CommitteeMember.objects.create(session=session, user=committee["cnm"], funder="cnm",
                                       present=True)
        AgendaItem.objects.create(session=session, dossier=granted, position=1)
        services.decision_record(user=committee["cnm"], session=session, dossier=granted,
                                 outcome="granted", shares={"cnm": "8 000", "region": "4 000,50"})
        FiledDossierFactory(call=second, status="submitted", requested_amount=D("20000"))
    return {"first": call, "second": second, "granted": granted}


def test_xlsx_has_typed_cells_a_sheet_per_call_and_a_summary(client, tenant, officers, selection):
    from openpyxl import load_workbook

    client.force_login(officers["cnm"])
    response = client.get(url("export_xlsx", tenant))
    assert response.status_code == 200 and response.streaming
    book = load_workbook(io.BytesIO(response.getvalue()))
    assert book.sheetnames == ["Aide à la structuration- -produ", selection["first"].title,
                               "Synthèse"]  # calls by title; 31 characters, no [ ] :
    sheet = book[selection["first"].title]
    header = [c.value for c in sheet[1]]
    assert all(c.font.bold for c in sheet[1]) and sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(header)).column_letter}2"
    assert sheet.column_dimensions["B"].width == 36
    row = {h: sheet.cell(2, i + 1) for i, h in enumerate(header)}
    assert row["SIRET"].value == "00012345600018" and row["SIRET"].data_type == "s"
    assert row["Code postal"].value == "01000" and row["Code postal"].data_type == "s"
    assert row["Déposé le"].value == datetime(2024, 3, 7) and row["Déposé le"].is_date
    assert row["Montant demandé"].value == 15000 and row["Montant demandé"].data_type == "n"
    assert row["Montant demandé"].number_format == '#,##0.00\\ "€"'
    assert row["Moyenne /20"].value == 15.5 and row["Note /20"].value == 15.5
    assert row["Montant proposé"].value == 12000 and row["Recommandation"].value == "Favorable"
    assert row["Montant accordé"].value == 12000.5 and row["Décision"].value == "Aide accordée"
    assert row["Part Centre national de la musique"].value == 8000
    assert row["Part Région"].value == 4000.5 and row["Part DRAC (État)"].value is None
    assert row["Catégorie"].value == "Expérimentation"
    summary = [[c.value for c in r] for r in book["Synthèse"].iter_rows()]
    assert summary[0] == ["Par état", "Dossiers", "Montant demandé"]
    assert ["Déposé", 1, 20000] in summary and ["Aide accordée", 1, 15000] in summary
    assert ["Total", 2, 35000] in summary
    assert ["Centre national de la musique", 1, 8000] in summary
    assert ["Total accordé", 1, 12000.5] in summary


def test_csv_is_streamed_utf8_with_bom_and_semicolons(client, tenant, officers, selection):
    client.force_login(officers["cnm"])
    response = client.get(url("export_csv", tenant))
    assert response.streaming
    raw = response.getvalue()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    record = dict(zip(rows[0], next(r for r in rows[1:] if r[0] == selection["granted"].reference)))
    assert record["SIRET"] == "00012345600018" and record["Code postal"] == "01000"
    assert record["Déposé le"] == "07/03/2024" and record["Montant demandé"] == "15000,00"
    assert record["Part Région"] == "4000,50" and record["Montant accordé"] == "12000,50"
    assert len(rows) == 3


def test_ods_has_the_same_typed_content(client, tenant, officers, selection):
    from odf.namespaces import OFFICENS
    from odf.opendocument import load
    from odf.table import Table, TableCell, TableRow

    client.force_login(officers["cnm"])
    response = client.get(url("export_ods", tenant))
    assert response["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
    doc = load(io.BytesIO(response.getvalue()))
    tables = doc.spreadsheet.getElementsByType(Table)
    assert [t.getAttribute("name") for t in tables] == [
        "Aide à la structuration- -produ", selection["first"].title, "Synthèse"]
    rows = tables[1].getElementsByType(TableRow)
    header = [str(c) for c in rows[0].getElementsByType(TableCell)]
    cells = dict(zip(header, rows[1].getElementsByType(TableCell)))

    def typed(name):
        cell = cells[name]
        return (cell.attributes.get((OFFICENS, "value-type")),
                cell.attributes.get((OFFICENS, "value"))
                or cell.attributes.get((OFFICENS, "date-value")), str(cell))

    assert typed("SIRET") == ("string", None, "00012345600018")
    assert typed("Code postal") == ("string", None, "01000")
    assert typed("Déposé le") == ("date", "2024-03-07", "07/03/2024")
    assert typed("Montant demandé") == ("currency", "15000.00", "15\u202f000,00\u00a0€")
    assert typed("Note /20")[:2] == ("float", "15.50")
    # LibreOffice applies a cell's number format only when the data style sits beside the
    # cell style, in the content's automatic styles (in styles.xml it showed « 15000 »).
    from odf.number import CurrencyStyle, DateStyle

    def data_style(name):
        wanted = cells[name].getAttribute("stylename")
        style = next(s for s in doc.automaticstyles.childNodes
                     if s.getAttribute("name") == wanted)
        return style.getAttribute("datastylename")

    assert [s.getAttribute("name") for s in doc.automaticstyles.getElementsByType(
        CurrencyStyle)] == [data_style("Montant demandé")]
    assert [s.getAttribute("name") for s in doc.automaticstyles.getElementsByType(
        DateStyle)] == [data_style("Déposé le")]


def test_ods_export_is_refused_like_the_others(client, tenant, other_tenant, officers, applicant,
                                               selection):
    client.force_login(applicant)
    assert client.get(url("export_ods", tenant)).status_code == 404
    client.force_login(officers["cnm"])
    assert client.get(url("export_ods", other_tenant)).status_code == 404
