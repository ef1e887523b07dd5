from decimal import Decimal

import pytest
from django_scopes import scope

from portal.enums import OrganizationKind as K
from portal.enums import Role
from tests.factories import AppraisalCriterionFactory, CallFactory, CategoryFactory
from tests.factories.reviews import officer


@pytest.fixture
def call(tenant):
    call = CallFactory(tenant=tenant, envelope=Decimal("50000.00"), funders=["drac", "cnm", "region"])
    AppraisalCriterionFactory(call=call, label="Qualité du projet", weight=Decimal("2"), scale_max=5)
    AppraisalCriterionFactory(call=call, label="Ancrage territorial", weight=Decimal("1"), scale_max=10)
    return call


@pytest.fixture
def category(call):
    return CategoryFactory(call=call, title="Expérimentation", amount_min=Decimal("5000.00"),
                           amount_max=Decimal("15000.00"), advance_percentage=Decimal("80"))


@pytest.fixture
def officers(tenant):
    """Two DRAC, one CNM and one Région instructors."""
    return {"drac1": officer(tenant, K.DRAC), "drac2": officer(tenant, K.DRAC),
            "cnm": officer(tenant, K.CNM), "region": officer(tenant, K.REGION)}


@pytest.fixture
def committee(tenant):
    return {"drac": officer(tenant, K.DRAC, role=Role.COMMITTEE),
            "cnm": officer(tenant, K.CNM, role=Role.COMMITTEE),
            "region": officer(tenant, K.REGION, role=Role.COMMITTEE)}


@pytest.fixture
def scoped(tenant):
    with scope(tenant=tenant):
        yield tenant
