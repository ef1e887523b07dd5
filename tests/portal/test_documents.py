"""Generated documents: atomic private files, regenerated only when their data change."""

from pathlib import Path

import pytest
from django.conf import settings
from django.template import TemplateDoesNotExist
from django_scopes import scope
from pypdf import PdfReader

from portal import documents
from portal.models import GeneratedDocument
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def _generate(tenant, target, source):
    return documents.document_generate(
        tenant=tenant, kind="test.doc", target=target, template_name="portal_test_doc.html",
        context={"source": source}, source=source, filename="doc.pdf")


@pytest.fixture
def template(settings, tmp_path):
    (tmp_path / "portal_test_doc.html").write_text(
        "<html><body><h1>Décision</h1><p>{{ source.amount }}</p></body></html>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    return tmp_path


def test_document_is_stored_privately_with_checksum_and_rendered_once(tenant, template):
    target = OrganizationFactory(tenant=tenant)
    with scope(tenant=tenant):
        doc, rendered = _generate(tenant, target, {"amount": "12 000,00 €"})
        assert rendered is True
        path = documents.private_path(doc.file_path)
        assert path.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT))
        import hashlib

        assert doc.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        assert "12 000,00 €" in PdfReader(path).pages[0].extract_text()
        again, rendered = _generate(tenant, target, {"amount": "12 000,00 €"})
        assert (again.pk, again.file_path, rendered) == (doc.pk, doc.file_path, False)
        changed, rendered = _generate(tenant, target, {"amount": "15 000,00 €"})
        assert rendered is True and changed.file_path != doc.file_path
        assert GeneratedDocument.objects.count() == 1


def test_a_crash_while_writing_leaves_no_half_written_document(tenant, template, monkeypatch):
    target = OrganizationFactory(tenant=tenant)

    def crash(fd):
        raise OSError("disk gone")

    before = set(Path(settings.PRIVATE_MEDIA_ROOT).rglob("*.pdf"))
    from portal import storage

    monkeypatch.setattr(storage.os, "fsync", crash)
    with scope(tenant=tenant), pytest.raises(OSError):
        _generate(tenant, target, {"amount": "1,00 €"})
    with scope(tenant=tenant):
        assert not GeneratedDocument.objects.exists()
    written = set(Path(settings.PRIVATE_MEDIA_ROOT).rglob("*.pdf")) - before
    assert written == set()  # only a *.part file may remain, never a .pdf that looks complete


def test_a_template_error_is_reported_not_swallowed(tenant):
    target = OrganizationFactory(tenant=tenant)
    with scope(tenant=tenant), pytest.raises(TemplateDoesNotExist):
        documents.document_generate(tenant=tenant, kind="test.doc", target=target,
                                    template_name="pdf/does_not_exist.html", context={},
                                    source={}, filename="x.pdf")


def test_worker_processes_warm_up_pdf_rendering_before_their_first_task():
    from celery.signals import worker_process_init

    from portal import pdf
    from portal.tasks import _warm_up_pdf_rendering

    pdf._shared_styles.cache_clear()
    assert any(receiver() is _warm_up_pdf_rendering
               for _, receiver in worker_process_init.receivers if callable(receiver))
    worker_process_init.send(sender=None)
    assert pdf._shared_styles.cache_info().currsize == 1
