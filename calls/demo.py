"""Demo calls, with every number from the seed documents (../shared/seeds/000 and 001):
Occitanie 2024 (coopération professionnelle; structuration des entreprises de production
indépendantes) and Hauts-de-France 2023 (coopération professionnelle; développement de
carrières d'artistes, open until 18 September 2023 inclusive), plus one call open now so the
demo can file. Idempotent: natural keys + update_or_create (ids stay stable)."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal as D

from django.utils import timezone
from django_scopes import scope

from portal.formatting import PARIS
from portal.models import Tenant

from .enums import CallStatus
from .models import (AppraisalCriterion, Call, Category, DocumentRequirement,
                     EligibilityCriterion, Track)
from .versioning import record_rules_version

END = time(23, 59, 59)


def _paris(day: date, at: time = time(0)) -> datetime:
    return datetime.combine(day, at).replace(tzinfo=PARIS)


# Criterion shorthands: ("check", label, field, parameter, operator, value, severity, message)
def chk(label, field, op, value=None, *, parameter="", warning=False, message=""):
    return {"kind": "check", "label": label, "field": field, "parameter": parameter,
            "operator": op, "value": value, "severity": "warning" if warning else "blocking",
            "message": message}


def decl(label, *, warning=False):
    return {"kind": "declaration", "label": label, "field": "", "parameter": "",
            "operator": "", "value": None, "severity": "warning" if warning else "blocking",
            "message": ""}


def doc(label, help_text="", formats=("pdf",), required=True, size=10):
    return {"label": label, "help_text": help_text, "allowed_formats": list(formats),
            "required": required, "max_size_mb": size}


def appraisal(label, help_text="", weight=D("1"), scale=5):
    return {"label": label, "help_text": help_text, "weight": weight, "scale_max": scale}


OCC_TRACKS = ["Volet spectacle vivant", "Volet musiques enregistrées", "Volet musique à l'image"]

COOP_DESCRIPTION = """<p>Un espace d'expérimentation et d'apprentissage mutuel pour coconcevoir des
projets : pour un soutien à l'ancrage de projets culturels de proximité au service d'un
territoire et de ses habitant·e·s.</p>
<p>L'appel encourage les coopérations professionnelles qui développent un projet commun ayant un
impact favorable et durable sur l'écosystème musical, et agissent selon des principes de
responsabilité sociétale, de développement économique et territorial, de rééquilibrage de
l'offre culturelle et de diversité.</p>
<p>Coopération d'une diversité d'acteurs : chef de file appartenant à la filière Musiques
actuelles et autres acteurs issus ou non du milieu culturel. Dépenses directement liées à la
réalisation de l'action.</p>
<h3>Structures non éligibles</h3>
<ul><li>Producteurs de spectacles, sauf sur des territoires où aucun autre porteur de projet ne
peut être identifié, et à condition que la production de spectacles ne représente pas
l'activité principale du projet.</li>
<li>Structures déposant une demande à l'AAP « aide à la structuration des entreprises de
production ».</li></ul>
<p>Procédure : créer un compte sur Mon Espace CNM et s'affilier au CNM (3 semaines de délai),
déposer avant la date limite. Aucune demande hors délais ne pourra être saisie et aucune
demande reçue par mail ne sera traitée.</p>"""

COOP_CRITERIA = [
    chk("Affiliation au CNM", "structure.cnm_affiliated", "is_true",
        message="La structure doit être affiliée au CNM (comptez 3 semaines de délai)."),
    decl("Je certifie que la structure est à jour du paiement de ses taxes."),
    chk("24 mois d'activité antérieure", "structure.months_of_activity", "gte", 24),
    chk("Siège social ou activité en Occitanie", "structure.seat_region", "eq", "76",
        warning=True, message="Siège social hors Occitanie : l'activité en Occitanie sera "
                              "vérifiée lors de l'instruction."),
    chk("Licence(s) d'entrepreneur de spectacles", "structure.licence_categories",
        "contains_any", ["1", "2", "3"]),
    decl("La structure a une activité significative dans les Musiques actuelles en Occitanie."),
    chk("Bilan des précédentes aides transmis", "structure.previous_reports_sent", "is_true",
        message="Un bilan final d'une aide précédente de ce contrat est en retard : déposez-le "
                "avant de demander une nouvelle aide."),
    chk("Producteurs de spectacles : seulement sans autre porteur sur le territoire",
        "structure.main_activity", "ne", "live_production", warning=True,
        message="Les producteurs de spectacles ne sont éligibles que sur des territoires où "
                "aucun autre porteur de projet ne peut être identifié, et si la production de "
                "spectacles n'est pas l'activité principale du projet."),
    decl("La structure ne dépose pas de demande à l'AAP « aide à la structuration des "
         "entreprises de production »."),
    chk("Le candidat apporte au moins 30 % du financement global", "dossier.self_financing_share",
        "gte", "30"),
]

COOP_CATEGORIES = [
    {"title": "Catégorie 1 : Expérimentation",
     "description": "Coopération à petite échelle, sur 1 ou 2 ans, avec 2 acteurs minimum.",
     "amount_min": D("5000"), "amount_max": D("15000"), "min_partners": 2,
     "duration_months_min": 12, "duration_months_max": 24,
     "criteria": [chk("Au moins 2 acteurs", "dossier.partner_count", "gte", 2),
                  chk("Aide demandée entre 5 000 € et 15 000 €", "dossier.requested_amount",
                      "between", ["5000", "15000"])]},
    {"title": "Catégorie 2 : Coopération renforcée",
     "description": "Vision à moyen terme, avec 3 acteurs minimum.",
     "amount_min": D("15000"), "amount_max": D("25000"), "min_partners": 3,
     "criteria": [chk("Au moins 3 acteurs", "dossier.partner_count", "gte", 3),
                  chk("Aide demandée entre 15 000 € et 25 000 €", "dossier.requested_amount",
                      "between", ["15000", "25000"])]},
]

COOP_DOCUMENTS = [
    doc("Formulaire de candidature complété",
        "Le formulaire téléchargé, complété puis téléversé.", ("pdf", "docx", "odt")),
    doc("Budget prévisionnel global du projet",
        "Faisant apparaître l'apport du candidat (au moins 30 % du financement global).",
        ("pdf", "xlsx", "ods")),
]

COOP_APPRAISAL = [
    appraisal("Impact favorable et durable sur l'écosystème musical"),
    appraisal("Responsabilité sociétale"),
    appraisal("Développement économique et territorial"),
    appraisal("Rééquilibrage de l'offre culturelle et diversité"),
    appraisal("Diversité des acteurs de la coopération",
              "Chef de file de la filière Musiques actuelles et autres acteurs, issus ou non du "
              "milieu culturel."),
]

STRUCT_DESCRIPTION = """<p>Aide à la structuration et à la consolidation des entreprises de
production indépendantes des musiques actuelles en Région Occitanie / Pyrénées-Méditerranée.</p>
<ul><li>Accompagner un projet de développement, des moyens en ressources humaines et des
objectifs logistiques.</li>
<li>Aider à la professionnalisation des structures et à la montée en compétence de leurs
personnels.</li>
<li>La demande doit porter sur le projet stratégique global de l'entreprise et non sur un projet
artistique particulier.</li></ul>"""

STRUCT_COMMON = [
    chk("Affiliation au CNM", "structure.cnm_affiliated", "is_true"),
    chk("24 mois d'activité antérieure", "structure.months_of_activity", "gte", 24),
    chk("Chiffre d'affaires 2021 inférieur à 100 000 €", "structure.revenue", "lt", "100000",
        parameter="2021"),
    chk("Chiffre d'affaires 2022 inférieur à 100 000 €", "structure.revenue", "lt", "100000",
        parameter="2022"),
    chk("Au moins 0,20 ETP (320 heures tous régimes confondus) hors emplois artistiques et "
        "techniques", "structure.fte_hours", "gte", "320"),
    chk("Siège social ou activité en Occitanie", "structure.seat_region", "eq", "76",
        warning=True, message="Siège social hors Occitanie : l'activité en Occitanie sera "
                              "vérifiée lors de l'instruction."),
    chk("Produire plusieurs artistes", "structure.artists_count", "gte", 2),
    chk("Dont au moins 1 artiste établi·e en Occitanie", "structure.regional_artists_count",
        "gte", 1),
    chk("Aide dans la limite de 50 % du budget de l'action",
        "dossier.requested_share_of_budget", "lte", "50"),
    chk("Aide demandée entre 10 000 € et 20 000 €", "dossier.requested_amount", "between",
        ["10000", "20000"]),
]

STRUCT_TRACK_CRITERIA = {
    "Volet spectacle vivant": [
        chk("Activité principale de production de spectacle vivant", "structure.main_activity",
            "eq", "live_production"),
        chk("Licences 2 et 3 valides", "structure.licence_categories", "contains_all",
            ["2", "3"]),
        decl("La structure respecte les conventions collectives."),
        decl("La structure est à jour du paiement de ses taxes."),
    ],
    "Volet musiques enregistrées": [
        chk("Activité de label indépendant de production et/ou d'édition phonographique",
            "structure.main_activity", "in", ["publishing", "recorded_music"]),
        decl("La structure n'est pas majoritairement détenue par une major."),
        decl("La structure développe un catalogue d'artistes avec au moins 1 artiste en "
             "Occitanie."),
        decl("La structure dispose d'un contrat de distribution."),
        decl("Le catalogue compte 2 références minimum."),
        decl("La structure est membre d'une société civile (SPPF, SCPP)."),
    ],
    "Volet musique à l'image": [
        decl("La structure a produit au minimum 5 vidéos musicales."),
        decl("La structure a la capacité de diffuser les œuvres produites dans un cadre "
             "professionnel."),
        decl("La structure a la capacité d'employer les artistes concerné·e·s."),
        decl("La structure prend en charge les frais de production audiovisuelle."),
        decl("La structure engage au moins 50 % des coûts de réalisation dans l'un des pays de "
             "l'Union européenne."),
    ],
}

STRUCT_DOCUMENTS = [
    doc("Diagnostic des forces et faiblesses du fonctionnement de la structure"),
    doc("Stratégie de consolidation ou de développement",
        "Avec les moyens à mettre en œuvre."),
    doc("Budget global de la structure", formats=("pdf", "xlsx", "ods")),
    doc("Budget spécifique à l'action de structuration", formats=("pdf", "xlsx", "ods")),
]

STRUCT_APPRAISAL = [
    appraisal("Projet de développement, moyens en ressources humaines et objectifs logistiques"),
    appraisal("Professionnalisation de la structure et montée en compétence des personnels"),
    appraisal("Projet stratégique global de l'entreprise",
              "La demande porte sur le projet stratégique global de l'entreprise et non sur un "
              "projet artistique particulier."),
]

HDF_INSTRUCTION = ("<p>Les candidatures font l'objet d'une instruction commune du CNM, de la "
                   "DRAC Hauts-de-France et de la Région Hauts-de-France. Le règlement complet "
                   "et les modalités de candidature sont disponibles sur le site du CNM : "
                   '<a href="https://cnm.fr/aides/les-aides-territoriales/hauts-de-france/">'
                   "cnm.fr/aides/les-aides-territoriales/hauts-de-france</a>.</p>")

FUNDERS = ["drac", "cnm", "region"]

OCC_2024 = {"opens_at": _paris(date(2024, 2, 1)), "closes_at": _paris(date(2024, 3, 7), END),
            "committee_label": "fin avril 2024", "funders": FUNDERS}
HDF_2023 = {"opens_at": _paris(date(2023, 7, 21)), "closes_at": _paris(date(2023, 9, 18), END),
            "funders": FUNDERS}

# Envelopes. Hauts-de-France: the seed (000) gives the contract's 210 000 € for 2023-2026; its
# calls share it (2023 edition, and the edition open in the demo). Occitanie: the seeds give
# each call's bounds per dossier (5 000 € – 25 000 €, 10 000 € – 20 000 €) but not the pot;
# the demo's envelopes are sized on them (ten to fifteen grants per call) and their sum is the
# contract's (the Occitanie tenant's envelope in portal.demo).
ENVELOPES = {
    ("occitanie", "cooperation-professionnelle-2024"): D("150000"),
    ("occitanie", "structuration-production-2024"): D("100000"),
    ("occitanie", "cooperation-professionnelle-demo"): D("150000"),
    ("hauts-de-france", "cooperation-professionnelle-2023"): D("60000"),
    ("hauts-de-france", "developpement-carrieres-2023"): D("45000"),
    ("hauts-de-france", "cooperation-professionnelle-demo"): D("60000"),
}

HDF_CRITERIA = [
    chk("Siège social ou activité dans les Hauts-de-France", "structure.seat_region", "eq", "32",
        warning=True, message="Siège social hors Hauts-de-France : l'activité dans la région sera "
                              "vérifiée lors de l'instruction."),
    chk("Affiliation au CNM", "structure.cnm_affiliated", "is_true",
        message="La structure doit être affiliée au CNM (comptez 3 semaines de délai)."),
    decl("Je certifie que la structure est à jour du paiement de ses taxes et cotisations."),
]

HDF_DOCUMENTS = [
    doc("Note de présentation du projet de coopération", formats=("pdf", "docx", "odt")),
    doc("Budget prévisionnel du projet", formats=("pdf", "xlsx", "ods")),
]


def _calls(today: date) -> dict[str, list[dict]]:
    coop_2024 = {
        **OCC_2024, "slug": "cooperation-professionnelle-2024", "reference_code": "COOP",
        "title": "Aide aux projets de coopération professionnelle",
        "summary": "Volets spectacle vivant, musiques enregistrées et musique à l'image ; "
                   "de 5 000 € à 25 000 €.",
        "description": COOP_DESCRIPTION, "status": CallStatus.CLOSED,
        "expenses_start": date(2024, 1, 1), "expenses_end": date(2025, 12, 31),
        "min_self_financing_share": D("30"), "advance_percentage": D("80"),
        # « Avance de 80 % puis solde ou réévaluation au bilan » (seed 001); the report's delay
        # is not in the seed: the 3 months of the call's regulation template.
        "advance_paid_on": "notification", "balance_paid_on": "report_accepted",
        "report_due_months": 3,
        "tracks": [{"title": t} for t in OCC_TRACKS], "categories": COOP_CATEGORIES,
        "criteria": COOP_CRITERIA, "documents": COOP_DOCUMENTS, "appraisal": COOP_APPRAISAL}
    struct_2024 = {
        **OCC_2024, "slug": "structuration-production-2024", "reference_code": "STRUCT",
        "title": "Aide à la structuration et à la consolidation des entreprises de production "
                 "indépendantes",
        "summary": "Entre 10 000 € et 20 000 € dans la limite de 50 % du budget de l'action.",
        "description": STRUCT_DESCRIPTION, "status": CallStatus.CLOSED,
        "amount_min": D("10000"), "amount_max": D("20000"), "max_share_of_budget": D("50"),
        "advance_percentage": D("70"),
        # « Avance de 70 % puis solde au bilan » (seed 001)
        "advance_paid_on": "notification", "balance_paid_on": "final_report",
        "report_due_months": 3,
        "tracks": [{"title": t, "criteria": STRUCT_TRACK_CRITERIA[t]} for t in OCC_TRACKS],
        "criteria": STRUCT_COMMON, "documents": STRUCT_DOCUMENTS, "appraisal": STRUCT_APPRAISAL}
    open_demo = {
        **coop_2024, "slug": "cooperation-professionnelle-demo",
        "title": "Aide aux projets de coopération professionnelle (démonstration, ouvert)",
        "summary": "Appel de démonstration ouvert aujourd'hui, aux règles de l'édition 2024.",
        "status": CallStatus.PUBLISHED,
        "opens_at": _paris(today - timedelta(days=14)),
        "closes_at": _paris(today + timedelta(days=30), END),
        "committee_date": today + timedelta(days=75), "committee_label": "",
        "expenses_start": date(today.year, 1, 1), "expenses_end": date(today.year + 1, 12, 31)}
    hdf_coop = {
        **HDF_2023, "slug": "cooperation-professionnelle-2023", "reference_code": "COOP",
        "title": "Aide aux projets de coopération professionnelle",
        "summary": "Candidatures ouvertes jusqu'au 18 septembre 2023 inclus.",
        "description": HDF_INSTRUCTION, "status": CallStatus.CLOSED,
        "tracks": [{"title": "Projets de coopération professionnelle"}],
        "criteria": HDF_CRITERIA, "documents": HDF_DOCUMENTS, "appraisal": COOP_APPRAISAL}
    hdf_open = {
        **hdf_coop, "slug": "cooperation-professionnelle-demo",
        "title": "Aide aux projets de coopération professionnelle (démonstration, ouvert)",
        "summary": "Appel de démonstration ouvert aujourd'hui, aux règles de l'édition 2023.",
        "status": CallStatus.PUBLISHED,
        "opens_at": _paris(today - timedelta(days=14)),
        "closes_at": _paris(today + timedelta(days=30), END),
        "committee_date": today + timedelta(days=75),
        "expenses_start": date(today.year, 1, 1), "expenses_end": date(today.year + 1, 12, 31)}
    hdf_careers = {
        **HDF_2023, "slug": "developpement-carrieres-2023", "reference_code": "CARR",
        "title": "Soutien aux structures de développement de carrières d'artistes du secteur "
                 "des musiques actuelles",
        "summary": "Candidatures ouvertes jusqu'au 18 septembre 2023 inclus.",
        "description": HDF_INSTRUCTION, "status": CallStatus.CLOSED,
        "tracks": [{"title": "Structures de développement de carrières d'artistes"}],
        "criteria": [chk("Activité principale de développement de carrières d'artistes",
                         "structure.main_activity", "eq", "career_development", warning=True)],
        "appraisal": COOP_APPRAISAL}
    return {"occitanie": [coop_2024, struct_2024, open_demo],
            "hauts-de-france": [hdf_coop, hdf_careers, hdf_open]}


CHILD_KEYS = ("tracks", "categories", "criteria", "documents", "appraisal")


def _save(model, lookup: dict, fields: dict):
    obj = model.objects.filter(**lookup).first() or model(**lookup)
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    return obj


def _items(call, specs, *, track=None, category=None):
    for position, spec in enumerate(specs or []):
        _save(EligibilityCriterion, {"call": call, "track": track, "category": category,
                                     "label": spec["label"]}, {**spec, "position": position})


def _upsert_call(tenant, spec: dict) -> Call:
    fields = {k: v for k, v in spec.items() if k not in CHILD_KEYS and k != "slug"}
    call = _save(Call, {"tenant": tenant, "slug": spec["slug"]}, fields)
    for position, track_spec in enumerate(spec.get("tracks", [])):
        track = _save(Track, {"call": call, "title": track_spec["title"]},
                      {"position": position,
                       **{k: v for k, v in track_spec.items() if k not in ("title", "criteria")}})
        _items(call, track_spec.get("criteria"), track=track)
    for position, cat_spec in enumerate(spec.get("categories", [])):
        category = _save(Category, {"call": call, "track": None, "title": cat_spec["title"]},
                         {"position": position,
                          **{k: v for k, v in cat_spec.items()
                             if k not in ("title", "criteria")}})
        _items(call, cat_spec.get("criteria"), category=category)
    _items(call, spec.get("criteria"))
    for position, d in enumerate(spec.get("documents", [])):
        _save(DocumentRequirement, {"call": call, "track": None, "category": None,
                                    "label": d["label"]}, {**d, "position": position})
    for position, a in enumerate(spec.get("appraisal", [])):
        _save(AppraisalCriterion, {"call": call, "track": None, "category": None,
                                   "label": a["label"]}, {**a, "position": position})
    if call.status != CallStatus.DRAFT:
        if call.published_at is None:
            call.published_at = call.opens_at or timezone.now()
            call.save(update_fields=["published_at"])
        record_rules_version(call)
    return call


def seed() -> list[str]:
    today = timezone.localdate(timezone=PARIS)
    for slug, specs in _calls(today).items():
        tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None:
            continue
        with scope(tenant=tenant):
            for spec in specs:
                _upsert_call(tenant, {**spec, "envelope": ENVELOPES.get((slug, spec["slug"]))})
    return []
