from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError as StdnumError


def normalize_iban(value: str) -> str:
    return stdnum_iban.compact(value or "")


def validate_iban(value: str) -> None:
    """An IBAN with a valid country format and check digits (python-stdnum)."""
    try:
        stdnum_iban.validate(value)
    except StdnumError:
        raise ValidationError(
            _("IBAN : « %(value)s » n'est pas un IBAN valide (vérifiez les chiffres et la clé, "
              "par exemple FR76 3000 6000 0112 3456 7890 189)."),
            params={"value": value}, code="invalid_iban") from None


def validate_bic(value: str) -> None:
    try:
        stdnum_bic.validate(value)
    except StdnumError:
        raise ValidationError(_("BIC : « %(value)s » n'est pas un code BIC valide (8 ou 11 "
                                "caractères, par exemple BNPAFRPP)."),
                              params={"value": value}, code="invalid_bic") from None


def format_iban(value: str) -> str:
    return stdnum_iban.format(value) if value else ""
