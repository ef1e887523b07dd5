"""The per-role navigation of a tenant: apps register entries, the header shows those the
user may use (same permission names as the views)."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    perm: str | None = None  # None: everyone
    order: int = 100


_REGISTRY: list[NavItem] = []


def register(*items: NavItem) -> None:
    for item in items:
        if item not in _REGISTRY:
            _REGISTRY.append(item)


def items_for(request) -> list[dict]:
    tenant = getattr(request, "tenant", None)
    if tenant is None:
        return []
    user = request.user
    entries = []
    for item in sorted(_REGISTRY, key=lambda i: i.order):
        if item.perm and not (user.is_authenticated and user.has_perm(item.perm, tenant)):
            continue
        url = reverse(item.url_name, kwargs={"tenant_slug": tenant.slug})
        entries.append({"label": item.label, "url": url,
                        "active": request.path == url or (url != f"/{tenant.slug}/"
                                                          and request.path.startswith(url))})
    return entries
