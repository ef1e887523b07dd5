"""Checks shared by the models' clean(), the forms and the services."""

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

PERCENT_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]
MONEY_VALIDATORS = [MinValueValidator(Decimal("0"))]

#: Words of the calls' URLs (`/<tenant>/appels/<slug>/`) that a call may not take as its slug.
RESERVED_CALL_SLUGS = frozenset({"calendrier", "calendrier-ics", "nouveau", "flux"})


def validate_call_slug(value: str) -> None:
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", value or ""):
        raise ValidationError(
            _("Lettres minuscules, chiffres et tirets uniquement (ex. : cooperation-2024)."),
            code="invalid")
    if value in RESERVED_CALL_SLUGS:
        raise ValidationError(_("« %(slug)s » est réservé."), params={"slug": value},
                              code="reserved")


def validate_reference_code(value: str) -> None:
    if not re.fullmatch(r"[A-Z0-9]{2,12}", value or ""):
        raise ValidationError(
            _("De 2 à 12 lettres majuscules ou chiffres (ex. : COOP, STRUCT)."), code="invalid")


def validate_file_extension_list(values) -> None:
    for value in values or []:
        if not re.fullmatch(r"[a-z0-9]{1,10}", value):
            raise ValidationError(
                _("« %(ext)s » n'est pas une extension de fichier (ex. : pdf, xlsx)."),
                params={"ext": value}, code="invalid")


#: What an admin may write in a document requirement's formats → the extension the upload
#: check (`applications.uploads`, content sniffed with `filetype`) reports.
FORMAT_ALIASES = {"jpeg": "jpg", "tiff": "tif"}
#: Formats recognised without a signature (UTF-8 text with no NUL byte).
TEXT_FORMATS = frozenset({"txt", "csv"})


def detectable_formats() -> frozenset[str]:
    """Every format the upload check can recognise from a file's content: a format outside
    this set could never be accepted, whatever the applicant sends."""
    import filetype

    return frozenset({t.extension.lower() for t in filetype.TYPES}
                     | TEXT_FORMATS | set(FORMAT_ALIASES))


def validate_document_formats(formats: list[str]) -> None:
    unknown = [f for f in formats if f not in detectable_formats()]
    if unknown:
        raise ValidationError(
            _("Format(s) non reconnu(s) par la vérification des fichiers : %(unknown)s. "
              "Formats possibles, entre autres : pdf, docx, xlsx, odt, ods, jpg, png, csv, "
              "txt, zip."),
            code="unknown_format", params={"unknown": ", ".join(unknown)})
