"""The platform admin manages tenants; inside a tenant they hold only the roles they were
given there (issue 13 finding 4): Django's superuser shortcut does not apply to the portal's
own permissions. The admin site stays theirs, behind the same two-factor login."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django_scopes import scope

from applications.models import Dossier
from applications.services import dossier_update_project
from portal.enums import OrganizationKind as K
from portal.enums import Role
from portal.models import Invitation, Tenant
from reviews.models import ConflictDeclaration
from tests.factories import CallFactory, MembershipFactory
from tests.factories.applications import DossierFactory, StructureFactory
from tests.factories.reviews import FiledDossierFactory, ReviewFactory, officer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]


@pytest.fixture
def world(tenant):
    with scope(tenant=tenant):
        call = CallFactory(tenant=tenant, funders=["cnm"])
        draft = DossierFactory(call=call, structure=StructureFactory(name="Label Brouillon"),
                               title="Brouillon privé")
        filed = FiledDossierFactory(call=call, status="in_review",
                                    structure=StructureFactory(name="Label Déposé"))
        ReviewFactory(dossier=filed, officer=officer(tenant, K.CNM), opinion="Avis confidentiel")
    return {"call": call, "draft": draft, "filed": filed}


def _t(name, tenant, **kw):
    return reverse(name, kwargs={"tenant_slug": tenant.slug, **kw})


def test_the_platform_admin_without_a_role_gets_nothing_inside_a_tenant(client, tenant, world,
                                                                      platform_admin):
    draft, filed = world["draft"], world["filed"]
    client.force_login(platform_admin)
    for url in (_t("applications:dossier_detail", tenant, pk=draft.pk),
                _t("applications:dossier_step", tenant, pk=draft.pk, step="project"),
                _t("reviews:dashboard", tenant), _t("reviews:export_csv", tenant),
                _t("reviews:export_xlsx", tenant), _t("reviews:dossier", tenant, pk=filed.pk),
                _t("portal:manage_members", tenant), _t("portal:manage_audit_log", tenant),
                _t("reviews:session_list", tenant), _t("mentoring:dashboard", tenant)):
        assert client.get(url).status_code == 404, url
    response = client.post(_t("applications:dossier_step", tenant, pk=draft.pk, step="project"),
                           {"title": "Changé par l'opérateur"})
    assert response.status_code == 404
    with scope(tenant=tenant):
        assert Dossier.objects.get(pk=draft.pk).title == "Brouillon privé"
        for perm, obj in (("applications.view_dossier", draft),
                          ("applications.change_dossier", draft),
                          ("reviews.view_dashboard", tenant), ("reviews.decide", tenant),
                          ("portal.manage_tenant", tenant), ("reviews.view_scores", filed)):
            assert platform_admin.has_perm(perm, obj) is False, perm
        with pytest.raises(PermissionDenied):
            dossier_update_project(user=platform_admin, dossier=draft, title="x")


def test_a_platform_admin_who_is_also_an_instructor_respects_their_conflicts(tenant, world,
                                                                           platform_admin):
    filed = world["filed"]
    with scope(tenant=tenant):
        org = officer(tenant, K.CNM).memberships.first().organization
        MembershipFactory(tenant=tenant, user=platform_admin, role=Role.INSTRUCTOR,
                          organization=org)
        assert platform_admin.has_perm("reviews.instruct_dossier", filed)
        ConflictDeclaration.objects.create(tenant=tenant, officer=platform_admin,
                                           siret=filed.structure.siret, structure_name="x",
                                           nature="Président")
        from portal.tenancy import forget_roles
        from reviews.selectors import forget_conflicts

        forget_roles(platform_admin)
        forget_conflicts(platform_admin)
        assert not platform_admin.has_perm("reviews.instruct_dossier", filed)
        assert not platform_admin.has_perm("applications.view_dossier", filed)


def test_the_platform_admin_still_manages_tenants_and_appoints_their_first_admin(
        client, platform_admin, django_capture_on_commit_callbacks):
    from django.core import mail

    client.force_login(platform_admin)
    assert client.get("/plateforme/contrats/").status_code == 200
    tenant = Tenant.objects.create(slug="bretagne", name="Bretagne", region_code="53",
                                   contract_start="2025-01-01", contract_end="2028-12-31",
                                   envelope=Decimal("100000.00"))
    page = reverse("portal:platform_tenant_admins", kwargs={"slug": tenant.slug})
    assert page in client.get("/plateforme/contrats/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page, {"email": "coordination@bretagne.example",
                                      "title": "Coordinatrice"})
    assert response.status_code == 302
    with scope(tenant=tenant):
        invitation = Invitation.objects.get()
        assert (invitation.email, invitation.role) == ("coordination@bretagne.example", "admin")
    assert mail.outbox[0].to == ["coordination@bretagne.example"]
    assert "coordination@bretagne.example" in client.get(page).content.decode()
    # Inviting an instructor is the tenant admin's business, not the platform's.
    from portal.services import invitation_create

    with scope(tenant=tenant), pytest.raises(PermissionDenied):
        invitation_create(user=platform_admin, tenant=tenant, email="x@example.org",
                          role=Role.INSTRUCTOR, organization=None)


def test_non_platform_admins_cannot_appoint_a_tenants_admin(client, tenant, admin_user):
    client.force_login(admin_user)
    page = reverse("portal:platform_tenant_admins", kwargs={"slug": tenant.slug})
    assert client.get(page).status_code == 403
    assert client.post(page, {"email": "x@example.org"}).status_code == 403


def test_the_admin_site_signs_in_through_the_two_factor_login(client, platform_admin):
    platform_admin.set_password("mot-de-passe-solide-42")
    platform_admin.save()
    response = client.post("/admin/login/", {"username": platform_admin.email,
                                             "password": "mot-de-passe-solide-42"})
    # allauth's login (password, then TOTP) — never the admin's own password-only form.
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
    client.force_login(platform_admin)
    assert client.get("/admin/").status_code == 200
