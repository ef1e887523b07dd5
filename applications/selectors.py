"""Reads of the applicant side."""

from django.db.models import QuerySet

from .models import Structure
from .workflow import applicant_history


def structures_for_user(user) -> QuerySet[Structure]:
    return (Structure.objects.filter(members__user=user)
            .prefetch_related("licences").order_by("name"))


def dossiers_for_user_in_tenant(user, tenant):
    from .models import Dossier

    return (Dossier.objects.filter(tenant=tenant, structure__members__user=user)
            .select_related("call", "structure", "category", "track", "decision__session")
            .order_by("-updated_at"))


def dossiers_for_user_everywhere(user):
    """The user's structures' dossiers in every region, for "My dossiers". This page lives
    outside any tenant, so the scope is disabled here; the filter on the user's structure
    memberships is what keeps it safe (nobody sees a dossier of a structure they are not a
    member of)."""
    from .models import Dossier

    return (Dossier.objects.with_scopes_disabled()
            .filter(structure__members__user=user)
            .select_related("tenant", "call", "structure", "decision__session")
            # what the table shows (templates/applications/_dossier_table.html) and the state
            # the structure is told (Dossier.status_for_applicant: the decision's session)
            .only("tenant__name", "tenant__slug", "reference", "title", "call__title",
                  "structure__name", "status", "updated_at", "decision__session__status")
            .order_by("-updated_at"))


def filed_dossiers_of_structure_everywhere(structure) -> list:
    """The filed dossiers of `structure` in every region (a structure is global): a change of
    its name or SIRET refreshes each one's search document, in that dossier's own scope. The
    filter on the structure is what bounds this cross-tenant read."""
    from .enums import DossierStatus
    from .models import Dossier

    return list(Dossier.objects.with_scopes_disabled().filter(structure=structure)
                .exclude(status=DossierStatus.DRAFT).select_related("tenant", "structure"))


#: The events of a dossier's history its structure may see (each has a label in
#: templates/applications/_event_label.html): the state changes the transition table marks
#: `applicant_visible`, and these. Everything else in the audit log of a dossier
#: (assignments, reviews, recusals, overrides, envelope, e-mails sent) is internal to the
#: instruction and never shown to the applicant.
APPLICANT_VISIBLE_EVENTS = frozenset({
    "applications.dossier.created",
    "applications.dossier.completed",
    "applications.dossier.message_posted",
})


def applicant_visible_actions() -> frozenset[str]:
    from .workflow import applicant_visible_actions as transitions_shown

    return APPLICANT_VISIBLE_EVENTS | transitions_shown()


def timeline_for(dossier, *, for_applicant: bool = True) -> list:
    """States and events of the dossier, oldest first (from the audit log).

    For the applicant (default): only the events of `applicant_visible_actions()`, and each
    event's `shown_actor` is its author only when that author is a member of the structure
    (an instructor's name never appears). For the instruction: every event but the e-mail
    bookkeeping, with its author."""
    from django.db.models import Exists, OuterRef

    from .models import StructureMember

    events = audit_events_for_dossier(dossier).exclude(action="applications.dossier.notified")
    if for_applicant:  # whether the author is a member: in the same query
        events = events.filter(action__in=applicant_visible_actions()).annotate(
            actor_is_member=Exists(StructureMember.objects.filter(
                structure_id=dossier.structure_id, user_id=OuterRef("actor_id"))))
    events = list(events.order_by("created_at", "pk"))
    if for_applicant:  # what is published yet (the apps above say: applicant_history)
        events = applicant_history(dossier, events)
    from .enums import DossierStep

    steps = dict(DossierStep.choices)
    for event in events:
        event.step_label = steps.get((event.data or {}).get("step"), "")
        shown = not for_applicant or getattr(event, "actor_is_member", False)
        event.shown_actor = event.actor if shown else None
    return events


def audit_events_for_dossier(dossier):
    from portal.audit import audit_events_for

    return audit_events_for(dossier)


def pipeline(tenant) -> list[tuple[str, int]]:
    """Dossiers of `tenant` per state, in the order of the dossier's life (1 query): the
    contract's admin home draws it. States without dossiers are left out."""
    from django.db.models import Count

    from .models import Dossier
    from .workflow import status_choices

    counts = dict(Dossier.objects.filter(tenant=tenant).order_by().values_list("status")
                  .annotate(n=Count("pk")))
    return [(str(label), counts[value]) for value, label in status_choices() if counts.get(value)]
