"""A conflicted officer does not regain access by withdrawing their own declaration once the
instruction of a dossier it touches has started: only the tenant admin may then (issue 13
finding 10)."""

import pytest
from django.urls import reverse
from django_scopes import scope

from portal.enums import OrganizationKind as K
from portal.models import AuditEvent
from reviews.models import ConflictDeclaration
from tests.factories.reviews import FiledDossierFactory, officer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]


@pytest.fixture
def declared(tenant, call):
    conflicted = officer(tenant, K.DRAC)
    with scope(tenant=tenant):
        dossier = FiledDossierFactory(call=call, status="in_review")
        declaration = ConflictDeclaration.objects.create(
            tenant=tenant, officer=conflicted, siret=dossier.structure.siret,
            structure_name=dossier.structure.name, structure=dossier.structure,
            nature="Ancien salarié")
    return conflicted, dossier, declaration


def _withdraw(client, tenant, declaration):
    return client.post(reverse("reviews:conflict_delete", kwargs={
        "tenant_slug": tenant.slug, "conflict_pk": declaration.pk}), follow=True)


def _dossier_page(client, tenant, dossier):
    return client.get(reverse("reviews:dossier", kwargs={"tenant_slug": tenant.slug,
                                                         "pk": dossier.pk}))


def test_the_officer_cannot_withdraw_once_instruction_started(client, tenant, declared):
    conflicted, dossier, declaration = declared
    client.force_login(conflicted)
    assert _dossier_page(client, tenant, dossier).status_code == 404
    response = _withdraw(client, tenant, declaration)
    assert ("L'instruction d'un dossier concerné par ce lien a commencé : seule l'administration "
            "du contrat peut retirer la déclaration.") in __import__("html").unescape(
        response.content.decode()).replace("\u202f", " ").replace("\xa0", " ")
    with scope(tenant=tenant):
        assert ConflictDeclaration.objects.filter(pk=declaration.pk).exists()
    assert _dossier_page(client, tenant, dossier).status_code == 404


def test_the_tenant_admin_withdraws_it_from_the_registry(client, tenant, declared, admin_user):
    conflicted, dossier, declaration = declared
    client.force_login(admin_user)
    page = client.get(reverse("reviews:conflicts", kwargs={"tenant_slug": tenant.slug}))
    assert reverse("reviews:conflict_delete", kwargs={
        "tenant_slug": tenant.slug, "conflict_pk": declaration.pk}) in page.content.decode()
    _withdraw(client, tenant, declaration)
    with scope(tenant=tenant):
        assert not ConflictDeclaration.objects.filter(pk=declaration.pk).exists()
        event = AuditEvent.objects.get(action="reviews.conflict.withdrawn")
    assert event.actor == admin_user
    client.force_login(conflicted)
    assert _dossier_page(client, tenant, dossier).status_code == 200


def test_a_declaration_touching_no_started_instruction_is_withdrawn_by_its_officer(
        client, tenant, call):
    conflicted = officer(tenant, K.DRAC)
    with scope(tenant=tenant):
        dossier = FiledDossierFactory(call=call, status="submitted")
        declaration = ConflictDeclaration.objects.create(
            tenant=tenant, officer=conflicted, siret=dossier.structure.siret,
            structure_name="S", nature="Ancien salarié")
    client.force_login(conflicted)
    _withdraw(client, tenant, declaration)
    with scope(tenant=tenant):
        assert not ConflictDeclaration.objects.filter(pk=declaration.pk).exists()


def test_another_officer_cannot_withdraw_someone_elses_declaration(client, tenant, declared):
    _conflicted, _dossier, declaration = declared
    client.force_login(officer(tenant, K.CNM))
    assert _withdraw(client, tenant, declaration).status_code == 404
    with scope(tenant=tenant):
        assert ConflictDeclaration.objects.filter(pk=declaration.pk).exists()
