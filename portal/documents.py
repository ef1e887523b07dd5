"""Generated PDF documents, stored privately with a checksum.

`document_generate(kind=..., target=..., template_name=..., context=..., source=...)` renders
the PDF only when `source` (the data the document shows, JSON-serialisable) changed since the
stored one; a worker killed mid-task never leaves a half-written file. Files live in the private
storage (a folder or a bucket: portal.storage) and are served only by permission-checked views
(`private_file_response`).
"""

import hashlib
import json
from pathlib import Path

from django.conf import settings

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from .models import GeneratedDocument
from .storage import (private_file_delete, private_file_exists,  # noqa: F401 (re-exported)
                      private_file_response, save_private_file)


def source_hash(source) -> str:
    payload = json.dumps(source, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def private_path(relative: str) -> Path:
    """Where a private file is with the local storage (make run, tests); an object store has
    no path: read files with portal.storage.read_private_file."""
    return Path(settings.PRIVATE_MEDIA_ROOT) / relative


def write_private_file(*, folder: str, suffix: str, content: bytes) -> str:
    """Store `content` privately under <folder>/ with a random name; return the name."""
    return save_private_file(folder=folder, suffix=suffix, content=content)


def document_generate(*, tenant, kind: str, target, template_name: str, context: dict,
                      source, filename: str) -> tuple[GeneratedDocument, bool]:
    """Render and store the document unless an identical one exists; (document, rendered?)."""
    from .pdf import render_pdf

    digest = source_hash(source)
    target_type = ContentType.objects.get_for_model(target)
    existing = GeneratedDocument.objects.filter(kind=kind, target_type=target_type,
                                                target_id=str(target.pk)).first()
    if existing and existing.source_hash == digest and private_file_exists(existing.file_path):
        return existing, False
    content = render_pdf(template_name=template_name, context=context)
    relative = write_private_file(folder=f"documents/{tenant.slug}/{kind}", suffix=".pdf",
                                  content=content)
    with transaction.atomic():
        document, _ = GeneratedDocument.objects.update_or_create(
            kind=kind, target_type=target_type, target_id=str(target.pk),
            defaults={"tenant": tenant, "file_path": relative, "filename": filename,
                      "sha256": hashlib.sha256(content).hexdigest(), "size": len(content),
                      "source_hash": digest, "generated_at": timezone.now()})
    if existing and existing.file_path != relative:
        transaction.on_commit(lambda: private_file_delete(existing.file_path))
    return document, True


