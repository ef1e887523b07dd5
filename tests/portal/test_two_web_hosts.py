"""Two web hosts share nothing but PostgreSQL, Redis and the object store: two gunicorn
instances (production settings), each with its own empty local folder. A session opened on one
is valid on the other; a file uploaded through one is downloaded through the other, and
neither host's folder receives a byte."""

import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from django_scopes import scope

from tests.factories.applications import DossierFactory, StructureMemberFactory
from tests.factories.calls import CallFactory, DocumentRequirementFactory
from tests.factories.portal import PASSWORD
from tests.portal.test_object_storage import PDF, s3_endpoint  # noqa: F401 (fixture)
from tests.worker import REDIS_URL, database_url

pytestmark = [pytest.mark.slow, pytest.mark.server, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


class Host:
    """One gunicorn on a loopback port bound here (production settings, plain static files)."""

    def __init__(self, env: dict, folder: Path):
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.listener.set_inheritable(True)
        self.port = self.listener.getsockname()[1]
        self.folder = folder
        folder.mkdir()
        self.log = folder.parent / f"gunicorn-{self.port}.log"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "portal.wsgi:application", "--workers", "1",
             "--bind", f"fd://{self.listener.fileno()}",
             "--pythonpath", f"{ROOT},{ROOT / 'bench' / 'load'}"],
            cwd=ROOT, env={**env, "PRIVATE_MEDIA_ROOT": str(folder)},
            pass_fds=(self.listener.fileno(),), stdout=open(self.log, "wb"),
            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 90
        while True:
            try:
                if self.request("/ping")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.stop()
                raise RuntimeError(self.log.read_text()[-3000:])
            time.sleep(0.3)

    def request(self, path, *, cookies=None, data=None, headers=None):
        url = f"http://127.0.0.1:{self.port}{path}"
        request = urllib.request.Request(url, data=data, headers={
            "X-Forwarded-Proto": "https", "Host": "127.0.0.1",
            "Referer": f"https://127.0.0.1{path}", **(headers or {})})
        if cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
        try:
            with OPENER.open(request, timeout=30) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers, exc.read()

    def stop(self):
        self.listener.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)


def _cookies(headers, jar):
    for value in headers.get_all("Set-Cookie") or []:
        name, _, rest = value.partition("=")
        jar[name] = rest.split(";", 1)[0]
    return jar


def _log_in(host, user) -> dict:
    """Sign in through allauth's form on `host`; the session and CSRF cookies."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    # A hash production's hashers read (the tests' own settings use a fast MD5 one).
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "portail-essai", iterations=1000)
    user.save(update_fields=["password"])
    status, headers, body = host.request("/accounts/login/")
    jar = _cookies(headers, {})
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    form = f"csrfmiddlewaretoken={token}&login={user.email}&password={PASSWORD}".encode()
    status, headers, _body = host.request("/accounts/login/", cookies=jar, data=form, headers={
        "Content-Type": "application/x-www-form-urlencoded"})
    assert status == 302, host.log.read_text()[-2500:]
    return _cookies(headers, jar)


def _multipart(fields: dict, files: dict) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())
    for name, (filename, content) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
                     + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@pytest.fixture
def hosts(transactional_db, s3_endpoint, tmp_path):  # noqa: F811
    import boto3

    bucket = f"portail-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_endpoint, aws_access_key_id="test",
                 aws_secret_access_key="test", region_name="us-east-1").create_bucket(Bucket=bucket)
    run = secrets.token_hex(4)
    env = {k: v for k, v in __import__("os").environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    # production settings with unhashed static files (bench/load/settings_plain_static.py)
    env.update(DJANGO_SETTINGS_MODULE="settings_plain_static", DATABASE_URL=database_url(),
               REDIS_URL=REDIS_URL, CACHE_KEY_PREFIX=f"test-hosts-{run}",
               CELERY_QUEUE=f"test-hosts-{run}", SECRET_KEY=secrets.token_urlsafe(50),
               ALLOWED_HOSTS="127.0.0.1", SECURE_SSL_REDIRECT="False",
               PRIVATE_STORAGE_BUCKET=bucket, S3_ENDPOINT_URL=s3_endpoint,
               S3_ACCESS_KEY_ID="test", S3_SECRET_ACCESS_KEY="test")
    started = []
    try:
        for name in ("a", "b"):
            started.append(Host(env, tmp_path / f"host-{name}"))
        yield started, {k: env[k] for k in ("PRIVATE_STORAGE_BUCKET", "S3_ENDPOINT_URL",
                                            "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY",
                                            "CACHE_KEY_PREFIX")}
    finally:
        for host in started:
            host.stop()


def test_a_session_and_a_file_made_on_one_host_work_on_the_other(hosts, tenant, applicant):
    (a, b), _store = hosts
    structure = StructureMemberFactory(user=applicant).structure
    with scope(tenant=tenant):
        dossier = DossierFactory(call=CallFactory(tenant=tenant), structure=structure)
        requirement = DocumentRequirementFactory(call=dossier.call, label="Budget",
                                                 allowed_formats=["pdf"], max_size_mb=1)

    # Signed in on A (allauth's form, CSRF and all)…
    jar = _log_in(a, applicant)
    # …and signed in on B with the same cookie.
    status, _h, body = b.request("/structures/mes-dossiers/", cookies=jar)
    assert status == 200 and applicant.email.encode() in body

    # Uploaded through A…
    step = f"/{tenant.slug}/dossiers/{dossier.pk}/etapes/documents/"
    status, headers, body = a.request(step, cookies=jar)
    assert status == 200
    _cookies(headers, jar)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    data, content_type = _multipart({"csrfmiddlewaretoken": token},
                                    {f"req{requirement.pk}-file": ("budget.pdf", PDF)})
    status, _h, body = a.request(f"/{tenant.slug}/dossiers/{dossier.pk}/pieces/{requirement.pk}/",
                                 cookies=jar, data=data, headers={"Content-Type": content_type})
    assert status == 302, body[:1000]
    from applications.models import Attachment

    with scope(tenant=tenant):
        attachment = Attachment.objects.get(dossier=dossier)
    # …downloaded through B.
    status, headers, body = b.request(
        f"/{tenant.slug}/dossiers/{dossier.pk}/fichiers/{attachment.pk}/", cookies=jar)
    assert status == 200 and body == PDF
    assert headers["Content-Disposition"].startswith("attachment;")
    for host in (a, b):
        assert not any(p.is_file() for p in host.folder.rglob("*"))


def test_a_document_produced_by_a_worker_is_served_by_both_hosts(hosts, tenant, applicant,
                                                                 tmp_path):
    """The acknowledgement of receipt, rendered by a Celery worker (its own empty folder too)
    after filing, into the object store; both web hosts serve it."""
    from portal.celery import app
    from tests.factories.reviews import FiledDossierFactory
    from tests.worker import WorkerProcess, use_broker

    (a, b), store = hosts
    worker_folder = tmp_path / "worker"
    worker_folder.mkdir()

    class StoreWorker(WorkerProcess):
        def env(self):
            return {**super().env(), **store, "PRIVATE_MEDIA_ROOT": str(worker_folder)}

    structure = StructureMemberFactory(user=applicant).structure
    with scope(tenant=tenant):
        dossier = FiledDossierFactory(call=CallFactory(tenant=tenant), structure=structure)
    worker = StoreWorker().start()
    use_broker(app, url=REDIS_URL, eager=False, queue=worker.queue)
    try:
        from applications.tasks import dossier_submitted_email_task
        from applications.models import Dossier

        dossier_submitted_email_task.delay(dossier_id=dossier.pk)
        with scope(tenant=tenant):
            worker.wait_for(lambda: Dossier.objects.filter(pk=dossier.pk).exclude(
                receipt="").exists(), timeout=90)
    finally:
        use_broker(app, url="memory://", eager=True, queue="portal")
        worker.stop()
    assert not any(p.is_file() for p in worker_folder.rglob("*"))

    client_cookies = _log_in(a, applicant)
    bodies = []
    for host in (a, b):
        status, headers, body = host.request(
            f"/{tenant.slug}/dossiers/{dossier.pk}/accuse-de-reception.pdf",
            cookies=client_cookies)
        assert status == 200 and body.startswith(b"%PDF")
        bodies.append(body)
    assert bodies[0] == bodies[1]
    for host in (a, b):
        assert not any(p.is_file() for p in host.folder.rglob("*"))
