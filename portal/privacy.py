"""Personal data: a user's own data export, account deletion, and the retention of closed
dossiers.

These read and write across tenants on purpose (a person's data lives in every region they
filed in), hence the `scopes_disabled()` blocks: each one is filtered on the user or on an
explicit tenant. The other apps' models are reached through `apps.get_model` so that portal,
the lowest layer, imports none of them.

Retention: closed dossiers (rejected, withdrawn, ineligible) are **deleted**, with their files,
`Tenant.retention_years` after they were closed. Deletion rather than anonymisation: a dossier
is the structure's project (names, budget, partners, letters, attachments); stripped of all
that, nothing useful is left, while the contract's figures (counts, amounts granted) come from
the granted dossiers, which are kept. Each purge leaves one audit line (reference, status,
closing date) without personal data.

Abandoned drafts (still drafts on a call closed longer ago than the retention period: they can
never be filed) are deleted the same way, counted from the call's closing date.
"""

from datetime import datetime

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Max, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from .audit import audit_log
from .storage import private_file_delete
from .enums import Role
from .models import AuditEvent, GeneratedDocument, Membership, Notification, Tenant, User

#: Dossier states that end a dossier without a grant: these are purged after retention.
CLOSED_STATES = ("rejected", "withdrawn", "ineligible")


def _model(label: str):
    return apps.get_model(label)


def _iso(value):
    return value.isoformat() if value is not None else None


# --- Export ---------------------------------------------------------------------------------

def user_data_export(*, user: User) -> dict:
    """Everything the portal holds about `user`, as JSON-serialisable data."""
    Structure = _model("applications.Structure")
    StructureMember = _model("applications.StructureMember")
    Dossier = _model("applications.Dossier")
    DossierMessage = _model("applications.DossierMessage")
    NeedRequest = _model("mentoring.NeedRequest")

    with scopes_disabled():  # the user's own rows, in every tenant
        memberships = [
            {"tenant": m.tenant.slug, "tenant_name": m.tenant.name, "role": m.role,
             "organization": m.organization.name if m.organization else None,
             "since": _iso(m.created_at)}
            for m in Membership.objects.filter(user=user).select_related("tenant",
                                                                          "organization")]
        structure_members = list(StructureMember.objects.filter(user=user)
                                 .select_related("structure"))
        structure_ids = [sm.structure_id for sm in structure_members]
        own_messages: dict[int, list] = {}
        for msg in DossierMessage.objects.filter(author=user,
                                                 dossier__structure_id__in=structure_ids):
            own_messages.setdefault(msg.dossier_id, []).append(
                {"sent_at": _iso(msg.created_at), "body": msg.body})
        dossiers = [
            {"tenant": d.tenant.slug, "call": d.call.title, "reference": d.reference,
             "structure": d.structure.name, "title": d.title,
             "status": d.status_for_applicant,  # a decision only once published
             "summary": d.summary, "requested_amount": str(d.requested_amount)
             if d.requested_amount is not None else None,
             "submitted_at": _iso(d.submitted_at), "created_at": _iso(d.created_at),
             "my_messages": own_messages.get(d.pk, [])}
            for d in Dossier.objects.filter(structure_id__in=structure_ids)
            .select_related("tenant", "call", "structure", "decision__session")
            .order_by("created_at", "pk")]
        needs = [
            {"tenant": n.tenant.slug, "structure": n.structure.name,
             "person_name": n.person_name, "description": n.description,
             "status": getattr(n, "status", ""), "created_at": _iso(getattr(n, "created_at",
                                                                             None))}
            for n in NeedRequest.objects.filter(submitted_by=user)
            .select_related("tenant", "structure").order_by("pk")]
        events = [
            {"at": _iso(e.created_at), "tenant": e.tenant.slug if e.tenant else None,
             "action": e.action,
             "target": f"{e.target_type.app_label}.{e.target_type.model}#{e.target_id}"
             if e.target_type else None, "data": e.data}
            for e in AuditEvent.objects.filter(actor=user).select_related("tenant",
                                                                          "target_type")
            .order_by("created_at", "pk")]
    return {
        "generated_at": _iso(timezone.now()),
        "account": {"email": user.email, "first_name": user.first_name,
                    "last_name": user.last_name, "language": user.language,
                    "reminders_opt_out": user.reminders_opt_out,
                    "date_joined": _iso(user.date_joined), "last_login": _iso(user.last_login)},
        "memberships": memberships,
        "structures": [
            {"name": sm.structure.name, "siret": sm.structure.siret, "role": sm.role}
            for sm in structure_members],
        "dossiers": dossiers,
        "mentoring_requests": needs,
        "audit_events": events,
    }


# --- Account deletion ------------------------------------------------------------------------

def account_deletion_blockers(*, user: User) -> list[str]:
    """Why `user` may not delete their account now (empty: they may)."""
    StructureMember = _model("applications.StructureMember")
    Review = _model("reviews.Review")
    reasons = []
    with scopes_disabled():  # the user's own roles, in every tenant
        for m in Membership.objects.filter(user=user, role=Role.ADMIN).select_related("tenant"):
            if not Membership.objects.filter(tenant=m.tenant, role=Role.ADMIN).exclude(
                    user=user).exists():
                reasons.append(_(
                    "Vous êtes le dernier ou la dernière administrateur·rice du contrat "
                    "« %(tenant)s » : nommez d'abord un·e autre administrateur·rice.")
                    % {"tenant": m.tenant.name})
        for sm in StructureMember.objects.filter(user=user, role="manager").select_related(
                "structure"):
            others = StructureMember.objects.filter(structure=sm.structure).exclude(user=user)
            if others.exists() and not others.filter(role="manager").exists():
                reasons.append(_(
                    "Vous êtes le ou la dernière responsable de la structure « %(structure)s », "
                    "qui a d'autres membres : confiez d'abord ce rôle à l'un·e d'eux.")
                    % {"structure": sm.structure.name})
        if Review.objects.filter(officer=user).exists():
            reasons.append(_(
                "Vos évaluations de dossiers font partie de l'instruction : demandez à "
                "l'administrateur·rice du contrat la suppression de votre compte."))
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


# --- Retention of closed dossiers ---------------------------------------------------------

def _retention_cutoff(tenant: Tenant, now: datetime | None) -> datetime:
    now = now or timezone.now()
    years = tenant.retention_years
    # 29 February minus N years: the 28th when that year has none.
    return (now.replace(year=now.year - years) if (now.month, now.day) != (2, 29)
            else now.replace(year=now.year - years, day=28))


def closed_dossiers_expired(*, tenant: Tenant, now: datetime | None = None):
    """The closed dossiers of `tenant` whose retention period is over."""
    Dossier = _model("applications.Dossier")
    EligibilityReview = _model("reviews.EligibilityReview")
    cutoff = _retention_cutoff(tenant, now)
    last_eligibility = (EligibilityReview.objects.filter(dossier=OuterRef("pk"))
                        .values("dossier").annotate(at=Max("created_at")).values("at"))
    return (Dossier.objects.filter(tenant=tenant, status__in=CLOSED_STATES)
            .annotate(closed_at=Coalesce("withdrawn_at", "decision__decided_at",
                                         Subquery(last_eligibility), "updated_at"))
            .filter(closed_at__lt=cutoff))


def abandoned_drafts_expired(*, tenant: Tenant, now: datetime | None = None):
    """The drafts of `tenant` left on a call that closed more than the retention period ago
    (its `closes_at`; for a closed or archived call with no closing date, its last change)."""
    Dossier = _model("applications.Dossier")
    cutoff = _retention_cutoff(tenant, now)
    return (Dossier.objects.filter(tenant=tenant, status="draft")
            .annotate(closed_at=Coalesce(
                "call__closes_at",
                Case(When(call__status__in=("closed", "archived"), then="call__updated_at"))))
            .filter(closed_at__lt=cutoff))


def purge_expired_dossiers(*, now: datetime | None = None) -> int:
    """Delete, in every tenant, the closed dossiers and the abandoned drafts past retention,
    with their files and generated documents; return how many were deleted."""
    total = 0
    with scopes_disabled():  # periodic job over every tenant, each filtered on its tenant
        for tenant in Tenant.objects.all():
            for expired in (closed_dossiers_expired, abandoned_drafts_expired):
                for dossier in expired(tenant=tenant, now=now):
                    _purge_dossier(dossier)
                    total += 1
    return total


@transaction.atomic
def _purge_dossier(dossier) -> None:
    files = [a.file.name for a in dossier.attachments.all() if a.file]
    if dossier.receipt:
        files.append(dossier.receipt.name)
    targets = [dossier]
    decision = getattr(dossier, "decision", None)
    if decision is not None:
        targets.append(decision)  # its letter
    documents = GeneratedDocument.objects.none()
    for target in targets:
        documents = documents | GeneratedDocument.objects.filter(
            target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk))
    generated = list(documents.values_list("file_path", flat=True))
    audit_log(tenant=dossier.tenant, actor=None, action="portal.dossier.purged",
              data={"dossier_id": dossier.pk, "reference": dossier.reference,
                    "status": dossier.status,
                    "closed_at": _iso(dossier.closed_at), "files": len(files) + len(generated)})
    GeneratedDocument.objects.filter(pk__in=list(documents.values_list("pk", flat=True))).delete()
    for target in targets:  # the messages about it (they quote it)
        Notification.objects.filter(target_type=ContentType.objects.get_for_model(target),
                                    target_id=str(target.pk)).delete()
    dossier.delete()  # budget, partners, attachments, messages, reviews, decision: cascade
    storage = _model("applications.Attachment")._meta.get_field("file").storage

    def remove_files():
        for name in files:
            storage.delete(name)
        for relative in generated:
            private_file_delete(relative)

    transaction.on_commit(remove_files)
