"""Every official document rendered from realistic data (long names, three-line addresses,
40 budget lines, 12 documents) fits its A4 page within the margins, carries real text, its
title and language, embedded fonts and tags (PDF/UA-1)."""

import pytest
from django_scopes import scope

from portal.documents import private_path

from .layout import dump, layout_problems, pdf_facts, pdf_text
from .world import LONG_NAME, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    return build_world()


def _check(content: bytes, *, title: str) -> str:
    assert layout_problems(content) == []
    facts = pdf_facts(content)
    assert facts["title"] == title
    assert facts["lang"] == "fr" and facts["tagged"]
    assert facts["fonts"] and all(facts["fonts"].values()), facts["fonts"]
    return pdf_text(content)


def test_grant_letter_is_co_branded_signed_by_name_and_states_payments_and_remedies(world):
    from reviews.letters import decision_letter_generate

    with scope(tenant=world["tenant"]):
        document, _ = decision_letter_generate(world["grant"])
    content = private_path(document.file_path).read_bytes()
    dump("decision-letter-grant.pdf", content)
    text = _check(content, title="Notification d'attribution d'une aide — OCC-2024-COOP-0007")
    for expected in [
        "PRÉFET DE LA RÉGION OCCITANIE", "DRAC Occitanie",
        "Toulouse, le 26 avril 2024", "Référence du dossier : OCC-2024-COOP-0007",
        "Affaire suivie par : Délégation territoriale du CNM — pôle filière",
        "filiere-occitanie@cnm.example", "05 61 00 00 00", "BP 40087", "34070 Montpellier",
        "24 500,50 €", "vingt-quatre mille cinq cents euros et cinquante centimes",
        "Une avance de 80 %, soit 19 600,40 €, vous sera versée à la notification de la décision.",
        "Le solde, soit 4 900,10 €, sera versé sur présentation du bilan final de l'action",
        "Le bilan final est à remettre au plus tard le 30 septembre 2025 (3 mois après la fin "
        "de l'action)",
        "DRAC Occitanie Préfet de la région Occitanie Pierre-André Durand",
        "Romain Laleix", "Carole Delga", "Voies et délais de recours", "recours gracieux",
        "www.telerecours.fr", "tribunal administratif de Toulouse (68 rue Raymond IV, BP 7007, 31068 Toulouse "
        "Cedex 07)", "Télérecours citoyens",
    ]:
        assert expected in text, expected
    assert "SIRET " + world["structure"].siret in text
    # each funder's share, with its advance and balance (8 000 → 6 400 + 1 600)
    assert "6 400,00 €" in text and "7 200,00 €" in text and "6 000,40 €" in text


def test_refusal_letter_states_its_motivation_and_the_remedies(world):
    from reviews.letters import decision_letter_generate

    with scope(tenant=world["tenant"]):
        document, _ = decision_letter_generate(world["refusal"])
    content = private_path(document.file_path).read_bytes()
    dump("decision-letter-refusal.pdf", content)
    text = _check(content, title="Notification de refus d'aide — OCC-2024-COOP-0008")
    assert "ne réunit pas les trois structures partenaires exigées" in text
    assert "Voies et délais de recours" in text and "deux mois" in text
    assert "avance" not in text.lower().split("voies et délais")[0].split("motif")[1]
