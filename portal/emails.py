"""E-mails of the portal app, rendered in the recipient's language (HTML + text)."""

from django.conf import settings
from django.template import Context
from django.template.loader import get_template
from django.urls import reverse


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
    from .notifications import notify

    # Each (re)sending opens a new period: its expiry is the occasion of the message.
    notify(kind="portal.invitation", target=invitation, key=invitation.expires_at.isoformat(),
           recipients=[invitation.email], template="invitation", tenant=invitation.tenant,
           context={"invitation": invitation, "tenant": invitation.tenant, "url": url,
                    "has_account": invitee is not None,
                    "inviter": invitation.invited_by.display_name if invitation.invited_by
                    else ""})
