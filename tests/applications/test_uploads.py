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


# --- active content in PDFs, archives that are not what they claim (issue 13 finding 12) ----

def _pdf(build=None) -> bytes:
    """A one-page PDF; `build(writer, page)` adds what the case needs."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    if build is not None:
        build(writer, page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _js(script="app.alert('Bonjour');"):
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    return DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                             NameObject("/JS"): TextStringObject(script)})


def _open_action_js(writer, page):
    from pypdf.generic import NameObject

    writer._root_object[NameObject("/OpenAction")] = writer._add_object(_js())


def _names_tree_js(writer, page):
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

    tree = DictionaryObject({NameObject("/Names"): ArrayObject(
        [TextStringObject("ouverture"), writer._add_object(_js())])})
    writer._root_object[NameObject("/Names")] = DictionaryObject(
        {NameObject("/JavaScript"): writer._add_object(tree)})


def _catalog_aa(writer, page):
    from pypdf.generic import DictionaryObject, NameObject

    writer._root_object[NameObject("/AA")] = DictionaryObject({NameObject("/WC"): _js()})


def _page_aa(writer, page):
    from pypdf.generic import DictionaryObject, NameObject

    page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): _js()})


def _launch_link(writer, page):
    from pypdf.generic import (ArrayObject, DictionaryObject, FloatObject, NameObject,
                               TextStringObject)

    annotation = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Link"),
        NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (10, 10, 200, 40)]),
        NameObject("/A"): DictionaryObject({NameObject("/S"): NameObject("/Launch"),
                                            NameObject("/F"): TextStringObject("calc.exe")})})
    page[NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])


def _harmless(writer, page):
    """What ordinary PDFs hold: an open action that shows page 1, a web link, an outline."""
    from pypdf.annotations import Link
    from pypdf.generic import ArrayObject, NameObject

    writer._root_object[NameObject("/OpenAction")] = ArrayObject(
        [page.indirect_reference, NameObject("/Fit")])
    writer.add_annotation(0, Link(rect=(10, 10, 200, 40), url="https://www.culture.gouv.fr/"))
    writer.add_outline_item(title="Budget prévisionnel", page_number=0)


ACTIVE = ("Le PDF « {} » contient du code actif (JavaScript ou lancement d'un programme), "
          "refusé pour la sécurité des instructeurs : enregistrez-le à nouveau avec « Imprimer "
          "en PDF » puis déposez-le.")


@pytest.mark.parametrize("build", [_open_action_js, _names_tree_js, _catalog_aa, _page_aa,
                                   _launch_link])
def test_pdf_with_active_content_is_refused(build):
    with pytest.raises(ValidationError) as exc:
        inspect_upload(SimpleUploadedFile("Budget prévisionnel.pdf", _pdf(build)),
                       allowed_formats=["pdf"], max_bytes=100_000)
    assert exc.value.message_dict == {"file": [ACTIVE.format("Budget prévisionnel.pdf")]}


def test_pdf_with_ordinary_navigation_is_accepted():
    info = inspect_upload(SimpleUploadedFile("Budget.pdf", _pdf(_harmless)),
                          allowed_formats=["pdf"], max_bytes=100_000)
    assert info.extension == "pdf"


def _office(entries, compression=zipfile.ZIP_DEFLATED, *, kind="word") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        for name, data in entries:
            archive.writestr(f"{kind}/{name}", data)
    return buffer.getvalue()


BOMB = ("Le fichier « {} » se décompresse en un volume anormal (archive piégée ?) : il n'a pas "
        "été enregistré.")
BROKEN = ("Le fichier « {} » est endommagé ou n'est pas un vrai document bureautique : "
          "enregistrez-le à nouveau puis déposez-le.")


def test_zip_bomb_named_docx_is_refused():
    # 20 Mo of zeros in 20 Ko: a thousand times its size, where a document is a few times
    bomb = _office([("document.xml", b"\0" * (20 * 1024 * 1024))])
    assert len(bomb) < 64 * 1024
    with pytest.raises(ValidationError) as exc:
        inspect_upload(SimpleUploadedFile("Dossier artistique.docx", bomb),
                       allowed_formats=["docx"], max_bytes=1024 * 1024)
    assert exc.value.message_dict == {"file": [BOMB.format("Dossier artistique.docx")]}


def test_archive_with_too_many_entries_is_refused():
    from applications.uploads import ZIP_MAX_ENTRIES

    crowded = _office([(f"media/{i}.xml", "") for i in range(ZIP_MAX_ENTRIES)],
                      zipfile.ZIP_STORED)
    with pytest.raises(ValidationError) as exc:
        inspect_upload(SimpleUploadedFile("Budget.docx", crowded), allowed_formats=["docx"],
                       max_bytes=10 * 1024 * 1024)
    assert exc.value.message_dict == {"file": [BOMB.format("Budget.docx")]}


def test_an_archive_whose_directory_lies_is_refused():
    """An entry declared small that inflates to more (the sizes written in the directory are
    changed): the decompression stops at the declared size and its checksum fails."""
    honest = _office([("document.xml", b"<w:document>" + b"texte " * 50_000 + b"</w:document>")])
    real = len(b"<w:document>" + b"texte " * 50_000 + b"</w:document>")
    lying = honest.replace(real.to_bytes(4, "little"), (1000).to_bytes(4, "little"))
    assert lying != honest
    with pytest.raises(ValidationError) as exc:
        inspect_upload(SimpleUploadedFile("Budget.docx", lying), allowed_formats=["docx"],
                       max_bytes=1024 * 1024)
    assert exc.value.message_dict == {"file": [BROKEN.format("Budget.docx")]}


def test_truncated_archive_is_refused():
    whole = _office([("document.xml", "<w:document/>" * 1000)])
    with pytest.raises(ValidationError) as exc:
        inspect_upload(SimpleUploadedFile("Budget.docx", whole[:-30]), allowed_formats=["docx"],
                       max_bytes=1024 * 1024)
    assert exc.value.message_dict == {"file": [BROKEN.format("Budget.docx")]}


def test_real_office_files_of_ordinary_size_are_accepted():
    # a spreadsheet of 20 000 rows compresses well, within the ratio a real file has
    rows = "".join(f'<row r="{i}"><c t="inlineStr"><is><t>Cachet artiste {i}</t></is></c>'
                   f'<c><v>{i * 12.5}</v></c></row>' for i in range(20_000))
    sheet = _office([("worksheets/sheet1.xml", f"<worksheet><sheetData>{rows}</sheetData>"
                                               "</worksheet>"), ("workbook.xml", "<workbook/>")],
                    kind="xl")
    info = inspect_upload(SimpleUploadedFile("Budget détaillé.xlsx", sheet),
                          allowed_formats=["xlsx"], max_bytes=10 * 1024 * 1024)
    assert info.extension == "xlsx"
    assert inspect_upload(SimpleUploadedFile("Note.docx", docx_bytes()),
                          allowed_formats=["docx"], max_bytes=10_000).extension == "docx"


# --- embedded files, XFA scripts, macros, nested archives (issue 13) ------------------------

def _stream(data: bytes):
    from pypdf.generic import DecodedStreamObject

    stream = DecodedStreamObject()
    stream.set_data(data)
    return stream


def _embedded_file(writer, page):
    """An attachment in the /EmbeddedFiles names tree (what « joindre un fichier » writes)."""
    writer.add_attachment("budget.xlsm", b"PK\x03\x04 a macro workbook")


def _file_attachment_annotation(writer, page):
    from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, \
        TextStringObject

    spec = DictionaryObject({
        NameObject("/Type"): NameObject("/Filespec"), NameObject("/F"): TextStringObject("a.exe"),
        NameObject("/EF"): DictionaryObject({NameObject("/F"): writer._add_object(
            _stream(b"MZ\x90\x00 an executable"))})})
    annotation = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"),
        NameObject("/Subtype"): NameObject("/FileAttachment"),
        NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (10, 10, 30, 30)]),
        NameObject("/FS"): writer._add_object(spec)})
    page[NameObject("/Annots")] = ArrayObject([writer._add_object(annotation)])


XFA_TEMPLATE = (b'<?xml version="1.0"?><xdp:xdp xmlns:xdp="http://ns.adobe.com/xdp/">'
                b'<template xmlns="http://www.xfa.org/schema/xfa-template/3.3/">'
                b'<subform name="cerfa"><field name="siret"><ui><textEdit/></ui>%s</field>'
                b'</subform></template></xdp:xdp>')
XFA_SCRIPT = (b'<event activity="initialize"><script contentType="application/x-javascript">'
              b'app.launchURL("http://example.org/");</script></event>')


def _acroform(writer, *, xfa=None):
    """A fillable form: one text field (its widget on page 1), and an XFA packet if given."""
    from pypdf.generic import (ArrayObject, DictionaryObject, FloatObject, NameObject,
                               TextStringObject)

    page = writer.pages[0]
    field = DictionaryObject({
        NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Widget"),
        NameObject("/FT"): NameObject("/Tx"), NameObject("/T"): TextStringObject("siret"),
        NameObject("/V"): TextStringObject(""),
        NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (50, 700, 300, 720)])})
    ref = writer._add_object(field)
    page[NameObject("/Annots")] = ArrayObject([ref])
    form = DictionaryObject({NameObject("/Fields"): ArrayObject([ref])})
    if xfa is not None:
        form[NameObject("/XFA")] = xfa
    writer._root_object[NameObject("/AcroForm")] = writer._add_object(form)


def _xfa_script_stream(writer, page):
    _acroform(writer, xfa=writer._add_object(_stream(XFA_TEMPLATE % XFA_SCRIPT)))


def _xfa_script_packets(writer, page):
    from pypdf.generic import ArrayObject, TextStringObject

    _acroform(writer, xfa=ArrayObject([
        TextStringObject("preamble"), writer._add_object(_stream(b"<xdp:xdp>")),
        TextStringObject("template"), writer._add_object(_stream(
            b'<template><subform><xfa:script xmlns:xfa="x">xfa.host.messageBox("1")'
            b'</xfa:script></subform></template>')),
        TextStringObject("postamble"), writer._add_object(_stream(b"</xdp:xdp>"))]))


def _refused_pdf(build, name="Formulaire Cerfa.pdf"):
    with pytest.raises(ValidationError) as exc:
        inspect_upload(SimpleUploadedFile(name, _pdf(build)), allowed_formats=["pdf"],
                       max_bytes=100_000)
    return exc.value.message_dict["file"]


EMBEDDED = ("Le PDF « {} » contient des fichiers incorporés (pièces jointes cachées dans le "
            "PDF), refusés pour la sécurité des instructeurs : déposez chaque document à part, "
            "ou enregistrez le PDF à nouveau avec « Imprimer en PDF ».")
XFA = ("Le PDF « {} » est un formulaire XFA qui contient des scripts, refusé pour la sécurité "
       "des instructeurs : remplissez-le puis enregistrez-le avec « Imprimer en PDF » avant de "
       "le déposer.")


@pytest.mark.parametrize("build", [_embedded_file, _file_attachment_annotation])
def test_pdf_with_embedded_files_is_refused(build):
    assert _refused_pdf(build, "Budget.pdf") == [EMBEDDED.format("Budget.pdf")]


@pytest.mark.parametrize("build", [_xfa_script_stream, _xfa_script_packets])
def test_xfa_form_with_scripts_is_refused(build):
    assert _refused_pdf(build) == [XFA.format("Formulaire Cerfa.pdf")]


@pytest.mark.parametrize("build", [
    lambda writer, page: _acroform(writer),
    lambda writer, page: _acroform(writer, xfa=writer._add_object(_stream(XFA_TEMPLATE % b""))),
], ids=["acroform", "xfa-without-script"])
def test_fillable_forms_without_script_are_accepted(build):
    info = inspect_upload(SimpleUploadedFile("Cerfa 12156.pdf", _pdf(build)),
                          allowed_formats=["pdf"], max_bytes=100_000)
    assert info.extension == "pdf"


MACROS = ("Le fichier « {} » contient des macros, refusées pour la sécurité des instructeurs : "
          "enregistrez-le sans macros (par exemple au format .docx, .xlsx ou .odt ordinaire) "
          "puis déposez-le.")


def _odf(entries, mimetype="application/vnd.oasis.opendocument.text") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype)  # stored, first
        archive.writestr("content.xml", "<office:document-content/>")
        archive.writestr("META-INF/manifest.xml", "<manifest:manifest/>")
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def _macro_docm() -> bytes:
    """A .docm renamed .docx: its content types say macro-enabled, its VBA project is there."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml",
                         '<Types><Override PartName="/word/document.xml" ContentType="application'
                         '/vnd.ms-word.document.macroEnabled.main+xml"/></Types>')
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "content", "formats"), [
    ("Budget.docx", lambda: _office([("document.xml", "<w:document/>"),
                                     ("vbaProject.bin", b"\xd0\xcf\x11\xe0 VBA")]), ["docx"]),
    ("Budget.docx", _macro_docm, ["docx"]),
    ("Budget.xlsx", lambda: _office([("workbook.xml", "<workbook/>"),
                                     ("macrosheets/sheet1.xml", "<xm:macrosheet/>")],
                                    kind="xl"), ["xlsx"]),
    ("Note.odt", lambda: _odf([("Basic/Standard/Module1.xml", "<script:module/>"),
                               ("Basic/script-lc.xml", "<library:libraries/>")]), ["odt"]),
    ("Tableau.ods", lambda: _odf([("Scripts/python/run.py", "import os")],
                                 "application/vnd.oasis.opendocument.spreadsheet"), ["ods"]),
], ids=["vbaProject.bin", "macro-enabled-type", "excel4-macrosheet", "odf-basic",
        "odf-scripts"])
def test_office_files_with_macros_are_refused(name, content, formats):
    with pytest.raises(ValidationError) as exc:
        inspect_upload(SimpleUploadedFile(name, content()), allowed_formats=formats,
                       max_bytes=1024 * 1024)
    assert exc.value.message_dict == {"file": [MACROS.format(name)]}


def test_an_opendocument_without_macros_is_accepted():
    assert inspect_upload(SimpleUploadedFile("Note.odt", _odf([("styles.xml", "<s/>")])),
                          allowed_formats=["odt"], max_bytes=100_000).extension == "odt"


def _zip(entries) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def _refused_zip(entries):
    with pytest.raises(ValidationError) as exc:
        inspect_upload(SimpleUploadedFile("Pièces.zip", _zip(entries)), allowed_formats=["zip"],
                       max_bytes=1024 * 1024)
    return exc.value.message_dict["file"]


NESTED = ("Le fichier « Pièces.zip » contient une autre archive (« {} ») : les archives "
          "imbriquées sont refusées, mettez tous les documents dans une seule archive.")


@pytest.mark.parametrize(("entry", "data"), [
    ("annexes/photos.zip", lambda: _zip([("a.jpg", b"\xff\xd8\xff")])),
    ("annexes/sans-extension", lambda: _zip([("a.txt", b"texte")])),  # found by its content
    ("videos.tar.gz", lambda: b"\x1f\x8b\x08\x00" + b"\0" * 64),
    ("sources.7z", lambda: b"7z\xbc\xaf\x27\x1c" + b"\0" * 64),
])
def test_a_zip_upload_holding_an_archive_is_refused(entry, data):
    name = entry.rsplit("/", 1)[-1]
    assert _refused_zip([("budget.pdf", _pdf()), (entry, data())]) == [NESTED.format(name)]


def test_documents_inside_a_zip_upload_are_checked_as_if_uploaded_alone():
    assert _refused_zip([("Budget.docx", _macro_docm())]) == [
        "Dans l'archive « Pièces.zip » : l" + MACROS.format("Budget.docx")[1:]]
    assert _refused_zip([("Programme.pdf", _pdf(_open_action_js))]) == [
        "Dans l'archive « Pièces.zip » : l" + ACTIVE.format("Programme.pdf")[1:]]
    info = inspect_upload(SimpleUploadedFile("Pièces.zip", _zip([
        ("Budget.pdf", _pdf(_harmless)), ("Note.docx", docx_bytes()),
        ("Photos/scène.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 64)])),
        allowed_formats=["zip"], max_bytes=1024 * 1024)
    assert info.extension == "zip"
