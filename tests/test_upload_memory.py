"""A refused upload keeps the web process's memory flat, whatever the body looks like (issue 13
finding 6).

A real gunicorn (the portal's own gunicorn.conf.py, one process) receives, on the upload view
of a document limited to 10 MB, a 200 MB body with no line break, streamed from here without
being held. The refusal must reach the browser (the body is read to its end, so the page
explaining it arrives) and the worker's peak resident memory (VmHWM) must not grow: Django's
own drain of a stopped upload reads the rest *line by line*, and gunicorn's readline() of a
body without a newline gathers all of it (~450 MB for 200 MB)."""

import http.client
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.test import Client
from django_scopes import scope

from tests.factories.applications import DossierFactory, StructureMemberFactory
from tests.factories.calls import CallFactory, DocumentRequirementFactory
from tests.worker import database_url

pytestmark = [pytest.mark.slow, pytest.mark.server, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[1]
MB = 1024 * 1024
BOUNDARY = "limite-memoire"


class Gunicorn:
    def __init__(self, tmp_path: Path):
        import os

        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.listener.set_inheritable(True)
        self.port = self.listener.getsockname()[1]
        self.log = tmp_path / "gunicorn.log"
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test",
               "DATABASE_URL": database_url(), "WEB_CONCURRENCY": "1", "CONN_MAX_AGE": "0"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "portal.wsgi:application",
             "--bind", f"fd://{self.listener.fileno()}", "--max-requests", "0"],
            cwd=ROOT, env=env, pass_fds=(self.listener.fileno(),),
            stdout=open(self.log, "wb"), stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 90
        while True:
            try:
                if self.get("/ping")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.stop()
                raise RuntimeError(self.log.read_text()[-3000:])
            time.sleep(0.3)

    def connection(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)

    def get(self, path, cookies=""):
        conn = self.connection()
        conn.request("GET", path, headers={"Cookie": cookies})
        response = conn.getresponse()
        return response.status, response.read()

    def worker_peak_rss(self) -> int:
        """The worker's peak resident set (VmHWM), in bytes."""
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        (worker,) = children.split()
        status = Path(f"/proc/{worker}/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) * 1024

    def stop(self):
        self.listener.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)


def _stream_upload(host: Gunicorn, path: str, *, cookies: str, token: str, field: str,
                   size: int) -> tuple[int, str]:
    """POST a multipart body whose file is `size` bytes of one unbroken line, sent 1 MB at a
    time (never held whole here)."""
    head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrfmiddlewaretoken\""
            f"\r\n\r\n{token}\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; "
            f"name=\"{field}\"; filename=\"sans-fin.pdf\"\r\nContent-Type: application/pdf"
            "\r\n\r\n").encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    conn = host.connection()
    conn.putrequest("POST", path)
    conn.putheader("Content-Type", f"multipart/form-data; boundary={BOUNDARY}")
    conn.putheader("Content-Length", str(len(head) + size + len(tail)))
    conn.putheader("Cookie", cookies)
    conn.endheaders()
    conn.send(head)
    chunk = b"x" * MB
    sent = 0
    while sent < size:
        piece = chunk[:min(MB, size - sent)]
        conn.send(piece)
        sent += len(piece)
    conn.send(tail)
    response = conn.getresponse()
    return response.status, response.read().decode()


@pytest.fixture
def host(transactional_db, tmp_path):
    started = Gunicorn(tmp_path)
    try:
        yield started
    finally:
        started.stop()


def test_a_refused_200_mb_body_without_line_breaks_keeps_the_worker_memory_flat(
        host, tenant, applicant):
    structure = StructureMemberFactory(user=applicant).structure
    with scope(tenant=tenant):
        dossier = DossierFactory(call=CallFactory(tenant=tenant), structure=structure)
        requirement = DocumentRequirementFactory(call=dossier.call, label="Budget",
                                                 allowed_formats=["pdf"], max_size_mb=10)
    client = Client()
    client.force_login(applicant)
    cookies = f"sessionid={client.cookies['sessionid'].value}"
    status, page = host.get(f"/{tenant.slug}/dossiers/{dossier.pk}/etapes/documents/",
                            cookies)
    assert status == 200
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    csrf_cookie = token  # a masked token is also a valid cookie value
    cookies = f"{cookies}; csrftoken={csrf_cookie}"
    url = f"/{tenant.slug}/dossiers/{dossier.pk}/pieces/{requirement.pk}/"
    field = f"req{requirement.pk}-file"
    refusal = ("Le fichier « sans-fin.pdf » dépasse la taille maximale (10,0 Mo) : il n&#x27;a "
               "pas été enregistré.")

    # Warm-up: the same refusal of a body just above the limit loads every code path.
    status, body = _stream_upload(host, url, cookies=cookies, token=token, field=field,
                                  size=11 * MB)
    assert (status, refusal in body) == (400, True), host.log.read_text()[-2000:]
    before = host.worker_peak_rss()

    status, body = _stream_upload(host, url, cookies=cookies, token=token, field=field,
                                  size=200 * MB)
    after = host.worker_peak_rss()
    assert (status, refusal in body) == (400, True), host.log.read_text()[-2000:]
    print(f"worker peak RSS {before / MB:.0f} MB -> {after / MB:.0f} MB")
    assert after - before < 16 * MB, f"peak RSS grew by {(after - before) / MB:.0f} MB"
