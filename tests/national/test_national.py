"""The national view: the platform admin grants the national officer role; its holder reads
the figures of every regional contract (calls with dates and envelopes, dossiers per state,
amounts requested / granted / paid per funder, committees, mentoring) on a page and in an XLSX
export, without any applicant's personal data; nobody else sees the page."""

from datetime import date
from decimal import Decimal
from html import unescape
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from awards.models import Payment
from national.models import NationalOfficer
from portal.enums import OrganizationKind as K
from portal.enums import Role
from portal.models import AuditEvent
from reviews.models import AgendaItem, Decision, DecisionShare
from tests.factories import CallFactory, TenantFactory, UserFactory
from tests.factories.applications import StructureFactory
from tests.factories.mentoring import NeedRequestFactory
from tests.factories.reviews import FiledDossierFactory, SessionFactory, officer

D = Decimal
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]

PERSONAL = ["Les Voix de la Somme", "Chœur Occitan", "81234567800011", "81234567800029",
            "camille.martin@example.org", "Camille Martin", "Projet secret de tournée"]


def _region(tenant, *, structure, siret, granted, paid, call_title):
    with scope(tenant=tenant):
        call = CallFactory(tenant=tenant, title=call_title, status="published",
                           envelope=D("80000.00"), funders=["cnm", "region"],
                           committee_date=date(2026, 4, 28))
        dossier = FiledDossierFactory(call=call, status="granted", requested_amount=D("15000.00"),
                                      title="Projet secret de tournée",
                                      structure=StructureFactory(name=structure, siret=siret))
        FiledDossierFactory(call=call, status="submitted", requested_amount=D("5000.00"))
        session = SessionFactory(tenant=tenant, title="Comité d'avril", status="closed",
                                 date=date(2026, 4, 28))
        AgendaItem.objects.create(session=session, dossier=dossier, position=1)
        decision = Decision.objects.create(session=session, dossier=dossier, outcome="granted",
                                           amount=granted, decided_at=timezone.now())
        DecisionShare.objects.create(decision=decision, funder="cnm", amount=granted)
        Payment.objects.create(tenant=tenant, dossier=dossier, funder="cnm", kind="advance",
                               amount=paid, status="paid", paid_on=date(2026, 5, 15),
                               paid_amount=paid)
        NeedRequestFactory(tenant=tenant, person_name="Camille Martin",
                           submitted_by=UserFactory(email=f"camille.martin@{tenant.slug}.org"))
    return call


@pytest.fixture
def regions(tenant, other_tenant):
    _region(tenant, structure="Les Voix de la Somme", siret="81234567800011",
            granted=D("12000.00"), paid=D("9600.00"), call_title="Coopération Hauts-de-France")
    _region(other_tenant, structure="Chœur Occitan", siret="81234567800029",
            granted=D("8000.00"), paid=D("6400.00"), call_title="Structuration Occitanie")
    return tenant, other_tenant


@pytest.fixture
def national_officer(db):
    user = UserFactory(email="agent@cnm.example.org")
    NationalOfficer.objects.create(user=user, organisation="CNM")
    return user


def _page(client):
    response = client.get(reverse("national:overview"))
    assert response.status_code == 200
    return unescape(response.content.decode()).replace("\u00a0", " ").replace("\u202f", " ")


def test_the_national_officer_reads_every_region_without_personal_data(client, regions,
                                                                       national_officer):
    client.force_login(national_officer)
    page = _page(client)
    for figure in ("Hauts-de-France", "Occitanie", "Coopération Hauts-de-France",
                   "Structuration Occitanie", "80 000,00 €", "12 000,00 €", "9 600,00 €",
                   "8 000,00 €", "6 400,00 €", "20 000,00 €", "Comité d'avril"):
        assert figure in page, figure
    # totals per funder across regions: CNM granted 20 000, paid 16 000
    assert "<strong>20 000,00 €</strong>" in page and "<strong>16 000,00 €</strong>" in page
    for secret in PERSONAL:
        assert secret not in page, secret


def test_the_xlsx_export_has_the_figures_and_no_personal_data(client, regions, national_officer):
    from openpyxl import load_workbook

    client.force_login(national_officer)
    response = client.get(reverse("national:export_xlsx"))
    assert response.status_code == 200
    workbook = load_workbook(BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["Régions", "Dossiers par état", "Appels", "Comités", "Mentorat"]
    rows = {r[0]: r for r in workbook["Régions"].iter_rows(min_row=2, values_only=True)}
    assert rows["Occitanie"][2:4] == (2, 5000.0 + 15000.0)
    values = " ".join(str(v) for sheet in workbook for row in sheet.iter_rows(values_only=True)
                      for v in row if v is not None)
    for secret in PERSONAL:
        assert secret not in values, secret
    with scopes_disabled():
        assert AuditEvent.objects.filter(action="national.view.exported").count() == 1


def test_nobody_else_sees_the_national_view(client, regions, tenant, admin_user, platform_admin):
    pages = [reverse("national:overview"), reverse("national:export_xlsx")]
    for user in (admin_user, officer(tenant, K.CNM), officer(tenant, K.CNM, role=Role.COMMITTEE),
                 platform_admin):
        client.force_login(user)
        for page in pages:
            assert client.get(page).status_code == 404, (user, page)
    client.logout()
    assert client.get(pages[0]).status_code == 302  # to the login page


def test_the_platform_admin_grants_and_withdraws_the_role(client, platform_admin, tenant,
                                                          admin_user):
    agent = UserFactory(email="agent@culture.example.org")
    client.force_login(admin_user)  # a tenant admin may not
    assert client.get(reverse("national:officers")).status_code == 403
    client.force_login(platform_admin)
    response = client.post(reverse("national:officers"), {"email": "personne@example.org",
                                                         "organisation": "Ministère"})
    assert "Aucun compte n'utilise l'adresse « personne@example.org »" in unescape(
        response.content.decode()).replace("\u00a0", " ").replace("\u202f", " ")
    response = client.post(reverse("national:officers"), {
        "email": "agent@culture.example.org", "organisation": "Ministère de la Culture (DGCA)"})
    assert response.status_code == 302
    officer_row = NationalOfficer.objects.get(user=agent)
    assert officer_row.granted_by == platform_admin
    client.force_login(agent)
    assert client.get(reverse("national:overview")).status_code == 200
    client.force_login(platform_admin)
    client.post(reverse("national:officer_revoke", kwargs={"pk": officer_row.pk}))
    client.force_login(agent)
    assert client.get(reverse("national:overview")).status_code == 404
    with scopes_disabled():
        assert list(AuditEvent.objects.filter(action__startswith="national.officer")
                    .values_list("action", flat=True).order_by("pk")) == [
            "national.officer.granted", "national.officer.revoked"]


def test_the_national_page_queries_do_not_grow_with_the_regions(client, regions, national_officer):
    client.force_login(national_officer)
    client.get(reverse("national:overview"))
    with CaptureQueriesContext(connection) as two:
        _page(client)
    third = TenantFactory(slug="bretagne", name="Bretagne", region_code="53")
    _region(third, structure="Breizh Sons", siret="81234567800037", granted=D("1000.00"),
            paid=D("800.00"), call_title="Coopération Bretagne")
    with CaptureQueriesContext(connection) as three:
        assert "Bretagne" in _page(client)
    assert len(three.captured_queries) == len(two.captured_queries)
