import pytest

from tests.awards.world import build


@pytest.fixture
def grant(tenant, settings):
    settings.PORTAL_REQUIRE_STAFF_2FA = False
    return build(tenant)
