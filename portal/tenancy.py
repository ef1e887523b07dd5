"""Tenant resolution helpers. `scopes_disabled()` is used here only for the tenant lookup."""

from django.http import Http404
from django_scopes import scopes_disabled

from .models import Tenant


def tenant_for_slug(slug: str) -> Tenant:
    with scopes_disabled():
        try:
            return Tenant.objects.get(slug=slug, is_active=True)
        except Tenant.DoesNotExist:
            raise Http404("Unknown tenant") from None


def roles_of(user, tenant: Tenant | None) -> frozenset[str]:
    """The roles `user` holds in `tenant`, cached on the user object for the request."""
    if tenant is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    cache = user.__dict__.setdefault("_portal_roles", {})
    if tenant.pk not in cache:
        from .models import Membership

        cache[tenant.pk] = frozenset(
            Membership.objects.with_scope(tenant=tenant)
            .filter(user=user, tenant=tenant).values_list("role", flat=True))
    return cache[tenant.pk]


def forget_roles(user) -> None:
    user.__dict__.pop("_portal_roles", None)
