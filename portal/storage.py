"""Private files — uploads, receipts, letters, minutes, conventions — in one storage: a local
folder (`PRIVATE_MEDIA_ROOT`, the default for `make run` and the tests) or, with
`PRIVATE_STORAGE_BUCKET` set, a private bucket of an S3-compatible object store (django-storages;
MinIO in docker-compose.yml, moto's server in the tests), so that no web host keeps a file.

Files are only ever served by permission-checked views through `private_file_response`:
streamed from the store (default) or, with `PRIVATE_STORAGE_SIGNED_URLS`, by a redirect to a
signed URL valid 60 seconds that makes the browser download it (Content-Disposition:
attachment). Checksums (SHA-256) stay in the database rows that name the files.
"""

import os
import secrets
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.utils.http import content_disposition_header

#: Lifetime of a signed download URL (seconds).
SIGNED_URL_SECONDS = 60


def private_storage() -> Storage:
    """The storage of private files, as the settings say now (callable: tests change them)."""
    if settings.PRIVATE_STORAGE_BUCKET:
        return _object_store(settings.PRIVATE_STORAGE_BUCKET,
                             tuple(sorted(settings.PRIVATE_STORAGE_OPTIONS.items())))
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)


@lru_cache(maxsize=8)
def _object_store(bucket: str, options: tuple) -> Storage:
    from storages.backends.s3 import S3Storage

    return S3Storage(bucket_name=bucket, **dict(options))


class PrivateStorage(Storage):
    """What model file fields hold (their storage is built once, at import): every attribute is
    looked up on `private_storage()` when used, so the settings in force at that moment choose
    the folder or the bucket."""

    def __getattribute__(self, name):
        if name.startswith("__"):
            return object.__getattribute__(self, name)
        return getattr(private_storage(), name)

    def deconstruct(self):
        return ("portal.storage.PrivateStorage", (), {})


def is_local(storage: Storage) -> bool:
    return isinstance(storage, FileSystemStorage)


def save_private_file(*, folder: str, suffix: str, content: bytes) -> str:
    """Store `content` under `<folder>/<random name><suffix>`; return the name. Locally the
    file is written aside and renamed into place (a worker killed mid-write never leaves half a
    file); an object store writes an object whole or not at all."""
    name = f"{folder}/{secrets.token_hex(16)}{suffix}"
    storage = private_storage()
    if not is_local(storage):
        return storage.save(name, ContentFile(content))
    final = Path(storage.path(name))
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.with_name(final.name + ".part")
    with open(tmp, "wb") as fh:
        fh.write(content)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, final)
    return name


def private_file_exists(name: str) -> bool:
    try:
        return bool(name) and private_storage().exists(name)
    except Exception:  # noqa: BLE001 - a name outside the storage (SuspiciousFileOperation)
        return False


def read_private_file(name: str) -> bytes:
    """The whole file (an e-mail attachment, a PDF a few hundred kB)."""
    with private_storage().open(name, "rb") as fh:
        return fh.read()


def private_file_delete(name: str) -> None:
    if name:
        private_storage().delete(name)


def private_file_response(name: str, *, filename: str,
                          content_type: str = "application/pdf"):
    """Serve a private file as an attachment, never sniffed by the browser (404 when absent or
    outside the storage). Call it only after the view has checked the permission."""
    storage = private_storage()
    if is_local(storage):
        root = Path(storage.location).resolve()
        path = (root / name).resolve()
        if not name or not path.is_relative_to(root) or not path.is_file():
            raise Http404
        response = FileResponse(open(path, "rb"), as_attachment=True, filename=filename,
                                content_type=content_type)
    elif settings.PRIVATE_STORAGE_SIGNED_URLS:
        if not private_file_exists(name):
            raise Http404
        url = storage.url(name, expire=SIGNED_URL_SECONDS, parameters={
            "ResponseContentDisposition": content_disposition_header(True, filename),
            "ResponseContentType": content_type})
        response = HttpResponseRedirect(url)
    else:
        response = _stream_object(storage, name, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _stream_object(storage, name: str, *, filename: str, content_type: str) -> FileResponse:
    """The object's body as it arrives from the store (nothing spooled on the web host)."""
    from botocore.exceptions import ClientError
    from storages.utils import clean_name

    try:
        key = storage._normalize_name(clean_name(name))
        obj = storage.connection.meta.client.get_object(Bucket=storage.bucket_name, Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NoSuchBucket"):
            raise Http404 from None
        raise
    except Exception:  # noqa: BLE001 - a name outside the storage (SuspiciousOperation)
        raise Http404 from None
    response = FileResponse(obj["Body"], as_attachment=True, filename=filename,
                            content_type=content_type)
    response["Content-Length"] = str(obj["ContentLength"])
    return response


def private_file_names(storage: Storage | None = None) -> list[str]:
    """Every file of the private storage (for backups), sorted."""
    storage = storage or private_storage()
    names = []

    def walk(prefix: str) -> None:
        try:
            folders, files = storage.listdir(prefix)
        except FileNotFoundError:
            return
        names.extend(f"{prefix}{f}" for f in files)
        for folder in folders:
            walk(f"{prefix}{folder}/")

    walk("")
    return sorted(n for n in names if not n.endswith(".part"))
