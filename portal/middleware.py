from contextlib import ExitStack

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_scopes import scope

from .enums import STAFF_ROLES
from .tenancy import tenant_for_slug, user_has_mfa, user_is_staff


class TenantMiddleware:
    """Resolve `/<tenant_slug>/...` to `request.tenant` and run the request in its scope.

    Unknown or inactive tenant: 404. Outside tenant URLs the scope is empty, so a query on a
    tenant-owned model there raises `ScopeError` instead of leaking rows.

    The slug is read from the URL match Django makes anyway (`process_view`), not from a second
    `resolve()`; the scope entered there is left when the response is returned (`__call__`),
    after the view and its template have run. The tenant comes from the shared cache
    (`portal.tenancy.tenant_for_slug`).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.tenant = None
        with ExitStack() as stack:
            request._tenant_scope = stack
            return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.get("tenant_slug")
        if not slug:
            # No scope at all (not even tenant=None, which django-scopes reads as "no filter").
            return None
        request.tenant = tenant_for_slug(slug)
        request._tenant_scope.enter_context(scope(tenant=request.tenant))
        return None


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
    return user_is_staff(user) and not user_has_mfa(user)
