"""Legal notice, accessibility statement and personal-data page: reachable from every page's
footer, filled from the operator's settings, in French and English."""

import pytest

pytestmark = pytest.mark.django_db


def test_footer_links_to_the_three_legal_pages(client, tenant):
    html = client.get(f"/{tenant.slug}/").content.decode()
    for path in ("/mentions-legales/", "/accessibilite/", "/donnees-personnelles/"):
        assert f'href="{path}"' in html
    assert "Accessibilité : non conforme" in html


def test_legal_notice_names_publisher_director_host_and_contact(client):
    html = client.get("/mentions-legales/").content.decode()
    assert "Centre national de la musique (essai)" in html
    assert "46 rue de Paradis, 75010 Paris" in html
    assert "Directeur ou directrice de la publication : Direction du portail" in html
    assert "Hébergeur d&#x27;essai, 1 rue du Serveur, 59000 Lille" in html
    assert 'href="mailto:contact@portail.example"' in html


def test_accessibility_statement_is_honest_and_gives_the_ways_of_redress(client):
    html = client.get("/accessibilite/").content.decode()
    assert "<strong>non conforme</strong>" in html
    assert "aucun audit de conformité n’a encore été réalisé" in html
    assert "axe-core" in html and "clavier seul" in html
    assert "Défenseur des droits" in html
    assert 'href="mailto:contact@portail.example"' in html


def test_personal_data_page_states_retention_rights_and_contact(client, tenant):
    tenant.retention_years = 7
    tenant.save(update_fields=["retention_years"])
    html = client.get("/donnees-personnelles/").content.decode()
    assert "7 an(s) après leur clôture" in html
    assert 'href="mailto:dpo@portail.example"' in html
    assert "CNIL" in html and "Il n’utilise ni cookie publicitaire" in html
    assert "mission d’intérêt public" in html


def test_legal_pages_in_english(client):
    client.cookies["django_language"] = "en"
    html = client.get("/donnees-personnelles/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Personal data" in html and "Données personnelles" not in html
    html = client.get("/accessibilite/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Accessibility statement" in html




def test_every_first_url_segment_of_the_platform_is_a_reserved_tenant_slug():
    """A tenant whose slug is a platform page (/accessibilite/, /ping …) would shadow it."""
    from django.urls import get_resolver
    from django.urls.resolvers import URLResolver

    from portal.validators import RESERVED_SLUGS

    def first_segments(patterns):
        for pattern in patterns:
            route = str(pattern.pattern)
            head = route.lstrip("^").split("/")[0]
            if head.startswith("<"):
                continue  # the tenant slug itself
            if head:
                yield head
            elif isinstance(pattern, URLResolver):  # include("...") mounted at ""
                yield from first_segments(pattern.url_patterns)

    segments = set(first_segments(get_resolver().url_patterns))
    assert segments and segments <= RESERVED_SLUGS, segments - RESERVED_SLUGS
