"""The mentoring dashboard draws its needs per state and the resource people's load (SVG),
pointing to the tables that hold the same figures."""

from html import unescape

import pytest
from django_scopes import scope

from tests.factories.mentoring import NeedRequestFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]


def test_needs_per_state_and_resource_load_are_drawn(client, tenant, pilot, pilot_org,
                                                    resource, themes):
    with scope(tenant=tenant):
        for _i in range(2):
            NeedRequestFactory(tenant=tenant)
    client.force_login(pilot)
    page = unescape(client.get(f"/{tenant.slug}/mentorat/pilotage/").content.decode())
    assert 'id="needs-chart"' in page and 'href="#needs-per-state"' in page
    assert 'id="load-chart"' in page and 'href="#resource-load"' in page
    assert "<title>Reçue, en attente de diagnostic : 2</title>" in page
