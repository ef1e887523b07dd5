"""E-mails of the applicant side, rendered in the recipient's language."""

from django.urls import reverse

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
