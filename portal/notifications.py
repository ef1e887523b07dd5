"""Every outgoing message goes through one ledger (`portal.models.Notification`).

``notify(kind=…, target=…, key=…, recipients=…, template=…, context=…)`` writes one row per
recipient under a unique key (kind, object, occasion, recipient), rendered in the
recipient's language, and queues one task per new row (`portal.notification_send`); that task
locks its row, sends, and marks it sent in the same transaction. So:

* nobody is mailed twice: a second `notify` for the same occasion finds the rows; a task run
  twice (retry, redelivery, two workers) finds the row sent or locked;
* nobody is missed: a row whose task was lost (worker killed mid-batch, broker down) is still
  pending, and `resend_pending` (beat every five minutes, and at each worker start) queues it
  again.

The one case left is a crash between the mail server accepting a message and the commit that
marks its row: the row is sent again. Each message carries a Message-ID made from its row, so
the copy is recognisably the same message.

Attachments are produced when the message is sent, by providers apps register
(`register_attachment("applications.receipt", fn)`, ``fn(**kwargs) -> (filename, bytes,
mimetype)``), so that a PDF made by another task is attached once it exists.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_scopes import scope, scopes_disabled

from .emails import render_plain_text
from .models import Notification, NotificationState, Tenant, User

logger = logging.getLogger(__name__)

_ATTACHMENTS: dict[str, Callable[..., tuple[str, bytes, str]]] = {}


def register_attachment(name: str, provider: Callable[..., tuple[str, bytes, str]]) -> None:
    _ATTACHMENTS[name] = provider


def _recipient(recipient) -> tuple[str, User | None]:
    if isinstance(recipient, User):
        return recipient.email.strip().lower(), recipient
    email = str(recipient).strip().lower()
    return email, User.objects.filter(email__iexact=email).first()


def _render(template: str, context: dict, language: str) -> tuple[str, str, str]:
    with translation.override(language):
        subject = render_plain_text(f"emails/{template}_subject.txt", context)
        text = render_plain_text(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    from .typography import typeset_html, typeset_text

    return (typeset_text(" ".join(subject.split()), language), typeset_text(text, language),
            typeset_html(html, language))


def _existing(kind: str, target_type, target_id: str, key: str, emails: list[str]) -> set[str]:
    with scopes_disabled():  # the ledger's unique key, whatever the tenant
        return set(Notification.objects.filter(
            kind=kind, target_type=target_type, target_id=target_id, key=key,
            recipient__in=emails).values_list("recipient", flat=True))


def notify(*, kind: str, target: models.Model, recipients: Iterable, template: str,
           context: dict | None = None, key: str = "", tenant: Tenant | None = None,
           attachments: Iterable[tuple[str, dict]] = ()) -> list[Notification]:
    """Record and queue one message per recipient (a User or an e-mail address) not yet
    recorded for (kind, target, key); returns the rows this call created."""
    target_type = ContentType.objects.get_for_model(target)
    target_id = str(target.pk)
    people = {}
    for recipient in recipients:
        email, user = _recipient(recipient)
        if email:
            people.setdefault(email, user)
    done = _existing(kind, target_type, target_id, key, list(people))
    created = []
    for email, user in people.items():
        if email in done:
            continue
        language = (getattr(user, "language", "") or "fr") if user else "fr"
        subject, text, html = _render(template, {**(context or {}), "recipient": user},
                                      language)
        row = Notification(tenant=tenant, kind=kind, target_type=target_type,
                           target_id=target_id, key=key, recipient=email, user=user,
                           subject=subject, body_text=text, body_html=html,
                           attachments=[[name, kwargs] for name, kwargs in attachments])
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError:
            continue  # recorded meanwhile by another worker, which sends it
        created.append(row)
    _queue([row.pk for row in created])
    return created


def record_skipped(*, kind: str, target: models.Model, recipients: Iterable, key: str,
                   tenant: Tenant | None = None) -> None:
    """Record occasions that will never be sent (a reminder superseded by a later one)."""
    target_type = ContentType.objects.get_for_model(target)
    for recipient in recipients:
        email, user = _recipient(recipient)
        with scopes_disabled():
            Notification.objects.get_or_create(
                kind=kind, target_type=target_type, target_id=str(target.pk), key=key,
                recipient=email, defaults={"tenant": tenant, "user": user,
                                           "state": NotificationState.SKIPPED})


def _queue(pks: list[int]) -> None:
    """One task per row. In-process (eager) tasks share this connection and may run now;
    tasks sent to a broker run in a worker that only sees committed rows: after commit."""
    if not pks:
        return
    from .celery import app
    from .tasks import notification_send_task as task  # registered by its import, even in a
    # process that has not autodiscovered the tasks (a management command, one test alone)
    if app.conf.task_always_eager:
        for pk in pks:  # one message failing leaves its row pending, not the others
            try:
                task.apply_async(kwargs={"notification_id": pk})
            except Exception:  # noqa: BLE001 - logged; resend_pending tries the row again
                logger.exception("notification %s left pending", pk)
        return

    def send():
        for pk in pks:
            try:
                task.apply_async(kwargs={"notification_id": pk}, retry=False)
            except Exception as exc:  # noqa: BLE001 - broker errors vary; resend_pending retries
                logger.warning("notification %s left pending, broker unavailable: %s", pk, exc)
                return

    transaction.on_commit(send)


def send_one(notification_id: int, *, now: datetime | None = None) -> bool:
    """Send one pending row and mark it sent, in one transaction holding its lock; True when
    this call sent it. Rows sent, skipped or being sent by another worker are left alone."""
    with scopes_disabled():  # task start-up: the row names its tenant
        row = (Notification.objects.select_related("tenant")
               .filter(pk=notification_id, state=NotificationState.PENDING).first())
    if row is None:
        return False
    try:
        with transaction.atomic(), scopes_disabled():
            locked = (Notification.objects.select_for_update(skip_locked=True)
                      .filter(pk=row.pk, state=NotificationState.PENDING).first())
            if locked is None:
                return False
            message = _message(locked, tenant=row.tenant)
            message.send()
            locked.state, locked.sent_at = NotificationState.SENT, now or timezone.now()
            locked.attempts += 1
            locked.save(update_fields=["state", "sent_at", "attempts"])
    except Exception as exc:
        with scopes_disabled():
            Notification.objects.filter(pk=row.pk).update(
                attempts=F("attempts") + 1,
                last_error=f"{exc.__class__.__name__}: {exc}"[:255])
        raise
    return True


def _message(row: Notification, *, tenant: Tenant | None) -> EmailMultiAlternatives:
    # The same row always gets the same Message-ID: a copy sent again after a crash between
    # the mail server's answer and our commit is recognisably the same message.
    domain = settings.PORTAL_BASE_URL.split("//")[-1].split("/")[0].split(":")[0] or "portal"
    message_id = f"<notification-{row.pk}.{row.created_at:%Y%m%d%H%M%S}@{domain}>"
    message = EmailMultiAlternatives(
        subject=row.subject, body=row.body_text, from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.recipient], headers={"Message-ID": message_id})
    if row.body_html:
        message.attach_alternative(row.body_html, "text/html")
    for name, kwargs in row.attachments or []:
        if tenant is not None:
            with scope(tenant=tenant):
                filename, content, mimetype = _ATTACHMENTS[name](**kwargs)
        else:
            filename, content, mimetype = _ATTACHMENTS[name](**kwargs)
        message.attach(filename, content, mimetype)
    return message


def resend_pending(*, older_than: timedelta = timedelta(minutes=5)) -> int:
    """Queue again the rows still pending after `older_than` (their task was lost)."""
    cutoff = timezone.now() - older_than
    with scopes_disabled():  # periodic job over every tenant's rows
        pks = list(Notification.objects.filter(state=NotificationState.PENDING,
                                               created_at__lte=cutoff)
                   .order_by("created_at", "pk").values_list("pk", flat=True)[:2000])
    _queue(pks)
    return len(pks)
