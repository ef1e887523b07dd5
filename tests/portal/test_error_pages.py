"""With DEBUG off, 400, 403, 404, 500 and a CSRF failure answer French pages in the DSFR
layout (its error-page pattern) with a way back; the demo (`make run`) shows them too."""

import html
import importlib

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def failing_urls(settings):
    settings.ROOT_URLCONF = "tests.portal.error_urls"
    settings.DEBUG = False


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _is_dsfr_error_page(body: str) -> bool:
    return ('<p class="fr-logo">' in body and 'class="fr-footer"' in body
            and "fr-grid-row--middle fr-grid-row--center" in body and "fr-artwork" in body)


def test_unknown_page_is_the_french_404(client, tenant):
    response = client.get("/cette-page-n-existe-pas/ni-celle-ci/")
    body = _text(response)
    assert response.status_code == 404
    assert "<h1>Page non trouvée</h1>" in body and "Erreur 404" in body
    assert _is_dsfr_error_page(body)
    assert '<a class="fr-btn" href="/">Page d’accueil</a>' in body
    assert "Not Found" not in body


def test_a_404_inside_a_region_leads_back_to_its_home(client, tenant, applicant):
    client.force_login(applicant)
    response = client.get(f"/{tenant.slug}/dossiers/987654/",
                          HTTP_REFERER=f"http://testserver/{tenant.slug}/appels/")
    body = _text(response)
    assert response.status_code == 404
    assert f'<a class="fr-btn" href="/{tenant.slug}/">Accueil — {tenant.name}</a>' in body
    assert (f'<a class="fr-btn fr-btn--secondary" href="http://testserver/{tenant.slug}/appels/">'
            "Revenir à la page précédente</a>") in body
    assert "Mes espaces" in body


def test_another_sites_referer_is_not_offered_as_the_way_back(client):
    body = _text(client.get("/nulle-part/", HTTP_REFERER="https://evil.example/"))
    assert "evil.example" not in body and "Revenir à la page précédente" not in body


def test_403_explains_in_french_and_never_shows_a_permission_code(failing_urls, client):
    response = client.get("/essai/refus-code/")
    body = _text(response)
    assert response.status_code == 403
    assert "<h1>Accès refusé</h1>" in body and "Erreur 403" in body
    assert "reviews.manage_sessions" not in body
    assert _is_dsfr_error_page(body)
    body = _text(client.get("/essai/refus/"))
    assert "<p>Cette étape n'est pas modifiable.</p>" in body


def test_400_is_french(failing_urls, client):
    response = client.get("/essai/requete/")
    assert response.status_code == 400
    body = _text(response)
    assert "<h1>Requête incorrecte</h1>" in body and _is_dsfr_error_page(body)


def test_500_is_french_and_needs_no_database(failing_urls, django_assert_num_queries):
    client = Client(raise_request_exception=False)
    with django_assert_num_queries(0):
        response = client.get("/essai/erreur/")
    body = _text(response)
    assert response.status_code == 500
    assert "<h1>Erreur inattendue</h1>" in body and "Erreur 500" in body
    assert _is_dsfr_error_page(body)
    assert "RuntimeError" not in body and "a bug" not in body


def test_csrf_failure_is_a_french_page_with_a_way_back(tenant, applicant):
    client = Client(enforce_csrf_checks=True)
    client.force_login(applicant)
    response = client.post("/structures/nouvelle/", {"name": "Les Disques du Midi"},
                           HTTP_REFERER="http://testserver/structures/nouvelle/")
    body = _text(response)
    assert response.status_code == 403
    assert "<h1>Votre envoi n’a pas pu être vérifié</h1>" in body
    assert 'href="http://testserver/structures/nouvelle/">Revenir à la page précédente' in body
    assert "CSRF verification failed" not in body and _is_dsfr_error_page(body)


def test_the_demo_shows_the_portal_error_pages_not_the_debug_page(monkeypatch):
    """`make run` uses portal.settings.dev: DEBUG is off unless asked (`DEBUG=1 make run`),
    and WhiteNoise serves the static files from their sources without collectstatic."""
    import portal.settings.dev as dev

    monkeypatch.delenv("DEBUG", raising=False)
    dev = importlib.reload(dev)
    assert dev.DEBUG is False
    assert dev.WHITENOISE_USE_FINDERS is True and dev.WHITENOISE_AUTOREFRESH is True
    monkeypatch.setenv("DEBUG", "1")
    assert importlib.reload(dev).DEBUG is True


def test_static_files_are_served_in_the_demo_without_debug(settings):
    settings.DEBUG = False
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    response = Client().get("/static/dsfr/dist/dsfr/dsfr.min.css")
    assert response.status_code == 200
    assert b".fr-btn" in b"".join(response.streaming_content)
