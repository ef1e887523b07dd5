from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def tenant_view(perm: str | None = None):
    """Decorate a view under `/<tenant_slug>/`: drop the slug (the middleware resolved it into
    `request.tenant`) and, with `perm`, require that permission on the tenant: anonymous users
    go to the login page, others get 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, tenant_slug, **kwargs):
            if perm is not None:
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                if not request.user.has_perm(perm, request.tenant):
                    raise PermissionDenied(perm)
            return view(request, *args, **kwargs)

        wrapper.tenant_permission = perm
        return wrapper

    return decorator
