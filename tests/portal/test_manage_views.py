"""Tenant admin pages: what an admin can do, and what nobody else can."""

import pytest
from django.core import mail
from django_scopes import scope

from portal.models import AuditEvent, Invitation, Membership, Organization
from tests.factories import InvitationFactory, MembershipFactory, OrganizationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]

MANAGE_PAGES = ["gestion/", "gestion/contrat/", "gestion/organismes/", "gestion/signataires/",
                "gestion/membres/", "gestion/journal/"]


@pytest.mark.parametrize("path", MANAGE_PAGES)
def test_admin_sees_manage_pages(client, tenant, admin_user, path):
    client.force_login(admin_user)
    assert client.get(f"/{tenant.slug}/{path}").status_code == 200


@pytest.mark.parametrize("path", MANAGE_PAGES)
@pytest.mark.parametrize("role", ["instructor", "committee", "pilot"])
def test_other_roles_are_refused_manage_pages(client, tenant, make_member, role, path):
    client.force_login(make_member(tenant, role))
    assert client.get(f"/{tenant.slug}/{path}").status_code == 403


@pytest.mark.parametrize("path", MANAGE_PAGES)
def test_admin_of_another_tenant_is_refused(client, tenant, other_tenant, make_member, path):
    client.force_login(make_member(other_tenant, "admin"))
    assert client.get(f"/{tenant.slug}/{path}").status_code == 404


@pytest.mark.parametrize("path", MANAGE_PAGES)
def test_anonymous_is_sent_to_login(client, tenant, path):
    response = client.get(f"/{tenant.slug}/{path}")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


def test_object_of_another_tenant_answers_404(client, tenant, other_tenant, admin_user):
    foreign = OrganizationFactory(tenant=other_tenant, name="DRAC Occitanie")
    foreign_member = MembershipFactory(tenant=other_tenant, role="instructor")
    foreign_invitation = InvitationFactory(tenant=other_tenant)
    client.force_login(admin_user)
    base = f"/{tenant.slug}/gestion"
    assert client.get(f"{base}/organismes/{foreign.pk}/").status_code == 404
    assert client.post(f"{base}/organismes/{foreign.pk}/supprimer/").status_code == 404
    assert client.get(f"{base}/membres/{foreign_member.pk}/").status_code == 404
    assert client.post(f"{base}/membres/{foreign_member.pk}/retirer/").status_code == 404
    assert client.post(f"{base}/invitations/{foreign_invitation.pk}/annuler/").status_code == 404
    assert client.post(f"{base}/invitations/{foreign_invitation.pk}/renvoyer/").status_code == 404
    with scope(tenant=other_tenant):
        assert Organization.objects.filter(pk=foreign.pk).exists()
        assert Membership.objects.filter(pk=foreign_member.pk).exists()
        assert Invitation.objects.get(pk=foreign_invitation.pk).revoked_at is None


def test_admin_creates_organization_and_it_is_audited(client, tenant, admin_user):
    client.force_login(admin_user)
    response = client.post(f"/{tenant.slug}/gestion/organismes/",
                           {"kind": "drac", "name": "DRAC Hauts-de-France"})
    assert response.status_code == 302
    with scope(tenant=tenant):
        org = Organization.objects.get(name="DRAC Hauts-de-France")
        assert org.kind == "drac"
        event = AuditEvent.objects.get(action="portal.organization.created")
        assert event.actor == admin_user and event.target_id == str(org.pk)
        assert event.data == {"kind": "drac", "name": "DRAC Hauts-de-France"}


def test_duplicate_organization_name_is_refused_with_field_error(client, tenant, admin_user):
    OrganizationFactory(tenant=tenant, name="CNM")
    client.force_login(admin_user)
    response = client.post(f"/{tenant.slug}/gestion/organismes/", {"kind": "cnm", "name": "CNM"})
    assert response.status_code == 200
    assert response.context["form"].errors  # named error, input kept
    assert 'value="CNM"' in response.content.decode()


def test_admin_invites_by_email_and_invitee_accepts(client, tenant, admin_user,
                                                    django_capture_on_commit_callbacks):
    cnm = OrganizationFactory(tenant=tenant, kind="cnm", name="Centre national de la musique")
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/{tenant.slug}/gestion/membres/", {
            "email": "Officer@CNM.example", "role": "instructor", "organization": cnm.pk})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["officer@cnm.example"]
    assert "Hauts-de-France" in message.subject
    with scope(tenant=tenant):
        invitation = Invitation.objects.get(email="officer@cnm.example")
    assert f"/invitations/{invitation.token}/" in message.body

    from tests.factories import UserFactory

    officer = UserFactory(email="officer@cnm.example")
    client.force_login(officer)
    assert client.get("/mes-espaces/").content.decode().count(invitation.token) == 1
    response = client.post(f"/invitations/{invitation.token}/", {
        "first_name": officer.first_name, "last_name": officer.last_name,
        "title": "Chargé de mission aides territoriales"})
    assert response.status_code == 302
    with scope(tenant=tenant):
        membership = Membership.objects.get(user=officer)
        assert (membership.role, membership.organization, membership.title) == (
            "instructor", cnm, "Chargé de mission aides territoriales")
        assert Invitation.objects.get(pk=invitation.pk).accepted_by == officer


def test_invitation_cannot_be_taken_by_another_address(client, tenant):
    invitation = InvitationFactory(tenant=tenant, email="right@example.org")
    from tests.factories import UserFactory

    client.force_login(UserFactory(email="wrong@example.org"))
    html = client.get(f"/invitations/{invitation.token}/").content.decode()
    assert "Vous êtes connecté·e avec un autre compte" in html
    assert "Accepter l’invitation" not in html
    assert client.post(f"/invitations/{invitation.token}/", {
        "first_name": "A", "last_name": "B", "title": "C"}).status_code == 403
    with scope(tenant=tenant):
        assert not Membership.objects.exists()


def test_forged_invitation_token_answers_404(client, applicant):
    client.force_login(applicant)
    assert client.get("/invitations/not-a-token/").status_code == 404


def test_instructor_invitation_without_funder_is_refused(client, tenant, admin_user):
    network = OrganizationFactory(tenant=tenant, kind="network", name="Haute-Fidélité")
    client.force_login(admin_user)
    response = client.post(f"/{tenant.slug}/gestion/membres/", {
        "email": "someone@example.org", "role": "instructor", "organization": network.pk})
    assert response.status_code == 200
    assert "organization" in response.context["form"].errors
    assert 'value="someone@example.org"' in response.content.decode()
    assert mail.outbox == []


def test_invitation_organization_from_another_tenant_is_refused(client, tenant, other_tenant,
                                                                admin_user):
    foreign = OrganizationFactory(tenant=other_tenant, kind="cnm")
    client.force_login(admin_user)
    response = client.post(f"/{tenant.slug}/gestion/membres/", {
        "email": "someone@example.org", "role": "instructor", "organization": foreign.pk})
    assert response.status_code == 200
    assert "organization" in response.context["form"].errors


def test_last_admin_cannot_remove_themself(client, tenant, admin_user):
    client.force_login(admin_user)
    with scope(tenant=tenant):
        membership = Membership.objects.get(user=admin_user)
    client.post(f"/{tenant.slug}/gestion/membres/{membership.pk}/retirer/")
    with scope(tenant=tenant):
        assert Membership.objects.filter(pk=membership.pk).exists()


def test_admin_removes_a_member(client, tenant, admin_user, make_member):
    officer = make_member(tenant, "instructor")
    client.force_login(admin_user)
    with scope(tenant=tenant):
        membership = Membership.objects.get(user=officer)
    response = client.post(f"/{tenant.slug}/gestion/membres/{membership.pk}/retirer/")
    assert response.status_code == 302
    with scope(tenant=tenant):
        assert not Membership.objects.filter(pk=membership.pk).exists()
        assert AuditEvent.objects.filter(action="portal.membership.removed").count() == 1


def test_contract_edit_rejects_end_before_start_and_keeps_input(client, tenant, admin_user):
    client.force_login(admin_user)
    response = client.post(f"/{tenant.slug}/gestion/contrat/", {
        "name": "Hauts-de-France", "region_code": "32", "contract_title": "Nouveau titre",
        "contract_start": "2026-01-01", "contract_end": "2023-01-01", "envelope": "210000",
        "description": ""})
    assert response.status_code == 200
    assert "contract_end" in response.context["form"].errors
    assert 'value="Nouveau titre"' in response.content.decode()


# --- Changing a member's role, resending invitations ----------------------------------------

def test_admin_changes_a_members_role_and_organization_audited(client, tenant, admin_user,
                                                               make_member):
    drac = OrganizationFactory(tenant=tenant, kind="drac", name="DRAC Hauts-de-France")
    member = make_member(tenant, "instructor")
    with scope(tenant=tenant):
        membership = Membership.objects.get(user=member, tenant=tenant)
    client.force_login(admin_user)
    url = f"/{tenant.slug}/gestion/membres/{membership.pk}/"
    page = client.get(url).content.decode()
    assert 'name="role"' in page
    response = client.post(url, {"role": "committee", "organization": drac.pk})
    assert response.status_code == 302
    with scope(tenant=tenant):
        membership.refresh_from_db()
        assert (membership.role, membership.organization) == ("committee", drac)
        event = AuditEvent.objects.get(action="portal.membership.updated")
    assert event.data["role"] == {"from": "instructor", "to": "committee"}
    assert event.data["organization"]["to"] == "DRAC Hauts-de-France"


def test_role_change_errors_name_the_field(client, tenant, admin_user, make_member):
    member = make_member(tenant, "instructor")
    with scope(tenant=tenant):
        membership = Membership.objects.get(user=member, tenant=tenant)
    MembershipFactory(tenant=tenant, user=member, role="pilot",
                      organization=OrganizationFactory(tenant=tenant, kind="pilot"))
    client.force_login(admin_user)
    url = f"/{tenant.slug}/gestion/membres/{membership.pk}/"
    response = client.post(url, {"role": "pilot",
                                 "organization": membership.organization_id})
    assert response.status_code == 200
    assert response.context["form"].errors["role"] == [
        f"{member.first_name} {member.last_name} a déjà ce rôle dans ce contrat."]
    with scope(tenant=tenant):
        membership.refresh_from_db()
    assert membership.role == "instructor"


def test_the_last_admin_keeps_the_role(client, tenant, admin_user):
    with scope(tenant=tenant):
        membership = Membership.objects.get(user=admin_user, tenant=tenant, role="admin")
    client.force_login(admin_user)
    response = client.post(f"/{tenant.slug}/gestion/membres/{membership.pk}/",
                           {"role": "pilot",
                            "organization": OrganizationFactory(tenant=tenant, kind="pilot").pk})
    assert response.status_code == 200
    assert response.context["form"].errors["role"] == [
        "C'est le dernier administrateur du contrat : nommez-en un autre d'abord."]
    with scope(tenant=tenant):
        membership.refresh_from_db()
    assert membership.role == "admin"


def test_an_expired_invitation_is_listed_and_sent_again_for_a_fresh_period(
        client, tenant, admin_user, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    invitation = InvitationFactory(tenant=tenant, email="late@example.org", role="admin",
                                   expires_at=timezone.now() - timedelta(days=1))
    client.force_login(admin_user)
    page = client.get(f"/{tenant.slug}/gestion/membres/").content.decode()
    assert "late@example.org" in page and "expirée le" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/{tenant.slug}/gestion/invitations/{invitation.pk}/renvoyer/")
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.is_pending
    assert timedelta(days=13) < invitation.expires_at - timezone.now() <= timedelta(days=14)
    [message] = mail.outbox
    assert message.to == ["late@example.org"] and invitation.token in message.body
    with scope(tenant=tenant):
        assert AuditEvent.objects.filter(action="portal.invitation.resent").count() == 1


def test_an_expired_invitation_does_not_block_inviting_again(client, tenant, admin_user):
    from datetime import timedelta

    from django.utils import timezone

    old = InvitationFactory(tenant=tenant, email="late@example.org", role="admin",
                            expires_at=timezone.now() - timedelta(days=1))
    client.force_login(admin_user)
    response = client.post(f"/{tenant.slug}/gestion/membres/",
                           {"email": "late@example.org", "role": "admin"})
    assert response.status_code == 302
    with scope(tenant=tenant):
        old.refresh_from_db()
        assert old.revoked_at is not None
        assert Invitation.objects.filter(email="late@example.org",
                                         revoked_at__isnull=True).count() == 1


def test_an_accepted_invitation_cannot_be_resent(client, tenant, admin_user):
    from django.utils import timezone

    invitation = InvitationFactory(tenant=tenant, accepted_at=timezone.now())
    client.force_login(admin_user)
    client.post(f"/{tenant.slug}/gestion/invitations/{invitation.pk}/renvoyer/")
    assert mail.outbox == []


# --- Signatories are edited in place ---------------------------------------------------------

def test_admin_edits_a_signatory_in_place_audited(client, tenant, admin_user):
    from portal.models import Signatory
    from tests.factories import SignatoryFactory

    with scope(tenant=tenant):
        region = OrganizationFactory(tenant=tenant, kind="region", name="Région Hauts-de-France")
        signatory = SignatoryFactory(tenant=tenant, organization=region, person_name="",
                                     title="Président de la Région")
    client.force_login(admin_user)
    listing = client.get(f"/{tenant.slug}/gestion/signataires/").content.decode()
    assert f'href="/{tenant.slug}/gestion/signataires/{signatory.pk}/">Modifier' in listing
    url = f"/{tenant.slug}/gestion/signataires/{signatory.pk}/"
    assert 'value="Président de la Région"' in client.get(url).content.decode()
    response = client.post(url, {"organization": region.pk, "person_name": "Xavier Bertrand",
                                 "title": "Président de la Région Hauts-de-France",
                                 "position": "0"})
    assert response.status_code == 302
    with scope(tenant=tenant):
        signatory = Signatory.objects.get(pk=signatory.pk)  # the same row, not a new one
        assert (signatory.person_name, signatory.title) == (
            "Xavier Bertrand", "Président de la Région Hauts-de-France")
        event = AuditEvent.objects.get(action="portal.signatory.updated")
    assert event.data["person_name"] == {"from": "", "to": "Xavier Bertrand"}


def test_signatory_edit_keeps_the_input_on_error(client, tenant, admin_user):
    from tests.factories import SignatoryFactory

    with scope(tenant=tenant):
        signatory = SignatoryFactory(tenant=tenant)
    client.force_login(admin_user)
    response = client.post(f"/{tenant.slug}/gestion/signataires/{signatory.pk}/", {
        "organization": signatory.organization_id, "person_name": "Carole Delga", "title": "",
        "position": "0"})
    assert response.status_code == 200
    assert "title" in response.context["form"].errors
    assert 'value="Carole Delga"' in response.content.decode()


def test_another_tenants_signatory_answers_404_and_other_roles_403(client, tenant, other_tenant,
                                                                  admin_user, make_member):
    from tests.factories import SignatoryFactory

    with scope(tenant=other_tenant):
        foreign = SignatoryFactory(tenant=other_tenant)
    with scope(tenant=tenant):
        own = SignatoryFactory(tenant=tenant)
    client.force_login(admin_user)
    assert client.get(f"/{tenant.slug}/gestion/signataires/{foreign.pk}/").status_code == 404
    assert client.post(f"/{tenant.slug}/gestion/signataires/{foreign.pk}/",
                       {"title": "X"}).status_code == 404
    for role in ("instructor", "committee", "pilot"):
        client.force_login(make_member(tenant, role))
        assert client.get(f"/{tenant.slug}/gestion/signataires/{own.pk}/").status_code == 403
