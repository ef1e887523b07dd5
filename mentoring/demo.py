"""Demo data of the mentoring scheme (Occitanie: the contract with a pilot structure): the five
themes, a resource pool of 8 people, mentoring-specific demo structures and 4 open needs
from `applicant@occitanie.demo`. Idempotent (natural keys + get_or_create)."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from django_scopes import scope

from applications.models import Structure, StructureMember
from portal.enums import OrganizationKind
from portal.models import Organization, Tenant, User

from .models import Diagnosis, NeedRequest, ResourcePerson, ResourceTheme

TENANT_SLUG = "occitanie"
APPLICANT = "applicant@occitanie.demo"
PILOT = "pilot@occitanie.demo"


def _luhn(digits: str) -> str:
    for last in "0123456789":
        candidate = digits + last
        total = 0
        for i, ch in enumerate(reversed(candidate)):
            d = int(ch) * (2 if i % 2 else 1)
            total += d - 9 if d > 9 else d
        if total % 10 == 0:
            return candidate
    raise AssertionError("unreachable")


def mentoring_siret(n: int) -> str:
    """Valid SIRETs in a range of our own: a Luhn-valid SIREN 8880xxxx·, then NIC 0001·."""
    return _luhn(_luhn(f"8880{n:04d}") + "0001")


# (n, name, legal form, postal code, city, main activity, aesthetics, beneficiary?)
STRUCTURES = [
    (1, "[Démo mentorat] Collectif Garonne Sonore", "association", "31000", "Toulouse",
     "career_development", ["hip_hop", "electro"], True),
    (2, "[Démo mentorat] Label Causses & Cordes", "sarl", "12100", "Millau",
     "recorded_music", ["world", "chanson"], True),
    (3, "[Démo mentorat] Festival des Garrigues", "association", "30000", "Nîmes",
     "festival", ["rock_pop", "reggae"], False),
    (4, "[Démo mentorat] Salle La Canopée", "scic", "34000", "Montpellier",
     "venue", ["jazz", "electro", "rock_pop"], False),
    (5, "[Démo mentorat] Pyrène Production", "sas", "65000", "Tarbes",
     "live_production", ["metal", "rock_pop"], False),
]

# (first, last, job, structure n or name, dep, activity, aesthetics, themes {pos: level}, cap)
RESOURCES = [
    ("Inès", "Roux", "Directrice", 4, "34", "venue", ["jazz", "electro"], {1: 3, 3: 2}, 2),
    ("Mathieu", "Carrère", "Administrateur", 3, "30", "festival", ["rock_pop"],
     {2: 3, 3: 3}, 2),
    ("Nadia", "Benali", "Chargée de communication", 5, "65", "live_production",
     ["metal"], {4: 3}, 2),
    ("Julien", "Fabre", "Responsable RSE", "Réseau Octopus", "31", "network",
     ["hip_hop", "world"], {5: 3, 1: 1}, 3),
    ("Claire", "Vidal", "Cheffe de projet", "Le Bikini", "31", "venue", ["rock_pop", "electro"],
     {1: 2, 4: 2}, 2),
    ("Hugo", "Marty", "Label manager", "Les Disques du Lot", "46", "recorded_music",
     ["chanson", "world"], {2: 2, 4: 3}, 1),
    ("Sophie", "Garcia", "Administratrice de production", "Compagnie Tramontane", "66",
     "live_production", ["world"], {3: 3, 2: 1}, 2),
    ("Karim", "Mansouri", "Coordinateur", "Tour de Chauffe", "59", "network",
     ["hip_hop"], {5: 2, 1: 2}, 2),
]


def seed() -> list[str]:
    tenant = Tenant.objects.filter(slug=TENANT_SLUG).first()
    if tenant is None:
        return []
    with scope(tenant=tenant):
        if not Organization.objects.filter(tenant=tenant, kind=OrganizationKind.PILOT).exists():
            return []
        return _seed(tenant)


def _seed(tenant) -> list[str]:
    from .services import assignment_recompute, themes_seed_defaults

    themes = {t.position: t for t in themes_seed_defaults(tenant=tenant)}
    applicant = User.objects.filter(email=APPLICANT).first()
    structures = {}
    for n, name, legal_form, postal, city, activity, aesthetics, mine in STRUCTURES:
        structure, _ = Structure.objects.get_or_create(
            siret=mentoring_siret(n), defaults={
                "name": name, "legal_form": legal_form, "address": f"{n} place du Marché",
                "postal_code": postal, "city": city, "creation_date": date(2015, 9, 1),
                "main_activity": activity, "aesthetics": aesthetics,
                "cnm_affiliation_number": f"CNM-DEMO-M{n:03d}"})
        structures[n] = structure
        if mine and applicant is not None:
            StructureMember.objects.get_or_create(structure=structure, user=applicant,
                                                  defaults={"role": "manager"})
    today = timezone.localdate()
    for first, last, job, struct, dep, activity, aesthetics, levels, cap in RESOURCES:
        linked = structures.get(struct) if isinstance(struct, int) else None
        person, _ = ResourcePerson.objects.get_or_create(
            tenant=tenant, first_name=first, last_name=last, defaults={
                "job_title": job, "structure": linked,
                "structure_name": "" if linked else struct,
                "email": f"{first.lower()}.{last.lower()}@mentorat.demo".replace("é", "e")
                .replace("è", "e").replace("ï", "i"),
                "main_activity": activity, "aesthetics": aesthetics, "departement": dep,
                "remote_possible": True, "max_engagements_per_year": cap,
                "max_days_per_year": 8, "available_from": today - timedelta(days=30),
                "available_until": today + timedelta(days=365)})
        for position, level in levels.items():
            ResourceTheme.objects.get_or_create(resource=person, theme=themes[position],
                                                defaults={"level": level})
    if applicant is None:
        return []
    needs = [
        (1, "Léa Morel", "volunteer", "trésorière bénévole", [2],
         "Nous voulons diversifier nos financements (mécénat, financement participatif) et "
         "construire un budget prévisionnel sur trois ans.", "mentoring", None),
        (1, "Yanis Ait", "employee", "chargé de communication", [4],
         "Améliorer la visibilité de nos artistes émergents : stratégie réseaux sociaux, "
         "relations presse régionales.", "tsf", ("tsf", Decimal("2"))),
        (2, "Marion Py", "employee", "gérante", [1, 3],
         "Structurer le pilotage du label : tableaux de bord, organisation de l'équipe, "
         "répartition des rôles.", "mentoring", ("mentoring", Decimal("4"))),
        (2, "Théo Bru", "employee", "chargé de production", [5],
         "Mettre en place une démarche de tournée éco-responsable avec les lieux partenaires.",
         "unknown", None),
    ]
    for n, person, status, role, positions, description, hoped, diagnosis in needs:
        need, created = NeedRequest.objects.get_or_create(
            tenant=tenant, structure=structures[n], person_name=person, defaults={
                "submitted_by": applicant, "person_status": status, "person_role": role,
                "description": description, "hoped_format": hoped,
                "available_from": today, "available_until": today + timedelta(days=180),
                "place": structures[n].city, "remote_possible": True,
                "state": "qualified" if diagnosis else "submitted"})
        if created:
            need.themes.set([themes[p] for p in positions])
        if diagnosis and not Diagnosis.objects.filter(need=need).exists():
            pilot = User.objects.filter(email=PILOT).first()
            Diagnosis.objects.create(need=need, outcome=diagnosis[0], days=diagnosis[1],
                                     comment="Besoin bien ciblé, relève du dispositif.",
                                     diagnosed_by=pilot)
    from .models import MatchProposal

    if not MatchProposal.objects.filter(need__tenant=tenant).exists():
        assignment_recompute(tenant=tenant)  # once: a second seed changes nothing
    return [PILOT, APPLICANT]
