"""A live server as production runs it, for browser tests: DEBUG off, static files collected
(collectstatic into a temporary folder) with the manifest storage and served by WhiteNoise
from that folder, as `docker-compose.yml` runs the web container. The demo and the other
browser tests serve the source files through the finders and never see the hashed names,
the rewritten stylesheets or their integrity digests.

Use the `production_server` fixture (in tests/conftest.py) like `live_server`:

    def test_x(browser, production_server):
        context = browser.new_context(base_url=production_server.url)

Differences with production, on purpose: plain HTTP (no SSL redirect, HSTS or Secure
cookies: the browser talks to 127.0.0.1), the test database and e-mail outbox, and no gzip or
brotli variants (compressing the 3 500 collected files takes minutes; WhiteNoise serves the
same bytes uncompressed, and integrity is checked on the decoded bytes anyway).
"""

from django.test.testcases import LiveServerThread
from django.test.utils import override_settings

#: The static storage of portal.settings.base (which production uses).
PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
#: Every extension left uncompressed (see the module docstring).
NO_COMPRESSION = ["css", "js", "mjs", "svg", "woff", "woff2", "ttf", "eot", "otf", "png", "jpg",
                  "jpeg", "gif", "ico", "webp", "html", "htm", "txt", "json", "map", "xml", "md",
                  "scss", "less", "webmanifest", "LICENSE", "gz", "br", "zip", "pdf", "csv", ""]


def production_static_settings(static_root) -> dict:
    return {"STATIC_ROOT": str(static_root), "STORAGES": PRODUCTION_STORAGES,
            "WHITENOISE_SKIP_COMPRESS_EXTENSIONS": NO_COMPRESSION,
            "WHITENOISE_AUTOREFRESH": False, "WHITENOISE_USE_FINDERS": False}


def collect_static(static_root) -> None:
    from django.core.management import call_command

    with override_settings(**production_static_settings(static_root)):
        call_command("collectstatic", "--noinput", "--clear", "-v0")


class ProductionServer:
    """The WSGI application (WhiteNoise first, as in production) in a thread; no static
    handler in front of it (pytest-django's live server serves the source files itself)."""

    def __init__(self):
        self.thread = LiveServerThread("127.0.0.1", lambda application: application)
        self.thread.daemon = True
        self.thread.start()
        self.thread.is_ready.wait()
        if self.thread.error:
            raise self.thread.error
        self.url = f"http://127.0.0.1:{self.thread.port}"

    def stop(self):
        self.thread.terminate()

    def __str__(self):
        return self.url
