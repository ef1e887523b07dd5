"""The follow-up's pages, each one by who may use it and who may not: another tenant's
people, the other funders' officers, the applicant on staff pages, a conflicted officer;
French input kept and errors naming the field."""

import csv
import io
import re
from datetime import date

import pytest
from django.urls import reverse
from django_scopes import scope

from awards.enums import AwardStatus, PaymentKind, PaymentStatus
from awards.models import BankAccount, Payment
from portal.enums import OrganizationKind as K
from portal.models import AuditEvent
from tests.awards.world import build
from tests.factories.applications import StructureMemberFactory
from tests.factories.reviews import ConflictFactory, officer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]
IBAN = "FR7630006000011234567890189"


def url(name, tenant, **kw):
    return reverse(f"awards:{name}", kwargs={"tenant_slug": tenant.slug, **kw})


def _as(client, user):
    client.force_login(user)
    return client


def _payment(w, funder, kind=PaymentKind.ADVANCE):
    with scope(tenant=w.tenant):
        return Payment.objects.get(dossier=w.dossier, funder=funder, kind=kind)


@pytest.fixture
def foreign(other_tenant):
    """Tenant B's CNM officer and its own grant."""
    w = build(other_tenant, reference="OCC-2024-COOP-0001")
    return w


def test_each_funder_sees_only_what_it_pays(client, grant):
    w = grant
    page = _as(client, w.officers[K.CNM]).get(url("payments", w.tenant)).content.decode()
    assert "5\u00a0600,40\u00a0€" in page and "4\u00a0000,00\u00a0€" not in page
    page = _as(client, w.officers[K.REGION]).get(url("payments", w.tenant)).content.decode()
    assert "4\u00a0000,00\u00a0€" in page and "5\u00a0600,40\u00a0€" not in page


@pytest.mark.parametrize("name", ["payments", "payments_csv", "payments_xlsx"])
def test_payment_pages_refuse_applicant_committee_and_other_tenant(client, grant, foreign,
                                                                    name):
    w = grant
    assert _as(client, w.applicant).get(url(name, w.tenant)).status_code == 404
    assert _as(client, w.committee).get(url(name, w.tenant)).status_code == 403
    assert _as(client, foreign.officers[K.CNM]).get(url(name, w.tenant)).status_code == 404
    client.logout()
    assert client.get(url(name, w.tenant)).status_code == 302


def test_marking_paid_with_french_amount_moves_the_dossier(client, grant):
    w = grant
    cnm, region = _payment(w, "cnm"), _payment(w, "region")
    c = _as(client, w.officers[K.CNM])
    assert c.post(url("payment_sent", w.tenant, pk=cnm.pk)).status_code == 302
    response = c.post(url("payment_paid", w.tenant, pk=cnm.pk), {
        f"p{cnm.pk}-paid_on": "2024-05-10", f"p{cnm.pk}-amount": "5 600,40",
        f"p{cnm.pk}-reference": "MANDAT 2024-118"})
    assert response.status_code == 302
    c = _as(client, w.officers[K.REGION])
    c.post(url("payment_paid", w.tenant, pk=region.pk), {
        f"p{region.pk}-paid_on": "2024-05-12", f"p{region.pk}-amount": "4\u00a0000,00 €",
        f"p{region.pk}-reference": "R-55"})
    with scope(tenant=w.tenant):
        w.dossier.refresh_from_db()
        assert w.dossier.status == AwardStatus.ADVANCE_PAID
        assert Payment.objects.get(pk=cnm.pk).reference == "MANDAT 2024-118"


def test_a_wrong_amount_is_refused_with_the_field_named_and_input_kept(client, grant):
    w = grant
    cnm = _payment(w, "cnm")
    response = _as(client, w.officers[K.CNM]).post(url("payment_paid", w.tenant, pk=cnm.pk), {
        f"p{cnm.pk}-paid_on": "2024-05-10", f"p{cnm.pk}-amount": "5 600,4O",
        f"p{cnm.pk}-reference": "M-1"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Montant versé (€) : « 5 600,4O » n’est pas un montant" in page.replace("'", "’") or \
        "n&#x27;est pas un montant" in page
    assert 'value="5 600,4O"' in page
    assert _payment(w, "cnm").status == PaymentStatus.DUE


def test_another_funder_cannot_record_a_payment(client, grant, foreign):
    w = grant
    cnm = _payment(w, "cnm")
    for user in (w.officers[K.REGION], foreign.officers[K.CNM], w.applicant):
        assert _as(client, user).post(url("payment_sent", w.tenant, pk=cnm.pk)).status_code \
            == 404
    with scope(tenant=w.tenant):
        ConflictFactory(tenant=w.tenant, officer=w.officers[K.CNM], siret=w.structure.siret)
    assert _as(client, w.officers[K.CNM]).post(
        url("payment_sent", w.tenant, pk=cnm.pk)).status_code == 404
    assert _payment(w, "cnm").status == PaymentStatus.DUE


def test_payment_file_per_funder_with_siret_and_iban(client, grant):
    w = grant
    BankAccount.objects.create(structure=w.structure, holder="Les Scènes d'Oc", iban=IBAN,
                               bic="BNPAFRPP")
    response = _as(client, w.officers[K.CNM]).get(url("payments_csv", w.tenant))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:5] == ["Référence du dossier", "Structure", "SIRET", "Titulaire du compte",
                           "IBAN"]
    assert rows[1][:8] == ["HDF-2024-COOP-0001", "Les Scènes d'Oc", w.structure.siret,
                           "Les Scènes d'Oc", IBAN, "BNPAFRPP", "Avance", "5600,40"]
    assert len(rows) == 2  # the Région's advance is not in the CNM's file
    response = _as(client, w.officers[K.CNM]).get(url("payments_xlsx", w.tenant))
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[2]][:8] == ["HDF-2024-COOP-0001", "Les Scènes d'Oc",
                                               w.structure.siret, "Les Scènes d'Oc", IBAN,
                                               "BNPAFRPP", "Avance", 5600.4]
    with scope(tenant=w.tenant):
        assert list(AuditEvent.objects.filter(action="awards.payments.exported")
                    .values_list("data__format", flat=True).order_by("pk")) == ["csv", "xlsx"]


def test_bank_account_only_for_managers_and_iban_checked(client, grant):
    w = grant
    page = reverse("bank:edit", kwargs={"pk": w.structure.pk})
    member = StructureMemberFactory(structure=w.structure, role="member").user
    assert _as(client, member).get(page).status_code == 404
    assert _as(client, w.officers[K.CNM]).get(page).status_code == 404
    c = _as(client, w.applicant)
    response = c.post(page, {"holder": "Les Scènes d'Oc", "iban": "FR76 3000 6000 0112 3456 7890 180",
                             "bic": ""})
    assert response.status_code == 400
    assert "n&#x27;est pas un IBAN valide" in response.content.decode()
    assert "FR76 3000 6000 0112 3456 7890 180" in response.content.decode()
    response = c.post(page, {"holder": "Les Scènes d'Oc", "iban": "fr76 3000 6000 0112 3456 7890 189",
                             "bic": "bnpafrpp"})
    assert response.status_code == 302
    account = BankAccount.objects.get(structure=w.structure)
    assert (account.iban, account.bic) == (IBAN, "BNPAFRPP")


def test_the_iban_shows_to_the_paying_funder_not_to_the_others(client, grant):
    w = grant
    BankAccount.objects.create(structure=w.structure, holder="X", iban=IBAN)
    assert "FR76 3000 6000 0112 3456 7890 189" in _as(client, w.officers[K.CNM]).get(
        url("payments", w.tenant)).content.decode()
    # the DRAC pays nothing on this dossier: its payments page does not list it
    assert "7890 189" not in _as(client, w.officers[K.DRAC]).get(
        url("payments", w.tenant)).content.decode()


def _pay_all_advances(w):
    from awards import services

    with scope(tenant=w.tenant):
        for p in Payment.objects.filter(dossier=w.dossier, kind=PaymentKind.ADVANCE):
            services.payment_mark_paid(user=w.officers[p.funder], payment=p,
                                       paid_on=date(2024, 5, 10), amount=p.amount, reference="M")


def test_applicant_files_the_report_with_french_amounts(client, grant):
    w = grant
    _pay_all_advances(w)
    c = _as(client, w.applicant)
    detail = c.get(reverse("applications:dossier_detail",
                           kwargs={"tenant_slug": w.tenant.slug, "pk": w.dossier.pk}))
    assert "Remplir le bilan final" in detail.content.decode()
    lines = w.lines
    data = {"activity_report": "Douze concerts à Sète et à Albi.",
            f"line_{lines['cachets'].pk}": "12 000,50", f"line_{lines['deplacements'].pk}": "3 000",
            f"line_{lines['materiel'].pk}": "abc", f"line_{lines['fonds'].pk}": "10 000",
            "action": "save"}
    response = c.post(url("report_edit", w.tenant, pk=w.dossier.pk), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Réalisé — Achat de matériel" in page and 'value="abc"' in page
    assert 'value="12 000,50"' in page
    data[f"line_{lines['materiel'].pk}"] = "9 000"
    assert c.post(url("report_edit", w.tenant, pk=w.dossier.pk), data).status_code == 302
    page = c.get(url("report_edit", w.tenant, pk=w.dossier.pk)).content.decode()
    assert re.search(r'value="12\s000,50"', page)
    data["action"] = "file"
    assert c.post(url("report_edit", w.tenant, pk=w.dossier.pk), data).status_code == 302
    with scope(tenant=w.tenant):
        w.dossier.refresh_from_db()
        assert w.dossier.status == AwardStatus.REPORT_FILED


def test_report_page_refuses_others(client, grant, foreign):
    w = grant
    _pay_all_advances(w)
    target = url("report_edit", w.tenant, pk=w.dossier.pk)
    assert _as(client, foreign.applicant).get(target).status_code == 404
    assert _as(client, w.officers[K.CNM]).get(target).status_code == 404
    # a dossier of the other tenant through this tenant's URL
    assert _as(client, foreign.applicant).get(
        url("report_edit", w.tenant, pk=foreign.dossier.pk)).status_code == 404


def test_instructor_reevaluates_and_the_letter_is_produced(client, grant):
    from awards import services

    w = grant
    _pay_all_advances(w)
    with scope(tenant=w.tenant):
        services.report_save(user=w.applicant, dossier=w.dossier, activity_report="Fait.",
                             realised={w.lines["cachets"].pk: "12 000,50",
                                       w.lines["deplacements"].pk: "3 000",
                                       w.lines["materiel"].pk: "0", w.lines["fonds"].pk: "0"})
        services.report_file(user=w.applicant, dossier=w.dossier)
    c = _as(client, w.officers[K.DRAC])
    page = c.get(url("followup", w.tenant, pk=w.dossier.pk)).content.decode()
    assert "ramenée à 7\u00a0200,54\u00a0€" in page
    response = c.post(url("report_examine", w.tenant, pk=w.dossier.pk),
                      {"action": "reevaluate", "comment": ""})
    assert response.status_code == 400
    assert "Motivation : expliquez la réévaluation" in response.content.decode()
    response = c.post(url("report_examine", w.tenant, pk=w.dossier.pk),
                      {"action": "reevaluate", "comment": "Dépenses réalisées inférieures."})
    assert response.status_code == 302
    pdf = c.get(url("balance_letter", w.tenant, pk=w.dossier.pk))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    body = b"".join(pdf.streaming_content) if pdf.streaming else pdf.content
    assert body.startswith(b"%PDF")
    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    text = " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())
    assert "Notification de réévaluation d'une aide" in text
    assert "ramenée à 7 200,54 €" in text
    assert "un titre de recettes de 1 399,96 €" in text and "999,90 €" in text
    assert "Voies et délais de recours" in text and "Signataire cnm" in text
    applicant_pdf = _as(client, w.applicant).get(url("balance_letter", w.tenant, pk=w.dossier.pk))
    assert applicant_pdf.status_code == 200


def test_followup_and_letter_refuse_others(client, grant, foreign):
    w = grant
    for name in ("followup", "balance_letter"):
        target = url(name, w.tenant, pk=w.dossier.pk)
        assert _as(client, foreign.officers[K.CNM]).get(target).status_code == 404
        assert _as(client, foreign.applicant).get(target).status_code == 404
    assert _as(client, w.applicant).get(url("followup", w.tenant, pk=w.dossier.pk)).status_code \
        == 404
    with scope(tenant=w.tenant):
        ConflictFactory(tenant=w.tenant, officer=w.officers[K.DRAC], siret=w.structure.siret)
    assert _as(client, w.officers[K.DRAC]).get(
        url("followup", w.tenant, pk=w.dossier.pk)).status_code == 404
    assert _as(client, w.officers[K.CNM]).post(
        url("report_examine", w.tenant, pk=foreign.dossier.pk), {"action": "accept"}
    ).status_code == 404


def test_envelope_page_shows_figures_and_a_chart_with_a_table(client, grant, foreign):
    w = grant
    _pay_all_advances(w)
    page = _as(client, w.admin).get(url("envelope", w.tenant)).content.decode()
    assert "<svg" in page and 'role="img"' in page
    # SVG coordinates are numbers, never French-formatted ("176,0" draws nothing)
    widths = re.findall(r'<rect x="([^"]+)" y="[^"]+" width="([^"]+)"', page)
    assert widths and all(re.fullmatch(r"\d+(\.\d+)?", v) for pair in widths for v in pair)
    assert "Engagé 12\u00a0000,50\u00a0€, versé 9\u00a0600,40\u00a0€, reste à verser " \
           "2\u00a0400,10\u00a0€, libéré 0,00\u00a0€." in page
    assert "OCC-2024" not in page
    assert _as(client, w.applicant).get(url("envelope", w.tenant)).status_code == 404
    assert _as(client, foreign.admin).get(url("envelope", w.tenant)).status_code == 404


def test_a_conflicted_officer_does_not_see_the_dossier_in_the_list_or_the_file(client, grant):
    w = grant
    BankAccount.objects.create(structure=w.structure, holder="X", iban=IBAN)
    with scope(tenant=w.tenant):
        ConflictFactory(tenant=w.tenant, officer=w.officers[K.CNM], siret=w.structure.siret)
    c = _as(client, w.officers[K.CNM])
    assert "HDF-2024-COOP-0001" not in c.get(url("payments", w.tenant)).content.decode()
    csv_text = c.get(url("payments_csv", w.tenant)).content.decode("utf-8-sig")
    assert "HDF-2024-COOP-0001" not in csv_text and IBAN not in csv_text


def test_the_instructor_records_the_signed_convention_from_the_followup_page(client, tenant):
    w = build(tenant, advance_paid_on="convention")
    c = _as(client, w.officers[K.DRAC])
    page = c.get(url("followup", w.tenant, pk=w.dossier.pk)).content.decode()
    assert "En attente de la convention signée" in page
    response = c.post(url("report_examine", w.tenant, pk=w.dossier.pk),
                      {"action": "convention", "received_on": ""})
    assert response.status_code == 400
    assert c.post(url("report_examine", w.tenant, pk=w.dossier.pk),
                  {"action": "convention", "received_on": "2024-05-02"}).status_code == 302
    assert _payment(w, "cnm").status == PaymentStatus.DUE
    assert _as(client, w.applicant).post(url("report_examine", w.tenant, pk=w.dossier.pk),
                                         {"action": "convention",
                                          "received_on": "2024-05-02"}).status_code == 404


def test_the_envelope_gives_each_funder_its_own_budget_and_what_is_left(client, grant):
    from decimal import Decimal as D

    from reviews.models import FunderEnvelope

    w = grant
    with scope(tenant=w.tenant):
        FunderEnvelope.objects.create(tenant=w.tenant, call=w.call, funder="cnm",
                                      amount=D("50000"))
    page = _as(client, w.admin).get(url("envelope", w.tenant)).content.decode()
    # the CNM's envelope on the call, less its committed share (7 000,50 €)
    assert "50\u00a0000,00\u00a0€" in page and "42\u00a0999,50\u00a0€" in page


def test_a_recovery_due_on_one_grant_does_not_hide_a_payment_due_on_another():
    from decimal import Decimal as D

    from awards.selectors import EnvelopeFigures

    row = EnvelopeFigures(label="CNM")
    row.add(EnvelopeFigures(label="", granted=D("7000.50"), committed=D("4200.44"),
                            paid=D("5600.40"), released=D("2800.06")))
    row.add(EnvelopeFigures(label="", granted=D("5000"), committed=D("5000"), paid=D("4000")))
    assert (row.remaining, row.to_recover) == (D("1000"), D("1399.96"))
    total = EnvelopeFigures(label="total")
    total.add(row)
    assert (total.committed, total.paid, total.remaining, total.to_recover) == (
        D("9200.44"), D("9600.40"), D("1000"), D("1399.96"))
