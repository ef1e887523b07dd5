"""Upload checks: type from the content, aliases, text formats, size first."""

import io
import zipfile
from pathlib import PurePath

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from applications.uploads import inspect_upload


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64


def test_docx_is_recognised_whatever_its_extension():
    info = inspect_upload(SimpleUploadedFile("strategie.bin", docx_bytes()),
                          allowed_formats=["pdf", "docx"], max_bytes=10_000)
    assert (info.extension, info.original_name) == ("docx", "strategie.docx")
    assert info.content_type == ("application/vnd.openxmlformats-officedocument."
                                 "wordprocessingml.document")


def test_jpeg_alias_is_accepted():
    info = inspect_upload(SimpleUploadedFile("photo.jpeg", JPEG), allowed_formats=["jpeg"],
                          max_bytes=10_000)
    assert info.extension == "jpg"


def test_csv_is_accepted_as_utf8_text_only():
    info = inspect_upload(SimpleUploadedFile("budget.csv", "poste;montant\nCachets;1000\n"
                                             .encode()), allowed_formats=["csv"],
                          max_bytes=10_000)
    assert (info.extension, info.content_type) == ("csv", "text/csv")
    with pytest.raises(ValidationError) as exc:
        inspect_upload(SimpleUploadedFile("budget.csv", b"\x00\x01binary"),
                       allowed_formats=["csv"], max_bytes=10_000)
    assert exc.value.message_dict == {"file": [
        "Le contenu de « budget.csv » n'est pas d'un format accepté (format détecté : "
        "inconnu ; accepté(s) : CSV)."]}


class _NoRead(SimpleUploadedFile):
    def read(self, *args, **kwargs):  # pragma: no cover - must not be called
        raise AssertionError("read before the size check")


def test_size_is_checked_before_reading():
    upload = _NoRead("gros.pdf", b"%PDF-" + b"0" * 2048)
    with pytest.raises(ValidationError) as exc:
        inspect_upload(upload, allowed_formats=["pdf"], max_bytes=1024)
    assert exc.value.message_dict == {"file": [
        "Le fichier « gros.pdf » est trop volumineux (2 Ko) : 1 Ko au maximum."]}


def test_empty_file_is_refused():
    with pytest.raises(ValidationError) as exc:
        inspect_upload(SimpleUploadedFile("vide.pdf", b""), allowed_formats=["pdf"],
                       max_bytes=1024)
    assert exc.value.message_dict == {"file": ["Le fichier « vide.pdf » est vide."]}


@pytest.mark.parametrize(("name", "stem_length"), [
    ("Budget prévisionnel " + "é" * 300 + ".pdf", 251),  # cut by Django at 255, kept
    ("Budget prévisionnel " + "é" * 300, 251),  # no extension: ".pdf" is added, not cut off
    ("a" * 254 + ".x", 251),  # the sniffed extension is longer than the one given
])
def test_long_names_keep_their_extension(name, stem_length):
    from applications.uploads import ORIGINAL_NAME_MAX, original_name

    from .test_dossier_views import pdf_bytes

    info = inspect_upload(SimpleUploadedFile(name, pdf_bytes()), allowed_formats=["pdf"],
                          max_bytes=100_000)
    assert info.original_name.endswith(".pdf")
    assert len(info.original_name) == ORIGINAL_NAME_MAX
    assert info.original_name[:-4] == PurePath(name).stem[:stem_length]
    assert original_name("   .docx", "docx") == "document.docx"
    assert original_name("Statuts.pdf", "pdf") == "Statuts.pdf"
