"""Two calls of 150 000 € under a 150 000 € contract: the admin is warned, on the calls'
pages and when saving a call, with the totals and each call's envelope."""

import re
from decimal import Decimal

import pytest
from django_scopes import scope

from calls.enums import CallStatus
from calls.selectors import envelope_overcommitment
from tests.factories import MembershipFactory
from tests.factories.calls import CallFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]

NB = " "  # the pages print no-break spaces; _text() reads them as spaces


def _text(html):
    text = re.sub(r"<[^>]+>", " ", html).replace("\u00a0", " ").replace("\u202f", " ")
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def contract(tenant):
    tenant.envelope = Decimal("150000")
    tenant.save()
    with scope(tenant=tenant):
        CallFactory(tenant=tenant, slug="coop", title="Coopération professionnelle",
                    envelope=Decimal("150000"))
    return tenant


def test_calls_that_fit_raise_nothing(contract):
    with scope(tenant=contract):
        assert envelope_overcommitment(contract) is None


def test_a_second_call_of_150_000_is_announced_when_saved_and_on_the_pages(client, contract):
    admin = MembershipFactory(tenant=contract, role="admin").user
    client.force_login(admin)
    response = client.post(f"/{contract.slug}/gestion/appels/nouveau/", {
        "title": "Développement de carrières", "slug": "carrieres", "reference_code": "CARR",
        "envelope": "150 000", "closes_end_of_day": "on"}, follow=True)
    text = _text(response.content.decode())
    assert (f"Les enveloppes des appels de ce contrat totalisent 300{NB}000,00{NB}€ pour une "
            f"enveloppe de contrat de 150{NB}000,00{NB}€ (150{NB}000,00{NB}€ de trop).") in text
    assert "Les enveloppes des appels dépassent celle du contrat" in text
    listing = _text(client.get(f"/{contract.slug}/gestion/appels/").content.decode())
    assert (f"Les appels de ce contrat totalisent 300{NB}000,00{NB}€ pour une enveloppe de "
            f"contrat de 150{NB}000,00{NB}€ : 150{NB}000,00{NB}€ de plus que ce que le contrat "
            "peut financer.") in listing
    assert f"Coopération professionnelle : 150{NB}000,00{NB}€" in listing
    assert f"Développement de carrières : 150{NB}000,00{NB}€" in listing


def test_archived_and_draft_calls_count_too(contract):
    with scope(tenant=contract):
        CallFactory(tenant=contract, status=CallStatus.ARCHIVED, envelope=Decimal("1"))
        over = envelope_overcommitment(contract)
    assert (over.committed, over.over) == (Decimal("150001"), Decimal("1"))


def test_a_contract_without_envelope_warns_of_nothing(contract):
    contract.envelope = None
    contract.save()
    with scope(tenant=contract):
        CallFactory(tenant=contract, envelope=Decimal("900000"))
        assert envelope_overcommitment(contract) is None
