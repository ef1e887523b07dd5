"""Reads of the applicant side."""

from django.db.models import QuerySet

from .models import Structure


def structures_for_user(user) -> QuerySet[Structure]:
    return (Structure.objects.filter(members__user=user)
            .prefetch_related("licences").order_by("name"))


def dossiers_for_user_in_tenant(user, tenant):
    from .models import Dossier

    return (Dossier.objects.filter(tenant=tenant, structure__members__user=user)
            .select_related("call", "structure", "category", "track").order_by("-updated_at"))


def dossiers_for_user_everywhere(user):
    """The user's structures' dossiers in every region, for "My dossiers". This page lives
    outside any tenant, so the scope is disabled here; the filter on the user's structure
    memberships is what keeps it safe (nobody sees a dossier of a structure they are not a
    member of)."""
    from .models import Dossier

    return (Dossier.objects.with_scopes_disabled()
            .filter(structure__members__user=user)
            .select_related("tenant", "call", "structure", "category")
            .order_by("-updated_at"))


def timeline_for(dossier) -> list:
    """States and events of the dossier, oldest first (from the audit log)."""
    return list(audit_events_for_dossier(dossier).exclude(action="applications.dossier.notified")
                .order_by("created_at", "pk"))


def audit_events_for_dossier(dossier):
    from portal.audit import audit_events_for

    return audit_events_for(dossier)
