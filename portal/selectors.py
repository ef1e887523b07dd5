from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Count, Prefetch, Q

from .models import Invitation, Membership, Organization, Signatory, Tenant


def public_tenants():
    """Active tenants with their signatories, for the platform home (2 queries).

    Signatories are public contract information; they are read across tenants only here,
    restricted to the tenants of the outer query by the prefetch itself.
    """
    return (Tenant.objects.filter(is_active=True)
            .prefetch_related(Prefetch(
                "signatories",
                queryset=Signatory.objects.with_scopes_disabled().all()
                .select_related("organization"))))


def spaces_for_user(user):
    """Each tenant where `user` holds a role, with the list of roles (one query)."""
    return (Tenant.objects.filter(is_active=True, memberships__user=user)
            .annotate(user_roles=ArrayAgg("memberships__role", distinct=True,
                                          filter=Q(memberships__user=user)))
            .order_by("name"))


def tenant_signatories(tenant: Tenant):
    return Signatory.objects.filter(tenant=tenant).select_related("organization")


def tenant_organizations(tenant: Tenant):
    return (Organization.objects.filter(tenant=tenant)
            .annotate(member_count=Count("memberships", distinct=True)))


def tenant_memberships(tenant: Tenant):
    return (Membership.objects.filter(tenant=tenant)
            .select_related("user", "organization")
            .order_by("user__last_name", "user__first_name", "user__email", "role"))


def tenant_open_invitations(tenant: Tenant):
    """Invitations neither accepted nor cancelled, expired ones included (they can be sent
    again); ``is_pending`` tells them apart."""
    return (Invitation.objects.filter(tenant=tenant, accepted_at__isnull=True,
                                      revoked_at__isnull=True)
            .select_related("organization", "invited_by"))


def pending_invitations_for_user(user):
    """Invitations waiting for `user`'s e-mail address, in any tenant.

    A cross-tenant read, bounded by the user's own address: the invitee must see them to
    accept them.
    """
    from django.utils import timezone

    return (Invitation.objects.with_scopes_disabled()
            .filter(email__iexact=user.email, accepted_at__isnull=True, revoked_at__isnull=True,
                    expires_at__gt=timezone.now())
            .select_related("tenant", "organization"))


def audit_target_labels(events) -> None:
    """Give each audit event of `events` (a page of the journal) a `target_label` naming its
    object as people know it (« Dossier HDF-2026-COOP-0005 », « Appel à projets Aide aux … »),
    one query per kind of object; an object deleted since keeps its number."""
    from collections import defaultdict

    from django.utils.text import capfirst

    wanted = defaultdict(set)
    for event in events:
        if event.target_type_id and event.target_id:
            wanted[event.target_type_id].add(event.target_id)
    names = {}
    for event in events:
        ct = event.target_type
        if ct is None or (ct.pk, event.target_id) in names or ct.pk not in wanted:
            continue
        model = ct.model_class()
        ids = wanted.pop(ct.pk)
        if model is None:
            continue
        try:  # the base manager: these events are already the tenant's own
            objects = model._base_manager.filter(pk__in=list(ids))
            names.update({(ct.pk, str(obj.pk)): str(obj) for obj in objects})
        except (ValueError, TypeError):  # a target id that is not this model's key type
            continue
    for event in events:
        ct = event.target_type
        kind = capfirst(str(ct.name)) if ct is not None else ""
        name = names.get((event.target_type_id, event.target_id)) if ct is not None else None
        event.target_label = (f"{kind} {name}" if name
                              else f"{kind} n° {event.target_id}" if ct is not None else "")
