"""Checks on an uploaded file before it is stored: size (from `upload.size`, before reading),
type sniffed from the content with `filetype` (the extension is not trusted); for PDFs a parse
with pypdf that refuses corrupted and encrypted files and those carrying active content
(JavaScript, launch actions), embedded files or an XFA form with scripts (a fillable form
without script passes); for Office and OpenDocument files (zip archives) a read of the archive
that refuses broken ones, bombs (entries, uncompressed size, ratio bounded) and macros (VBA
projects, macro-enabled types, Excel 4.0 macro sheets, OpenDocument Basic and scripts); a zip
upload holding another archive is refused, the documents it holds are checked in turn.

`SizeLimitUploadHandler` caps a request's files while Django parses the body, so that an
oversized file is never written whole to a temporary file; `inspect_upload` then re-checks
the size of what was received."""

import hashlib
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from calls.validators import FORMAT_ALIASES, TEXT_FORMATS

#: Aliases: what an admin may write in `allowed_formats` → the sniffed extension (the
#: list of formats an admin may choose is checked against the same definitions).
ALIASES = FORMAT_ALIASES
SNIFF_BYTES = 8192
#: Attachment.original_name's length.
ORIGINAL_NAME_MAX = 255

#: PDF actions that run something when the file is opened or used: refused.
PDF_ACTIVE_ACTIONS = frozenset({"/JavaScript", "/Launch"})
#: Keys the walk does not follow: back links (reached from above) and what a page draws with
#: (fonts, images, content streams), where no action lives.
PDF_SKIPPED_KEYS = frozenset({"/Parent", "/P", "/Resources", "/Contents"})
#: How many PDF objects the active-content walk reads at most (a file beyond it is refused).
PDF_MAX_OBJECTS = 200_000

#: Formats that are zip archives (what `filetype` sniffs them as).
ZIP_FORMATS = frozenset({"docx", "xlsx", "pptx", "odt", "ods", "odp", "epub", "zip"})
#: Bounds of such an archive: entries, total uncompressed bytes, and the ratio of the
#: uncompressed size to the file's (beyond ZIP_RATIO_FLOOR bytes uncompressed).
ZIP_MAX_ENTRIES = 5_000
ZIP_MAX_UNCOMPRESSED = 200 * 1024 * 1024
ZIP_MAX_RATIO = 100
ZIP_RATIO_FLOOR = 16 * 1024 * 1024


@dataclass(frozen=True)
class UploadInfo:
    original_name: str
    extension: str
    content_type: str
    size: int
    sha256: str


#: What a multipart body holds besides the file itself (boundaries, part headers, the CSRF
#: token): a declared length up to `max_bytes` + this margin is read and counted.
MULTIPART_MARGIN = 64 * 1024
#: What a refused body is read by, at most, at a time.
DRAIN_CHUNK = 64 * 1024


class SizeLimitUploadHandler(FileUploadHandler):
    """First upload handler: refuses files above `max_bytes` while the body is parsed.

    * A declared CONTENT_LENGTH above the limit (+ margin): no byte of any file is passed on
      to the handlers that store them (the first file part stops the upload at once).
    * Otherwise the bytes of each file are counted as they arrive, so a body that lies about
      its length (or a file just over the limit) stops at `max_bytes`, not at its end.

    On refusal it reads and drops the rest of the body itself, `DRAIN_CHUNK` bytes at a time
    (bounded by the request length the reverse proxy allows), so that the browser receives the
    page that explains the refusal, then raises `StopUpload(connection_reset=True)` so that
    Django does not drain it again. Django's own drain reads the body *line by line*: a body
    without a line break came back as one line, holding twice its size in memory (issue 13
    finding 6). The form fields sent before the file (the CSRF token) are kept;
    `refused_name` holds the name of the refused file for that message.

    Installed globally (FILE_UPLOAD_HANDLERS) with the portal ceiling PORTAL_UPLOAD_MAX_BYTES,
    and by the upload view with the limit of the document requirement."""

    def __init__(self, request=None, max_bytes: int | None = None):
        super().__init__(request)
        self.max_bytes = settings.PORTAL_UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
        self.refused_name: str | None = None
        self._declared_too_big = False
        self._received = 0
        self._input = None

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self._input = input_data
        self._declared_too_big = content_length > self.max_bytes + MULTIPART_MARGIN
        return None  # parse as usual: the fields before the file are kept

    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, file_name, *args, **kwargs)
        self._received = 0
        if self._declared_too_big:
            self._refuse()

    def receive_data_chunk(self, raw_data, start):
        self._received += len(raw_data)
        if self._received > self.max_bytes:
            self._refuse()
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handlers build the file

    def _refuse(self):
        self.refused_name = PurePath(self.file_name or "document").name
        drain(self._input)
        raise StopUpload(connection_reset=True)


def drain(stream) -> int:
    """Read and drop what is left of `stream` in fixed chunks (memory stays flat whatever the
    content); the number of bytes dropped."""
    dropped = 0
    if stream is None:
        return dropped
    while chunk := stream.read(DRAIN_CHUNK):
        dropped += len(chunk)
    return dropped


def refused_upload(request) -> tuple[str, int] | None:
    """(file name, limit in bytes) if a SizeLimitUploadHandler refused a file of this request
    (call after request.POST/FILES were read), else None."""
    for handler in getattr(request, "_upload_handlers", None) or []:
        if isinstance(handler, SizeLimitUploadHandler) and handler.refused_name is not None:
            return handler.refused_name, handler.max_bytes
    return None


def refused_upload_message(name: str, max_bytes: int) -> str:
    return _("Le fichier « %(name)s » dépasse la taille maximale (%(max)s) : il n'a pas été "
             "enregistré.") % {"name": name, "max": _human_size(max_bytes)}


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


class _TooComplex(Exception):
    pass


#: What a PDF may carry that is refused, as `pdf_threat` names it.
PDF_ACTIVE, PDF_EMBEDDED, PDF_XFA_SCRIPT = "active", "embedded", "xfa_script"
#: A script element of an XFA form's XML (JavaScript or FormCalc), namespace prefix or not.
XFA_SCRIPT = re.compile(rb"<(?:[\w.-]+:)?script[\s/>]", re.I)


def _xfa_has_script(xfa) -> bool:
    """Whether an /AcroForm's /XFA (one stream, or [name, stream, …] packets) holds a script
    element. pypdf bounds each stream's decompression (a bomb raises, refused as damaged)."""
    from pypdf.generic import StreamObject

    xfa = xfa.get_object() if isinstance(xfa, IndirectObject) else xfa
    packets = list(xfa) if isinstance(xfa, ArrayObject) else [xfa]
    for packet in packets:
        packet = packet.get_object() if isinstance(packet, IndirectObject) else packet
        if isinstance(packet, StreamObject) and XFA_SCRIPT.search(packet.get_data()):
            return True
    return False


def pdf_threat(reader: PdfReader) -> str | None:
    """What the PDF carries that is refused, reachable from its catalog, or None:

    * PDF_ACTIVE: JavaScript or a launch action — the open action, the document's, pages' and
      fields' additional actions (/AA), annotations' and outline items' actions, the
      /JavaScript names tree;
    * PDF_EMBEDDED: an embedded file — the /EmbeddedFiles names tree, a /FileAttachment
      annotation, a file specification carrying its file (/EF), an /EmbeddedFile stream;
    * PDF_XFA_SCRIPT: an XFA form (/AcroForm /XFA) whose XML holds a script.

    A fillable form (AcroForm fields, or XFA without script) passes. Raises _TooComplex
    beyond PDF_MAX_OBJECTS objects."""
    root = reader.trailer["/Root"]
    seen: set[tuple[int, int]] = set()
    stack = [root]
    visited = 0
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            obj = obj.get_object()
        visited += 1
        if visited > PDF_MAX_OBJECTS:
            raise _TooComplex
        if isinstance(obj, DictionaryObject):
            # an action that runs something, or the names dictionary's /JavaScript tree
            if obj.get("/S") in PDF_ACTIVE_ACTIONS or "/JS" in obj or "/JavaScript" in obj:
                return PDF_ACTIVE
            if ("/EmbeddedFiles" in obj or "/EF" in obj
                    or obj.get("/Subtype") == "/FileAttachment"
                    or obj.get("/Type") == "/EmbeddedFile"):
                return PDF_EMBEDDED
            if "/XFA" in obj and _xfa_has_script(obj["/XFA"]):
                return PDF_XFA_SCRIPT
            for name, value in obj.items():
                if name in PDF_SKIPPED_KEYS:
                    continue
                if isinstance(value, (DictionaryObject, ArrayObject, IndirectObject)):
                    stack.append(value)
        elif isinstance(obj, ArrayObject):
            stack.extend(v for v in obj
                         if isinstance(v, (DictionaryObject, ArrayObject, IndirectObject)))
    return None


def pdf_active_content(reader: PdfReader) -> bool:
    """Whether the PDF carries anything `pdf_threat` refuses."""
    return pdf_threat(reader) is not None


def _pdf_refusal(threat: str, name: str) -> ValidationError:
    if threat == PDF_EMBEDDED:
        return ValidationError(_("Le PDF « %(name)s » contient des fichiers incorporés (pièces "
                                 "jointes cachées dans le PDF), refusés pour la sécurité des "
                                 "instructeurs : déposez chaque document à part, ou "
                                 "enregistrez le PDF à nouveau avec « Imprimer en PDF ».")
                               % {"name": name}, code="embedded")
    if threat == PDF_XFA_SCRIPT:
        return ValidationError(_("Le PDF « %(name)s » est un formulaire XFA qui contient des "
                                 "scripts, refusé pour la sécurité des instructeurs : "
                                 "remplissez-le puis enregistrez-le avec « Imprimer en PDF » "
                                 "avant de le déposer.") % {"name": name}, code="xfa_script")
    return ValidationError(_("Le PDF « %(name)s » contient du code actif (JavaScript ou "
                             "lancement d'un programme), refusé pour la sécurité des "
                             "instructeurs : enregistrez-le à nouveau avec « Imprimer en "
                             "PDF » puis déposez-le.") % {"name": name}, code="active")


def _check_pdf(upload, name: str) -> None:
    upload.seek(0)
    try:
        reader = PdfReader(upload, strict=True)
        if reader.is_encrypted:
            raise ValidationError(_("Ce PDF est protégé par un mot de passe (chiffré) : "
                                    "déposez une version sans protection."), code="encrypted")
        if len(reader.pages) < 1:
            raise ValidationError(_("Ce PDF ne contient aucune page."), code="corrupted")
        reader.pages[0].extract_text()
        try:
            threat = pdf_threat(reader)
        except _TooComplex:
            raise ValidationError(_("Le PDF « %(name)s » est trop complexe pour être vérifié : "
                                    "enregistrez-le à nouveau (« Imprimer en PDF ») puis "
                                    "déposez-le.") % {"name": name}, code="too_complex") from None
        if threat:
            raise _pdf_refusal(threat, name)
    except ValidationError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError,
            IndexError, RecursionError):
        raise ValidationError(_("Ce PDF est endommagé ou illisible : enregistrez-le à nouveau "
                                "puis déposez-le."), code="corrupted") from None


#: Office formats that may carry macros, by family (what `filetype` sniffs them as).
OOXML_FORMATS = frozenset({"docx", "xlsx", "pptx"})
ODF_FORMATS = frozenset({"odt", "ods", "odp"})
#: Marks, in an OOXML file's [Content_Types].xml (lower-cased), of a macro-enabled document,
#: a VBA project or an Excel 4.0 macro sheet.
OOXML_MACRO_TYPES = (b"macroenabled", b"vbaproject", b"macrosheet")
#: What is read of [Content_Types].xml at most (a real one is a few kB).
CONTENT_TYPES_MAX = 1024 * 1024
#: Entries of a zip upload that are archives themselves (by their name or their content):
#: refused, since what they hold escapes every check here.
ARCHIVE_EXTENSIONS = frozenset({"zip", "rar", "7z", "tar", "gz", "tgz", "bz2", "tbz2", "xz",
                                "txz", "zst", "lz", "lz4", "lzma", "lzo", "z", "cab", "arj",
                                "ace", "iso", "jar", "cpio", "rpm", "deb", "ar", "br"})
ARCHIVE_SNIFFED = frozenset({"zip", "tar", "rar", "gz", "bz2", "7z", "cab", "xz", "Z", "lzo",
                             "lz", "lz4", "zst", "br", "rpm", "deb", "ar", "crx"})
#: Entries of a zip upload checked in turn as the documents they are.
NESTED_CHECKED = frozenset({"pdf"}) | OOXML_FORMATS | ODF_FORMATS


def _macro_entry(entry: str) -> bool:
    """A VBA project (OOXML), an Excel 4.0 macro sheet, or an OpenDocument's Basic or
    scripts library (Basic/…, Scripts/python/…)."""
    path = entry.replace("\\", "/").lower()
    return (path.rsplit("/", 1)[-1] in ("vbaproject.bin", "vbaprojectsignature.bin")
            or "/macrosheets/" in f"/{path}" or path.startswith(("basic/", "scripts/")))


def _nested_refusal(name: str, exc: ValidationError) -> ValidationError:
    inner = " ".join(exc.messages)
    return ValidationError(_("Dans l'archive « %(name)s » : %(reason)s")
                           % {"name": name, "reason": inner[:1].lower() + inner[1:]},
                           code=getattr(exc, "code", None) or "nested")


def _check_zip(upload, name: str, extension: str = "docx") -> None:
    """A real archive, within bounds: its directory is read, each entry's size bounded, then
    each entry is decompressed by chunks, counting (a size that lies in the directory is
    caught, the CRC too), so memory stays flat and a bomb is refused early.

    An Office or OpenDocument file carrying macros is refused (a VBA project, a macro-enabled
    content type, an Excel 4.0 macro sheet; an OpenDocument Basic or scripts library). A zip
    upload holding an archive is refused; the PDFs and office files it holds are checked as
    if uploaded alone."""
    broken = ValidationError(_("Le fichier « %(name)s » est endommagé ou n'est pas un vrai "
                               "document bureautique : enregistrez-le à nouveau puis "
                               "déposez-le.") % {"name": name}, code="corrupted")
    bomb = ValidationError(_("Le fichier « %(name)s » se décompresse en un volume anormal "
                             "(archive piégée ?) : il n'a pas été enregistré.")
                           % {"name": name}, code="zip_bomb")
    macros = ValidationError(_("Le fichier « %(name)s » contient des macros, refusées pour la "
                               "sécurité des instructeurs : enregistrez-le sans macros (par "
                               "exemple au format .docx, .xlsx ou .odt ordinaire) puis "
                               "déposez-le.") % {"name": name}, code="macros")
    is_office = extension in OOXML_FORMATS | ODF_FORMATS
    is_zip = extension == "zip"
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            entries = archive.infolist()
            if not entries:
                raise broken
            if len(entries) > ZIP_MAX_ENTRIES:
                raise bomb
            declared = sum(e.file_size for e in entries)
            limit = min(ZIP_MAX_UNCOMPRESSED, max(ZIP_RATIO_FLOOR, ZIP_MAX_RATIO * upload.size))
            if declared > limit:
                raise bomb
            if is_office and any(_macro_entry(e.filename) for e in entries):
                raise macros
            total = 0
            for entry in entries:
                if entry.is_dir():
                    continue
                entry_name = PurePath(entry.filename.replace("\\", "/")).name
                entry_ext = PurePath(entry_name).suffix.lower().lstrip(".")
                content_types = (is_office and extension in OOXML_FORMATS
                                 and entry.filename == "[Content_Types].xml")
                kept = bytearray() if content_types else None
                spool = None
                head = b""
                with archive.open(entry) as member:
                    while chunk := member.read(DRAIN_CHUNK):
                        total += len(chunk)
                        if total > limit:
                            raise bomb
                        if kept is not None and len(kept) < CONTENT_TYPES_MAX:
                            kept += chunk[:CONTENT_TYPES_MAX - len(kept)]
                        if is_zip:
                            if not head:
                                head = chunk[:SNIFF_BYTES]
                                kind = filetype.guess(head)
                                sniffed = kind.extension if kind else ""
                                if entry_ext in ARCHIVE_EXTENSIONS or (
                                        sniffed in ARCHIVE_SNIFFED
                                        and entry_ext not in NESTED_CHECKED):
                                    raise ValidationError(_(
                                        "Le fichier « %(name)s » contient une autre archive "
                                        "(« %(entry)s ») : les archives imbriquées sont "
                                        "refusées, mettez tous les documents dans une seule "
                                        "archive.") % {"name": name, "entry": entry_name},
                                        code="nested_archive")
                                nested = sniffed if sniffed in NESTED_CHECKED else (
                                    entry_ext if sniffed == "zip"
                                    and entry_ext in NESTED_CHECKED - {"pdf"} else "")
                                if nested:
                                    spool = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)
                            if spool is not None:
                                spool.write(chunk)
                if kept is not None and any(mark in bytes(kept).lower()
                                            for mark in OOXML_MACRO_TYPES):
                    raise macros
                if spool is not None:
                    _check_nested(spool, name=name, entry_name=entry_name, extension=nested)
    except ValidationError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError,
            EOFError, OSError, RuntimeError, KeyError, IndexError):
        # RuntimeError: an encrypted entry; NotImplementedError: an unknown compression.
        raise broken from None
    finally:
        upload.seek(0)


def _check_nested(spool, *, name: str, entry_name: str, extension: str) -> None:
    """Check a PDF or office file found in a zip upload as if it were uploaded alone (its own
    archives are not looked into again: an office file's embedded objects are ordinary)."""
    from django.core.files import File

    with spool:
        nested = File(spool, name=entry_name)
        try:
            if extension == "pdf":
                _check_pdf(nested, entry_name)
            else:
                _check_zip(nested, entry_name, extension)
        except ValidationError as exc:
            raise _nested_refusal(name, exc) from None


def original_name(name: str, extension: str, max_length: int = ORIGINAL_NAME_MAX) -> str:
    """`name`'s stem with the sniffed `extension`, at most `max_length` characters: a long
    name loses the end of its stem, never its extension (issue 13 finding 12)."""
    stem = PurePath(name).stem.strip() or "document"
    suffix = f".{extension}"
    return stem[:max_length - len(suffix)].rstrip() + suffix


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
    try:
        if extension == "pdf":
            _check_pdf(upload, name)
        elif extension in ZIP_FORMATS:
            _check_zip(upload, name, extension)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    upload.seek(0)
    digest = hashlib.sha256()
    size = 0
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    return UploadInfo(original_name=original_name(name, extension), extension=extension,
                      content_type=mime, size=size, sha256=digest.hexdigest())
