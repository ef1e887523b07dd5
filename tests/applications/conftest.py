import pytest
from django_scopes import scope

from tests.factories.applications import StructureMemberFactory
from tests.factories.calls import CallFactory


@pytest.fixture
def call(tenant):
    return CallFactory(tenant=tenant, slug="cooperation", reference_code="COOP",
                       title="Aide aux projets de coopération professionnelle")


@pytest.fixture
def structure(applicant):
    return StructureMemberFactory(user=applicant).structure


@pytest.fixture
def scoped(tenant):
    with scope(tenant=tenant):
        yield tenant
