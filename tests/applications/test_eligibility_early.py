"""Eligibility comes first: the blocking criteria a call sets on the structure's profile are
shown when the dossier is started and on its first step, with what the profile actually says
("créée il y a 6 mois", "siège social en Bretagne"), not only at the sixth step."""

import re
from datetime import date

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from django_scopes import scope

from applications.checks import structure_checks
from applications.models import Dossier
from calls.eligibility import describe_fact
from tests.factories import CriterionFactory, TrackFactory
from tests.factories.applications import (AnnualRevenueFactory, StructureFactory,
                                          StructureMemberFactory)
from tests.factories.calls import CallFactory

pytestmark = [pytest.mark.django_db]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'")


@pytest.fixture
def call(tenant):
    with scope(tenant=tenant):
        call = CallFactory(tenant=tenant, slug="structuration")
        CriterionFactory(call=call, label="24 mois d'activité antérieure",
                         field="structure.months_of_activity", operator="gte", value=24)
        CriterionFactory(call=call, label="Siège social en Occitanie",
                         field="structure.seat_region", operator="eq", value="76")
        CriterionFactory(call=call, label="Affiliation au CNM", field="structure.cnm_affiliated",
                         operator="is_true", value=None)
        CriterionFactory(call=call, label="Au moins 2 partenaires", field="dossier.partner_count",
                         operator="gte", value=2)
        live = TrackFactory(call=call, title="Volet spectacle vivant")
        CriterionFactory(call=call, track=live, label="Licences 2 et 3",
                         field="structure.licence_categories", operator="contains_all",
                         value=["2", "3"])
    return call


@pytest.fixture
def young_breton(applicant):
    """A label of Rennes created six months ago."""
    structure = StructureFactory(name="Label Breizh Sonore", postal_code="35000", city="Rennes",
                                 creation_date=timezone.localdate() - relativedelta(months=6))
    StructureMemberFactory(structure=structure, user=applicant)
    return structure


def test_the_start_page_says_at_once_that_the_structure_cannot_be_eligible(client, tenant, call,
                                                                           applicant,
                                                                           young_breton):
    client.force_login(applicant)
    text = _text(client.get(f"/{tenant.slug}/appels/structuration/deposer/").content.decode())
    assert ("« Label Breizh Sonore » ne remplit pas 2 critères bloquants de cet appel : en "
            "l’état, le dossier ne pourra pas être déclaré recevable.") in text
    assert ("Non rempli 24 mois d'activité antérieure Exigé : Ancienneté d'activité de la "
            "structure supérieure ou égale à 24 mois. Votre structure : créée il y a 6 mois."
            ) in text.replace("\u00a0", " ")
    assert ("Non rempli Siège social en Occitanie Exigé : Région du siège social : Occitanie. "
            "Votre structure : siège social en Bretagne.") in text
    # The track's own criterion says which track it is for; dossier facts are not judged yet.
    assert ("Non rempli Licences 2 et 3 (seulement pour : Volet spectacle vivant) Exigé : Licences "
            "d'entrepreneur de spectacles comprenant catégorie 2 (producteur de spectacles) et "
            "catégorie 3 (diffuseur de spectacles). Votre structure : aucune licence "
            "d'entrepreneur de spectacles dans le profil.") in text
    assert "partenaires" not in text.split("Structure qui dépose")[0].split("critères bloquants")[1]
    assert ("Rempli Affiliation au CNM Exigé : Structure affiliée au Centre national de la "
            "musique. Votre structure : affiliée au CNM.") in text


def test_a_structure_that_meets_them_is_told_so(client, tenant, call, applicant):
    structure = StructureFactory(name="Les Disques du Midi", postal_code="34000")
    StructureMemberFactory(structure=structure, user=applicant)
    client.force_login(applicant)
    text = _text(client.get(f"/{tenant.slug}/appels/structuration/deposer/").content.decode())
    assert "Aucun critère bloquant de l’appel en défaut" in text
    assert "ne remplit pas" not in text
    assert "Non rempli Licences 2 et 3 (seulement pour : Volet spectacle vivant)" in text


def test_the_project_step_shows_them_for_the_dossier_s_track_and_updates_with_the_profile(
        client, tenant, call, applicant, young_breton):
    with scope(tenant=tenant):
        track = call.tracks.get()
        dossier = Dossier.objects.create(tenant=tenant, call=call, track=track,
                                         structure=young_breton, created_by=applicant)
    client.force_login(applicant)
    url = f"/{tenant.slug}/dossiers/{dossier.pk}/etapes/project/"
    text = _text(client.get(url).content.decode())
    assert "Étape 1 sur 6" in text
    # With the track chosen, its criterion is one of the dossier's: no longer "seulement pour".
    assert "ne remplit pas 3 critères bloquants" in text
    assert "Votre structure : créée il y a 6 mois." in text
    assert "seulement pour" not in text
    young_breton.creation_date = date(2015, 1, 1)
    young_breton.postal_code = "31000"
    young_breton.save()
    text = _text(client.get(url).content.decode())
    assert "ne remplit pas un critère bloquant de cet appel" in text
    assert "Votre structure : aucune licence d'entrepreneur de spectacles dans le profil." in text


def test_other_steps_do_not_repeat_the_panel(client, tenant, call, applicant, young_breton):
    with scope(tenant=tenant):
        dossier = Dossier.objects.create(tenant=tenant, call=call, track=call.tracks.get(),
                                         structure=young_breton, created_by=applicant)
    client.force_login(applicant)
    html = client.get(f"/{tenant.slug}/dossiers/{dossier.pk}/etapes/budget/").content.decode()
    assert "Les critères de l’appel sur le profil" not in html


@pytest.mark.parametrize("field,parameter,facts,expected", [
    ("structure.months_of_activity", "", {"structure.months_of_activity": 6},
     "créée il y a 6 mois"),
    ("structure.months_of_activity", "", {"structure.months_of_activity": 30},
     "créée il y a 2 ans et 6 mois"),
    ("structure.months_of_activity", "", {"structure.months_of_activity": 12},
     "créée il y a 1 an"),
    ("structure.months_of_activity", "", {"structure.months_of_activity": 0},
     "créée il y a moins d'un mois"),
    ("structure.months_of_activity", "", {}, "date de création non renseignée dans le profil"),
    ("structure.seat_region", "", {"structure.seat_region": "53"}, "siège social en Bretagne"),
    ("structure.seat_region", "", {"structure.seat_region": "32"},
     "siège social dans les Hauts-de-France"),
    ("structure.seat_region", "", {"structure.seat_region": "04"}, "siège social à La Réunion"),
    ("structure.departement", "", {"structure.departement": "2A"},
     "siège social : Corse-du-Sud (2A)"),
    ("structure.cnm_affiliated", "", {"structure.cnm_affiliated": False},
     "pas d'affiliation au CNM indiquée dans le profil"),
    ("structure.revenue", "2021", {"structure.revenue": {"2021": "120000"}},
     "Chiffre d'affaires 2021 : 120\u00a0000,00\u00a0€"),
    ("structure.revenue", "2022", {"structure.revenue": {"2021": "120000"}},
     "Chiffre d'affaires 2022 : non renseigné dans le profil"),
    ("structure.licence_categories", "", {"structure.licence_categories": {"3", "2"}},
     "licences de catégories 2 et 3"),
    ("structure.main_activity", "", {"structure.main_activity": "festival"},
     "Activité principale : Festival"),
    ("structure.fte_hours", "", {"structure.fte_hours": "280"},
     "Volume annuel d'heures hors emplois artistiques et techniques : 280\u00a0h"),
])
def test_the_actual_value_reads_as_french(field, parameter, facts, expected):
    criterion = {"kind": "check", "field": field, "parameter": parameter, "operator": "is_set"}
    assert describe_fact(criterion, facts) == expected


def test_structure_checks_judge_the_profile_only(tenant, call, young_breton):
    AnnualRevenueFactory(structure=young_breton, year=2021, amount="5000")
    with scope(tenant=tenant):
        result = structure_checks(list(call.eligibility_criteria.all()), young_breton)
    assert [(r.label, r.status) for r in result["rows"]] == [
        ("24 mois d'activité antérieure", "fail"), ("Siège social en Occitanie", "fail"),
        ("Licences 2 et 3", "fail"), ("Affiliation au CNM", "pass")]
    assert (result["blocking_failures"], result["scoped_failures"]) == (3, 0)
