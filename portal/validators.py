import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

#: First URL segments used by the platform itself; a tenant may not take them as its slug.
RESERVED_SLUGS = frozenset(
    {"admin", "accounts", "platform", "plateforme", "healthz", "static", "media", "i18n",
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
