from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404


def tenant_view(perm: str | None = None):
    """Decorate a view under `/<tenant_slug>/`: drop the slug (the middleware resolved it into
    `request.tenant`) and, with `perm`, require that permission on the tenant: anonymous users
    go to the login page; a user with no role in this tenant gets 404 (its pages are not
    revealed), one whose role does not allow it 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, tenant_slug, **kwargs):
            if perm is not None:
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                if not request.user.has_perm(perm, request.tenant):
                    if not _holds_a_role(request):
                        raise Http404("no role in this tenant")
                    raise PermissionDenied(perm)
            return view(request, *args, **kwargs)

        wrapper.tenant_permission = perm
        return wrapper

    return decorator


def _holds_a_role(request) -> bool:
    from .models import Membership

    # No exception for the platform admin: inside a tenant they hold only their roles there.
    return Membership.objects.filter(tenant=request.tenant, user=request.user).exists()
