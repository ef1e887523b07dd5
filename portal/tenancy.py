"""Tenant resolution helpers, and the list of the places where product code leaves the tenant
scope (`UNSCOPED_ENTRY_POINTS`). `Tenant` itself is not a scoped model: looking one up needs no
`scopes_disabled()`."""

from django.core.cache import cache
from django.http import Http404
from django.utils.functional import LazyObject, empty

from .models import Tenant


#: Every function of product code that turns the tenant scope off (``scopes_disabled()``, a
#: manager's ``with_scopes_disabled()``), with why it must: ("file", "function") -> reason.
#: Anything else runs in its request's or task's tenant scope, or enters one itself with
#: ``scope(tenant=...)`` (``portal.taskbase.for_each_tenant`` for a job over every tenant).
#: tests/portal/test_scope_lint.py parses the code and fails on a use not listed here (and on
#: a listed function that no longer needs it). Migrations are not checked (they run unscoped).
UNSCOPED_ENTRY_POINTS: dict[tuple[str, str], str] = {
    # Tenant lookup before any tenant is known.
    ("portal/views/account.py", "invitation_accept_view"):
        "tenant lookup: the invitation token names the tenant",
    ("portal/taskbase.py", "TenantTask.tenant_for"):
        "task start-up: the task's row names the tenant whose scope the task enters",
    # Platform pages outside every tenant, bounded by the signed-in user or public facts.
    ("portal/selectors.py", "public_tenants"):
        "platform home: every region's signatories (public contract facts)",
    ("portal/selectors.py", "pending_invitations_for_user"):
        "« my spaces »: invitations to the user's own address, in every region",
    ("applications/selectors.py", "dossiers_for_user_everywhere"):
        "« my dossiers »: the user's structures' dossiers, in every region",
    ("portal/privacy.py", "user_data_export"):
        "GDPR export: the user's own rows, in every region",
    ("portal/privacy.py", "account_deletion_blockers"):
        "account deletion: the user's own roles, in every region",
    ("portal/privacy.py", "account_delete"):
        "account deletion: the user's own rows and messages, in every region",
    # A global row whose tenant-owned children live in several regions.
    ("applications/selectors.py", "filed_dossiers_of_structure_everywhere"):
        "a structure is global: its dossiers' search documents, each refreshed in its scope",
    # The notification ledger: one unique key across regions, platform messages have none.
    ("portal/notifications.py", "_existing"):
        "ledger: the (kind, target, key, recipient) unique key holds across regions",
    ("portal/notifications.py", "record_skipped"):
        "ledger: the same unique key, for occasions never sent",
    ("portal/notifications.py", "send_one"):
        "task start-up: the ledger row names its tenant (none for platform messages)",
    ("portal/notifications.py", "resend_pending"):
        "periodic job: pending ledger rows of every region, queued again by id",
    # Periodic jobs over every region that select what is due before any tenant is known.
    ("portal/reminders.py", "run_reminders"):
        "periodic job: the providers select what is due in every region, rows name their tenant",
    ("reviews/reminders.py", "pending_reviews_provider"):
        "reminder provider: calls with a committee soon, in every region",
    # National officers' cross-region figures (no personal data: national/selectors.py).
    ("national/selectors.py", "national_calls"): "national view: every region's calls",
    ("national/selectors.py", "national_dossiers_per_state"):
        "national view: dossiers counted per region and state",
    ("national/selectors.py", "national_requested"):
        "national view: amounts requested per region",
    ("national/selectors.py", "national_granted_per_funder"):
        "national view: amounts granted per region and funder",
    ("national/selectors.py", "national_paid_per_funder"):
        "national view: amounts paid per region and funder",
    ("national/selectors.py", "national_committees"):
        "national view: committee sessions per region",
    ("national/selectors.py", "national_mentoring"):
        "national view: mentoring needs and engagements per region",
}


#: Cache keys: a tenant by slug, and one user's staff/two-factor facts (shared cache: Redis in
#: production, so every web process sees an invalidation at once).
TENANT_KEY = "portal:tenant:{slug}"
USER_FACTS_KEY = "portal:user-facts:{pk}"
CACHE_SECONDS = 300


def tenant_for_slug(slug: str) -> Tenant:
    """The active tenant of `slug` (404 otherwise), with its frame facts, from the cache;
    saving or deleting a tenant, one of its organisations or signatories forgets it
    (`forget_tenant`, connected in portal.signals)."""
    key = TENANT_KEY.format(slug=slug)
    tenant = cache.get(key)
    if tenant is None:
        tenant = Tenant.objects.filter(slug=slug, is_active=True).first()  # not scoped
        if tenant is None:
            raise Http404("Unknown tenant")
        _load_frame_facts(tenant)
        cache.set(key, tenant, CACHE_SECONDS)
    return tenant


def _load_frame_facts(tenant: Tenant) -> None:
    """What every page of the tenant shows or checks, kept with the cached tenant rather than
    queried on each request: the signatories (header and footer) and whether the contract has
    a pilot structure (the mentoring scheme's menu entry and permissions)."""
    from django_scopes import scope

    from .enums import OrganizationKind
    from .models import Organization, Signatory

    with scope(tenant=tenant):
        tenant._signatories = list(Signatory.objects.filter(tenant=tenant)
                                   .select_related("organization"))
        tenant._has_pilot = Organization.objects.filter(
            tenant=tenant, kind=OrganizationKind.PILOT).exists()


def frame_signatories(tenant: Tenant) -> list:
    """The tenant's signatories in their order, as the header and footer name them: from the
    cached tenant (`tenant_for_slug`), else read."""
    if "_signatories" not in tenant.__dict__:
        from .selectors import tenant_signatories

        tenant._signatories = list(tenant_signatories(tenant))
    return tenant._signatories


def forget_tenant(*slugs: str) -> None:
    cache.delete_many([TENANT_KEY.format(slug=slug) for slug in slugs if slug])


def forget_tenant_by_pk(tenant_id) -> None:
    """An organisation or a signatory of the tenant changed: its frame facts are read again."""
    slug = Tenant.objects.filter(pk=tenant_id).values_list("slug", flat=True).first()
    forget_tenant(slug)


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
