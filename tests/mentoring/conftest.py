from datetime import date

import pytest
from django_scopes import scope

from portal.enums import Role
from tests.factories import OrganizationFactory
from tests.factories.applications import StructureFactory, StructureMemberFactory
from tests.factories.mentoring import ResourcePersonFactory, ThemeFactory


@pytest.fixture
def pilot_org(tenant):
    return OrganizationFactory(tenant=tenant, kind="pilot", name="Octopus, structure pilote")


@pytest.fixture
def pilot(tenant, pilot_org, make_member):
    return make_member(tenant, Role.PILOT, organization=pilot_org)


@pytest.fixture
def themes(tenant, pilot_org):
    labels = ["Pilotage des projets et des organisations", "Financement",
              "Mise en œuvre et gestion des organisations", "Visibilité des projets",
              "Actions responsables, locales et/ou solidaires"]
    return [ThemeFactory(tenant=tenant, label=label, position=i) for i, label in
            enumerate(labels, 1)]


@pytest.fixture
def beneficiary_structure(db):
    return StructureFactory(name="La Sirène du Lez", postal_code="34000", city="Montpellier",
                            main_activity="venue", aesthetics=["jazz", "electro"])


@pytest.fixture
def beneficiary(applicant, beneficiary_structure):
    StructureMemberFactory(structure=beneficiary_structure, user=applicant)
    return applicant


@pytest.fixture
def resource(tenant, themes):
    return ResourcePersonFactory(
        tenant=tenant, first_name="Alex", last_name="Ressource", departement="34",
        main_activity="venue", aesthetics=["jazz"], themes={themes[1]: 3},
        structure=StructureFactory(name="Le Rockstore", postal_code="34000"))


@pytest.fixture
def scoped(tenant):
    with scope(tenant=tenant):
        yield tenant


NEED_POST = {
    "person_name": "Camille Martin",
    "person_status": "employee",
    "person_role": "chargée de production",
    "description": "Construire un plan de financement pluriannuel.",
    "hoped_format": "tsf",
    "available_from": "2026-01-01",
    "available_until": "2027-12-31",
    "place": "Montpellier",
    "place_postal_code": "",
    "remote_possible": "on",
}

TODAY_YEAR = date.today().year
