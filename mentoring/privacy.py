"""The mentoring requests a person made, in their personal-data export (`portal.privacy`)."""

from portal.privacy import iso

from .models import NeedRequest


def needs_rows(user) -> list[dict]:
    return [
        {"tenant": n.tenant.slug, "structure": n.structure.name,
         "person_name": n.person_name, "description": n.description,
         "status": getattr(n, "status", ""), "created_at": iso(getattr(n, "created_at", None))}
        for n in NeedRequest.objects.filter(submitted_by=user)
        .select_related("tenant", "structure").order_by("pk")]


def register() -> None:
    from portal.privacy import register_export_section

    register_export_section("mentoring_requests", needs_rows, order=30)
