"""E-mails of the applicant side, rendered in the recipient's language."""

from django.urls import reverse

from portal.emails import absolute_url


def send_structure_invitation(invitation) -> None:
    from portal.notifications import notify

    url = absolute_url(reverse("structures:invitation_accept",
                               kwargs={"token": invitation.token}))
    notify(kind="applications.structure_invitation", target=invitation,
           key=invitation.expires_at.isoformat(), recipients=[invitation.email],
           template="dossier_structure_invitation",
           context={"invitation": invitation, "structure": invitation.structure, "url": url})


def send_dossier_notification(*, dossier, kind: str, to_instructors: bool = False,
                              extra: dict, key: str = "") -> None:
    """One message per recipient through the ledger (each sent once, by its own task), in
    their language: the structure's members, or the instructors of the dossier's tenant who
    may see the dossier (never one who declared a conflict of interest on its structure or a
    partner: the e-mail quotes the dossier). Filing and refiling attach the receipt."""
    from portal.enums import Role
    from portal.models import Membership, User
    from portal.notifications import notify

    if to_instructors:
        users = User.objects.filter(
            pk__in=Membership.objects.filter(tenant=dossier.tenant, role=Role.INSTRUCTOR)
            .values("user_id"), is_active=True)
    else:
        users = User.objects.filter(structure_memberships__structure=dossier.structure,
                                    is_active=True)
    url = absolute_url(reverse("applications:dossier_detail",
                               kwargs={"tenant_slug": dossier.tenant.slug, "pk": dossier.pk}))
    attachments = []
    if kind in RECEIPT_KINDS and not to_instructors:
        from .receipts import ensure_receipt

        ensure_receipt(dossier)  # produced once, here; each message attaches the stored file
        attachments = [("applications.receipt", {"dossier_id": dossier.pk})]
    users = list(users.distinct().order_by("pk"))
    if to_instructors:
        users = [u for u in users if u.has_perm("applications.view_dossier", dossier)]
    notify(kind=f"applications.dossier_{kind}.{'instructors' if to_instructors else 'structure'}",
           target=dossier, key=key, recipients=users, template="dossier_notification",
           tenant=dossier.tenant, attachments=attachments,
           context={"dossier": dossier, "kind": kind, "url": url,
                    "to_instructors": to_instructors, **extra})


RECEIPT_KINDS = ("submitted", "resubmitted")


def receipt_attachment(*, dossier_id: int) -> tuple[str, bytes, str]:
    """The stored receipt, for the ledger's messages (called in the dossier's tenant scope)."""
    from .models import Dossier
    from .receipts import ensure_receipt

    dossier = Dossier.objects.select_related("tenant", "call", "structure").get(pk=dossier_id)
    return f"accuse-reception-{dossier.reference}.pdf", ensure_receipt(dossier), "application/pdf"
