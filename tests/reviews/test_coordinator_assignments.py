"""The contract's coordinator may appoint rapporteurs (``reviews.assign``) but is not an
instructor: the menu leads them to the assignments, whose page offers no link they may not
follow, and the automatic assignment works from there (found walking the demo as the
coordinator: the permission had no way to it)."""

import pytest
from django.urls import reverse
from django_scopes import scope

from portal.enums import Role
from reviews.models import Assignment
from tests.factories.portal import MembershipFactory
from tests.factories.reviews import FiledDossierFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]


def _url(name, tenant):
    return reverse(name, kwargs={"tenant_slug": tenant.slug})


def test_the_coordinator_reaches_the_assignments_from_the_menu_and_assigns(client, tenant, call,
                                                                          officers):
    admin = MembershipFactory(tenant=tenant, role=Role.ADMIN).user
    with scope(tenant=tenant):
        dossier = FiledDossierFactory(call=call, status="eligible")
    client.force_login(admin)
    home = client.get(_url("portal:tenant_home", tenant)).content.decode()
    assert f'href="{_url("reviews:assignments", tenant)}"' in home
    page = client.get(_url("reviews:assignments", tenant))
    assert page.status_code == 200
    body = page.content.decode()
    assert f'href="{_url("reviews:dashboard", tenant)}"' not in body  # 403 for them
    assert "1 dossier recevable sans rapporteur·rice." in body
    response = client.post(_url("reviews:assignments", tenant))
    assert response.status_code == 302
    with scope(tenant=tenant):
        dossier.refresh_from_db()
        assert dossier.status == "in_review"
        assert sorted(Assignment.objects.filter(dossier=dossier).values_list("funder", flat=True)) == [
            "cnm", "drac", "region"]


def test_instructors_keep_their_dashboard_link_and_no_second_menu_entry(client, tenant, officers):
    client.force_login(officers["cnm"])
    home = client.get(_url("portal:tenant_home", tenant)).content.decode()
    assert f'href="{_url("reviews:assignments", tenant)}"' not in home
    body = client.get(_url("reviews:assignments", tenant)).content.decode()
    assert f'href="{_url("reviews:dashboard", tenant)}"' in body


def test_another_contracts_coordinator_has_no_assignments_here(client, tenant, other_tenant):
    stranger = MembershipFactory(tenant=other_tenant, role=Role.ADMIN).user
    client.force_login(stranger)
    home = client.get(_url("portal:tenant_home", tenant)).content.decode()
    assert f'href="{_url("reviews:assignments", tenant)}"' not in home
    assert client.get(_url("reviews:assignments", tenant)).status_code in (403, 404)
    assert client.post(_url("reviews:assignments", tenant)).status_code in (403, 404)
