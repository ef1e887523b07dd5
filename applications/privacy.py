"""What the applicant side holds of a person and keeps for a time (registered with
`portal.privacy` when the app is ready).

Retention: closed dossiers (ineligible, rejected, withdrawn) are **deleted**, with their files,
`Tenant.retention_years` after they were closed. Deletion rather than anonymisation: a dossier
is the structure's project (names, budget, partners, letters, attachments); stripped of all
that, nothing useful is left, while the contract's figures (counts, amounts granted) come from
the granted dossiers, which are kept. Each purge leaves one audit line (reference, status,
closing date) without personal data. Abandoned drafts (still drafts on a call closed longer ago
than the retention period: they can never be filed) are deleted the same way, counted from the
call's closing date.

The apps above say when a dossier closed and what else goes with it
(`register_closing_date`, `register_purge_targets`): the instruction knows the decision and the
eligibility review.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Case, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from calls.enums import CallStatus
from portal.audit import audit_log
from portal.models import GeneratedDocument, Notification
from portal.privacy import iso
from portal.storage import private_file_delete

from .enums import ENDED_WITHOUT_GRANT, DossierStatus, StructureRole
from .models import Attachment, Dossier, DossierMessage, StructureMember

_CLOSING_DATES: list = []
_PURGE_TARGETS: list = []
_PURGE_GUARDS: list = []


def register_closing_date(expression) -> None:
    """``expression() ->`` a query expression on Dossier giving when it closed (the first
    non-null one counts, after ``withdrawn_at``); built when the query is."""
    if expression not in _CLOSING_DATES:
        _CLOSING_DATES.append(expression)


def register_purge_targets(targets) -> None:
    """``targets(dossier) -> list of objects`` whose generated documents and messages go with
    the dossier."""
    if targets not in _PURGE_TARGETS:
        _PURGE_TARGETS.append(targets)


def register_purge_guard(kept) -> None:
    """``kept() ->`` a Q on Dossier of the dossiers retention must keep whatever their state
    (e.g. a grant whose payments are not closed: awards)."""
    if kept not in _PURGE_GUARDS:
        _PURGE_GUARDS.append(kept)


def _guarded(queryset):
    for kept in _PURGE_GUARDS:
        queryset = queryset.exclude(kept())
    return queryset


# --- Export and account deletion -------------------------------------------------------------

def structures_rows(user) -> list[dict]:
    return [{"name": sm.structure.name, "siret": sm.structure.siret, "role": sm.role}
            for sm in StructureMember.objects.filter(user=user).select_related("structure")]


def dossiers_rows(user) -> list[dict]:
    structure_ids = list(StructureMember.objects.filter(user=user)
                         .values_list("structure_id", flat=True))
    own_messages: dict[int, list] = {}
    for msg in DossierMessage.objects.filter(author=user,
                                             dossier__structure_id__in=structure_ids):
        own_messages.setdefault(msg.dossier_id, []).append(
            {"sent_at": iso(msg.created_at), "body": msg.body})
    return [
        {"tenant": d.tenant.slug, "call": d.call.title, "reference": d.reference,
         "structure": d.structure.name, "title": d.title,
         "status": d.status_for_applicant,  # a decision only once published
         "summary": d.summary, "requested_amount": str(d.requested_amount)
         if d.requested_amount is not None else None,
         "submitted_at": iso(d.submitted_at), "created_at": iso(d.created_at),
         "my_messages": own_messages.get(d.pk, [])}
        for d in Dossier.objects.filter(structure_id__in=structure_ids)
        .select_related("tenant", "call", "structure", "decision__session")
        .order_by("created_at", "pk")]


def last_manager_blocker(user) -> list[str]:
    reasons = []
    for sm in StructureMember.objects.filter(user=user, role=StructureRole.MANAGER).select_related(
            "structure"):
        others = StructureMember.objects.filter(structure=sm.structure).exclude(user=user)
        if others.exists() and not others.filter(role=StructureRole.MANAGER).exists():
            reasons.append(_(
                "Vous êtes le ou la dernière responsable de la structure « %(structure)s », "
                "qui a d'autres membres : confiez d'abord ce rôle à l'un·e d'eux.")
                % {"structure": sm.structure.name})
    return reasons


# --- Retention --------------------------------------------------------------------------------

def closed_dossiers_expired(*, tenant, cutoff):
    """The closed dossiers of `tenant` closed before `cutoff`."""
    return _guarded(Dossier.objects.filter(tenant=tenant, status__in=ENDED_WITHOUT_GRANT)
                    .annotate(closed_at=Coalesce("withdrawn_at",
                                                 *[e() for e in _CLOSING_DATES], "updated_at"))
                    .filter(closed_at__lt=cutoff))


def abandoned_drafts_expired(*, tenant, cutoff):
    """The drafts of `tenant` left on a call that closed before `cutoff` (its `closes_at`;
    for a closed or archived call with no closing date, its last change)."""
    return _guarded(Dossier.objects.filter(tenant=tenant, status=DossierStatus.DRAFT)
            .annotate(closed_at=Coalesce(
                "call__closes_at",
                Case(When(call__status__in=(CallStatus.CLOSED, CallStatus.ARCHIVED),
                          then="call__updated_at"))))
            .filter(closed_at__lt=cutoff))


def purge_expired(tenant, cutoff) -> int:
    total = 0
    for expired in (closed_dossiers_expired, abandoned_drafts_expired):
        for dossier in expired(tenant=tenant, cutoff=cutoff):
            _purge_dossier(dossier)
            total += 1
    return total


@transaction.atomic
def _purge_dossier(dossier) -> None:
    files = [a.file.name for a in dossier.attachments.all() if a.file]
    if dossier.receipt:
        files.append(dossier.receipt.name)
    targets = [dossier, *[t for targets in _PURGE_TARGETS for t in targets(dossier)]]
    documents = GeneratedDocument.objects.none()
    for target in targets:
        documents = documents | GeneratedDocument.objects.filter(
            target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk))
    generated = list(documents.values_list("file_path", flat=True))
    audit_log(tenant=dossier.tenant, actor=None, action="portal.dossier.purged",
              data={"dossier_id": dossier.pk, "reference": dossier.reference,
                    "status": dossier.status,
                    "closed_at": iso(dossier.closed_at), "files": len(files) + len(generated)})
    GeneratedDocument.objects.filter(pk__in=list(documents.values_list("pk", flat=True))).delete()
    for target in targets:  # the messages about it (they quote it)
        Notification.objects.filter(target_type=ContentType.objects.get_for_model(target),
                                    target_id=str(target.pk)).delete()
    dossier.delete()  # budget, partners, attachments, messages, reviews, decision: cascade
    storage = Attachment._meta.get_field("file").storage

    def remove_files():
        for name in files:
            storage.delete(name)
        for relative in generated:
            private_file_delete(relative)

    transaction.on_commit(remove_files)


def register() -> None:
    from portal.privacy import (register_deletion_blocker, register_export_section,
                                register_retention)

    register_export_section("structures", structures_rows, order=10)
    register_export_section("dossiers", dossiers_rows, order=20)
    register_deletion_blocker(last_manager_blocker)
    register_retention(purge_expired)
