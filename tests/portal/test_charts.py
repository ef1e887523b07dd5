"""Server-rendered charts (portal.charts): the geometry of the bars, and the pictures with
their table on the pages that show them (the instruction dashboard, the contract's admin
home, the committee session)."""

from decimal import Decimal
from html import unescape
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django_scopes import scope

from portal import charts
from portal.enums import OrganizationKind as K
from portal.enums import Role
from tests.factories import CallFactory
from tests.factories.reviews import FiledDossierFactory, officer

D = Decimal
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]


def _line(label, envelope, committed, proposed=0):
    return SimpleNamespace(label=label, envelope=None if envelope is None else D(envelope),
                           committed=D(committed), proposed=D(proposed))


def test_envelope_bars_share_one_scale_and_an_overrun_is_drawn_red():
    chart = charts.stacked([_line("CNM", "20000", "5000", "5000"), _line("Région", "10000", "9000", "2000"),
                            _line("DRAC", None, "0")])
    assert [r.label for r in chart["rows"]] == ["CNM", "Région"]  # nothing to draw for DRAC
    cnm, region = chart["rows"]
    span = charts.WIDTH - charts.LABEL_WIDTH - 10
    assert [(s.kind, s.width) for s in cnm.segments] == [
        ("committed", round(span / 4, 1)), ("proposed", round(span / 4, 1)),
        ("remaining", round(span / 2, 1))]
    assert [s.kind for s in region.segments] == ["committed", "proposed"]
    assert region.segments[1].fill == charts.COLOURS["over"]
    assert cnm.segments[1].fill == charts.COLOURS["proposed"]


def test_bars_are_proportional_to_their_values():
    chart = charts.bars([("Déposé", 10), ("Recevable", 5), ("Irrecevable", 0)])
    first, second, third = chart["bars"]
    assert second.height == first.height / 2 and third.height == 0
    assert first.y + first.height == chart["base_y"]


@pytest.fixture
def filed(tenant):
    with scope(tenant=tenant):
        call = CallFactory(tenant=tenant, funders=["cnm", "region"])
        for status, n in (("submitted", 3), ("eligible", 2), ("in_review", 1)):
            for _i in range(n):
                FiledDossierFactory(call=call, status=status)
    return call


def test_the_dashboard_draws_its_dossiers_per_state_with_a_table(client, tenant, filed):
    client.force_login(officer(tenant, K.CNM))
    page = unescape(client.get(reverse("reviews:dashboard",
                                       kwargs={"tenant_slug": tenant.slug})).content.decode())
    assert 'id="dashboard-pipeline"' in page and "<svg" in page
    assert '<th scope="row">Déposé</th><td class="reviews-num">3</td>' in page
    assert '<th scope="row">Recevable</th><td class="reviews-num">2</td>' in page


def test_a_chart_with_nothing_to_draw_says_so(client, tenant):
    """A tenant with no dossier yet: no empty axis and empty table, a sentence instead."""
    client.force_login(officer(tenant, K.CNM))
    page = unescape(client.get(reverse("reviews:dashboard",
                                       kwargs={"tenant_slug": tenant.slug})).content.decode())
    chart = page[page.index('id="dashboard-pipeline"'):].split("</figure>")[0]
    assert "<svg" not in chart and "<table" not in chart
    assert "Aucun chiffre à représenter pour l’instant." in chart


def test_the_admin_home_draws_the_contracts_pipeline_of_its_own_tenant_only(
        client, tenant, other_tenant, filed, admin_user):
    with scope(tenant=other_tenant):
        FiledDossierFactory(call=CallFactory(tenant=other_tenant), status="eligible")
    client.force_login(admin_user)
    page = unescape(client.get(reverse("portal:manage_overview", kwargs={"tenant_slug": tenant.slug}))
                    .content.decode())
    assert 'id="overview-pipeline"' in page
    assert '<th scope="row">Recevable</th><td class="reviews-num">2</td>' in page
    client.force_login(officer(tenant, K.CNM))
    assert client.get(reverse("portal:manage_overview",
                              kwargs={"tenant_slug": tenant.slug})).status_code == 403
