"""What every request pays before its view: the tenant lookup and the staff two-factor check
come from the shared cache (no query once known), and the cache forgets them when the
tenant, a membership or an authenticator changes, so the rules hold at the next request."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.enums import Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _tables(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    return response, " ".join(q["sql"] for q in ctx.captured_queries)


@pytest.fixture
def officer(tenant, settings):
    settings.PORTAL_REQUIRE_STAFF_2FA = True
    user = MembershipFactory(tenant=tenant, role=Role.INSTRUCTOR).user
    TOTP.activate(user, generate_totp_secret())
    return user


def test_a_staff_page_reads_tenant_and_two_factor_facts_from_the_cache(client, tenant, officer):
    client.force_login(officer)
    first, sql = _tables(client, f"/{tenant.slug}/")
    assert first.status_code == 200
    assert '"mfa_authenticator"' in sql and 'FROM "portal_tenant"' in sql
    again, sql = _tables(client, f"/{tenant.slug}/")
    assert again.status_code == 200
    assert '"mfa_authenticator"' not in sql
    assert 'FROM "portal_tenant"' not in sql


def test_a_staff_page_costs_at_most_its_own_queries(client, tenant, officer,
                                                    django_assert_max_num_queries):
    client.force_login(officer)
    client.get(f"/{tenant.slug}/")
    # session, user, roles in the tenant, the pilot check of the menu, the page's own reads
    # (calls, signatories for the page and for the footer): no tenant, no two-factor query
    with django_assert_max_num_queries(7):
        assert client.get(f"/{tenant.slug}/").status_code == 200


def test_removing_the_authenticator_sends_staff_back_to_enrolment(client, tenant, officer):
    client.force_login(officer)
    assert client.get(f"/{tenant.slug}/").status_code == 200
    Authenticator.objects.filter(user=officer).delete()
    response = client.get(f"/{tenant.slug}/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/2fa/totp/activate/")


def test_an_applicant_given_a_staff_role_must_enrol_at_the_next_request(client, tenant,
                                                                         settings):
    settings.PORTAL_REQUIRE_STAFF_2FA = True
    user = UserFactory()
    client.force_login(user)
    assert client.get("/mes-espaces/").status_code == 200
    MembershipFactory(tenant=tenant, user=user, role=Role.COMMITTEE)
    response = client.get("/mes-espaces/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/2fa/totp/activate/")


def test_a_deactivated_or_renamed_tenant_answers_404_at_the_next_request(client, tenant):
    assert client.get(f"/{tenant.slug}/").status_code == 200
    tenant.is_active = False
    tenant.save()
    assert client.get(f"/{tenant.slug}/").status_code == 404
    tenant.is_active = True
    tenant.save()
    assert client.get(f"/{tenant.slug}/").status_code == 200
    old = tenant.slug
    tenant.slug = "hauts-de-france-2027"
    tenant.save()
    assert client.get(f"/{old}/").status_code == 404
    assert client.get("/hauts-de-france-2027/").status_code == 200


def test_a_tenant_page_shows_the_tenant_as_saved(client, tenant):
    assert client.get(f"/{tenant.slug}/").status_code == 200
    tenant.name = "Hauts-de-France (contrat 2027)"
    tenant.save()
    assert "Hauts-de-France (contrat 2027)" in client.get(f"/{tenant.slug}/").content.decode()
