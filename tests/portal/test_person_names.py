"""People appear by name (and staff by function), not by e-mail address: member lists,
minutes, decisions, histories. Sign-up asks the name (tests/portal/test_accounts.py); people
who have none yet are asked once on their spaces page, never locked out."""

import re

import pytest
from django_scopes import scope

from portal.enums import OrganizationKind as K
from portal.enums import Role
from portal.models import AuditEvent, User
from tests.factories import MembershipFactory, UserFactory
from tests.factories.reviews import CommitteeMemberFactory, SessionFactory, officer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]


def nameless(email="sans.nom@example.org"):
    return UserFactory(email=email, first_name="", last_name="")


def test_members_list_shows_name_function_and_address(client, tenant, admin_user):
    MembershipFactory(tenant=tenant, role=Role.INSTRUCTOR, title="Conseillère musiques actuelles",
                      user=UserFactory(email="c.durand@drac.example", first_name="Camille",
                                       last_name="Durand-Lefèvre"))
    MembershipFactory(tenant=tenant, role=Role.INSTRUCTOR, user=nameless("x@cnm.example"))
    client.force_login(admin_user)
    html = client.get(f"/{tenant.slug}/gestion/membres/").content.decode()
    assert re.search(r"<td>Camille Durand-Lefèvre<br><span class=\"fr-text--xs\">"
                     r"c\.durand@drac\.example</span></td><td>Conseillère musiques actuelles</td>",
                     html)
    assert re.search(r"<td>x@cnm\.example<br><span class=\"fr-text--xs\">nom non renseigné"
                     r"</span></td><td>—</td>", html)


def test_admin_edits_a_members_function(client, tenant, admin_user):
    membership = MembershipFactory(tenant=tenant, role=Role.INSTRUCTOR)
    client.force_login(admin_user)
    response = client.post(f"/{tenant.slug}/gestion/membres/{membership.pk}/", {
        "role": "instructor", "organization": membership.organization_id,
        "title": "Chargée de mission « aides territoriales »"})
    assert response.status_code == 302
    with scope(tenant=tenant):
        membership.refresh_from_db()
        assert membership.title == "Chargée de mission « aides territoriales »"
        event = AuditEvent.objects.filter(action="portal.membership.updated").get()
    assert event.data == {"title": {"from": "", "to": "Chargée de mission « aides territoriales »"}}


def test_audit_log_names_the_author(client, tenant, admin_user):
    with scope(tenant=tenant):
        AuditEvent.objects.create(tenant=tenant, actor=admin_user, action="portal.tenant.updated")
    client.force_login(admin_user)
    html = client.get(f"/{tenant.slug}/gestion/journal/").content.decode()
    assert f"<td>{admin_user.first_name} {admin_user.last_name}</td>" in html
    assert f"<td>{admin_user.email}</td>" not in html


def test_minutes_name_each_member_with_their_function(tenant):
    from reviews.documents import minutes_source

    with scope(tenant=tenant):
        member = officer(tenant, K.REGION, role=Role.COMMITTEE, user__first_name="Inès",
                         user__last_name="Roux", title="Vice-présidente à la culture")
        plain = officer(tenant, K.CNM, role=Role.COMMITTEE, user__first_name="Paul",
                        user__last_name="Ober")
        session = SessionFactory(tenant=tenant)
        CommitteeMemberFactory(session=session, user=member, funder="region")
        CommitteeMemberFactory(session=session, user=plain, funder="cnm")
        names = sorted(m["name"] for m in minutes_source(session)["members"])
    assert names == ["Inès Roux, Vice-présidente à la culture", "Paul Ober"]


# --- Asked once on the spaces page ------------------------------------------------------------

def test_a_person_without_a_name_is_asked_on_their_spaces_page(client):
    client.force_login(nameless())
    html = client.get("/mes-espaces/").content.decode()
    assert "Comment vous appelez-vous ?" in html
    assert 'action="/mes-espaces/mon-nom/"' in html
    # Not a lock-out: the rest of the page is there.
    assert "Voir tous les contrats régionaux" in html


def test_a_person_with_a_name_is_not_asked(client, applicant):
    client.force_login(applicant)
    assert "Comment vous appelez-vous ?" not in client.get("/mes-espaces/").content.decode()


def test_the_name_given_is_saved_and_the_prompt_goes(client):
    user = nameless()
    client.force_login(user)
    response = client.post("/mes-espaces/mon-nom/", {"first_name": " Jean-Noël ",
                                                     "last_name": "N'Diaye   Ébrard"})
    assert response.status_code == 302 and response.url == "/mes-espaces/"
    user.refresh_from_db()
    assert (user.first_name, user.last_name, str(user)) == (
        "Jean-Noël", "N'Diaye Ébrard", "Jean-Noël N'Diaye Ébrard")
    assert AuditEvent.objects.with_scopes_disabled().filter(
        action="portal.user.name_changed", actor=user).count() == 1
    assert "Comment vous appelez-vous ?" not in client.get("/mes-espaces/").content.decode()


def test_an_empty_name_is_refused_with_the_input_kept(client):
    user = nameless()
    client.force_login(user)
    response = client.post("/mes-espaces/mon-nom/", {"first_name": "Aïcha", "last_name": "  "})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'value="Aïcha"' in html
    assert "Indiquez votre nom." in html
    user.refresh_from_db()
    assert user.first_name == ""


def test_later_dismisses_the_prompt_for_good(client):
    user = nameless()
    client.force_login(user)
    response = client.post("/mes-espaces/mon-nom/", {"action": "later"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.name_prompt_dismissed is True and user.first_name == ""
    assert "Comment vous appelez-vous ?" not in client.get("/mes-espaces/").content.decode()


def test_anonymous_cannot_post_a_name(client):
    response = client.post("/mes-espaces/mon-nom/", {"first_name": "A", "last_name": "B"})
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_resource_profiles_give_their_names_to_nameless_accounts(tenant):
    """The data migration: accounts linked to a resource person take its name."""
    import importlib

    from django.apps import apps

    from tests.factories.mentoring import ResourcePersonFactory

    migration = importlib.import_module(
        "mentoring.migrations.0004_user_names_from_resource_profiles")
    bare, named = nameless("bare@example.org"), UserFactory(first_name="Déjà", last_name="Nommée")
    with scope(tenant=tenant):
        ResourcePersonFactory(tenant=tenant, user=bare, first_name="Élodie", last_name="Castan")
        ResourcePersonFactory(tenant=tenant, user=named, first_name="Autre", last_name="Nom")
    migration.names_from_profiles(apps, None)
    assert User.objects.get(pk=bare.pk).display_name == "Élodie Castan"
    assert User.objects.get(pk=named.pk).display_name == "Déjà Nommée"
