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
        "Liberté, Égalité, Fraternité",  # the devise's words: its image has no text
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


def test_minutes_name_members_presence_quorum_recusals_and_decisions_per_call(world):
    from reviews.documents import minutes_generate

    with scope(tenant=world["tenant"]):
        session = world["session"].__class__.objects.select_related("tenant", "closed_by").get(
            pk=world["session"].pk)
        document, _ = minutes_generate(session)
    content = private_path(document.file_path).read_bytes()
    dump("committee-minutes.pdf", content)
    text = _check(content, title="Procès-verbal du comité — Comité de sélection du printemps 2024")
    for expected in [
        "Hélène Marchal DRAC (État) présent·e", "Éric Fournier Région absent·e",
        "5 membres présents sur 6 ; quorum requis : 3 présent(s) — le quorum est atteint.",
        "Thomas Nguyen (Centre national de la musique) s'est déporté·e sur le dossier "
        "OCC-2024-COOP-0008 : Ancien salarié de la structure.",
        "Décisions : 1 aide(s) accordée(s) pour un total de 24 500,50 €, 1 refus.",
        "Décisions — Aide aux projets de coopération professionnelle",
        "Avance : 19 600,40 € ; solde : 4 900,10 €",
        "Motivation : Le projet ne réunit pas", "close le 26 avril 2024 à 10 h 00",
        "Pierre-André Durand", "Carole Delga",
        "Enveloppes des financeurs", "engagé",  # the chart's legend says what its bars are
    ]:
        assert expected in text, expected
    assert "@" not in text  # members by name, not by e-mail address


def test_a_session_dated_in_the_future_is_closed_early_only_with_an_audited_reason(
        settings, tmp_path):
    from datetime import date, timedelta

    from django.utils import timezone

    from portal.models import AuditEvent
    from reviews import services
    from reviews.services import ReviewError
    from tests.factories import MembershipFactory, TenantFactory
    from tests.factories.reviews import SessionFactory

    tenant = TenantFactory()
    admin = MembershipFactory(tenant=tenant, role="admin").user
    with scope(tenant=tenant):
        session = SessionFactory(tenant=tenant, date=timezone.localdate() + timedelta(days=3))
        with pytest.raises(ReviewError) as refused:
            services.session_close(user=admin, session=session)
        assert "early_reason" in refused.value.message_dict
        assert session.__class__.objects.get(pk=session.pk).status != "closed"
        services.session_close(user=admin, session=session,
                               early_reason="Séance avancée à la demande de la Région")
        event = AuditEvent.objects.get(action="reviews.session.closed_early")
    assert event.data == {"session_date": session.date.isoformat(),
                          "reason": "Séance avancée à la demande de la Région"}
    assert date.today() < session.date


def test_receipt_fits_the_page_with_40_budget_lines_and_12_documents(world):
    from applications.receipts import render_receipt

    world["call"].committee_date = __import__("datetime").date(2024, 4, 25)
    with scope(tenant=world["tenant"]):
        dossier = world["granted"].__class__.objects.select_related(
            "tenant", "call", "track", "category", "structure").get(pk=world["granted"].pk)
        content = render_receipt(dossier)
    dump("dossier-receipt.pdf", content)
    text = _check(content, title="Accusé de réception OCC-2024-COOP-0007")
    assert LONG_NAME.split(" — ")[0][:60] in text
    for expected in ["Et maintenant ?", "Comité de sélection : le 25 avril 2024",
                     "Votre contact : Délégation territoriale du CNM — pôle filière — "
                     "filiere-occitanie@cnm.example — 05 61 00 00 00",
                     "Poste 40", "1 234 567,89 €", "Bilan des aides précédentes"]:
        assert expected in text, expected
    assert "122,9 Ko" in text and "1,1 Mo" in text  # sizes in Ko / Mo, not bytes nor Kio
    with scope(tenant=world["tenant"]):
        for attachment in dossier.attachments.all():
            assert attachment.sha256[:32] in text.replace(" ", "")


def test_dossier_export_fits_the_page(world):
    from applications.receipts import render_export

    with scope(tenant=world["tenant"]):
        dossier = world["granted"].__class__.objects.select_related(
            "tenant", "call", "track", "category", "structure").get(pk=world["granted"].pk)
        content = render_export(dossier)
    dump("dossier-export.pdf", content)
    text = _check(content, title="Dossier OCC-2024-COOP-0007")
    assert "Scène de musiques actuelles partenaire n° 3 du réseau régional" in text


def test_convention_names_the_pilot_structure_with_its_real_identity(world):
    from mentoring.documents import convention_generate

    from .world import build_engagement

    engagement = build_engagement(world)
    with scope(tenant=world["tenant"]):
        document, _ = convention_generate(engagement)
    content = private_path(document.file_path).read_bytes()
    dump("mentoring-convention.pdf", content)
    text = _check(content, title=f"Convention tripartite {engagement.need.reference}")
    pilot = world["orgs"]["pilot"]
    assert (f"Octopus — fédération des musiques actuelles, SIRET {pilot.siret} 6 rue Jean Suau "
            f"31000 Toulouse Représentée par Camille Roussel") in text
    assert "BP 40087" in text
