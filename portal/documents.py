"""Generated PDF documents, stored privately with a checksum.

`document_generate(kind=..., target=..., template_name=..., context=..., source=...)` renders
the PDF only when `source` (the data the document shows, JSON-serialisable) changed since the
stored one; the file is written to a temporary name and renamed into place, so a worker
killed mid-task never leaves a half-written file. Files live under PRIVATE_MEDIA_ROOT and are
served only by permission-checked views (`private_file_response`).
"""

import hashlib
import json
import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.http import FileResponse, Http404
from django.utils import timezone

from .models import GeneratedDocument


def source_hash(source) -> str:
    payload = json.dumps(source, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def private_path(relative: str) -> Path:
    return Path(settings.PRIVATE_MEDIA_ROOT) / relative


def write_private_file(*, folder: str, suffix: str, content: bytes) -> str:
    """Write `content` atomically under PRIVATE_MEDIA_ROOT/<folder>/ with a random name;
    return the relative path."""
    relative = f"{folder}/{secrets.token_hex(16)}{suffix}"
    final = private_path(relative)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.with_name(final.name + ".part")
    with open(tmp, "wb") as fh:
        fh.write(content)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, final)
    return relative


def document_generate(*, tenant, kind: str, target, template_name: str, context: dict,
                      source, filename: str) -> tuple[GeneratedDocument, bool]:
    """Render and store the document unless an identical one exists; (document, rendered?)."""
    from .pdf import render_pdf

    digest = source_hash(source)
    target_type = ContentType.objects.get_for_model(target)
    existing = GeneratedDocument.objects.filter(kind=kind, target_type=target_type,
                                                target_id=str(target.pk)).first()
    if existing and existing.source_hash == digest and private_path(existing.file_path).exists():
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
        transaction.on_commit(lambda: private_path(existing.file_path).unlink(missing_ok=True))
    return document, True


def private_file_response(relative: str, *, filename: str,
                          content_type: str = "application/pdf") -> FileResponse:
    """Serve a private file as an attachment, never sniffed by the browser."""
    path = private_path(relative)
    root = Path(settings.PRIVATE_MEDIA_ROOT).resolve()
    if not path.resolve().is_relative_to(root) or not path.exists():
        raise Http404
    response = FileResponse(open(path, "rb"), as_attachment=True, filename=filename,
                            content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
