"""Private files on an S3-compatible object store (production): a real S3 HTTP server — moto's
standalone server, started here — not a mock of our storage. Uploads, generated documents and
backups go to the bucket, nothing to the web host's folder; downloads stay permission-checked
views, streamed or redirected to a short-lived signed URL that makes the browser download."""

import hashlib
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django_scopes import scope

from applications.models import Attachment
from portal import storage
from portal.backup import backup_create, backup_restore
from portal.documents import document_generate
from tests.factories import OrganizationFactory
from tests.factories.applications import DossierFactory, StructureMemberFactory
from tests.factories.calls import CallFactory, DocumentRequirementFactory

pytestmark = [pytest.mark.slow, pytest.mark.server]



def _pdf() -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


PDF = _pdf()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    """moto's S3 server in its own process, on a free loopback port."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p",
                             str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=1)
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("moto's S3 server did not start")
            time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def bucket(s3_endpoint, settings, tmp_path):
    """A fresh private bucket as the private storage; the local folder must stay empty."""
    import boto3

    name = f"portail-{uuid.uuid4().hex[:12]}"
    options = {**settings.PRIVATE_STORAGE_OPTIONS, "endpoint_url": s3_endpoint,
               "access_key": "test", "secret_key": "test"}
    boto3.client("s3", endpoint_url=s3_endpoint, aws_access_key_id="test",
                 aws_secret_access_key="test", region_name="us-east-1").create_bucket(Bucket=name)
    settings.PRIVATE_STORAGE_BUCKET = name
    settings.PRIVATE_STORAGE_OPTIONS = options
    settings.PRIVATE_MEDIA_ROOT = settings.MEDIA_ROOT = tmp_path / "local"
    yield name
    assert not (tmp_path / "local").exists() or not any((tmp_path / "local").rglob("*"))


def _objects(name):
    s3 = storage.private_storage().connection.meta.client
    return {o["Key"]: o["Size"] for o in s3.list_objects_v2(Bucket=name).get("Contents", [])}


@pytest.mark.django_db
def test_an_upload_goes_to_the_bucket_and_is_streamed_back_by_the_view(client, tenant, applicant,
                                                                       bucket):
    structure = StructureMemberFactory(user=applicant).structure
    with scope(tenant=tenant):
        dossier = DossierFactory(call=CallFactory(tenant=tenant), structure=structure)
        requirement = DocumentRequirementFactory(call=dossier.call, label="Budget",
                                                 allowed_formats=["pdf"], max_size_mb=1)
    client.force_login(applicant)
    response = client.post(f"/{tenant.slug}/dossiers/{dossier.pk}/pieces/{requirement.pk}/",
                           {f"req{requirement.pk}-file": SimpleUploadedFile("budget prévisionnel.pdf", PDF)})
    assert response.status_code == 302
    with scope(tenant=tenant):
        attachment = Attachment.objects.get(dossier=dossier)
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert _objects(bucket) == {f"private/{attachment.file.name}": len(PDF)}

    download = client.get(f"/{tenant.slug}/dossiers/{dossier.pk}/fichiers/{attachment.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Length"] == str(len(PDF))
    client.logout()
    assert client.get(f"/{tenant.slug}/dossiers/{dossier.pk}/fichiers/{attachment.pk}/"
                      ).status_code == 302  # to the login page


@pytest.mark.django_db
def test_a_dossier_export_is_laid_out_into_the_bucket_and_streamed_back(
        client, tenant, applicant, bucket, django_capture_on_commit_callbacks):
    from applications.models import DossierExport

    structure = StructureMemberFactory(user=applicant).structure
    with scope(tenant=tenant):
        dossier = DossierFactory(call=CallFactory(tenant=tenant), structure=structure)
    client.force_login(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(f"/{tenant.slug}/dossiers/{dossier.pk}/export/")
    with scope(tenant=tenant):
        export = DossierExport.objects.get()
    assert export.state == "finished"
    assert _objects(bucket) == {f"private/{export.file_path}": export.size}
    download = client.get(f"{asked.url}dossier.pdf")
    content = b"".join(download.streaming_content)
    assert content.startswith(b"%PDF") and hashlib.sha256(content).hexdigest() == export.sha256


@pytest.mark.django_db
def test_a_generated_document_is_stored_once_and_served_by_a_short_signed_url(tenant, bucket,
                                                                             settings, tmp_path):
    (tmp_path / "portal_test_doc.html").write_text("<html><body><h1>Décision</h1></body></html>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0],
                           "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    target = OrganizationFactory(tenant=tenant)
    with scope(tenant=tenant):
        document, rendered = document_generate(
            tenant=tenant, kind="test.doc", target=target, template_name="portal_test_doc.html",
            context={}, source={"v": 1}, filename="courrier décision.pdf")
        again, rendered_again = document_generate(
            tenant=tenant, kind="test.doc", target=target, template_name="portal_test_doc.html",
            context={}, source={"v": 1}, filename="courrier décision.pdf")
    assert rendered and not rendered_again and again.file_path == document.file_path
    stored = storage.read_private_file(document.file_path)
    assert stored.startswith(b"%PDF") and hashlib.sha256(stored).hexdigest() == document.sha256

    settings.PRIVATE_STORAGE_SIGNED_URLS = True
    response = storage.private_file_response(document.file_path, filename=document.filename)
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.url).query)
    assert query["X-Amz-Expires"] == ["60"]
    assert query["response-content-disposition"][0].startswith("attachment;")
    with urllib.request.urlopen(response.url, timeout=10) as signed:
        assert signed.read() == stored
        assert signed.headers["Content-Disposition"].startswith("attachment;")
    with pytest.raises(Http404):
        storage.private_file_response("documents/absent.pdf", filename="x.pdf")


@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_carry_the_object_store_files(tenant, bucket, tmp_path):
    kept = storage.save_private_file(folder="documents/hdf", suffix=".pdf", content=PDF)
    folder = backup_create(tmp_path / "backups")
    manifest = (folder / "manifest.json").read_text()
    assert hashlib.sha256(PDF).hexdigest() in manifest and '"object store"' in manifest

    storage.private_file_delete(kept)
    stray = storage.save_private_file(folder="documents/hdf", suffix=".pdf", content=b"%PDF x")
    backup_restore(folder)
    assert storage.read_private_file(kept) == PDF
    assert not storage.private_file_exists(stray)
    assert set(_objects(bucket)) == {f"private/{kept}"}
    assert Path(settings.PRIVATE_MEDIA_ROOT).exists() is False
