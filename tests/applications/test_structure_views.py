"""Structure profile pages: create, edit, licences, revenues, colleagues."""

from decimal import Decimal

import pytest
from django.core import mail
from django_scopes import scopes_disabled

from applications.models import (AnnualRevenue, PerformerLicence, Structure, StructureInvitation,
                                 StructureMember)
from portal.models import AuditEvent
from tests.factories import UserFactory
from tests.factories.applications import (PerformerLicenceFactory, StructureFactory,
                                          StructureMemberFactory, make_siret)

pytestmark = pytest.mark.django_db

VALID = {
    "name": "Les Disques du Midi", "siret": "", "legal_form": "association",
    "address": "3 place de la Comédie", "postal_code": "34000", "city": "Montpellier",
    "creation_date": "2018-05-02", "cnm_affiliation_number": "CNM-42",
    "cnm_affiliation_date": "2019-01-10", "fte_hours": "400", "main_activity": "recorded_music",
    "aesthetics": ["electro", "jazz"], "artists_count": "5", "regional_artists_count": "3",
    "website": "",
}


@pytest.fixture
def member(applicant):
    return StructureMemberFactory(user=applicant).structure


def test_applicant_creates_structure_and_becomes_its_manager(client, applicant):
    client.force_login(applicant)
    siret = make_siret(77)
    response = client.post("/structures/nouvelle/", {**VALID, "siret": siret[:3] + " " + siret[3:]})
    assert response.status_code == 302, response.context["form"].errors
    structure = Structure.objects.get(siret=siret)
    assert response.url == f"/structures/{structure.pk}/"
    assert structure.siren == siret[:9]
    assert (structure.departement, structure.region_code) == ("34", "76")
    assert structure.aesthetics == ["electro", "jazz"]
    assert StructureMember.objects.get(structure=structure).user == applicant
    assert StructureMember.objects.get(structure=structure).role == "manager"
    with scopes_disabled():  # structure events are global (tenant=None)
        assert AuditEvent.objects.filter(action="applications.structure.created",
                                         target_id=str(structure.pk)).count() == 1


def test_invalid_siret_names_the_field_and_keeps_the_input(client, applicant):
    client.force_login(applicant)
    response = client.post("/structures/nouvelle/", {**VALID, "siret": "12345678901234",
                                                      "postal_code": "00000"})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"siret", "postal_code"}
    body = response.content.decode()
    assert 'value="12345678901234"' in body
    assert 'value="Les Disques du Midi"' in body
    assert "fr-input-group--error" in body
    assert Structure.objects.count() == 0


def test_duplicate_siret_tells_to_ask_for_an_invitation(client, applicant):
    existing = StructureFactory()
    client.force_login(applicant)
    response = client.post("/structures/nouvelle/", {**VALID, "siret": existing.siret})
    assert response.context["form"].errors["siret"] == [
        "Une structure avec ce SIRET existe déjà : demandez à l'un de ses membres de vous inviter."]


def test_member_edits_profile(client, applicant, member):
    client.force_login(applicant)
    data = {**VALID, "siret": member.siret, "name": "Nouveau nom", "postal_code": "59000",
            "city": "Lille"}
    response = client.post(f"/structures/{member.pk}/modifier/", data)
    assert response.status_code == 302, response.context["form"].errors
    member.refresh_from_db()
    assert (member.name, member.departement, member.region_code) == ("Nouveau nom", "59", "32")


def test_non_member_gets_404_on_every_structure_page(client, applicant):
    foreign = StructureFactory()
    licence = PerformerLicenceFactory(structure=foreign)
    client.force_login(applicant)
    base = f"/structures/{foreign.pk}"
    assert client.get(f"{base}/").status_code == 404
    assert client.get(f"{base}/modifier/").status_code == 404
    assert client.post(f"{base}/modifier/", {**VALID, "siret": foreign.siret}).status_code == 404
    assert client.post(f"{base}/licences/", {"licence-category": "1",
                                             "licence-number": "X"}).status_code == 404
    assert client.post(f"{base}/licences/{licence.pk}/retirer/").status_code == 404
    assert client.post(f"{base}/membres/inviter/", {"invite-email": "a@b.fr"}).status_code == 404
    assert PerformerLicence.objects.filter(pk=licence.pk).exists()
    assert StructureInvitation.objects.count() == 0


def test_anonymous_is_sent_to_login(client, member):
    for path in ["/structures/", "/structures/nouvelle/", f"/structures/{member.pk}/"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/?next=")


def test_licence_and_revenue_are_saved_and_replaced(client, applicant, member):
    client.force_login(applicant)
    base = f"/structures/{member.pk}"
    client.post(f"{base}/licences/", {"licence-category": "2", "licence-number": "L-2-001"})
    client.post(f"{base}/licences/", {"licence-category": "2", "licence-number": "L-2-002"})
    client.post(f"{base}/chiffres-d-affaires/", {"revenue-year": "2022",
                                                 "revenue-amount": "85000.50"})
    client.post(f"{base}/chiffres-d-affaires/", {"revenue-year": "2022",
                                                 "revenue-amount": "90000"})
    assert list(PerformerLicence.objects.filter(structure=member).values_list(
        "category", "number")) == [("2", "L-2-002")]
    assert AnnualRevenue.objects.get(structure=member, year=2022).amount == Decimal("90000.00")
    page = client.get(f"{base}/").content.decode()
    assert "90\u00a0000,00\u00a0€" in page


def test_revenue_typed_in_french_is_saved_and_a_mistyped_one_is_explained(client, applicant,
                                                                          member):
    client.force_login(applicant)
    base = f"/structures/{member.pk}"
    client.post(f"{base}/chiffres-d-affaires/", {"revenue-year": "2021",
                                                 "revenue-amount": "85\u202f000,50 €"})
    client.post(f"{base}/chiffres-d-affaires/", {"revenue-year": "2022", "revenue-amount": "6 000"})
    assert dict(AnnualRevenue.objects.filter(structure=member).values_list("year", "amount")) \
        == {2021: Decimal("85000.50"), 2022: Decimal("6000.00")}
    response = client.post(f"{base}/chiffres-d-affaires/", {"revenue-year": "2023",
                                                            "revenue-amount": "12 OOO"})
    body = response.content.decode()
    assert response.context["revenue_form"].errors == {"amount": [
        "Chiffre d'affaires (€) : « 12 OOO » n'est pas un montant. Écrivez-le en chiffres, "
        "par exemple 12 000,50."]}
    assert 'value="12 OOO"' in body
    assert "Saisissez un nombre" not in body


def test_invalid_licence_keeps_input_and_names_field(client, applicant, member):
    client.force_login(applicant)
    response = client.post(f"/structures/{member.pk}/licences/",
                           {"licence-category": "9", "licence-number": "L-9"})
    assert response.status_code == 200
    assert set(response.context["licence_form"].errors) == {"category"}
    assert 'value="L-9"' in response.content.decode()


def test_colleague_is_invited_by_email_and_joins(client, applicant, member,
                                                django_capture_on_commit_callbacks):
    client.force_login(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/structures/{member.pk}/membres/inviter/",
                               {"invite-email": "Colleague@Example.org"})
    assert response.status_code == 302
    invitation = StructureInvitation.objects.get(structure=member)
    assert invitation.email == "colleague@example.org"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["colleague@example.org"]
    assert f"/structures/invitations/{invitation.token}/" in mail.outbox[0].body

    colleague = UserFactory(email="colleague@example.org")
    stranger = UserFactory(email="stranger@example.org")
    client.force_login(stranger)
    assert client.post(f"/structures/invitations/{invitation.token}/").status_code == 404
    client.force_login(colleague)
    response = client.post(f"/structures/invitations/{invitation.token}/")
    assert response.status_code == 302
    assert StructureMember.objects.get(structure=member, user=colleague).role == "member"
    assert client.get(f"/structures/{member.pk}/").status_code == 200
    # The invitation is used: a second acceptance does nothing more.
    client.post(f"/structures/invitations/{invitation.token}/")
    assert StructureMember.objects.filter(structure=member).count() == 2


def test_inviting_an_existing_member_is_refused_on_the_email_field(client, applicant, member):
    client.force_login(applicant)
    response = client.post(f"/structures/{member.pk}/membres/inviter/",
                           {"invite-email": applicant.email})
    assert response.context["invite_form"].errors["email"] == [
        "Cette personne est déjà membre de la structure."]
    assert StructureInvitation.objects.count() == 0


def test_structure_list_shows_only_my_structures(client, applicant, member, django_assert_max_num_queries):
    StructureFactory(name="Pas la mienne")
    for _ in range(3):
        StructureMemberFactory(user=applicant)
    client.force_login(applicant)
    with django_assert_max_num_queries(8):
        response = client.get("/structures/")
    assert len(response.context["structures"]) == 4
    assert "Pas la mienne" not in response.content.decode()


def test_a_plain_member_does_not_invite_new_members(client, applicant, member):
    """Issue 13 finding 8: `manage_structure_members` was never checked."""
    from django.core.exceptions import PermissionDenied

    from applications import services

    colleague = UserFactory(email="colleague@example.org")
    StructureMemberFactory(structure=member, user=colleague, role="member")
    client.force_login(colleague)
    page = client.get(f"/structures/{member.pk}/").content.decode()
    assert "membres/inviter/" not in page
    assert "Seuls les responsables de la structure invitent de nouveaux membres." in page
    response = client.post(f"/structures/{member.pk}/membres/inviter/",
                           {"invite-email": "intrus@example.org"})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        services.structure_invitation_create(user=colleague, structure=member,
                                             email="intrus@example.org")
    assert not StructureInvitation.objects.filter(structure=member).exists()
    assert len(mail.outbox) == 0
    # The manager still does.
    client.force_login(applicant)
    assert "membres/inviter/" in client.get(f"/structures/{member.pk}/").content.decode()
    assert client.post(f"/structures/{member.pk}/membres/inviter/",
                       {"invite-email": "intrus@example.org"}).status_code == 302
