"""Checks on an uploaded file before it is stored: size (from `upload.size`, before reading),
type sniffed from the content with `filetype` (the extension is not trusted), and for PDFs
a parse with pypdf that refuses corrupted and encrypted files."""

import hashlib
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import PyPdfError

#: Aliases: what an admin may write in `allowed_formats` → the sniffed extension.
ALIASES = {"jpeg": "jpg", "tiff": "tif"}
TEXT_FORMATS = {"txt", "csv"}
SNIFF_BYTES = 8192


@dataclass(frozen=True)
class UploadInfo:
    original_name: str
    extension: str
    content_type: str
    size: int
    sha256: str


def _human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} Mo".replace(".", ",")
    return f"{max(size // 1024, 1)} Ko"


def _sniff(head: bytes, allowed: set[str]) -> tuple[str, str] | None:
    kind = filetype.guess(head)
    if kind is not None:
        return kind.extension, kind.mime
    if allowed & TEXT_FORMATS and b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return ("csv", "text/csv") if "csv" in allowed else ("txt", "text/plain")
    return None


def _check_pdf(upload) -> None:
    upload.seek(0)
    try:
        reader = PdfReader(upload, strict=True)
        if reader.is_encrypted:
            raise ValidationError(_("Ce PDF est protégé par un mot de passe (chiffré) : "
                                    "déposez une version sans protection."), code="encrypted")
        if len(reader.pages) < 1:
            raise ValidationError(_("Ce PDF ne contient aucune page."), code="corrupted")
        reader.pages[0].extract_text()
    except ValidationError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError,
            IndexError, RecursionError):
        raise ValidationError(_("Ce PDF est endommagé ou illisible : enregistrez-le à nouveau "
                                "puis déposez-le."), code="corrupted") from None


def inspect_upload(upload, *, allowed_formats: list[str], max_bytes: int) -> UploadInfo:
    """Validate `upload` (a Django UploadedFile); raise ValidationError on "file" with the
    reason. Returns what we keep about it (name, sniffed type, size, SHA-256)."""
    allowed = {ALIASES.get(f.lower().lstrip("."), f.lower().lstrip("."))
               for f in allowed_formats}
    name = PurePath(upload.name or "document").name
    if upload.size > max_bytes:
        raise ValidationError({"file": _("Le fichier « %(name)s » est trop volumineux "
                                         "(%(size)s) : %(max)s au maximum.")
                               % {"name": name, "size": _human_size(upload.size),
                                  "max": _human_size(max_bytes)}})
    if upload.size == 0:
        raise ValidationError({"file": _("Le fichier « %(name)s » est vide.") % {"name": name}})
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    sniffed = _sniff(head, allowed)
    if sniffed is None or sniffed[0] not in allowed:
        found = sniffed[0].upper() if sniffed else _("inconnu")
        raise ValidationError({"file": _("Le contenu de « %(name)s » n'est pas d'un format "
                                         "accepté (format détecté : %(found)s ; accepté(s) : "
                                         "%(allowed)s).")
                               % {"name": name, "found": found,
                                  "allowed": ", ".join(sorted(f.upper() for f in allowed))}})
    extension, mime = sniffed
    if extension == "pdf":
        try:
            _check_pdf(upload)
        except ValidationError as exc:
            raise ValidationError({"file": exc.messages}) from None
    upload.seek(0)
    digest = hashlib.sha256()
    size = 0
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    stem = PurePath(name).stem or "document"
    return UploadInfo(original_name=f"{stem}.{extension}", extension=extension,
                      content_type=mime, size=size, sha256=digest.hexdigest())
