"""The demo's mailbox: every outgoing e-mail saved as one `.eml` file under `var/mail/`
(`EMAIL_FILE_PATH`), named by time, recipient and subject, so that it can be opened in any
mail client (attachments included) or read as text — never mixed into the server's log."""

from __future__ import annotations

import re
import threading
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone
from django.utils.text import slugify


class EmlFileBackend(BaseEmailBackend):
    """`EMAIL_BACKEND = "portal.mail_files.EmlFileBackend"`: one file per message and
    recipient list, `<YYYYmmdd-HHMMSS>-<n>-<to>-<subject>.eml`."""

    _lock = threading.Lock()
    _counter = 0

    def __init__(self, *args, file_path: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.folder = Path(file_path or settings.EMAIL_FILE_PATH)

    def _name(self, message) -> str:
        with self._lock:
            EmlFileBackend._counter += 1
            number = EmlFileBackend._counter
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        to = re.sub(r"[^A-Za-z0-9.@_-]", "_", (message.to or ["sans-destinataire"])[0])[:60]
        subject = slugify(message.subject or "")[:60] or "sans-objet"
        return f"{stamp}-{number:04d}-{to}-{subject}.eml"

    def send_messages(self, email_messages) -> int:
        if not email_messages:
            return 0
        self.folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            if not message.recipients():
                continue
            (self.folder / self._name(message)).write_bytes(message.message().as_bytes())
            sent += 1
        return sent
