"""Messages of the follow-up, recorded in the notification ledger (each sent once)."""

from django.urls import reverse

from portal.emails import absolute_url
from portal.notifications import notify


def _members(dossier):
    from portal.models import User

    return list(User.objects.filter(structure_memberships__structure=dossier.structure,
                                    is_active=True).distinct().order_by("pk"))


def _instructors(dossier):
    from portal.enums import Role
    from portal.models import Membership, User

    users = User.objects.filter(pk__in=Membership.objects.filter(
        tenant=dossier.tenant, role=Role.INSTRUCTOR).values("user_id"), is_active=True)
    return [u for u in users.order_by("pk") if u.has_perm("awards.examine_report", dossier)]


def _url(dossier, *, staff: bool) -> str:
    name = "awards:followup" if staff else "applications:dossier_detail"
    return absolute_url(reverse(name, kwargs={"tenant_slug": dossier.tenant.slug,
                                              "pk": dossier.pk}))


def award_notify(*, dossier, kind: str, key: str, staff: bool = False, extra=None,
                 attachments=()) -> None:
    """One message per recipient under (awards.<kind>, dossier, key): the structure's members,
    or (staff) the instructors who may examine the dossier."""
    notify(kind=f"awards.{kind}", target=dossier, key=key, tenant=dossier.tenant,
           recipients=_instructors(dossier) if staff else _members(dossier),
           template="awards_notification", attachments=attachments,
           context={"dossier": dossier, "kind": kind, "url": _url(dossier, staff=staff),
                    "report": getattr(dossier, "final_report", None), **(extra or {})})


def balance_letter_attachment(*, report_id: int) -> tuple[str, bytes, str]:
    from .letters import letter_for_email
    from .models import FinalReport

    report = FinalReport.objects.select_related("dossier__tenant", "dossier__structure",
                                                "dossier__call").get(pk=report_id)
    return letter_for_email(report)
