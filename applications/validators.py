from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siret

from portal.geo import departement_for_postal_code


def normalize_siret(value: str) -> str:
    return "".join(ch for ch in (value or "") if ch.isdigit())


def validate_siret(value: str) -> None:
    """14 digits with a valid Luhn checksum (python-stdnum; La Poste's exception included)."""
    try:
        siret.validate(value)
    except StdnumError:
        raise ValidationError(
            _("« %(value)s » n'est pas un numéro SIRET valide (14 chiffres, clé de contrôle)."),
            params={"value": value}, code="invalid_siret") from None


def validate_postal_code(value: str) -> None:
    if departement_for_postal_code(value) is None:
        raise ValidationError(_("« %(value)s » n'est pas un code postal français connu."),
                              params={"value": value}, code="invalid_postal_code")
