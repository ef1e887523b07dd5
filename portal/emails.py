"""E-mails of the portal app, rendered in the recipient's language (HTML + text)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import translation


def send_templated_email(*, to: str, template: str, context: dict, language: str = "fr",
                         attachments: list[tuple[str, bytes, str]] | None = None) -> None:
    """Render ``emails/<template>_subject.txt``, ``.txt`` and ``.html`` in `language` and send,
    with `attachments` as (filename, content, MIME type)."""
    with translation.override(language):
        subject = render_plain_text(f"emails/{template}_subject.txt", context).strip()
        text = render_plain_text(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(subject=" ".join(subject.split()), body=text,
                                     from_email=settings.DEFAULT_FROM_EMAIL, to=[to])
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments or []:
        message.attach(filename, content, mimetype)
    message.send()


def render_plain_text(template_name: str, context: dict) -> str:
    """Render a text template without HTML escaping (an apostrophe stays an apostrophe)."""
    template = get_template(template_name).template
    return template.render(Context(context, autoescape=False))


def absolute_url(path: str) -> str:
    return f"{settings.PORTAL_BASE_URL.rstrip('/')}{path}"


def render_and_send_invitation(invitation) -> None:
    from .models import User

    invitee = User.objects.filter(email__iexact=invitation.email).first()
    url = absolute_url(reverse("portal:invitation_accept", kwargs={"token": invitation.token}))
    send_templated_email(
        to=invitation.email,
        template="invitation",
        language=invitee.language if invitee else "fr",
        context={"invitation": invitation, "tenant": invitation.tenant, "url": url,
                 "has_account": invitee is not None,
                 "inviter": invitation.invited_by.display_name if invitation.invited_by else ""},
    )
