"""Dossier references start with the prefix the contract's admin sets ("PDL"), not with the
first letters of the URL identifier ("PAY" for pays-de-la-loire)."""

import pytest
from django_scopes import scope

from applications.models import Dossier
from applications.services.dossiers import reference_allocate
from tests.factories import TenantFactory
from tests.factories.applications import StructureFactory
from tests.factories.calls import CallFactory, paris

pytestmark = pytest.mark.django_db


def test_references_carry_the_prefix_the_admin_set(client, no_staff_2fa):
    from tests.factories import MembershipFactory

    tenant = TenantFactory(slug="pays-de-la-loire", name="Pays de la Loire", region_code="52")
    admin = MembershipFactory(tenant=tenant, role="admin").user
    client.force_login(admin)
    form = client.get(f"/{tenant.slug}/gestion/contrat/").context["form"]
    assert form.initial["reference_prefix"] == "PAY"
    data = {name: ("" if value is None else value) for name, value in form.initial.items()
            if name in form.fields}
    data.update(contract_start="2025-01-01", contract_end="2028-12-31", reference_prefix="PDL")
    response = client.post(f"/{tenant.slug}/gestion/contrat/", data)
    assert response.status_code == 302, response.context["form"].errors
    tenant.refresh_from_db()
    with scope(tenant=tenant):
        call = CallFactory(tenant=tenant, reference_code="COOP")
        dossier = Dossier.objects.create(tenant=tenant, call=call,
                                         structure=StructureFactory())
        assert reference_allocate(dossier, paris(2025, 3, 7, 12, 0)) == "PDL-2025-COOP-0001"


def test_a_contract_without_prefix_keeps_its_slug_letters():
    tenant = TenantFactory(slug="occitanie")
    assert tenant.reference_prefix == "" and tenant.dossier_prefix == "OCC"
