"""Tenant resolution helpers. `scopes_disabled()` is used here only for the tenant lookup."""

from django.core.cache import cache
from django.http import Http404
from django.utils.functional import LazyObject, empty
from django_scopes import scopes_disabled

from .models import Tenant


#: Cache keys: a tenant by slug, and one user's staff/two-factor facts (shared cache: Redis in
#: production, so every web process sees an invalidation at once).
TENANT_KEY = "portal:tenant:{slug}"
USER_FACTS_KEY = "portal:user-facts:{pk}"
CACHE_SECONDS = 300


def tenant_for_slug(slug: str) -> Tenant:
    """The active tenant of `slug` (404 otherwise), from the cache; saving or deleting a tenant
    forgets it (`forget_tenant`, connected in portal.signals)."""
    key = TENANT_KEY.format(slug=slug)
    tenant = cache.get(key)
    if tenant is None:
        with scopes_disabled():
            tenant = Tenant.objects.filter(slug=slug, is_active=True).first()
        if tenant is None:
            raise Http404("Unknown tenant")
        cache.set(key, tenant, CACHE_SECONDS)
    return tenant


def forget_tenant(*slugs: str) -> None:
    cache.delete_many([TENANT_KEY.format(slug=slug) for slug in slugs if slug])


def request_memo(user) -> dict:
    """Where per-request facts about `user` are kept: the real user object's __dict__, also when
    given `request.user` (a lazy wrapper whose own __dict__ the permission backends, which get
    the real object, never see: each fact would be queried twice)."""
    if isinstance(user, LazyObject):
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    return user.__dict__


def _user_facts(user) -> dict:
    """{"staff": holds a staff role in some tenant (or is a superuser), "mfa": has an
    authenticator (None when not staff: not asked)}: one cache read per request, the queries
    only when unknown."""
    memo = request_memo(user)
    facts = memo.get("_portal_facts")
    if facts is None:
        key = USER_FACTS_KEY.format(pk=user.pk)
        facts = cache.get(key)
        if facts is None:
            from allauth.mfa.utils import is_mfa_enabled

            from .enums import STAFF_ROLES

            staff = user.is_superuser or Tenant.objects.filter(
                memberships__user=user, memberships__role__in=STAFF_ROLES).exists()
            # Only staff must have a second factor: nobody else pays for that query.
            facts = {"staff": staff, "mfa": is_mfa_enabled(user) if staff else None}
            cache.set(key, facts, CACHE_SECONDS)
        memo["_portal_facts"] = facts
    return facts


def user_is_staff(user) -> bool:
    return _user_facts(user)["staff"]


def user_has_mfa(user) -> bool:
    from allauth.mfa.utils import is_mfa_enabled

    facts = _user_facts(user)
    return bool(facts["mfa"]) if facts["mfa"] is not None else is_mfa_enabled(user)


def forget_user_facts(user_id) -> None:
    """Called when a membership, an authenticator or the user changes (portal.signals)."""
    cache.delete(USER_FACTS_KEY.format(pk=user_id))


def memberships_of(user, tenant: Tenant | None) -> tuple[tuple[str, str], ...]:
    """(role, kind of the membership's organisation or "") of each membership `user` holds in
    `tenant`, oldest first: one query per request, cached on the user object, read by the
    roles (`roles_of`) and by whatever needs the funder an officer acts for."""
    if tenant is None or not getattr(user, "is_authenticated", False):
        return ()
    memo = request_memo(user).setdefault("_portal_memberships", {})
    if tenant.pk not in memo:
        from .models import Membership

        memo[tenant.pk] = tuple(
            (role, kind or "") for role, kind in Membership.objects.with_scope(tenant=tenant)
            .filter(user=user, tenant=tenant).order_by("pk")
            .values_list("role", "organization__kind"))
    return memo[tenant.pk]


def roles_of(user, tenant: Tenant | None) -> frozenset[str]:
    """The roles `user` holds in `tenant`, cached on the user object for the request."""
    if tenant is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    cache = request_memo(user).setdefault("_portal_roles", {})
    if tenant.pk not in cache:
        cache[tenant.pk] = frozenset(role for role, _kind in memberships_of(user, tenant))
    return cache[tenant.pk]


def forget_roles(user) -> None:
    memo = request_memo(user)
    memo.pop("_portal_roles", None)
    memo.pop("_portal_memberships", None)
