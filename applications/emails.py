"""E-mails of the applicant side, rendered in the recipient's language."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from portal.emails import absolute_url, send_templated_email


def _language_of(email: str) -> str:
    from portal.models import User

    user = User.objects.filter(email__iexact=email).only("language").first()
    return user.language if user else "fr"


def send_structure_invitation(invitation) -> None:
    url = absolute_url(reverse("structures:invitation_accept",
                               kwargs={"token": invitation.token}))
    send_templated_email(to=invitation.email, template="dossier_structure_invitation",
                         language=_language_of(invitation.email),
                         context={"invitation": invitation, "structure": invitation.structure,
                                  "url": url})


def send_dossier_notification(*, dossier, kind: str, to_instructors: bool = False,
                              extra: dict) -> None:
    """One e-mail per recipient, in their language: the structure's members, or the
    instructors of the dossier's tenant who may see the dossier (never one who declared a
    conflict of interest on its structure or a partner: the e-mail quotes the dossier)."""
    from portal.enums import Role
    from portal.models import Membership, User

    if to_instructors:
        users = User.objects.filter(
            pk__in=Membership.objects.filter(tenant=dossier.tenant, role=Role.INSTRUCTOR)
            .values("user_id"), is_active=True)
    else:
        users = User.objects.filter(structure_memberships__structure=dossier.structure,
                                    is_active=True)
    url = absolute_url(reverse("applications:dossier_detail",
                               kwargs={"tenant_slug": dossier.tenant.slug, "pk": dossier.pk}))
    receipt = None
    if kind in ("submitted", "resubmitted") and not to_instructors:
        from .receipts import ensure_receipt

        receipt = ensure_receipt(dossier)
    users = list(users.distinct().order_by("pk"))
    if to_instructors:
        users = [u for u in users if u.has_perm("applications.view_dossier", dossier)]
    for user in users:
        context = {"dossier": dossier, "kind": kind, "url": url,
                   "to_instructors": to_instructors, **extra}
        if receipt is None:
            send_templated_email(to=user.email, template="dossier_notification",
                                 language=user.language, context=context)
        else:
            _send_with_receipt(to=user.email, language=user.language, context=context,
                               pdf=receipt, filename=f"accuse-reception-{dossier.reference}.pdf")


def _send_with_receipt(*, to: str, language: str, context: dict, pdf: bytes,
                       filename: str) -> None:
    """As `portal.emails.send_templated_email`, with the receipt PDF attached."""
    with translation.override(language):
        subject = render_to_string("emails/dossier_notification_subject.txt", context).strip()
        text = render_to_string("emails/dossier_notification.txt", context)
        html = render_to_string("emails/dossier_notification.html", context)
    message = EmailMultiAlternatives(subject=" ".join(subject.split()), body=text,
                                     from_email=settings.DEFAULT_FROM_EMAIL, to=[to])
    message.attach_alternative(html, "text/html")
    message.attach(filename, pdf, "application/pdf")
    message.send()
