"""Uploads hardening, what tests/applications does not already check: a body far above the
limit is refused with the reason (and spooled to disk, never held in memory), private files
live outside the web root, and generated documents are served as non-sniffed attachments
from inside the private root only.

Already covered in tests/applications: the size is read from `upload.size` before the content
(test_uploads.py::test_size_is_checked_before_reading), the refusal of a file just over the
limit, random names on disk, and `Content-Disposition: attachment` + `nosniff` on attachment
downloads (test_dossier_views.py)."""

import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.http import Http404
from django_scopes import scope

from applications.models import Attachment
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
    assert ("Le fichier « enorme.pdf » est trop volumineux (12,0 Mo) : 1,0 Mo au maximum."
            in response.content.decode())
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
