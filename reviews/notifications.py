"""Messages of instruction and committee, recorded in the notification ledger."""

from django.urls import reverse

from applications.models import StructureMember
from portal.emails import absolute_url
from portal.notifications import notify


def decision_notify(decision) -> None:
    """The decision, to each member of the applicant structure (once each: the ledger's key
    is the decision and the member), with the letter attached and linked."""
    from .models import Decision

    decision = (Decision.objects.select_related(
        "dossier__structure", "dossier__call", "dossier__tenant", "dossier__category",
        "dossier__track", "session__tenant").get(pk=decision.pk))
    dossier, tenant = decision.dossier, decision.session.tenant
    url = absolute_url(reverse("applications:dossier_detail",
                               kwargs={"tenant_slug": tenant.slug, "pk": dossier.pk}))
    letter_url = absolute_url(reverse("reviews:decision_letter", kwargs={
        "tenant_slug": tenant.slug, "decision_pk": decision.pk}))
    members = [m.user for m in StructureMember.objects.filter(structure=dossier.structure)
               .select_related("user").order_by("pk")]
    notify(kind="reviews.decision", target=decision, recipients=members,
           template="reviews_decision", tenant=tenant,
           attachments=[("reviews.decision_letter", {"decision_id": decision.pk})],
           context={"decision": decision, "dossier": dossier, "tenant": tenant, "url": url,
                    "letter_url": letter_url, "shares": list(decision.shares.all())})


def decision_letter_attachment(*, decision_id: int) -> tuple[str, bytes, str]:
    """The stored letter (produced first if its task has not run yet), for the ledger."""
    from .letters import letter_for_email
    from .models import Decision

    decision = (Decision.objects.select_related(
        "session__tenant", "dossier__structure", "dossier__call", "dossier__category",
        "dossier__tenant").get(pk=decision_id))
    return letter_for_email(decision)
