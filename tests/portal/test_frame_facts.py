"""The facts every page of a tenant shows (its signatories in the header and footer, whether it
has a pilot structure, hence the mentoring menu) are kept with the cached tenant: no query
for them on each page, and a change is seen on the next page, from every web process (the
shared cache)."""

import pytest
from django.test.utils import CaptureQueriesContext
from django.db import connection
from django_scopes import scopes_disabled

from portal.enums import OrganizationKind
from tests.factories.portal import OrganizationFactory, SignatoryFactory, UserFactory

pytestmark = pytest.mark.django_db


def _home(client, tenant):
    with CaptureQueriesContext(connection) as ctx:
        body = client.get(f"/{tenant.slug}/").content.decode()
    return body, [q["sql"] for q in ctx.captured_queries]


def test_a_tenant_page_reads_its_signatories_and_pilot_once_then_from_the_cache(client, tenant):
    with scopes_disabled():
        SignatoryFactory(tenant=tenant, organization__name="Centre national de la musique")
    first, _sql = _home(client, tenant)
    body, sql = _home(client, tenant)
    assert "Centre national de la musique" in body
    assert not [q for q in sql if "portal_signatory" in q or "portal_organization" in q], sql


def test_a_new_signatory_or_pilot_structure_shows_on_the_next_page(client, tenant):
    client.force_login(UserFactory())  # (the mentoring menu is for signed-in users)
    body, _sql = _home(client, tenant)
    assert "Région Hauts-de-France" not in body and "/mentorat/" not in body
    with scopes_disabled():
        SignatoryFactory(tenant=tenant, organization__name="Région Hauts-de-France")
    body, _sql = _home(client, tenant)
    assert "Région Hauts-de-France" in body
    with scopes_disabled():
        pilot = OrganizationFactory(tenant=tenant, kind=OrganizationKind.PILOT,
                                    name="Pôle régional")
    body, _sql = _home(client, tenant)
    assert f"/{tenant.slug}/mentorat/" in body
    with scopes_disabled():
        pilot.kind = OrganizationKind.REGION
        pilot.save()
    body, _sql = _home(client, tenant)
    assert f"/{tenant.slug}/mentorat/" not in body
