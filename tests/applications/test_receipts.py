"""Acknowledgements of receipt: one for the filing, a new one when the dossier is completed
and filed again."""

import hashlib
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_scopes import scope
from pypdf import PdfReader

from applications import services
from applications.models import Dossier
from portal.models import AuditEvent
from tests.factories.applications import DossierFactory, balanced_budget

pytestmark = pytest.mark.django_db


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_resubmission_after_a_completion_request_produces_a_new_receipt(
        tenant, call, structure, applicant, instructor, django_capture_on_commit_callbacks):
    with scope(tenant=tenant):
        dossier = balanced_budget(DossierFactory(call=call, structure=structure))
        with django_capture_on_commit_callbacks(execute=True):
            services.dossier_submit(user=applicant, dossier=dossier)
        dossier.refresh_from_db()
        first_name, first_sha = dossier.receipt.name, dossier.receipt_sha256
        storage = dossier.receipt.storage
        assert first_sha and storage.exists(first_name)
        services.dossier_request_completion(
            user=instructor, dossier=dossier, message="Le titre, svp.", steps=["project"],
            due_at=timezone.now() + timedelta(days=5))
        services.dossier_update_project(user=applicant, dossier=dossier,
                                        title="Tournée coopérative 2025")
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.dossier_submit(user=applicant, dossier=dossier)
        dossier = Dossier.objects.get(pk=dossier.pk)
        event = AuditEvent.objects.get(action="applications.dossier.resubmitted",
                                       target_id=str(dossier.pk))
    assert dossier.receipt.name != first_name
    assert not storage.exists(first_name)
    with dossier.receipt.open("rb") as fh:
        pdf = fh.read()
    assert dossier.receipt_sha256 == hashlib.sha256(pdf).hexdigest() != first_sha
    text = " ".join(_text(pdf).split())
    assert "Tournée coopérative 2025" in text
    assert "déposé à nouveau le" in text
    assert event.data["previous_receipt_sha256"] == first_sha
    to_structure = [m for m in mail.outbox if m.to == [applicant.email]]
    assert len(to_structure) == 1
    assert [(name, content) for name, content, _ in to_structure[0].attachments] == [
        (f"accuse-reception-{dossier.reference}.pdf", pdf)]
