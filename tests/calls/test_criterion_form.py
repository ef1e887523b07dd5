"""The criterion form speaks the admin's language: regions and départements by name, the
sentence the applicant will read shown as the criterion is built (JSON for the page's
script, the page itself without script), the check's fields required and marked so."""

import json
import re

import pytest
from django_scopes import scope

from calls.enums import CallStatus
from calls.models import EligibilityCriterion
from tests.factories import CriterionFactory
from tests.factories.calls import CallFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]

BASE = {"kind": "check", "label": "Siège social en Pays de la Loire",
        "field": "structure.seat_region", "parameter": "", "operator": "eq",
        "value": "Pays de la Loire", "severity": "blocking", "message": "", "position": "0"}


@pytest.fixture
def call(tenant):
    with scope(tenant=tenant):
        return CallFactory(tenant=tenant, slug="coop", status=CallStatus.DRAFT)


@pytest.fixture
def url(call):
    return f"/{call.tenant.slug}/gestion/appels/{call.slug}/criteres/nouveau/"


@pytest.fixture
def admin(client, admin_user):
    client.force_login(admin_user)
    return client


def _text(html):
    text = re.sub(r"<[^>]+>", " ", html).replace("\u00a0", " ").replace("&#x27;", "'")
    return re.sub(r"\s+", " ", text)


def test_a_region_typed_by_its_name_is_stored_as_its_code(admin, call, url):
    assert admin.post(url, BASE).status_code == 302
    with scope(tenant=call.tenant):
        criterion = EligibilityCriterion.objects.get()
    assert (criterion.value, criterion.plain_french) == (
        "52", "Région du siège social : Pays de la Loire")
    edit = admin.get(f"/{call.tenant.slug}/gestion/appels/{call.slug}/criteres/{criterion.pk}/")
    assert edit.context["form"].initial["value"] == "Pays de la Loire"


@pytest.mark.parametrize("typed", ["pays de la loire", "PAYS-DE-LA-LOIRE", "52"])
def test_any_spelling_of_the_name_works(admin, call, url, typed):
    assert admin.post(url, {**BASE, "value": typed}).status_code == 302
    with scope(tenant=call.tenant):
        assert EligibilityCriterion.objects.get().value == "52"


def test_an_unknown_name_is_refused_with_the_names_not_codes(admin, call, url):
    response = admin.post(url, {**BASE, "value": "Pays de Loire-Atlantique"})
    errors = response.context["form"].errors["value"]
    assert errors[0].startswith("« Pays de Loire-Atlantique » n'est pas une valeur possible "
                                "(valeurs : Auvergne-Rhône-Alpes, Bourgogne-Franche-Comté, "
                                "Bretagne, ")
    assert "52" not in errors[0]
    assert 'value="Pays de Loire-Atlantique"' in response.content.decode()


def test_departements_are_chosen_by_name_too(admin, call, url):
    response = admin.post(url, {**BASE, "label": "Siège en Loire-Atlantique ou Vendée",
                                "field": "structure.departement", "operator": "in",
                                "value": "Loire-Atlantique, vendée"})
    assert response.status_code == 302
    with scope(tenant=call.tenant):
        criterion = EligibilityCriterion.objects.get()
    assert criterion.value == ["44", "85"]
    assert criterion.plain_french == ("Département du siège social parmi : Loire-Atlantique "
                                      "(44), Vendée (85)")


def test_the_page_offers_the_names_and_explains_in_french(admin, url):
    html = admin.get(url).content.decode()
    assert '<datalist id="values-structure-seat-region">' in html
    assert '<option value="Pays de la Loire"></option>' in html
    assert 'data-criterion-fields="' in html and "calls/criterion.js" in html
    specs = json.loads(re.search(r'data-criterion-fields="([^"]+)"', html).group(1)
                       .replace("&quot;", '"'))
    assert specs["structure.revenue"]["parameter"] is True
    assert specs["structure.seat_region"]["list"] == "values-structure-seat-region"
    assert "structure.seat_region" not in _text(html)  # no raw key on screen
    # A check's datum and condition are required, not marked "(Optionnel)".
    assert re.search(r'for="id_field" class="fr-label">\s*Donnée vérifiée\s*<span', html)
    assert "Donnée vérifiée (Optionnel)" not in _text(html)


def test_the_preview_answers_json_for_the_script_without_saving(admin, call, url):
    response = admin.post(url, {**BASE, "action": "preview"}, HTTP_ACCEPT="application/json")
    assert response.json() == {
        "sentence": "Région du siège social : Pays de la Loire",
        "failure": "Critère non rempli : Région du siège social : Pays de la Loire.",
        "blocking": True, "errors": {}}
    response = admin.post(url, {**BASE, "field": "structure.revenue", "parameter": "2022",
                                "operator": "lt", "value": "100 000", "action": "preview",
                                "message": "Chiffre d'affaires trop élevé."},
                          HTTP_ACCEPT="application/json")
    assert response.json()["sentence"] == "Chiffre d'affaires 2022 inférieur à 100\u00a0000,00\u00a0€"
    assert response.json()["failure"] == "Chiffre d'affaires trop élevé."
    response = admin.post(url, {**BASE, "value": "Mars", "action": "preview"},
                          HTTP_ACCEPT="application/json")
    assert response.json()["sentence"] == ""
    assert list(response.json()["errors"]) == ["value"]
    with scope(tenant=call.tenant):
        assert not EligibilityCriterion.objects.exists()


def test_the_preview_works_without_script(admin, call, url):
    response = admin.post(url, {**BASE, "operator": "ne", "action": "preview"})
    text = _text(response.content.decode())
    assert response.status_code == 200
    assert ("Ce que liront les candidat·es Région du siège social autre que Pays de la Loire "
            "Si le critère n’est pas rempli : Critère non rempli : Région du siège social autre "
            "que Pays de la Loire.") in text
    assert 'value="Pays de la Loire"' in response.content.decode()
    with scope(tenant=call.tenant):
        assert not EligibilityCriterion.objects.exists()


def test_a_declaration_needs_no_datum(admin, call, url):
    response = admin.post(url, {"kind": "declaration", "severity": "blocking", "position": "0",
                                "label": "Je certifie être à jour du paiement des taxes"})
    assert response.status_code == 302
    with scope(tenant=call.tenant):
        assert EligibilityCriterion.objects.get().field == ""


def test_a_check_without_datum_or_value_names_what_is_missing(admin, url):
    response = admin.post(url, {**BASE, "field": "", "operator": "", "value": ""})
    errors = response.context["form"].errors
    assert errors["field"] == ["Choisissez la donnée vérifiée."]
    assert errors["operator"] == ["Choisissez la condition."]
    assert errors["value"] == ["Indiquez la valeur attendue."]


def test_preview_of_another_tenants_call_answers_404(client, other_tenant, admin_user):
    with scope(tenant=other_tenant):
        foreign = CallFactory(tenant=other_tenant, slug="ailleurs")
        criterion = CriterionFactory(call=foreign)
    client.force_login(admin_user)
    response = client.post(f"/hauts-de-france/gestion/appels/ailleurs/criteres/"
                           f"{criterion.pk}/", {**BASE, "action": "preview"},
                           HTTP_ACCEPT="application/json")
    assert response.status_code == 404
