"""Demo data of the portal app: the two regional contracts of the seeds, their bodies,
signatories and one account per role. Idempotent: natural keys + update_or_create."""

from datetime import date
from decimal import Decimal

from allauth.account.models import EmailAddress
from django_scopes import scope

from .enums import OrganizationKind as K
from .enums import Role
from .models import Membership, Organization, Signatory, Tenant, User

DEMO_PASSWORD = "filiere-demo-2026"

TENANTS = [
    {
        "slug": "hauts-de-france",
        "name": "Hauts-de-France",
        "region_code": "32",
        "reference_prefix": "HDF",
        "contract_title": "Contrat de filière musiques actuelles Hauts-de-France 2023-2026",
        "contract_start": date(2023, 1, 1),
        "contract_end": date(2026, 12, 31),
        "envelope": Decimal("210000.00"),
        "letter_place": "Lille",
        "service_name": "Direction régionale des affaires culturelles — pôle création",
        "service_email": "filiere-musiques@hauts-de-france.demo",
        "tribunal_address": "5 rue Geoffroy Saint-Hilaire, CS 62039, 59014 Lille Cedex",
        "description": (
            "Signé le 21 juillet 2023 à Aulnoye-Aymeries par l'État, le Centre national de la "
            "musique et la Région Hauts-de-France, en concertation avec le réseau "
            "« Haute-Fidélité ». Il consacre 210 000 euros à des mesures dédiées à la filière."),
        "organizations": [
            ("DRAC Hauts-de-France", K.DRAC),
            ("Centre national de la musique", K.CNM),
            ("Région Hauts-de-France", K.REGION),
            ("Haute-Fidélité", K.NETWORK),
        ],
        "signatories": [
            ("DRAC Hauts-de-France", "Georges-François Leclerc",
             "Préfet de la région Hauts-de-France"),
            ("Centre national de la musique", "Romain Laleix",
             "Directeur général délégué du Centre national de la musique"),
            ("Région Hauts-de-France", "Xavier Bertrand",
             "Président de la Région Hauts-de-France"),
        ],
    },
    {
        "slug": "occitanie",
        "name": "Occitanie / Pyrénées-Méditerranée",
        "region_code": "76",
        "reference_prefix": "OCC",
        "contract_title": "Contrat de filière Musiques actuelles et Variétés Occitanie",
        "contract_start": date(2024, 1, 1),
        "contract_end": date(2027, 12, 31),
        # Not stated in the seed documents: the sum of the demo calls' envelopes (calls.demo).
        "envelope": Decimal("400000.00"),
        "letter_place": "Toulouse",
        "service_name": "Direction régionale des affaires culturelles — pôle création",
        "service_email": "filiere-musiques@occitanie.demo",
        "tribunal_address": "68 rue Raymond IV, BP 7007, 31068 Toulouse Cedex 07",
        "description": (
            "Appels à projets de coopération professionnelle et de structuration des entreprises "
            "de production indépendantes, et dispositif d'accompagnement « Transfert de "
            "savoir-faire / Mentorat » (webinaire d'information du 1er février 2024)."),
        "organizations": [
            ("DRAC Occitanie", K.DRAC),
            ("Centre national de la musique", K.CNM),
            ("Région Occitanie / Pyrénées-Méditerranée", K.REGION),
            ("Structure pilote TSF / Mentorat", K.PILOT),
        ],
        "signatories": [
            ("DRAC Occitanie", "Pierre-André Durand", "Préfet de la région Occitanie"),
            ("Centre national de la musique", "Romain Laleix",
             "Directeur général délégué du Centre national de la musique"),
            ("Région Occitanie / Pyrénées-Méditerranée", "Carole Delga",
             "Présidente de la Région Occitanie / Pyrénées-Méditerranée"),
        ],
    },
]

# (local part, role, organization kind)
STAFF_ACCOUNTS = [
    ("admin", Role.ADMIN, None),
    ("instructor-drac", Role.INSTRUCTOR, K.DRAC),
    ("instructor-cnm", Role.INSTRUCTOR, K.CNM),
    ("instructor-region", Role.INSTRUCTOR, K.REGION),
    ("committee-drac", Role.COMMITTEE, K.DRAC),
    ("committee-cnm", Role.COMMITTEE, K.CNM),
    ("committee-region", Role.COMMITTEE, K.REGION),
    ("pilot", Role.PILOT, K.PILOT),
]

PLATFORM_ADMIN_EMAIL = "admin@plateforme.demo"

#: Fictitious people of the demo (first name, last name, function), by account and region,
#: so that member lists, minutes and decisions show names rather than addresses.
DEMO_PEOPLE = {
    "hauts-de-france": {
        "admin": ("Claire", "Vandamme", "Coordinatrice du contrat de filière"),
        "instructor-drac": ("Hugo", "Lefebvre", "Conseiller musique et danse"),
        "instructor-cnm": ("Nadia", "Benali", "Chargée des aides territoriales"),
        "instructor-region": ("Julien", "Dewailly", "Chargé de mission musiques actuelles"),
        "committee-drac": ("Martine", "Courtois", "Directrice adjointe"),
        "committee-cnm": ("Antoine", "Roussel", "Responsable des aides territoriales"),
        "committee-region": ("Sophie", "Delattre", "Directrice de la culture"),
        "applicant": ("Léa", "Maréchal", ""),
    },
    "occitanie": {
        "admin": ("Inès", "Castan", "Coordinatrice du contrat de filière"),
        "instructor-drac": ("Mathieu", "Carrère", "Conseiller musiques actuelles"),
        "instructor-cnm": ("Élodie", "Vidal", "Chargée des aides territoriales"),
        "instructor-region": ("Karim", "Mansouri", "Chargé de mission musiques actuelles"),
        "committee-drac": ("Anne", "Fabre", "Directrice régionale adjointe"),
        "committee-cnm": ("Thomas", "Garcia", "Responsable des aides territoriales"),
        "committee-region": ("Margaux", "Py", "Vice-présidente en charge de la culture"),
        "pilot": ("Louis", "Marty", "Chargé d'accompagnement TSF / Mentorat"),
        "applicant": ("Jean-Noël", "Ébrard", ""),
    },
}


def demo_user(email: str, *, superuser: bool = False, first_name: str = "",
              last_name: str = "") -> User:
    user, created = User.objects.get_or_create(
        email=email, defaults={"first_name": first_name, "last_name": last_name,
                               "is_superuser": superuser, "is_staff": superuser})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    elif first_name and not user.has_name:  # a demo database from before names existed
        user.first_name, user.last_name = first_name, last_name
        user.save(update_fields=["first_name", "last_name"])
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def seed() -> list[str]:
    """Create or update the demo rows; return the demo logins. Tenants and users are global
    rows; each tenant's organisations, signatories and memberships are written in its scope."""
    logins = [PLATFORM_ADMIN_EMAIL]
    demo_user(PLATFORM_ADMIN_EMAIL, superuser=True, first_name="Opératrice", last_name="Plateforme")
    for spec in TENANTS:
        fields = {k: v for k, v in spec.items()
                  if k not in ("slug", "organizations", "signatories")}
        tenant, _ = Tenant.objects.update_or_create(slug=spec["slug"], defaults=fields)
        with scope(tenant=tenant):
            logins += _seed_tenant(tenant, spec)
    return logins


def _seed_tenant(tenant, spec) -> list[str]:
    logins = []
    orgs = {}
    for name, kind in spec["organizations"]:
        orgs[name], _ = Organization.objects.update_or_create(
            tenant=tenant, name=name, defaults={"kind": kind})
    for position, (org_name, person, title) in enumerate(spec["signatories"]):
        Signatory.objects.update_or_create(
            tenant=tenant, organization=orgs[org_name], position=position,
            defaults={"person_name": person, "title": title})
    by_kind = {org.kind: org for org in orgs.values()}
    for local, role, kind in STAFF_ACCOUNTS:
        if kind is not None and kind not in by_kind:
            continue  # e.g. no pilot structure in this contract
        email = f"{local}@{tenant.slug}.demo"
        first, last, function = DEMO_PEOPLE.get(tenant.slug, {}).get(local, ("", "", ""))
        user = demo_user(email, first_name=first, last_name=last)
        Membership.objects.update_or_create(
            user=user, tenant=tenant, role=role,
            defaults={"organization": by_kind.get(kind) if kind else None,
                      "title": function})
        logins.append(email)
    logins.append(f"applicant@{tenant.slug}.demo")
    first, last, _function = DEMO_PEOPLE.get(tenant.slug, {}).get("applicant", ("", "", ""))
    demo_user(f"applicant@{tenant.slug}.demo", first_name=first, last_name=last)
    return logins
