"""The SEPA credit-transfer file (pain.001.001.03) of each funder: the payments sent to the
finance department, from the account the tenant's admin set for that funder, made by the
sepaxml library and validated against its schema; parsed back here."""

import xml.etree.ElementTree as ET
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django_scopes import scope

from awards import services
from awards.enums import PaymentKind
from awards.models import BankAccount, FunderAccount, Payment
from portal.enums import OrganizationKind as K
from portal.models import AuditEvent
from tests.awards.world import build
from tests.factories.applications import StructureFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
CNM_IBAN = "FR7610107001011234567890129"
STRUCTURE_IBAN = "FR7630006000011234567890189"
OTHER_IBAN = "FR1420041010050500013M02606"


def url(name, tenant):
    return reverse(f"awards:{name}", kwargs={"tenant_slug": tenant.slug})


@pytest.fixture
def two_grants(tenant, settings):
    """Two grants of the CNM, their advances sent to the finance department."""
    settings.PORTAL_REQUIRE_STAFF_2FA = False
    w = build(tenant)
    second = build(tenant, reference="HDF-2024-COOP-0002",
                   structure=StructureFactory(name="Ondes Nouvelles"),
                   amounts={"cnm": "3000.25", "region": "9000.25"})
    with scope(tenant=tenant):
        BankAccount.objects.create(structure=w.structure, holder="Les Scènes d'Oc",
                                   iban=STRUCTURE_IBAN, bic="AGRIFRPP")
        BankAccount.objects.create(structure=second.structure, holder="Ondes Nouvelles",
                                   iban=OTHER_IBAN)
        for dossier in (w.dossier, second.dossier):
            payment = Payment.objects.get(dossier=dossier, funder="cnm", kind=PaymentKind.ADVANCE)
            services.payment_mark_sent(user=w.officers[K.CNM], payment=payment)
    return w, second


def test_the_admin_sets_each_funders_paying_account(client, two_grants):
    w, _second = two_grants
    client.force_login(w.admin)
    response = client.post(url("funder_accounts", w.tenant), {
        "funder": "cnm", "cnm-name": "Centre national de la musique",
        "cnm-iban": "FR76 1010 7001 0112 3456 7890 12", "cnm-bic": ""})
    assert response.status_code == 400
    assert "n&#x27;est pas un IBAN valide" in response.content.decode()
    response = client.post(url("funder_accounts", w.tenant), {
        "funder": "cnm", "cnm-name": "Centre national de la musique",
        "cnm-iban": "FR76 1010 7001 0112 3456 7890 129", "cnm-bic": "bdfefrppcct"})
    assert response.status_code == 302
    with scope(tenant=w.tenant):
        account = FunderAccount.objects.get(tenant=w.tenant, funder="cnm")
        assert (account.iban, account.bic) == (CNM_IBAN, "BDFEFRPPCCT")
        assert AuditEvent.objects.filter(action="awards.funder_account.saved").count() == 1
    # an officer (not the admin) may not set it
    client.force_login(w.officers[K.CNM])
    assert client.get(url("funder_accounts", w.tenant)).status_code in (403, 404)


def test_the_sepa_file_carries_the_sent_payments_with_their_sums(client, two_grants):
    w, second = two_grants
    with scope(tenant=w.tenant):
        FunderAccount.objects.create(tenant=w.tenant, funder="cnm",
                                     name="Centre national de la musique", iban=CNM_IBAN,
                                     bic="BDFEFRPPCCT")
    client.force_login(w.officers[K.CNM])
    response = client.get(url("payments_sepa", w.tenant))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    root = ET.fromstring(response.content)
    header = root.find("p:CstmrCdtTrfInitn/p:GrpHdr", NS)
    # 80 % advances of the CNM's shares: 5 600,40 + 2 400,20
    assert header.find("p:NbOfTxs", NS).text == "2"
    assert header.find("p:CtrlSum", NS).text == "8000.60"
    batch = root.find("p:CstmrCdtTrfInitn/p:PmtInf", NS)
    assert batch.find("p:DbtrAcct/p:Id/p:IBAN", NS).text == CNM_IBAN
    assert batch.find("p:DbtrAgt/p:FinInstnId/p:BIC", NS).text == "BDFEFRPPCCT"
    assert batch.find("p:Dbtr/p:Nm", NS).text == "Centre national de la musique"
    assert batch.find("p:CtrlSum", NS).text == "8000.60"
    rows = {tx.find("p:PmtId/p:EndToEndId", NS).text: tx
            for tx in batch.findall("p:CdtTrfTxInf", NS)}
    assert sorted(rows) == ["HDF-2024-COOP-0001-advance-cnm", "HDF-2024-COOP-0002-advance-cnm"]
    first = rows["HDF-2024-COOP-0001-advance-cnm"]
    amount = first.find("p:Amt/p:InstdAmt", NS)
    assert (amount.text, amount.get("Ccy")) == ("5600.40", "EUR")
    assert first.find("p:CdtrAcct/p:Id/p:IBAN", NS).text == STRUCTURE_IBAN
    assert first.find("p:CdtrAgt/p:FinInstnId/p:BIC", NS).text == "AGRIFRPP"
    assert first.find("p:Cdtr/p:Nm", NS).text == "Les Scenes d'Oc"  # transliterated
    assert first.find("p:RmtInf/p:Ustrd", NS).text.startswith("HDF-2024-COOP-0001 Avance")
    other = rows["HDF-2024-COOP-0002-advance-cnm"]
    assert other.find("p:Amt/p:InstdAmt", NS).text == "2400.20"
    assert other.find("p:CdtrAcct/p:Id/p:IBAN", NS).text == OTHER_IBAN
    total = sum(D(tx.find("p:Amt/p:InstdAmt", NS).text) for tx in rows.values())
    assert total == D(header.find("p:CtrlSum", NS).text)
    with scope(tenant=w.tenant):
        event = AuditEvent.objects.get(action="awards.payments.exported")
        assert (event.data["format"], event.data["count"]) == ("sepa", 2)


def test_no_sepa_file_without_the_funders_account_or_a_structures_iban(client, two_grants):
    w, second = two_grants
    client.force_login(w.officers[K.CNM])
    response = client.get(url("payments_sepa", w.tenant), follow=True)
    assert "le compte payeur de votre financeur" in response.content.decode()
    with scope(tenant=w.tenant):
        FunderAccount.objects.create(tenant=w.tenant, funder="cnm", name="CNM", iban=CNM_IBAN)
        BankAccount.objects.filter(structure=second.structure).delete()
    response = client.get(url("payments_sepa", w.tenant), follow=True)
    page = response.content.decode().replace("&#x27;", "'")
    assert ("ces structures n'ont pas renseigné leurs coordonnées bancaires : "
            "HDF-2024-COOP-0002") in page
    # another funder's officer never gets the CNM's file: the Région has no account here
    client.force_login(w.officers[K.REGION])
    response = client.get(url("payments_sepa", w.tenant), follow=True)
    assert response.redirect_chain[-1][0].endswith("/versements/")
    assert "le compte payeur de votre financeur" in response.content.decode()
