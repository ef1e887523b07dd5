"""Personal data: a user's own data export, account deletion, and the retention of closed
dossiers.

The export and the deletion read and write across tenants on purpose (a person's data lives
in every region they filed in), hence their `scopes_disabled()` blocks, each filtered on the
user (listed in `portal.tenancy.UNSCOPED_ENTRY_POINTS`); retention runs each tenant's purge
in that tenant's scope. Portal, the lowest layer, knows none of the other apps: each registers what
it holds of a person (`register_export_section`), why an account may not go yet
(`register_deletion_blocker`) and what it purges after retention (`register_retention`),
from its AppConfig.ready() (`applications/privacy.py`, `reviews/privacy.py`,
`mentoring/privacy.py`).

Retention: closed dossiers (rejected, withdrawn, ineligible) are **deleted**, with their files,
`Tenant.retention_years` after they were closed. Deletion rather than anonymisation: a dossier
is the structure's project (names, budget, partners, letters, attachments); stripped of all
that, nothing useful is left, while the contract's figures (counts, amounts granted) come from
the granted dossiers, which are kept. Each purge leaves one audit line (reference, status,
closing date) without personal data.

Abandoned drafts (still drafts on a call closed longer ago than the retention period: they can
never be filed) are deleted the same way, counted from the call's closing date.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from .audit import audit_log
from .enums import Role
from .models import AuditEvent, Membership, Notification, Tenant, User


def iso(value):
    return value.isoformat() if value is not None else None


# --- Registries -------------------------------------------------------------------------------

@dataclass(frozen=True)
class ExportSection:
    key: str  # the JSON key, e.g. "dossiers"
    rows: Callable  # rows(user) -> list of JSON-serialisable dicts (called scopes disabled)
    order: int = 100


_SECTIONS: dict[str, ExportSection] = {}
_BLOCKERS: list[Callable] = []
_RETENTION: list[Callable] = []


def register_export_section(key: str, rows: Callable, order: int = 100) -> None:
    _SECTIONS[key] = ExportSection(key, rows, order)


def register_deletion_blocker(blocker: Callable) -> None:
    """``blocker(user) -> list[str]``: reasons, in French, why the account may not go yet."""
    if blocker not in _BLOCKERS:
        _BLOCKERS.append(blocker)


def register_retention(purge: Callable) -> None:
    """``purge(tenant, cutoff) -> int``: delete what the tenant keeps no longer (closed before
    `cutoff`), with its files; return how many objects went."""
    if purge not in _RETENTION:
        _RETENTION.append(purge)


# --- Export ---------------------------------------------------------------------------------

def user_data_export(*, user: User) -> dict:
    """Everything the portal holds about `user`, as JSON-serialisable data."""
    with scopes_disabled():  # the user's own rows, in every tenant
        memberships = [
            {"tenant": m.tenant.slug, "tenant_name": m.tenant.name, "role": m.role,
             "organization": m.organization.name if m.organization else None,
             "since": iso(m.created_at)}
            for m in Membership.objects.filter(user=user).select_related("tenant",
                                                                          "organization")]
        sections = {section.key: section.rows(user)
                    for section in sorted(_SECTIONS.values(), key=lambda s: s.order)}
        events = [
            {"at": iso(e.created_at), "tenant": e.tenant.slug if e.tenant else None,
             "action": e.action,
             "target": f"{e.target_type.app_label}.{e.target_type.model}#{e.target_id}"
             if e.target_type else None, "data": e.data}
            for e in AuditEvent.objects.filter(actor=user).select_related("tenant",
                                                                          "target_type")
            .order_by("created_at", "pk")]
    return {
        "generated_at": iso(timezone.now()),
        "account": {"email": user.email, "first_name": user.first_name,
                    "last_name": user.last_name, "language": user.language,
                    "reminders_opt_out": user.reminders_opt_out,
                    "date_joined": iso(user.date_joined), "last_login": iso(user.last_login)},
        "memberships": memberships,
        **sections,
        "audit_events": events,
    }


# --- Account deletion ------------------------------------------------------------------------

def account_deletion_blockers(*, user: User) -> list[str]:
    """Why `user` may not delete their account now (empty: they may)."""
    reasons = []
    with scopes_disabled():  # the user's own roles, in every tenant
        for m in Membership.objects.filter(user=user, role=Role.ADMIN).select_related("tenant"):
            if not Membership.objects.filter(tenant=m.tenant, role=Role.ADMIN).exclude(
                    user=user).exists():
                reasons.append(_(
                    "Vous êtes le dernier ou la dernière administrateur·rice du contrat "
                    "« %(tenant)s » : nommez d'abord un·e autre administrateur·rice.")
                    % {"tenant": m.tenant.name})
        for blocker in _BLOCKERS:
            reasons += blocker(user)
    return reasons


@transaction.atomic
def account_delete(*, user: User, password: str) -> None:
    """Delete `user`'s account. Their structures' dossiers stay with the structures; their
    memberships go; audit events they made keep their line with no actor."""
    if not user.check_password(password):
        raise ValidationError({"password": _("Mot de passe incorrect.")}, code="password")
    reasons = account_deletion_blockers(user=user)
    if reasons:
        raise ValidationError(reasons, code="blocked")
    locked = User.objects.select_for_update().get(pk=user.pk)
    with scopes_disabled():  # the user's own rows, in every tenant
        tenants = list(Tenant.objects.filter(memberships__user=locked).distinct())
        for tenant in tenants:
            audit_log(tenant=tenant, actor=None, action="portal.user.account_deleted",
                      data={"user_id": locked.pk})
        audit_log(tenant=None, actor=None, action="portal.user.account_deleted",
                  data={"user_id": locked.pk})
        # The messages sent to them hold their address and what was said to them.
        Notification.objects.filter(Q(user=locked) | Q(recipient__iexact=locked.email)).delete()
        locked.delete()  # memberships, structure memberships cascade; audit actor → NULL


# --- Retention ------------------------------------------------------------------------------

def retention_cutoff(tenant: Tenant, now: datetime | None) -> datetime:
    now = now or timezone.now()
    years = tenant.retention_years
    # 29 February minus N years: the 28th when that year has none.
    return (now.replace(year=now.year - years) if (now.month, now.day) != (2, 29)
            else now.replace(year=now.year - years, day=28))


def purge_expired_dossiers(*, now: datetime | None = None) -> int:
    """Delete, in every tenant, what each app keeps no longer after the tenant's retention
    period (closed dossiers and abandoned drafts: `applications.privacy`), with their files;
    return how many objects were deleted."""
    from .taskbase import for_each_tenant

    total = 0
    for tenant in for_each_tenant(active_only=False):  # each tenant's purge in its own scope
        cutoff = retention_cutoff(tenant, now)
        for purge in _RETENTION:
            total += purge(tenant, cutoff)
    return total
