"""portal.settings.production with plain static storage (no collected manifest needed): used
by `bench/load.py --smoke` only, where collecting the static files (about 90 s) would cost more
than the measure. The pages' static URLs are then unhashed; nothing else differs."""

from portal.settings.production import *  # noqa: F401,F403

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
