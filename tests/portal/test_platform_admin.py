import re

import pytest
from django_scopes import scope

from portal.models import AuditEvent, Tenant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]

NEW_TENANT = {"name": "Nouvelle-Aquitaine", "slug": "nouvelle-aquitaine", "region_code": "75",
              "reference_prefix": "NAQ",
              "contract_title": "", "contract_start": "2025-01-01", "contract_end": "2028-12-31",
              "envelope": "300000.00", "description": "", "is_active": "on"}


def test_platform_admin_creates_a_tenant(client, platform_admin):
    client.force_login(platform_admin)
    response = client.post("/plateforme/contrats/nouveau/", NEW_TENANT)
    assert response.status_code == 302
    tenant = Tenant.objects.get(slug="nouvelle-aquitaine")
    assert str(tenant.envelope) == "300000.00"
    with scope(tenant=tenant):
        assert AuditEvent.objects.get(action="portal.tenant.created").actor == platform_admin
    assert client.get("/nouvelle-aquitaine/").status_code == 200


@pytest.mark.parametrize("slug", ["admin", "accounts", "plateforme", "Bad Slug"])
def test_reserved_or_invalid_slug_is_refused(client, platform_admin, slug):
    client.force_login(platform_admin)
    response = client.post("/plateforme/contrats/nouveau/", {**NEW_TENANT, "slug": slug})
    assert response.status_code == 200
    assert "slug" in response.context["form"].errors
    assert not Tenant.objects.exists()


def test_unknown_region_code_is_refused(client, platform_admin):
    client.force_login(platform_admin)
    response = client.post("/plateforme/contrats/nouveau/", {**NEW_TENANT, "region_code": "99"})
    assert "region_code" in response.context["form"].errors


@pytest.mark.parametrize("path", ["/plateforme/contrats/", "/plateforme/contrats/nouveau/"])
def test_non_platform_admins_are_refused(client, tenant, make_member, path):
    client.force_login(make_member(tenant, "admin"))
    assert client.get(path).status_code == 403
    assert client.post(path, NEW_TENANT).status_code == 403
    assert not Tenant.objects.filter(slug="nouvelle-aquitaine").exists()


def test_platform_admin_invites_the_first_admin_of_a_new_tenant(
        client, platform_admin, django_capture_on_commit_callbacks):
    from django.core import mail

    from portal.models import Invitation

    client.force_login(platform_admin)
    client.post("/plateforme/contrats/nouveau/", NEW_TENANT)
    listing = client.get("/plateforme/contrats/").content.decode()
    # From the platform pages: the platform admin holds no role inside the new tenant.
    assert 'href="/plateforme/contrats/nouvelle-aquitaine/administrateurs/"' in listing
    assert client.get("/nouvelle-aquitaine/gestion/membres/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/plateforme/contrats/nouvelle-aquitaine/administrateurs/",
                               {"email": "coordination@na.example"})
    assert response.status_code == 302
    tenant = Tenant.objects.get(slug="nouvelle-aquitaine")
    with scope(tenant=tenant):
        assert Invitation.objects.get().email == "coordination@na.example"
    assert mail.outbox[0].to == ["coordination@na.example"]


def test_the_region_is_chosen_by_name_and_the_slug_derived_from_the_name(client, platform_admin):
    client.force_login(platform_admin)
    html = client.get("/plateforme/contrats/nouveau/").content.decode()
    assert '<option value="52">Pays de la Loire</option>' in html
    assert "Code INSEE" not in html
    assert 'data-slug-source="id_slug"' in html and "portal/slug.js" in html
    names = re.findall(r'<option value="\d\d">([^<]+)</option>', html)
    assert names[:3] == ["Auvergne-Rhône-Alpes", "Bourgogne-Franche-Comté", "Bretagne"]
    response = client.post("/plateforme/contrats/nouveau/", {
        **NEW_TENANT, "name": "Pays de la Loire", "slug": "", "region_code": "52",
        "reference_prefix": "pdl"})
    assert response.status_code == 302
    tenant = Tenant.objects.get(name="Pays de la Loire")
    assert (tenant.slug, tenant.region_code, tenant.region_name, tenant.reference_prefix) == (
        "pays-de-la-loire", "52", "Pays de la Loire", "PDL")


def test_a_derived_slug_already_taken_is_refused_with_the_input_kept(client, platform_admin,
                                                                    tenant):
    client.force_login(platform_admin)
    response = client.post("/plateforme/contrats/nouveau/", {
        **NEW_TENANT, "name": "Hauts de France", "slug": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["slug"] == [
        "« hauts-de-france » est déjà pris par un autre contrat : choisissez un autre "
        "identifiant."]
    assert 'value="Hauts de France"' in response.content.decode()


@pytest.mark.parametrize("prefix", ["P", "PAYSDELA", "P-L", ""])
def test_a_bad_reference_prefix_is_refused(client, platform_admin, prefix):
    client.force_login(platform_admin)
    response = client.post("/plateforme/contrats/nouveau/", {**NEW_TENANT,
                                                             "reference_prefix": prefix})
    assert "reference_prefix" in response.context["form"].errors
    assert not Tenant.objects.exists()


def test_an_empty_slug_on_an_existing_contract_keeps_its_address(client, platform_admin, tenant):
    client.force_login(platform_admin)
    form = client.get(f"/plateforme/contrats/{tenant.slug}/").context["form"]
    assert form.initial["reference_prefix"] == "HAU"  # the series its references carry
    data = {name: ("" if value is None else value) for name, value in form.initial.items()
            if name in form.fields}
    data.update(contract_start="2023-01-01", contract_end="2026-12-31", is_active="on",
                slug="", name="Région Hauts-de-France")
    assert client.post(f"/plateforme/contrats/{tenant.slug}/", data).status_code == 302
    tenant.refresh_from_db()
    assert (tenant.slug, tenant.name, tenant.reference_prefix) == (
        "hauts-de-france", "Région Hauts-de-France", "HAU")
