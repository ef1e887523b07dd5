"""Demo data of the applicant side: for each demo region, five structures (the first is the
demo applicant's) and the dossiers of the story (STORY): a draft and filed dossiers on the call
open today, and the dossiers filed on the previous edition. reviews.demo takes the filed ones
further. Idempotent: natural keys + get_or_create; each tenant's rows are written in its scope."""

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django_scopes import scope

STRUCTURES = [
    # n, name, postal code, city, main activity, aesthetics
    (1, "Les Disques du Midi", "34000", "Montpellier", "recorded_music", ["electro", "jazz"]),
    (2, "Garonne Productions", "31000", "Toulouse", "live_production", ["rock_pop", "chanson"]),
    (3, "Pic Saint-Loup Live", "34270", "Saint-Mathieu-de-Tréviers", "festival", ["world"]),
    (4, "Ch'ti Sound Records", "59000", "Lille", "recorded_music", ["hip_hop"]),
    (5, "Opale Tour", "62200", "Boulogne-sur-Mer", "live_production", ["metal", "rock_pop"]),
    (6, "Collectif Tramontane — musiques du monde en Roussillon", "66000", "Perpignan",
     "career_development", ["world", "jazz"]),
    (7, "Le Chai Sonore", "30000", "Nîmes", "venue", ["rock_pop", "electro"]),
    (8, "La Péniche Sonore", "59800", "Lille", "venue", ["electro", "hip_hop"]),
    (9, "Collectif du Beffroi", "62000", "Arras", "career_development", ["chanson", "rock_pop"]),
    (10, "Somme Musiques Actuelles", "80000", "Amiens", "network", ["rock_pop", "world"]),
]

#: Each region's structures (the first is the demo applicant's own).
REGIONS = {"occitanie": [1, 2, 3, 6, 7], "hauts-de-france": [4, 5, 8, 9, 10]}

#: The demo's dossiers, by region: (structure n, title, requested €, stage). On the call open
#: today (OPEN) the stages are left where each role picks them up: the applicant's draft, filed
#: dossiers the instructors make recevable, a recevable one awaiting its rapporteurs, one in
#: instruction (reviews to write), two on the agenda of the coming committee. On the previous
#: edition (PAST) three dossiers went through the whole procedure to a closed committee
#: (reviews.demo takes each dossier from « déposé » to its stage through the services).
OPEN, PAST = "open", "past"
STORY = {
    "occitanie": {
        OPEN: [
            (1, "Résidences croisées des labels indépendants d'Occitanie", "9000", "draft"),
            (1, "Tournée coopérative des labels d'Occitanie", "12000", "submitted"),
            (2, "Coopération Garonne Productions", "8000", "submitted"),
            (3, "Festival itinérant des garrigues et des causses", "9500", "eligible"),
            (6, "Passerelles : musiques du monde entre Roussillon et Catalogne", "14000",
             "in_review"),
            (7, "Scène ouverte régionale : accompagnement de groupes émergents", "11000",
             "in_committee"),
            (2, "Tournée des cafés-cultures de Haute-Garonne", "7500", "in_committee"),
        ],
        PAST: [
            (1, "Mutualisation de la distribution numérique des labels du Midi", "10000",
             "granted"),
            (3, "Plateforme commune de billetterie des festivals héraultais", "12000",
             "granted"),
            (2, "Coproduction de spectacles jeune public", "9000", "rejected"),
        ],
    },
    "hauts-de-france": {
        OPEN: [
            (4, "Compilation des rappeurs des Hauts-de-France", "8000", "draft"),
            (4, "Studio partagé et résidences d'enregistrement à Lille", "12500", "submitted"),
            (5, "Tournée côte d'Opale : cafés-concerts et salles de proximité", "9000",
             "submitted"),
            (8, "Club des programmateurs de la métropole lilloise", "10000", "eligible"),
            (9, "Accompagnement mutualisé d'artistes émergents de l'Artois", "13000",
             "in_review"),
            (10, "Observatoire partagé de la filière en Picardie", "11000", "in_committee"),
            (8, "Résidences croisées entre salles du Nord et de Belgique", "9500",
             "in_committee"),
        ],
        PAST: [
            (4, "Distribution mutualisée des labels indépendants du Nord", "10000", "granted"),
            (9, "Parcours de professionnalisation des artistes de l'Artois", "12000", "granted"),
            (5, "Tournée des festivals de la côte d'Opale", "9000", "rejected"),
        ],
    },
}

#: The call of each part of the story (slugs of calls.demo) and when its dossiers were filed
#: (a past edition's dossiers were filed before its closing).
CALLS = {
    ("occitanie", OPEN): "cooperation-professionnelle-demo",
    ("occitanie", PAST): "cooperation-professionnelle-2024",
    ("hauts-de-france", OPEN): "cooperation-professionnelle-demo",
    ("hauts-de-france", PAST): "cooperation-professionnelle-2023",
}
#: The audit actions of filing, dated when the dossier was filed.
FILING_ACTIONS = ("applications.dossier.submitted",)
PAST_FILED = {"occitanie": (2024, 3, 1), "hauts-de-france": (2023, 9, 11)}


def _luhn_complete(digits: str) -> str:
    for last in "0123456789":
        candidate = digits + last
        total = sum((d - 9 if d > 9 else d) for d in (
            int(ch) * (2 if i % 2 else 1) for i, ch in enumerate(reversed(candidate))))
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


def demo_siret(n: int) -> str:
    siren = _luhn_complete(f"{98700000 + n:08d}")
    return _luhn_complete(f"{siren}{n:04d}")


def _structure(n, name, postal, city, activity, aesthetics):
    from .models import AnnualRevenue, PerformerLicence, Structure

    structure, _created = Structure.objects.get_or_create(siret=demo_siret(n), defaults={
        "name": name, "legal_form": "association", "address": f"{n} rue de la Musique",
        "postal_code": postal, "city": city, "creation_date": date(2017, 3, 1),
        "cnm_affiliation_number": f"CNM-DEMO-{n:04d}", "cnm_affiliation_date": date(2018, 1, 10),
        "fte_hours": Decimal("420"), "main_activity": activity, "aesthetics": aesthetics,
        "artists_count": 6, "regional_artists_count": 3})
    for year, amount in ((2021, "72000"), (2022, "88000")):
        AnnualRevenue.objects.get_or_create(structure=structure, year=year,
                                            defaults={"amount": Decimal(amount)})
    PerformerLicence.objects.get_or_create(structure=structure, category="2",
                                           defaults={"number": f"PLATESV-D-2019-{n:06d}"})
    return structure


def _fill(dossier, title: str, requested: Decimal, start: date):
    from .models import BudgetLine, Partner

    dossier.title = title
    dossier.summary = ("Projet de démonstration : résidences, tournée régionale et actions "
                       "culturelles mutualisées entre plusieurs structures du territoire.")
    dossier.start_date = start
    dossier.end_date = dossier.start_date + timedelta(days=364)
    dossier.requested_amount = requested
    dossier.save()
    if not dossier.budget_lines.exists():
        total = requested * 3
        BudgetLine.objects.bulk_create([
            BudgetLine(dossier=dossier, kind="expense", label="Cachets et salaires",
                       amount=total * Decimal("0.6"), position=0),
            BudgetLine(dossier=dossier, kind="expense", label="Transport, hébergement",
                       amount=total * Decimal("0.4"), position=1),
            BudgetLine(dossier=dossier, kind="income", source="self_financing",
                       label="Fonds propres", amount=total * Decimal("0.4"), position=2),
            BudgetLine(dossier=dossier, kind="income", source="public",
                       label="Département", amount=total - requested - total * Decimal("0.4"),
                       position=3)])
    if not dossier.partners.exists():
        Partner.objects.bulk_create([
            Partner(dossier=dossier, name="La Rampe", role="Accueil en résidence", position=0),
            Partner(dossier=dossier, name="Le Krakatoa", role="Diffusion", position=1),
            Partner(dossier=dossier, name="Radio Campus", role="Médiatisation", position=2)])


def _blank_pdf(title: str) -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _complete(dossier, user) -> None:
    """What filing requires beyond the project and the budget: every required document of
    the dossier's call, track and category (a small PDF each) and every declaration ticked,
    so that instructors can confirm the demo dossiers as recevables."""
    import hashlib

    from django.core.files.base import ContentFile

    from calls.models import DocumentRequirement, EligibilityCriterion

    from .models import Attachment

    for requirement in DocumentRequirement.objects.filter(call=dossier.call, required=True,
                                                          stage="filing"):
        if not requirement.applies_to(dossier.track_id, dossier.category_id):
            continue
        if dossier.attachments.filter(requirement=requirement).exists():
            continue
        content = _blank_pdf(requirement.label)
        attachment = Attachment(dossier=dossier, requirement=requirement,
                                original_name=f"{requirement.label[:80]}.pdf",
                                content_type="application/pdf", extension="pdf",
                                size=len(content), sha256=hashlib.sha256(content).hexdigest(),
                                uploaded_by=user)
        attachment.file.save("demo.pdf", ContentFile(content), save=False)
        attachment.save()
    dossier.declarations = sorted(
        c.pk for c in EligibilityCriterion.objects.filter(call=dossier.call, kind="declaration")
        if c.applies_to(dossier.track_id, dossier.category_id))
    dossier.save(update_fields=["declarations"])


def _demo_for(tenant, applicant, structures):
    from datetime import datetime, time

    from calls.models import Call
    from portal.formatting import PARIS
    from portal.models import AuditEvent

    from .checks import check_dossier
    from .enums import DossierStatus
    from .models import Dossier, StructureMember
    from .services import dossier_transition
    from .services.dossiers import reference_allocate

    if applicant is not None:
        StructureMember.objects.get_or_create(structure=structures[REGIONS[tenant.slug][0]],
                                              user=applicant, defaults={"role": "manager"})
    today = timezone.localdate()
    for part in (PAST, OPEN):
        call = Call.objects.filter(tenant=tenant, slug=CALLS[(tenant.slug, part)]).first()
        if call is None:
            continue
        if part == OPEN:
            filed_at, start = timezone.now(), date(today.year, 3, 1)
        else:
            filed_at = datetime.combine(date(*PAST_FILED[tenant.slug]), time(10),
                                        tzinfo=PARIS)
            start = date(filed_at.year + 1, 1, 1) if call.expenses_start is None else max(
                call.expenses_start, date(filed_at.year, 3, 1))
        track = call.tracks.first()
        category = call.categories.filter(track__isnull=True).first() or (
            call.categories.filter(track=track).first() if track else None)
        for n, title, requested, stage in STORY[tenant.slug][part]:
            dossier, created = Dossier.objects.get_or_create(
                tenant=tenant, call=call, structure=structures[n], title=title,
                defaults={"track": track, "category": category, "created_by": applicant})
            if not created:
                continue
            _fill(dossier, title, Decimal(requested), start)
            if stage == "draft":
                continue
            with transaction.atomic():
                _complete(dossier, applicant)
                check = check_dossier(dossier, now=filed_at)
                if not check.can_submit:
                    raise RuntimeError(f"demo dossier {title!r} cannot be filed: "
                                       f"{check.blocking_reasons}")
                reference = reference_allocate(dossier, filed_at)
                dossier_transition(dossier=dossier, to=DossierStatus.SUBMITTED, now=filed_at,
                                   quiet=True,  # demo data: nobody is told
                                   fields={"reference": reference,
                                           "rules_snapshot": check.snapshot,
                                           "eligibility_results": check.results_json()},
                                   data={"reference": reference,  # as dossier_submit logs it
                                         "rules_version": check.snapshot.get("rules_version")})
            AuditEvent.objects.filter(target_id=str(dossier.pk), action__in=FILING_ACTIONS,
                                      created_at__gt=filed_at).update(created_at=filed_at)


def seed() -> list[str]:
    from portal.models import Tenant, User

    logins = []
    # Tenants, users and structures are global rows; each tenant's part runs in its scope.
    tenants = list(Tenant.objects.filter(slug__in=REGIONS))
    specs = {spec[0]: spec for spec in STRUCTURES}
    for tenant in tenants:
        applicant = User.objects.filter(email=f"applicant@{tenant.slug}.demo").first()
        structures = {n: _structure(*specs[n]) for n in REGIONS[tenant.slug]}
        with scope(tenant=tenant):
            _demo_for(tenant, applicant, structures)
        if applicant is not None:
            logins.append(applicant.email)
    return logins
