"""Personal data: a user downloads their data, deletes their account; closed dossiers are
deleted after the tenant's retention period."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from applications.models import Attachment, Dossier, DossierMessage, StructureMember
from portal.enums import Role
from portal.models import AuditEvent, Membership, User
from portal.privacy import purge_expired_dossiers
from portal.tasks import purge_expired_dossiers_task
from tests.factories import DocumentRequirementFactory, MembershipFactory
from tests.factories.applications import (DossierFactory, StructureFactory,
                                          StructureMemberFactory)
from tests.factories.calls import CallFactory
from tests.factories.mentoring import NeedRequestFactory
from tests.factories.portal import PASSWORD, UserFactory
from tests.factories.reviews import FiledDossierFactory, ReviewFactory

pytestmark = pytest.mark.django_db

MY_DATA = "/mes-espaces/mes-donnees/"
DELETE = "/mes-espaces/supprimer-mon-compte/"


@pytest.fixture
def filed(tenant, applicant):
    """The applicant's structure, with a colleague, and a filed dossier with messages."""
    structure = StructureFactory(name="Label du Nord")
    StructureMemberFactory(structure=structure, user=applicant, role="manager")
    colleague = UserFactory(email="colleague@example.org")
    StructureMemberFactory(structure=structure, user=colleague, role="manager")
    with scope(tenant=tenant):
        dossier = FiledDossierFactory(call=CallFactory(tenant=tenant), structure=structure,
                                      title="Tournée des clubs", reference="HDF-2024-COOP-0001")
        DossierMessage.objects.create(dossier=dossier, author=applicant, body="Voici le budget.")
        DossierMessage.objects.create(dossier=dossier, author=colleague, body="Pas le mien.")
        NeedRequestFactory(tenant=tenant, structure=structure, submitted_by=applicant,
                           description="Trouver des financements.")
    return structure, dossier, colleague


def test_urls_of_the_personal_data_pages():
    assert reverse("portal:my_data") == MY_DATA
    assert reverse("portal:account_delete") == DELETE


def test_anonymous_user_is_sent_to_login(client):
    assert client.get(MY_DATA)["Location"].startswith("/accounts/login/")
    assert client.post(DELETE)["Location"].startswith("/accounts/login/")


def test_my_data_page_offers_the_download(client, applicant):
    client.force_login(applicant)
    response = client.get(MY_DATA)
    assert response.status_code == 200
    assert 'method="post"' in response.content.decode()


def test_download_holds_account_structures_dossiers_own_messages_needs_and_events(
        client, tenant, applicant, filed, no_staff_2fa):
    structure, dossier, _colleague = filed
    with scope(tenant=tenant):
        MembershipFactory(tenant=tenant, user=applicant, role=Role.ADMIN)
    client.force_login(applicant)
    client.post("/mes-espaces/preferences/", {"language": "fr"})  # one audit event as actor

    response = client.post(MY_DATA)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="mes-donnees-')
    data = json.loads(response.content)
    assert data["account"]["email"] == "candidate@example.org"
    assert [(m["tenant"], m["role"]) for m in data["memberships"]] == [
        ("hauts-de-france", "admin")]
    assert data["structures"] == [{"name": "Label du Nord", "siret": structure.siret,
                                   "role": "manager"}]
    assert [(d["reference"], d["title"], d["status"]) for d in data["dossiers"]] == [
        ("HDF-2024-COOP-0001", "Tournée des clubs", "submitted")]
    assert [m["body"] for m in data["dossiers"][0]["my_messages"]] == ["Voici le budget."]
    assert [n["description"] for n in data["mentoring_requests"]] == [
        "Trouver des financements."]
    assert [e["action"] for e in data["audit_events"]] == ["portal.user.preferences_changed"]


def test_download_holds_nothing_of_other_people(client, applicant, filed):
    other = UserFactory(email="other@example.org")
    client.force_login(other)
    data = json.loads(client.post(MY_DATA).content)
    assert (data["memberships"], data["structures"], data["dossiers"],
            data["mentoring_requests"]) == ([], [], [], [])


def test_account_deletion_needs_the_password(client, applicant):
    client.force_login(applicant)
    response = client.post(DELETE, {"password": "wrong"})
    assert response.status_code == 200
    assert "Mot de passe incorrect." in response.content.decode()
    assert User.objects.filter(pk=applicant.pk).exists()


def test_account_deletion_keeps_dossiers_with_the_structure_and_events_without_actor(
        client, tenant, applicant, filed):
    structure, dossier, colleague = filed
    client.force_login(applicant)
    client.post("/mes-espaces/preferences/", {"language": "fr"})
    with scopes_disabled():
        event_pk = AuditEvent.objects.get(action="portal.user.preferences_changed").pk

    response = client.post(DELETE, {"password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert not User.objects.filter(email="candidate@example.org").exists()
    assert list(StructureMember.objects.filter(structure=structure)
                .values_list("user__email", flat=True)) == ["colleague@example.org"]
    with scopes_disabled():
        assert Dossier.objects.get(pk=dossier.pk).structure == structure
        assert DossierMessage.objects.filter(dossier=dossier).count() == 2
        assert AuditEvent.objects.get(pk=event_pk).actor is None
    assert client.get(MY_DATA)["Location"].startswith("/accounts/login/")  # signed out


def test_last_admin_of_a_tenant_may_not_delete_the_account(client, tenant, admin_user,
                                                           no_staff_2fa):
    client.force_login(admin_user)
    response = client.post(DELETE, {"password": PASSWORD}, follow=True)
    body = response.content.decode()
    assert "dernier ou la dernière administrateur·rice du contrat" in body
    assert "Hauts-de-France" in body
    assert User.objects.filter(pk=admin_user.pk).exists()


def test_one_of_two_admins_may_delete_the_account(client, tenant, admin_user, no_staff_2fa):
    with scope(tenant=tenant):
        MembershipFactory(tenant=tenant, role=Role.ADMIN)
    client.force_login(admin_user)
    assert client.post(DELETE, {"password": PASSWORD}).status_code == 302
    assert not User.objects.filter(pk=admin_user.pk).exists()
    with scopes_disabled():
        assert Membership.objects.filter(tenant=tenant, role=Role.ADMIN).count() == 1


def test_last_manager_of_a_structure_with_members_may_not_delete_the_account(
        client, applicant):
    structure = StructureFactory(name="Collectif Sud")
    StructureMemberFactory(structure=structure, user=applicant, role="manager")
    StructureMemberFactory(structure=structure, role="member")
    client.force_login(applicant)
    body = client.post(DELETE, {"password": PASSWORD}, follow=True).content.decode()
    assert "dernière responsable de la structure « Collectif Sud »" in body
    assert User.objects.filter(pk=applicant.pk).exists()


def test_sole_member_of_a_structure_may_delete_the_account(client, applicant):
    structure = StructureFactory()
    StructureMemberFactory(structure=structure, user=applicant, role="manager")
    client.force_login(applicant)
    assert client.post(DELETE, {"password": PASSWORD}).status_code == 302
    assert list(structure.members.all()) == []


def test_officer_with_reviews_may_not_delete_the_account(client, tenant, instructor,
                                                         no_staff_2fa):
    with scope(tenant=tenant):
        ReviewFactory(dossier=FiledDossierFactory(call=CallFactory(tenant=tenant),
                                                  status="in_review"), officer=instructor)
    client.force_login(instructor)
    client.post(DELETE, {"password": PASSWORD})
    assert User.objects.filter(pk=instructor.pk).exists()


# --- Retention ---------------------------------------------------------------------------------

def _closed(tenant, status, *, closed_years_ago, with_file=False):
    now = timezone.now()
    with scope(tenant=tenant):
        dossier = FiledDossierFactory(call=CallFactory(tenant=tenant), status=status,
                                      withdrawn_at=now - timedelta(days=365 * closed_years_ago + 5)
                                      if status == "withdrawn" else None)
        Dossier.objects.filter(pk=dossier.pk).update(
            updated_at=now - timedelta(days=365 * closed_years_ago + 5))
        if with_file:
            attachment = Attachment(dossier=dossier,
                                    requirement=DocumentRequirementFactory(call=dossier.call),
                                    original_name="budget.pdf", content_type="application/pdf",
                                    extension="pdf", size=9, sha256="0" * 64)
            attachment.file.save("x", ContentFile(b"%PDF-1.4 x"), save=True)
            return dossier, attachment.file.path
    return dossier


def test_closed_dossiers_past_retention_are_deleted_with_their_files(
        tenant, django_capture_on_commit_callbacks):
    old_withdrawn, path = _closed(tenant, "withdrawn", closed_years_ago=11, with_file=True)
    old_rejected = _closed(tenant, "rejected", closed_years_ago=11)
    old_ineligible = _closed(tenant, "ineligible", closed_years_ago=10)
    recent_rejected = _closed(tenant, "rejected", closed_years_ago=9)
    old_granted = _closed(tenant, "granted", closed_years_ago=15)
    old_in_review = _closed(tenant, "in_review", closed_years_ago=15)

    with django_capture_on_commit_callbacks(execute=True):
        assert purge_expired_dossiers() == 3

    with scopes_disabled():
        assert set(Dossier.objects.values_list("pk", flat=True)) == {
            recent_rejected.pk, old_granted.pk, old_in_review.pk}
        purged = AuditEvent.objects.filter(action="portal.dossier.purged")
        assert sorted(e.data["reference"] for e in purged) == sorted(
            d.reference for d in (old_withdrawn, old_rejected, old_ineligible))
    assert not __import__("os").path.exists(path)


def test_retention_follows_the_tenant_setting(tenant, other_tenant):
    tenant.retention_years = 3
    tenant.save(update_fields=["retention_years"])
    short = _closed(tenant, "rejected", closed_years_ago=4)
    kept = _closed(other_tenant, "rejected", closed_years_ago=4)  # default 10 years

    assert purge_expired_dossiers() == 1

    with scopes_disabled():
        assert list(Dossier.objects.values_list("pk", flat=True)) == [kept.pk]
        assert not Dossier.objects.filter(pk=short.pk).exists()


def test_purge_command_and_task_report_the_count(tenant, capsys):
    _closed(tenant, "withdrawn", closed_years_ago=12)
    call_command("purge_expired_dossiers")
    assert capsys.readouterr().out == "1 dossier(s) supprimé(s)\n"
    _closed(tenant, "rejected", closed_years_ago=12)
    assert purge_expired_dossiers_task.apply().get() == 1
    assert purge_expired_dossiers() == 0  # idempotent


def _draft_on_call_closed(tenant, *, years_ago, status="closed", closes=True,
                          with_file=False):
    now = timezone.now()
    closed = now - timedelta(days=365 * years_ago + 5)
    with scope(tenant=tenant):
        call = CallFactory(tenant=tenant, status=status,
                           opens_at=closed - timedelta(days=60) if closes else None,
                           closes_at=closed if closes else None)
        type(call).objects.filter(pk=call.pk).update(updated_at=closed)
        dossier = DossierFactory(call=call, status="draft")
        if with_file:
            attachment = Attachment(dossier=dossier,
                                    requirement=DocumentRequirementFactory(call=call),
                                    original_name="budget.pdf", content_type="application/pdf",
                                    extension="pdf", size=9, sha256="0" * 64)
            attachment.file.save("x", ContentFile(b"%PDF-1.4 x"), save=True)
            return dossier, attachment.file.path
    return dossier


def test_abandoned_drafts_on_calls_closed_past_retention_are_deleted_with_their_files(
        tenant, django_capture_on_commit_callbacks):
    old_draft, path = _draft_on_call_closed(tenant, years_ago=11, with_file=True)
    archived_no_date = _draft_on_call_closed(tenant, years_ago=12, status="archived",
                                             closes=False)
    recent_draft = _draft_on_call_closed(tenant, years_ago=9)
    undated_published = _draft_on_call_closed(tenant, years_ago=12, status="published",
                                              closes=False)
    with scope(tenant=tenant):
        open_call_draft = DossierFactory(call=CallFactory(tenant=tenant), status="draft")
        old_granted = _closed(tenant, "granted", closed_years_ago=15)

    with django_capture_on_commit_callbacks(execute=True):
        assert purge_expired_dossiers() == 2

    with scopes_disabled():
        assert set(Dossier.objects.values_list("pk", flat=True)) == {
            recent_draft.pk, undated_published.pk, open_call_draft.pk, old_granted.pk}
        purged = AuditEvent.objects.filter(action="portal.dossier.purged").order_by("pk")
        assert sorted((e.tenant_id, e.actor_id, e.data["dossier_id"], e.data["status"],
                       e.data["files"]) for e in purged) == sorted([
            (tenant.pk, None, old_draft.pk, "draft", 1),
            (tenant.pk, None, archived_no_date.pk, "draft", 0)])
    assert not __import__("os").path.exists(path)


def test_abandoned_drafts_follow_the_tenant_retention_setting(tenant, other_tenant):
    tenant.retention_years = 3
    tenant.save(update_fields=["retention_years"])
    short = _draft_on_call_closed(tenant, years_ago=4)
    kept = _draft_on_call_closed(other_tenant, years_ago=4)  # default 10 years

    assert purge_expired_dossiers() == 1
    assert purge_expired_dossiers() == 0  # idempotent

    with scopes_disabled():
        assert list(Dossier.objects.values_list("pk", flat=True)) == [kept.pk]
        assert not Dossier.objects.filter(pk=short.pk).exists()


def test_tenant_keeps_closed_dossiers_ten_years_by_default(tenant):
    assert tenant.retention_years == 10
    assert Decimal(tenant.envelope) == Decimal("210000.00")


def test_platform_admin_sets_the_retention_period(client, tenant, platform_admin, no_staff_2fa):
    client.force_login(platform_admin)
    form = client.get(f"/plateforme/contrats/{tenant.slug}/").context["form"]
    data = {name: ("" if value is None else value) for name, value in form.initial.items()
            if name in form.fields}
    data.update(contract_start="2023-01-01", contract_end="2026-12-31", is_active="on",
                retention_years="5")
    response = client.post(f"/plateforme/contrats/{tenant.slug}/", data)
    assert response.status_code == 302, response.context["form"].errors
    tenant.refresh_from_db()
    assert tenant.retention_years == 5


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_personal_data_pages_have_no_serious_accessibility_violation(page, applicant):
    from tests.e2e.test_accessibility import serious_violations

    page.goto("/accounts/login/")
    page.fill("input[name=login]", applicant.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/mes-espaces/")
    problems = {}
    for path in [MY_DATA, DELETE]:
        page.goto(path)
        found = serious_violations(page)
        if found:
            problems[path] = found
    assert problems == {}
