"""The operation log service every app calls: `audit_log(...)` after each state change."""

from django.contrib.contenttypes.models import ContentType
from django.db import models

from . import page_generations
from .models import AuditEvent, Tenant


def audit_log(*, tenant: Tenant | None, actor, action: str, target: models.Model | None = None,
              data: dict | None = None) -> AuditEvent:
    """Record `action` (dotted, e.g. ``applications.dossier.submitted``) by `actor` on `target`."""
    if action.count(".") < 2:
        raise ValueError(f"Audit actions are dotted 'app.entity.verb', got {action!r}")
    actor = actor if getattr(actor, "is_authenticated", False) else None
    # the kept pages that show the target's history depend on the target's table
    with page_generations.event_of(target._meta.db_table if target is not None else None):
        return AuditEvent.objects.create(
            tenant=tenant,
            actor=actor,
            action=action,
            target_type=ContentType.objects.get_for_model(target) if target is not None else None,
            target_id=str(target.pk) if target is not None else "",
            data=data or {},
        )


def audit_events_for(target: models.Model):
    """The history of one object, newest first (call inside the object's tenant scope). A page
    showing it depends on the object's table (portal.page_generations)."""
    page_generations.read({target._meta.db_table}, history=True)
    return (AuditEvent.objects
            .filter(target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk))
            .select_related("actor"))
