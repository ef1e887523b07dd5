"""Realistic data for the official documents: what stresses a page layout in real life —
a 190-character structure name, a three-line address, 40 budget lines, 12 documents with
long file names, three funders with logos, signatories with long titles, a grant and a
refusal decided by a committee of six, a mentoring engagement with the pilot's identity."""

from __future__ import annotations

import hashlib
import io
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone
from django_scopes import scope

from applications.models import Attachment, BudgetLine, Partner
from portal.enums import OrganizationKind as K
from portal.enums import Role
from portal.formatting import PARIS
from reviews import services
from reviews.models import AgendaItem, CommitteeMember
from tests.factories import (CallFactory, CategoryFactory, DocumentRequirementFactory,
                             MembershipFactory, OrganizationFactory, SignatoryFactory,
                             TenantFactory, TrackFactory, UserFactory)
from tests.factories.applications import StructureFactory, StructureMemberFactory, make_siret
from tests.factories.reviews import FiledDossierFactory, SessionFactory

LONG_NAME = ("Association pour le développement des musiques actuelles, des musiques "
             "improvisées et des cultures électroniques en Occitanie / Pyrénées-Méditerranée "
             "— Collectif des labels indépendants")
THREE_LINE_ADDRESS = ("Maison des associations culturelles, bâtiment C, 2e étage, porte 214\n"
                      "Zone d'activités du Grand Saint-Charles, 1247 avenue de la Libération\n"
                      "BP 40087")


def png_logo(text: str, color=(0, 70, 140)) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 180), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, 479, 179], outline=color, width=8)
    draw.rectangle([24, 24, 150, 156], fill=color)
    draw.text((170, 70), text, fill=color)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def build_world(*, name: str = LONG_NAME) -> dict:
    """A tenant with every document's data; returns the objects by name (call inside a
    test with the db)."""
    tenant = TenantFactory(
        slug="occitanie", name="Occitanie / Pyrénées-Méditerranée", region_code="76",
        contract_title="Contrat de filière Musiques actuelles et Variétés Occitanie",
        letter_place="Toulouse", service_name="Délégation territoriale du CNM — pôle filière",
        service_email="filiere-occitanie@cnm.example", service_phone="05 61 00 00 00",
        tribunal_address="68 rue Raymond IV, BP 7007, 31068 Toulouse Cedex 07")
    with scope(tenant=tenant):
        orgs = {
            K.DRAC: OrganizationFactory(tenant=tenant, kind=K.DRAC, name="DRAC Occitanie"),
            K.CNM: OrganizationFactory(tenant=tenant, kind=K.CNM,
                                       name="Centre national de la musique"),
            K.REGION: OrganizationFactory(tenant=tenant, kind=K.REGION,
                                          name="Région Occitanie / Pyrénées-Méditerranée"),
            K.PILOT: OrganizationFactory(
                tenant=tenant, kind=K.PILOT, name="Octopus — fédération des musiques actuelles",
                siret=make_siret(777), address="6 rue Jean Suau\n31000 Toulouse",
                representative_name="Camille Roussel", representative_title="Co-présidente"),
        }
        for kind in (K.CNM, K.REGION):
            orgs[kind].logo.save(f"logo-{kind}.png", ContentFile(png_logo(kind.upper())))
        signatories = [
            SignatoryFactory(tenant=tenant, organization=orgs[K.DRAC], position=0,
                             person_name="Pierre-André Durand",
                             title="Préfet de la région Occitanie"),
            SignatoryFactory(tenant=tenant, organization=orgs[K.CNM], position=1,
                             person_name="Romain Laleix",
                             title="Directeur général délégué du Centre national de la musique"),
            SignatoryFactory(tenant=tenant, organization=orgs[K.REGION], position=2,
                             person_name="Carole Delga",
                             title="Présidente de la Région Occitanie / Pyrénées-Méditerranée"),
        ]
        call = CallFactory(
            tenant=tenant, title="Aide aux projets de coopération professionnelle",
            reference_code="COOP", envelope=Decimal("150000.00"),
            expenses_start=date(2024, 1, 1), expenses_end=date(2025, 12, 31),
            advance_paid_on="notification", balance_paid_on="final_report",
            report_due_months=3, committee_date=date(2024, 4, 25))
        track = TrackFactory(call=call, title="Volet spectacle vivant")
        category = CategoryFactory(call=call, title="Catégorie 2 : Coopération renforcée",
                                   amount_min=Decimal("15000"), amount_max=Decimal("25000"),
                                   advance_percentage=Decimal("80"))
        requirements = [DocumentRequirementFactory(call=call, label=label) for label in [
            "Diagnostic des forces et faiblesses de la structure", "Stratégie de développement",
            "Budget global de la structure", "Budget prévisionnel de l'action",
            "Statuts", "Extrait Kbis ou avis de situation SIRENE",
            "Attestation d'affiliation au CNM", "Licences d'entrepreneur de spectacles",
            "Attestation de régularité fiscale et sociale", "Relevé d'identité bancaire",
            "Lettres d'engagement des partenaires", "Bilan des aides précédentes"]]
        structure = StructureFactory(name=name, address=THREE_LINE_ADDRESS, postal_code="34070",
                                     city="Montpellier", siret=make_siret(4242))
        applicant = UserFactory(email="direction@collectif-labels.example", first_name="Inès",
                                last_name="Fabre")
        StructureMemberFactory(structure=structure, user=applicant)
        granted = FiledDossierFactory(
            call=call, track=track, category=category, structure=structure,
            status="in_committee", reference="OCC-2024-COOP-0007",
            title="Tournée mutualisée des scènes de musiques actuelles du littoral et de "
                  "l'arrière-pays, résidences croisées et accompagnement de jeunes artistes",
            requested_amount=Decimal("25000.00"), start_date=date(2024, 3, 1),
            end_date=date(2025, 6, 30))
        for i in range(40):
            kind = "expense" if i < 28 else "income"
            BudgetLine.objects.create(
                dossier=granted, kind=kind, position=i,
                source="" if kind == "expense" else ("self_financing" if i % 2 else "public"),
                label=(f"Poste {i + 1} : frais de déplacement, d'hébergement et de restauration "
                       f"des équipes artistiques et techniques en tournée")[:200],
                amount=Decimal("1234567.89") if i == 3 else Decimal(1000 + 37 * i))
        for i in range(3):
            Partner.objects.create(dossier=granted, name=f"Scène de musiques actuelles partenaire "
                                                         f"n° {i + 1} du réseau régional",
                                   siret=make_siret(9000 + i), role="Coproduction et accueil "
                                                                    "en résidence", position=i)
        for i, requirement in enumerate(requirements):
            content = f"%PDF-1.4 pièce {i}".encode() * (200 * (i + 1))
            attachment = Attachment(
                dossier=granted, requirement=requirement,
                original_name=(f"{i + 1:02d}-{requirement.label.lower().replace(' ', '_')}"
                               f"-version_definitive_signee_2024.pdf"),
                content_type="application/pdf", extension="pdf", size=len(content) * 37,
                sha256=hashlib.sha256(content).hexdigest(), uploaded_by=applicant)
            attachment.file.save(f"piece-{i}.pdf", ContentFile(content), save=False)
            attachment.save()
        refused = FiledDossierFactory(
            call=call, category=category, status="in_committee", reference="OCC-2024-COOP-0008",
            structure=StructureFactory(name="Les Disques du Canal du Midi",
                                       siret=make_siret(4343)),
            title="Studio mobile partagé", requested_amount=Decimal("18000.00"))
        StructureMemberFactory(structure=refused.structure, user=applicant)
        session = SessionFactory(tenant=tenant, title="Comité de sélection du printemps 2024",
                                 date=date(2024, 4, 25), quorum=3)
        session.calls.set([call])
        members = {}
        for kind, people in [(K.DRAC, ["Hélène Marchal", "Jérôme Vidal"]),
                             (K.CNM, ["Sophie Lambert", "Thomas Nguyen"]),
                             (K.REGION, ["Nadia Benali", "Éric Fournier"])]:
            for full in people:
                first, last = full.split(" ", 1)
                user = MembershipFactory(tenant=tenant, role=Role.COMMITTEE,
                                         organization=orgs[kind],
                                         user__first_name=first, user__last_name=last).user
                CommitteeMember.objects.create(session=session, user=user, funder=kind,
                                               present=full != "Éric Fournier")
                members[full] = user
        admin = MembershipFactory(tenant=tenant, role=Role.ADMIN,
                                  user__first_name="Claire", user__last_name="Dupuis").user
        for position, dossier in enumerate([granted, refused], start=1):
            AgendaItem.objects.create(session=session, dossier=dossier, position=position)
        services.recusal_declare(user=members["Thomas Nguyen"], session=session,
                                 dossier=refused, reason="Ancien salarié de la structure")
        decided_by = members["Sophie Lambert"]
        grant = services.decision_record(
            user=decided_by, session=session, dossier=granted, outcome="granted",
            shares={"drac": "8000", "cnm": "9000", "region": "7500.50"},
            conditions="Mentionner le soutien des trois financeurs sur tous les supports.")
        refusal = services.decision_record(
            user=decided_by, session=session, dossier=refused, outcome="rejected",
            motivation="Le projet ne réunit pas les trois structures partenaires exigées par "
                       "la catégorie 2 ; il pourra être présenté en catégorie 1.")
        services.session_close(user=admin, session=session,
                               now=datetime(2024, 4, 26, 10, tzinfo=PARIS))
        from reviews.models import Decision

        grant, refusal = (Decision.objects.select_related("session", "dossier__structure")
                          .get(pk=d.pk) for d in (grant, refusal))
    return {"tenant": tenant, "orgs": orgs, "signatories": signatories, "call": call,
            "category": category, "structure": structure, "applicant": applicant,
            "granted": granted, "refused": refused, "session": session, "members": members,
            "admin": admin, "grant": grant, "refusal": refusal}


def build_engagement(world: dict):
    """A mentoring engagement between the world's structure and a resource person."""
    from tests.factories.mentoring import (EngagementFactory, NeedRequestFactory,
                                           ResourcePersonFactory)

    tenant = world["tenant"]
    with scope(tenant=tenant):
        need = NeedRequestFactory(tenant=tenant, structure=world["structure"],
                                  person_name="Inès Fabre", person_role="Directrice")
        resource = ResourcePersonFactory(
            tenant=tenant, first_name="Jean-Baptiste", last_name="Lefèvre-Dumontier",
            structure_name="La Cité de la musique électronique de Montpellier")
        engagement = EngagementFactory(
            need=need, resource=resource, planned_days=Decimal("2"),
            start_date=timezone.localdate(), end_date=timezone.localdate() + timedelta(days=60),
            terms="Structurer la recherche de financements privés.\nÉcrire un plan de mécénat "
                  "sur trois ans.\nPréparer deux rendez-vous avec des fondations.")
    return engagement
