from django.conf import settings
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode
from django_scopes import scope

from .enums import STAFF_ROLES
from .tenancy import tenant_for_slug


class TenantMiddleware:
    """Resolve `/<tenant_slug>/...` to `request.tenant` and run the request in its scope.

    Unknown or inactive tenant: 404. Outside tenant URLs the scope is empty, so a query on a
    tenant-owned model there raises `ScopeError` instead of leaking rows.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.tenant = None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            match = None
        slug = match.kwargs.get("tenant_slug") if match else None
        if not slug:
            # No scope at all (not even tenant=None, which django-scopes reads as "no filter").
            return self.get_response(request)
        request.tenant = tenant_for_slug(slug)
        with scope(tenant=request.tenant):
            return self.get_response(request)


#: Session key: the page a staff member asked for before being sent to TOTP enrolment.
AFTER_TWO_FACTOR_KEY = "portal_after_two_factor"


class RequireStaffTwoFactorMiddleware:
    """Staff (any membership role) must enrol TOTP before using the portal.

    Controlled by ``PORTAL_REQUIRE_STAFF_2FA`` (on in production, off in the demo).
    """

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/healthz", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (settings.PORTAL_REQUIRE_STAFF_2FA and request.user.is_authenticated
                and not request.path_info.startswith(self.ALLOWED_PREFIXES)
                and _needs_second_factor(request.user)):
            # Where they were going: offered again once TOTP is on (see after_two_factor).
            request.session[AFTER_TWO_FACTOR_KEY] = request.get_full_path()
            return redirect(f"{reverse('mfa_activate_totp')}?"
                            f"{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def _needs_second_factor(user) -> bool:
    from allauth.mfa.utils import is_mfa_enabled

    from .models import Tenant

    if "_portal_is_staff" not in user.__dict__:
        user._portal_is_staff = user.is_superuser or Tenant.objects.filter(
            memberships__user=user, memberships__role__in=STAFF_ROLES).exists()
    return user._portal_is_staff and not is_mfa_enabled(user)
