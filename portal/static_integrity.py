"""Subresource-integrity digests of the static files exactly as they are served.

django-dsfr's templates carry the SRI digests of the DSFR files as shipped; collectstatic's
manifest storage (production) rewrites the url(...) references inside the stylesheets to the
hashed names, so the served bytes no longer match and the browser refuses the stylesheets
(an unstyled portal). Our copies of ``dsfr/global_css.html`` and ``dsfr/global_js.html``
take the digest from here instead: computed once per process from the file the storage
serves (the collected, hashed file under manifest storage; the file the finders serve in the
demo and the tests)."""

import base64
import hashlib
import os

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.signals import setting_changed
from django.dispatch import receiver

_digests: dict[tuple, str] = {}


def _served_bytes(path: str) -> tuple[tuple, bytes | None]:
    storage = staticfiles_storage
    if isinstance(storage, ManifestFilesMixin):  # (the lazy object proxies __class__)
        name = storage.stored_name(path)
        key = ("collected", storage.location, name)
        if key in _digests:
            return key, None
        with storage.open(name) as handle:
            return key, handle.read()
    found = finders.find(path)
    if not found:
        return ("missing", path), b""
    info = os.stat(found)
    key = ("found", found, info.st_mtime_ns, info.st_size)
    if key in _digests:
        return key, None
    with open(found, "rb") as handle:
        return key, handle.read()


def static_integrity(path: str) -> str:
    """``sha384-…`` of the static file `path` as served, "" when there is no such file."""
    key, data = _served_bytes(path)
    if data is None:
        return _digests[key]
    if key[0] == "missing":
        return ""
    digest = "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")
    _digests[key] = digest
    return digest


@receiver(setting_changed)
def _forget(setting, **kwargs):
    if setting in ("STORAGES", "STATIC_ROOT", "STATICFILES_DIRS"):
        _digests.clear()
