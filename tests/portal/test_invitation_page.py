"""The page an invitation e-mail links to: it says who invites whom to what (contract, role,
organisation), leads a newcomer to sign-up with the address filled in (and verified, since
the link reached it) or to login, then back, where name and function are confirmed."""

from datetime import timedelta
from urllib.parse import quote

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone
from django_scopes import scope

from portal.models import Invitation, Membership, User
from tests.factories import InvitationFactory, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]

PASSWORD = "une-phrase-de-passe-solide-2026"


@pytest.fixture
def invitation(tenant):
    tenant.contract_title = "Contrat de filière musiques actuelles Hauts-de-France 2023-2026"
    tenant.save()
    with scope(tenant=tenant):
        drac = OrganizationFactory(tenant=tenant, kind="drac", name="DRAC Hauts-de-France")
        inviter = UserFactory(first_name="Amélie", last_name="Coordinatrice")
        return InvitationFactory(tenant=tenant, email="nouvelle.recrue@drac.example",
                                 role="instructor", organization=drac, invited_by=inviter,
                                 title="Conseillère musiques actuelles")


def url(invitation) -> str:
    return f"/invitations/{invitation.token}/"


def test_a_visitor_reads_who_invites_whom_to_what(client, invitation):
    html = client.get(url(invitation)).content.decode()
    assert ("<strong>Amélie Coordinatrice</strong> invite <strong>nouvelle.recrue@drac.example"
            "</strong>") in html
    for fact in ("Contrat de filière musiques actuelles Hauts-de-France 2023-2026",
                 "Instructeur·rice", "DRAC Hauts-de-France", "Conseillère musiques actuelles"):
        assert f"<dd>{fact}</dd>" in html
    signup = (f"/accounts/signup/?email={quote('nouvelle.recrue@drac.example')}"
              f"&amp;next={quote(url(invitation), safe='')}")
    assert f'href="{signup}">Créer mon compte</a>' in html


def test_a_visitor_with_an_account_is_led_to_login(client, invitation):
    UserFactory(email="nouvelle.recrue@drac.example")
    html = client.get(url(invitation)).content.decode()
    login = f"/accounts/login/?next={quote(url(invitation), safe='')}"
    assert f'href="{login}">Me connecter pour accepter</a>' in html
    assert "Créer mon compte" not in html


def test_newcomer_signs_up_from_the_link_without_a_second_email_and_accepts(client, invitation,
                                                                              tenant):
    client.get(url(invitation))
    signup = client.get(f"/accounts/signup/?email=nouvelle.recrue%40drac.example"
                        f"&next={quote(url(invitation), safe='')}").content.decode()
    assert 'value="nouvelle.recrue@drac.example"' in signup
    response = client.post("/accounts/signup/", {
        "first_name": "Léa", "last_name": "Dubois-Hénin", "email": "nouvelle.recrue@drac.example",
        "password1": PASSWORD, "password2": PASSWORD, "next": url(invitation)})
    # The link proved the address: no verification mail, signed in, back to the invitation.
    assert response.status_code == 302 and response.url == url(invitation)
    assert mail.outbox == []
    user = User.objects.get(email="nouvelle.recrue@drac.example")
    assert EmailAddress.objects.get(user=user).verified is True
    page = client.get(url(invitation)).content.decode()
    assert 'value="Léa"' in page and 'value="Conseillère musiques actuelles"' in page
    response = client.post(url(invitation), {"first_name": "Léa", "last_name": "Dubois-Hénin",
                                              "title": "Conseillère musiques actuelles "
                                                       "et jeune public"})
    assert response.status_code == 302 and response.url == f"/{tenant.slug}/"
    with scope(tenant=tenant):
        membership = Membership.objects.select_related("organization").get(user=user)
        assert (membership.role, membership.organization.name, membership.title) == (
            "instructor", "DRAC Hauts-de-France", "Conseillère musiques actuelles et jeune public")
        assert Invitation.objects.get(pk=invitation.pk).accepted_by == user
    assert membership.person_label == ("Léa Dubois-Hénin, Conseillère musiques actuelles et "
                                       "jeune public (DRAC Hauts-de-France)")


def test_another_address_signing_up_after_the_link_must_verify_it(client, invitation):
    """Only the invited address counts as verified."""
    client.get(url(invitation))
    response = client.post("/accounts/signup/", {
        "first_name": "Autre", "last_name": "Personne", "email": "autre@example.org",
        "password1": PASSWORD, "password2": PASSWORD, "next": url(invitation)})
    assert response.url == "/accounts/confirm-email/"
    user = User.objects.get(email="autre@example.org")
    assert list(EmailAddress.objects.filter(user=user).values_list("email", "verified")) == [
        ("autre@example.org", False)]
    assert client.get("/mes-espaces/").status_code == 302


def test_the_invited_person_signed_in_confirms_name_and_function(client, invitation, tenant):
    person = UserFactory(email="nouvelle.recrue@drac.example", first_name="", last_name="")
    client.force_login(person)
    response = client.post(url(invitation), {"first_name": "Zoé", "last_name": "", "title": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'value="Zoé"' in html
    assert "Indiquez votre nom." in html and "Indiquez votre fonction." in html
    with scope(tenant=tenant):
        assert not Membership.objects.exists()
    client.post(url(invitation), {"first_name": "Zoé", "last_name": "Martin",
                                  "title": "Chargée de mission"})
    person.refresh_from_db()
    assert person.display_name == "Zoé Martin"


def test_anonymous_post_goes_to_login(client, invitation, tenant):
    response = client.post(url(invitation), {"first_name": "A", "last_name": "B", "title": "C"})
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={quote(url(invitation), safe='')}"
    with scope(tenant=tenant):
        assert not Membership.objects.exists()


@pytest.mark.parametrize("state,change,text", [
    ("accepted", {"accepted_at": timezone.now()}, "Cette invitation a déjà été acceptée."),
    ("revoked", {"revoked_at": timezone.now()}, "Cette invitation a été annulée"),
    ("expired", {"expires_at": timezone.now() - timedelta(days=1)}, "Cette invitation a expiré"),
])
def test_a_spent_invitation_says_so_and_offers_nothing(client, invitation, tenant, state, change,
                                                      text):
    with scope(tenant=tenant):
        Invitation.objects.filter(pk=invitation.pk).update(**change)
    person = UserFactory(email="nouvelle.recrue@drac.example")
    for who in (None, person):
        if who:
            client.force_login(who)
        html = client.get(url(invitation)).content.decode()
        assert text in html
        assert "Créer mon compte" not in html and "Accepter l’invitation" not in html
    client.post(url(invitation), {"first_name": "A", "last_name": "B", "title": "C"})
    with scope(tenant=tenant):
        assert not Membership.objects.exists()


def test_an_unknown_token_answers_404(client):
    assert client.get("/invitations/pas-un-jeton/").status_code == 404


def test_the_email_names_the_inviter_and_the_function(invitation, tenant):
    from portal.emails import render_and_send_invitation

    with scope(tenant=tenant):
        render_and_send_invitation(invitation)
    body = mail.outbox[0].body
    assert "Amélie Coordinatrice vous invite à rejoindre « Hauts-de-France »" in body
    assert "Fonction : Conseillère musiques actuelles" in body
    assert "il vous mène à la création de votre compte" in body
