"""A real Celery worker process on the real Redis broker, for tests that need one.

The worker runs `celery -A portal worker` against the pytest test database (tests using it
must be `transaction=True` so their rows are committed and visible), on a queue of its own
so parallel test runs never take each other's tasks. E-mails it sends go to files.
"""

import email
import email.policy
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.db import connection

from portal.devdb import connection_url

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def database_url() -> str:
    """This process's test database, as a URL for a child process (TCP or embedded socket)."""
    return connection_url(connection.settings_dict)


def use_broker(app, *, url: str, eager: bool, queue: str | None = None) -> None:
    """Point this (test) process's Celery app at `url`, dropping cached connections."""
    app.conf.broker_url = url
    app.conf.task_always_eager = eager
    if queue:
        app.conf.task_default_queue = queue
    app._pool = None
    try:
        app.amqp._producer_pool = None
    except AttributeError:
        pass


STARTUP_FLUSH_DONE = re.compile(r"portal\.outbox_flush\[[^\]]+\] (succeeded|raised)")


class WorkerProcess:
    def __init__(self, *, concurrency: int = 2, beat: bool = False, conn_max_age: int = 0,
                 extra_env: dict | None = None):
        # Tests close the worker's connection after each task (a test may drop its database);
        # the benchmarks pass the production value so they measure what production does.
        self.conn_max_age = conn_max_age
        self.queue = f"test-{uuid.uuid4().hex[:12]}"
        self.mail_dir = Path(tempfile.mkdtemp(prefix="portal-mail-"))
        self.concurrency = concurrency
        self.beat = beat
        self.proc = None
        self.log = Path(tempfile.mkstemp(prefix="celery-", suffix=".log")[1])
        self.extra_env = dict(extra_env or {})

    def env(self) -> dict:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings.base",
            "DATABASE_URL": database_url(),
            "REDIS_URL": REDIS_URL,
            "CELERY_QUEUE": self.queue,
            "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.mail_dir),
            "CONN_MAX_AGE": str(self.conn_max_age),
            **self.extra_env,
        }

    def start(self):
        cmd = [sys.executable, "-m", "celery", "-A", "portal", "worker", "-Q", self.queue,
               "-c", str(self.concurrency), "--pool", "prefork", "-l", "info",
               "--without-gossip", "--without-mingle", "--without-heartbeat",
               "-n", f"{self.queue}@%h"]
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=self.env(), stdout=open(self.log, "w"),
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"celery worker exited:\n{self.log.read_text()}")
            log = self.log.read_text()
            # Ready, and done with the outbox flush it sends itself at start-up (it would
            # otherwise race with what the test puts in the outbox).
            if " ready." in log and STARTUP_FLUSH_DONE.search(log):
                return self
            time.sleep(0.2)
        raise RuntimeError(f"celery worker did not start:\n{self.log.read_text()}")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        shutil.rmtree(self.mail_dir, ignore_errors=True)

    def kill(self):
        """Hard kill (SIGKILL), as a crashed machine would."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=20)

    def mails(self) -> list:
        """The e-mails the worker sent, parsed (``m["To"]``, ``m["Subject"]``, ``text(m)``)."""
        messages = []
        for path in sorted(self.mail_dir.glob("*.log")):
            for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if chunk.strip():
                    messages.append(email.message_from_bytes(chunk.strip() + b"\n",
                                                             policy=email.policy.default))
        return messages


    def wait_for(self, predicate, timeout: float = 30.0, interval: float = 0.2):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(interval)
        raise AssertionError(f"timed out; worker log:\n{self.log.read_text()[-4000:]}")


def text(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()
