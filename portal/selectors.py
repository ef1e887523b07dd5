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
