"""In Chromium: the tenant admin invites a DRAC officer with her function; she opens the link
of the e-mail, reads who invites her to what, signs up with her address already filled in
(no second e-mail), confirms her name and function and lands in the contract; the admin's
member list shows her by name and function. axe-core stays clean on the pages on the way."""

import re

import pytest
from django.core import mail
from django_scopes import scope

from portal.models import Membership
from tests.calls.test_e2e import login, serious_violations
from tests.factories import OrganizationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "une-phrase-de-passe-solide-2026"


def test_an_invited_officer_signs_up_from_the_link_and_appears_by_name(page, tenant,
                                                                        admin_user, settings):
    settings.PORTAL_REQUIRE_STAFF_2FA = False
    with scope(tenant=tenant):
        OrganizationFactory(tenant=tenant, kind="drac", name="DRAC Hauts-de-France")
    login(page, admin_user)
    page.goto(f"/{tenant.slug}/gestion/membres/")
    page.fill("#id_email", "Heloise.Lefebvre@culture.gouv.fr")
    page.select_option("#id_role", "instructor")
    page.select_option("#id_organization", label="DRAC Hauts-de-France")
    page.fill("#id_title", "Conseillère musiques actuelles")
    page.get_by_role("button", name="Envoyer l’invitation").click()
    assert page.get_by_text("Invitation envoyée à heloise.lefebvre@culture.gouv.fr").is_visible()
    link = re.search(r"https?://[^/\s]+(/invitations/\S+/)", mail.outbox[-1].body).group(1)
    page.get_by_role("button", name="Se déconnecter").click()

    page.goto(link)
    lead = page.locator(".fr-text--lead").inner_text()
    assert lead == (f"{admin_user.first_name} {admin_user.last_name} invite "
                    "heloise.lefebvre@culture.gouv.fr à rejoindre le portail des contrats de "
                    "filière musiques actuelles.")
    assert page.locator("dd").all_inner_texts()[:4] == [
        tenant.name, "Instructeur·rice", "DRAC Hauts-de-France", "Conseillère musiques actuelles"]
    assert serious_violations(page) == []
    page.screenshot(path="test-results/invitation-page.png", full_page=True)
    page.get_by_role("link", name="Créer mon compte").click()
    assert page.input_value("#id_email") == "heloise.lefebvre@culture.gouv.fr"
    page.get_by_label("Prénom").fill("Héloïse")
    page.get_by_label("Nom", exact=True).fill("Lefebvre-Saint-Aubin")
    page.get_by_label("Mot de passe", exact=False).first.fill(PASSWORD)
    page.get_by_label("Mot de passe (confirmation)").fill(PASSWORD)
    sent = len(mail.outbox)
    page.get_by_role("button", name="Création de compte").click()

    page.wait_for_url(f"**{link}")
    assert len(mail.outbox) == sent  # the link proved the address
    assert page.input_value("#id_first_name") == "Héloïse"
    assert page.input_value("#id_title") == "Conseillère musiques actuelles"
    page.fill("#id_title", "Conseillère musiques actuelles et jeune public")
    assert serious_violations(page) == []
    page.get_by_role("button", name="Accepter l’invitation").click()
    page.wait_for_url(f"**/{tenant.slug}/")
    assert page.get_by_text("Bienvenue : vous êtes désormais Instructeur·rice").is_visible()
    with scope(tenant=tenant):
        membership = Membership.objects.select_related("user", "organization").get(
            user__email="heloise.lefebvre@culture.gouv.fr")
    assert membership.person_label == ("Héloïse Lefebvre-Saint-Aubin, Conseillère musiques "
                                       "actuelles et jeune public (DRAC Hauts-de-France)")

    page.get_by_role("button", name="Se déconnecter").click()
    login(page, admin_user)
    page.goto(f"/{tenant.slug}/gestion/membres/")
    row = page.locator("tr", has_text="Héloïse Lefebvre-Saint-Aubin")
    assert "Conseillère musiques actuelles et jeune public" in row.inner_text()
