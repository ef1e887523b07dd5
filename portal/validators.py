import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

#: First URL segments used by the platform itself; a tenant may not take them as its slug.
RESERVED_SLUGS = frozenset(
    {"admin", "accounts", "platform", "plateforme", "national", "healthz", "static", "media", "i18n",
     "jsi18n", "my", "mes-espaces", "api", "favicon.ico", "robots.txt", "invitations",
     "structures", "ping", "mentions-legales", "accessibilite", "donnees-personnelles"}
)

# INSEE codes of the 18 French regions (metropolitan and overseas).
INSEE_REGION_CODES = {
    "01": "Guadeloupe", "02": "Martinique", "03": "Guyane", "04": "La Réunion", "06": "Mayotte",
    "11": "Île-de-France", "24": "Centre-Val de Loire", "27": "Bourgogne-Franche-Comté",
    "28": "Normandie", "32": "Hauts-de-France", "44": "Grand Est", "52": "Pays de la Loire",
    "53": "Bretagne", "75": "Nouvelle-Aquitaine", "76": "Occitanie",
    "84": "Auvergne-Rhône-Alpes", "93": "Provence-Alpes-Côte d'Azur", "94": "Corse",
}

#: The administrative court of each region's chef-lieu (seat of the préfet de région, hence of
#: the DRAC): named in the letters' legal remedies unless the tenant admin names another.
REGION_TRIBUNALS = {
    "01": "tribunal administratif de la Guadeloupe", "02": "tribunal administratif de la Martinique",
    "03": "tribunal administratif de la Guyane", "04": "tribunal administratif de La Réunion",
    "06": "tribunal administratif de Mayotte", "11": "tribunal administratif de Paris",
    "24": "tribunal administratif d'Orléans", "27": "tribunal administratif de Dijon",
    "28": "tribunal administratif de Rouen", "32": "tribunal administratif de Lille",
    "44": "tribunal administratif de Strasbourg", "52": "tribunal administratif de Nantes",
    "53": "tribunal administratif de Rennes", "75": "tribunal administratif de Bordeaux",
    "76": "tribunal administratif de Toulouse", "84": "tribunal administratif de Lyon",
    "93": "tribunal administratif de Marseille", "94": "tribunal administratif de Bastia",
}


def validate_tenant_slug(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(_("« %(slug)s » est réservé par la plateforme."),
                              params={"slug": value}, code="reserved")
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", value):
        raise ValidationError(
            _("Lettres minuscules, chiffres et tirets uniquement (ex. : hauts-de-france)."),
            code="invalid")


def validate_insee_region(value: str) -> None:
    if value not in INSEE_REGION_CODES:
        raise ValidationError(_("« %(code)s » n'est pas un code INSEE de région."),
                              params={"code": value}, code="invalid")


#: Regions by name, for the choice lists (the admin picks "Pays de la Loire", never "52").
REGION_NAME_CHOICES = sorted(((code, name) for code, name in INSEE_REGION_CODES.items()),
                             key=lambda item: item[1].replace("Î", "I"))


def validate_reference_prefix(value: str) -> None:
    if not re.fullmatch(r"[A-Z0-9]{2,6}", value or ""):
        raise ValidationError(_("De 2 à 6 lettres majuscules ou chiffres (ex. : PDL, OCC, HDF)."),
                              code="invalid")
