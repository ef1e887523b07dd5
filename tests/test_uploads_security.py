"""Uploads hardening, what tests/applications does not already check: a body far above the
limit is refused with the reason (and spooled to disk, never held in memory), private files
live outside the web root, and generated documents are served as non-sniffed attachments
from inside the private root only.

Already covered in tests/applications: the size is read from `upload.size` before the content
(test_uploads.py::test_size_is_checked_before_reading), the refusal of a file just over the
limit, random names on disk, and `Content-Disposition: attachment` + `nosniff` on attachment
downloads (test_dossier_views.py)."""

import html
import io
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.http import Http404
from django.http.multipartparser import MultiPartParser
from django.test import Client, RequestFactory, override_settings
from django_scopes import scope

from applications.models import Attachment
from applications.uploads import MULTIPART_MARGIN, SizeLimitUploadHandler
from portal.documents import private_file_response, write_private_file
from tests.factories.applications import DossierFactory, StructureMemberFactory
from tests.factories.calls import CallFactory, DocumentRequirementFactory

pytestmark = pytest.mark.django_db

BIG = 12 * 1024 * 1024  # 12 MB, the requirement allows 1 MB


@pytest.fixture
def draft(tenant, applicant):
    structure = StructureMemberFactory(user=applicant).structure
    with scope(tenant=tenant):
        dossier = DossierFactory(call=CallFactory(tenant=tenant), structure=structure)
        requirement = DocumentRequirementFactory(call=dossier.call, label="Budget",
                                                 allowed_formats=["pdf"], max_size_mb=1)
    return dossier, requirement


def test_upload_memory_limits_keep_big_files_out_of_memory():
    # Files above FILE_UPLOAD_MAX_MEMORY_SIZE are spooled to a temporary file by the
    # TemporaryFileUploadHandler; form fields are capped by DATA_UPLOAD_MAX_MEMORY_SIZE.
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 2_621_440
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 2_621_440
    assert ("django.core.files.uploadhandler.TemporaryFileUploadHandler"
            in settings.FILE_UPLOAD_HANDLERS)


def test_oversized_upload_is_refused_with_its_reason_and_nothing_is_stored(
        client, applicant, draft, tmp_path):
    dossier, requirement = draft
    client.force_login(applicant)
    big = tmp_path / "enorme.pdf"
    with open(big, "wb") as fh:
        fh.write(b"%PDF-1.4\n")
        fh.truncate(BIG)
    with open(big, "rb") as fh:
        response = client.post(
            f"/{dossier.tenant.slug}/dossiers/{dossier.pk}/pieces/{requirement.pk}/",
            {f"req{requirement.pk}-file": fh})
    assert response.status_code == 400
    assert ("Le fichier « enorme.pdf » dépasse la taille maximale (1,0 Mo) : il n'a pas été "
            "enregistré." in html.unescape(response.content.decode()))
    with scope(tenant=dossier.tenant):
        assert Attachment.objects.filter(dossier=dossier).count() == 0


@pytest.mark.parametrize(("filename", "formats", "content", "reason"), [
    ("Budget 2026.docx", ["docx"], "macro_docx",
     "Le fichier « Budget 2026.docx » contient des macros"),
    ("Cerfa 12156.pdf", ["pdf"], "xfa_pdf",
     "Le PDF « Cerfa 12156.pdf » est un formulaire XFA qui contient des scripts"),
    ("Budget.pdf", ["pdf"], "embedded_pdf", "Le PDF « Budget.pdf » contient des fichiers "
                                             "incorporés"),
    ("Annexes.zip", ["zip"], "nested_zip", "Le fichier « Annexes.zip » contient une autre "
                                            "archive (« photos.zip »)"),
], ids=["macros", "xfa-script", "embedded-file", "nested-archive"])
def test_active_office_and_pdf_content_is_refused_on_the_documents_step(
        client, applicant, draft, filename, formats, content, reason):
    """The documents step says which file and why, under that document's field; nothing is
    stored and the documents already received stay (issue 13)."""
    import io
    import zipfile

    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.applications import test_uploads as samples

    dossier, requirement = draft
    with scope(tenant=dossier.tenant):
        requirement.allowed_formats = formats
        requirement.save()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("photos.zip", samples._zip([("a.jpg", b"\xff\xd8\xff")]))
    data = {"macro_docx": samples._macro_docm,
            "xfa_pdf": lambda: samples._pdf(samples._xfa_script_stream),
            "embedded_pdf": lambda: samples._pdf(samples._embedded_file),
            "nested_zip": buffer.getvalue}[content]()
    client.force_login(applicant)
    response = client.post(
        f"/{dossier.tenant.slug}/dossiers/{dossier.pk}/pieces/{requirement.pk}/",
        {f"req{requirement.pk}-file": SimpleUploadedFile(filename, data)})
    assert response.status_code == 400
    errors = [form["form"].errors.get("file") for form in response.context["requirements"]
              if form["requirement"].pk == requirement.pk][0]
    assert len(errors) == 1 and errors[0].startswith(reason)
    assert reason in html.unescape(response.content.decode())
    with scope(tenant=dossier.tenant):
        assert Attachment.objects.filter(dossier=dossier).count() == 0


def test_big_upload_is_spooled_to_a_temporary_file():
    from django.core.files.uploadhandler import load_handler

    handler = load_handler("django.core.files.uploadhandler.TemporaryFileUploadHandler")
    handler.new_file("file", "enorme.pdf", "application/pdf", BIG)
    handler.receive_data_chunk(b"%PDF-1.4", 0)
    upload = handler.file_complete(BIG)
    try:
        assert isinstance(upload, TemporaryUploadedFile)
        assert upload.size == BIG
    finally:
        upload.close()


def test_private_files_live_outside_the_web_root():
    base = sys.modules["portal.settings.base"]
    for private, static in [(Path(base.PRIVATE_MEDIA_ROOT), Path(base.STATIC_ROOT)),
                            (Path(settings.PRIVATE_MEDIA_ROOT), Path(settings.STATIC_ROOT))]:
        private, static = private.resolve(), static.resolve()
        assert not private.is_relative_to(static)
        assert not static.is_relative_to(private)
        for folder in settings.STATICFILES_DIRS:
            assert not private.is_relative_to(Path(folder).resolve())


def test_private_files_are_not_served_by_url(client, applicant, draft):
    dossier, requirement = draft
    relative = write_private_file(folder="dossiers/x", suffix=".pdf", content=b"%PDF-1.4 x")
    for prefix in ("/media/", "/static/", "/private/", "/"):
        assert client.get(prefix + relative).status_code == 404


def test_generated_documents_are_served_as_attachments_never_sniffed():
    relative = write_private_file(folder="letters", suffix=".pdf", content=b"%PDF-1.4 lettre")
    assert len(Path(relative).stem) == 32  # random name
    response = private_file_response(relative, filename="courrier.pdf")
    assert response["Content-Disposition"] == 'attachment; filename="courrier.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == b"%PDF-1.4 lettre"


@pytest.mark.parametrize("relative", ["../../etc/passwd", "/etc/passwd", "letters/absent.pdf"])
def test_private_file_outside_the_private_root_or_missing_is_404(relative):
    with pytest.raises(Http404):
        private_file_response(relative, filename="x.pdf")


# --- the size limit holds while the body is read (SizeLimitUploadHandler) ---------------------

MB = 1024 * 1024


def _upload_url(dossier, requirement):
    return f"/{dossier.tenant.slug}/dossiers/{dossier.pk}/pieces/{requirement.pk}/"


class CountingTemporaryHandler(TemporaryFileUploadHandler):
    """Django's storing handler, counting the bytes that reach it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stored = 0

    def receive_data_chunk(self, raw_data, start):
        self.stored += len(raw_data)
        return super().receive_data_chunk(raw_data, start)


def _multipart(fields: list[tuple[str, str]], file_field: str, file_name: str,
               content: bytes) -> tuple[bytes, str]:
    boundary = "limite-essai"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
             f"{value}\r\n".encode() for name, value in fields]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
                 f'filename="{file_name}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
                 + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _parse(body: bytes, content_type: str, *, declared: int, max_bytes: int):
    limit = SizeLimitUploadHandler(max_bytes=max_bytes)
    store = CountingTemporaryHandler()
    meta = {"CONTENT_TYPE": content_type, "CONTENT_LENGTH": str(declared)}
    post, files = MultiPartParser(meta, io.BytesIO(body), [limit, store]).parse()
    return limit, store, post, files


def test_declared_length_above_the_limit_stores_no_byte_of_the_file():
    body, content_type = _multipart([("note", "gardée")], "req1-file", "enorme.pdf",
                                    b"%PDF-1.4\n" + b"x" * (2 * MB))
    limit, store, post, files = _parse(body, content_type, declared=len(body), max_bytes=MB)
    assert len(body) > MB + MULTIPART_MARGIN
    assert limit.refused_name == "enorme.pdf"
    assert store.stored == 0
    assert dict(files) == {}
    assert post["note"] == "gardée"  # the fields sent before the file are kept


def test_body_longer_than_its_declared_length_stops_at_the_limit():
    # A client (or a server that does not cut the body at CONTENT_LENGTH, as under ASGI)
    # declares a small body and sends 3 MB: the bytes are counted, not the declaration trusted.
    body, content_type = _multipart([("note", "gardée")], "req1-file", "menteur.pdf",
                                    b"%PDF-1.4\n" + b"x" * (3 * MB))
    limit, store, post, files = _parse(body, content_type, declared=1000, max_bytes=MB)
    assert limit.refused_name == "menteur.pdf"
    assert store.stored <= MB
    assert dict(files) == {}
    assert post["note"] == "gardée"


def test_file_within_the_limit_goes_through_the_handler_unchanged():
    content = b"%PDF-1.4\n" + b"x" * 5000
    body, content_type = _multipart([], "req1-file", "budget.pdf", content)
    limit, store, post, files = _parse(body, content_type, declared=len(body), max_bytes=MB)
    assert limit.refused_name is None
    assert files["req1-file"].read() == content
    assert store.stored == len(content)


def test_file_just_over_the_limit_within_the_margin_is_refused_by_its_bytes(
        client, applicant, draft):
    dossier, requirement = draft  # 1 MB allowed
    client.force_login(applicant)
    upload = io.BytesIO(b"%PDF-1.4\n" + b"x" * MB)
    upload.name = "juste-trop.pdf"
    response = client.post(_upload_url(dossier, requirement),
                           {f"req{requirement.pk}-file": upload})
    assert response.status_code == 400
    assert ("Le fichier « juste-trop.pdf » dépasse la taille maximale (1,0 Mo) : il n'a pas "
            "été enregistré." in html.unescape(response.content.decode()))
    with scope(tenant=dossier.tenant):
        assert Attachment.objects.filter(dossier=dossier).count() == 0


def test_oversized_upload_refusal_is_shown_under_the_field_and_keeps_the_csrf_check(
        applicant, draft, tmp_path):
    dossier, requirement = draft
    client = Client(enforce_csrf_checks=True)
    client.force_login(applicant)
    page = client.get(f"/{dossier.tenant.slug}/dossiers/{dossier.pk}/etapes/documents/")
    assert page.status_code == 200
    token = client.cookies["csrftoken"].value
    big = tmp_path / "enorme.pdf"
    with open(big, "wb") as fh:
        fh.write(b"%PDF-1.4\n")
        fh.truncate(3 * MB)
    with open(big, "rb") as fh:
        response = client.post(_upload_url(dossier, requirement),
                               {"csrfmiddlewaretoken": token, f"req{requirement.pk}-file": fh})
    assert response.status_code == 400
    form = next(item["form"] for item in response.context["requirements"]
                if item["requirement"].pk == requirement.pk)
    assert form.errors == {"file": ["Le fichier « enorme.pdf » dépasse la taille maximale "
                                    "(1,0 Mo) : il n'a pas été enregistré."]}
    with open(big, "rb") as fh:
        forged = client.post(_upload_url(dossier, requirement),
                             {f"req{requirement.pk}-file": fh})
    assert forged.status_code == 403
    with scope(tenant=dossier.tenant):
        assert Attachment.objects.filter(dossier=dossier).count() == 0


def test_portal_ceiling_applies_to_every_view():
    # Any multipart POST is parsed (by the CSRF check at the latest): the global handler stops
    # a file above PORTAL_UPLOAD_MAX_BYTES there too.
    body, content_type = _multipart([("note", "gardée")], "file", "ailleurs.pdf",
                                    b"x" * (MB + 10))
    with override_settings(PORTAL_UPLOAD_MAX_BYTES=MB):
        request = RequestFactory().generic("POST", "/nimporte-ou/", body,
                                           content_type=content_type)
        assert isinstance(request.upload_handlers[0], SizeLimitUploadHandler)
        assert dict(request.FILES) == {}
        assert request.POST["note"] == "gardée"
        assert request.upload_handlers[0].refused_name == "ailleurs.pdf"
