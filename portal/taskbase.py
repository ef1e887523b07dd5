"""The one base of every Celery task: it enters the tenant's scope from the task's ids
(pretix's ``EventTask``), so that no task writes that preamble by hand.

    @tenant_task(name="reviews.decision_letter",
                 tenant_from=("decision_id", "reviews.Decision", "session__tenant"))
    def decision_letter_task(*, decision_id: int) -> None:
        decision = Decision.objects.get(pk=decision_id)   # already in the tenant's scope
        ...

``tenant_from`` says where the tenant comes from:

* ``(kwarg, "app.Model", path)``: the row ``Model(pk=kwargs[kwarg])`` names its tenant through
  ``path`` (``"tenant"``, ``"session__tenant"``…); for a tenant id itself,
  ``("tenant_id", "portal.Tenant", "pk")``;
* ``None``: a platform task (global rows, or a job over every tenant). It runs in *no* scope:
  a tenant-owned query raises ``ScopeError`` unless the task enters each tenant's scope
  itself (``for_each_tenant``) or calls a named cross-tenant reader (``portal.crosstenant``).

Whatever scope the caller had (an eager task run inside a request) is not inherited: the
task body sees only its own tenant. A row that no longer exists: the task logs and returns
``None`` (tasks are idempotent and their rows may be deleted before they run).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from celery import Task, shared_task
from django_scopes import scope, scopes_disabled
from django_scopes.state import state

logger = logging.getLogger(__name__)

TENANT_TASK_FROM = "tenant_from"


class TenantTask(Task):
    """A task whose body runs in the scope of the tenant its ids name (see module doc)."""

    abstract = True
    #: (kwarg, "app.Model", path to the tenant) or None (platform task, no scope).
    tenant_from: tuple[str, str, str] | None = None

    def tenant_for(self, kwargs: dict):
        """The Tenant the task's kwargs name; None when its row is gone."""
        from django.apps import apps

        from .models import Tenant

        kwarg, label, path = self.tenant_from
        with scopes_disabled():  # task start-up: the row names its tenant (one query)
            row = apps.get_model(label)._default_manager.filter(pk=kwargs.get(kwarg))
            return Tenant.objects.filter(pk__in=row.values(path)).first()

    def __call__(self, *args, **kwargs):
        token = state.set({})  # nothing inherited from the caller (eager tasks in a request)
        try:
            if self.tenant_from is None:
                return super().__call__(*args, **kwargs)
            tenant = self.tenant_for(kwargs)
            if tenant is None:
                logger.info("%s: %s=%s no longer exists; nothing done", self.name,
                            self.tenant_from[0], kwargs.get(self.tenant_from[0]))
                return None
            with scope(tenant=tenant):
                return super().__call__(*args, **kwargs)
        finally:
            state.reset(token)


def tenant_task(*, name: str, tenant_from: tuple[str, str, str] | None, **options):
    """Declare a Celery task on `TenantTask` (named, keyword-only ids; see module doc)."""
    if tenant_from is not None and (len(tenant_from) != 3 or not all(tenant_from)):
        raise ValueError(f"{name}: tenant_from must be (kwarg, 'app.Model', path) or None")

    def decorator(fun):
        return shared_task(name=name, base=TenantTask, tenant_from=tenant_from,
                           **options)(fun)

    return decorator


def for_each_tenant(*, active_only: bool = True) -> Iterator:
    """For platform tasks: yield each tenant with its scope entered (the job's body for one
    tenant runs inside its scope and sees only its rows)."""
    from .models import Tenant

    tenants = Tenant.objects.order_by("pk")
    if active_only:
        tenants = tenants.filter(is_active=True)
    for tenant in list(tenants):
        with scope(tenant=tenant):
            yield tenant


__all__ = ["TenantTask", "tenant_task", "for_each_tenant"]
