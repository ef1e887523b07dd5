from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .enums import Role
from .navigation import items_for
from .tenancy import frame_signatories, roles_of


def portal(request):
    tenant = getattr(request, "tenant", None)
    roles = roles_of(request.user, tenant) if hasattr(request, "user") else frozenset()
    return {
        "PORTAL_NAME": settings.PORTAL_NAME,
        "tenant": tenant,
        "tenant_roles": roles,
        "ROLE": Role,
        # Kept with the cached tenant (header and footer both list them).
        "tenant_signatories": SimpleLazyObject(lambda: frame_signatories(tenant))
        if tenant else [],
        "tenant_nav": items_for(request) if hasattr(request, "user") else [],
        "PORTAL_DEMO": getattr(settings, "PORTAL_DEMO", False),
    }
