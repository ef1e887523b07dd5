"""E-mail backends for tests that run a real worker (tests/worker.py).

`StallingFileBackend` writes messages to files like Django's file backend, except a message to
the address in ``PORTAL_TEST_STALL_RECIPIENT``: for that one it writes a marker file
(``<EMAIL_FILE_PATH>/stalled``) and waits, as an SMTP server that stops answering would, so a
test can kill the worker at a known point in the middle of a batch.
"""

import os
import time
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.filebased import EmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class StallingFileBackend(EmailBackend):
    def send_messages(self, email_messages):
        stall = os.environ.get("PORTAL_TEST_STALL_RECIPIENT", "").lower()
        if stall and any(stall in (a.lower() for a in m.recipients()) for m in email_messages):
            Path(settings.EMAIL_FILE_PATH, "stalled").write_text(stall)
            while True:  # until the test kills the worker
                time.sleep(1)
        return super().send_messages(email_messages)


class FailingOnceLocmemBackend(LocmemBackend):
    """Django's test backend (mail.outbox), except that the first message to
    ``FAILING_RECIPIENTS`` fails as a mail server refusing the connection would."""

    failing: set = set()

    def send_messages(self, email_messages):
        for message in email_messages:
            hit = self.failing & {a.lower() for a in message.recipients()}
            if hit:
                self.failing.difference_update(hit)
                raise ConnectionRefusedError(f"mail server refused {sorted(hit)}")
        return super().send_messages(email_messages)
