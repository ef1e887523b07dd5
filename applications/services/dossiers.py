"""Writes on dossiers: one function per business action; each checks the permission and the
state, writes, logs an audit event and enqueues notifications after commit."""

from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.applicability import category_offered
from calls.enums import CriterionKind
from portal.audit import audit_log
from portal.outbox import enqueue
from portal.formatting import PARIS, format_date_local, format_time_local

from ..checks import check_dossier
from ..enums import EDITABLE_STEPS, BudgetKind, DossierStatus, DossierStep, IncomeSource
from ..models import (Attachment, BudgetLine, CompletionRequest, Dossier, DossierMessage,
                      Partner, ReferenceCounter, StructureMember)
from ..uploads import inspect_upload
from ..workflow import can_move
from .transitions import dossier_transition, sync_instance


class DossierError(ValidationError):
    """A business rule refused the action (shown to the user as is)."""


def _require(user, perm: str, obj) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(perm)


def _locked(dossier: Dossier) -> Dossier:
    return (Dossier.objects.select_for_update(of=("self",))
            .select_related("tenant", "call", "track", "category", "structure")
            .get(pk=dossier.pk))


def _sync(target: Dossier, source: Dossier) -> Dossier:
    """Update the caller's instance with the locked row's fields."""
    sync_instance(target, source)
    return target


def _closed_message(call) -> str:
    if call.closes_at is None:
        return _("Cet appel à projets n'accepte pas de dossiers.")
    return _("L'appel à projets est clos depuis le %(date)s à %(time)s (heure de Paris) : "
             "aucun dossier ne peut plus être déposé.") % {
        "date": format_date_local(call.closes_at),
        "time": format_time_local(call.closes_at, seconds=True)}


def open_completion_request(dossier: Dossier) -> CompletionRequest | None:
    if dossier.status != DossierStatus.COMPLETION_REQUESTED:
        return None
    return dossier.completion_requests.filter(answered_at__isnull=True).first()


def editable_steps(dossier: Dossier, *, now: datetime | None = None) -> set[str]:
    """The steps the applicant may change now: all of them on a draft; on a completion
    request, only the steps asked for, before the given date; none otherwise."""
    if dossier.status == DossierStatus.DRAFT:
        return {str(s) for s in EDITABLE_STEPS}
    request = open_completion_request(dossier)
    if request is None or (now or timezone.now()) > request.due_at:
        return set()
    return set(request.steps)


def _require_editable(user, dossier: Dossier, step: str, now=None) -> None:
    _require(user, "applications.view_dossier", dossier)
    if not user.has_perm("applications.change_dossier", dossier):
        raise PermissionDenied("dossier is not editable")
    if step not in editable_steps(dossier, now=now):
        raise PermissionDenied(f"step {step} is not open")


# --- start ----------------------------------------------------------------------------------

@transaction.atomic
def dossier_start(*, user, call, structure, track=None, category=None,
                  now: datetime | None = None) -> Dossier:
    now = now or timezone.now()
    if not StructureMember.objects.filter(structure=structure, user=user).exists():
        raise PermissionDenied("not a member of the structure")
    if not call.is_open(now):
        raise DossierError(_closed_message(call) if call.closes_at and now > call.closes_at
                           else _("Cet appel à projets n'est pas ouvert aux candidatures."))
    errors = {}
    tracks = list(call.tracks.all())
    if tracks and track is None:
        errors["track"] = _("Choisissez un volet.")
    if track is not None and track.call_id != call.pk:
        errors["track"] = _("Ce volet n'appartient pas à cet appel.")
    categories = [c for c in call.categories.all()
                  if category_offered(c, track_id=track.pk if track else None)]
    if categories and category is None:
        errors["category"] = _("Choisissez une catégorie.")
    if category is not None and category not in categories:
        errors["category"] = _("Cette catégorie n'est pas proposée pour ce volet.")
    if errors:
        raise DossierError(errors)
    dossier = Dossier.objects.create(tenant=call.tenant, call=call, track=track,
                                     category=category, structure=structure, created_by=user)
    audit_log(tenant=call.tenant, actor=user, action="applications.dossier.created",
              target=dossier, data={"call": call.slug, "structure": structure.pk})
    return dossier


# --- steps ----------------------------------------------------------------------------------

PROJECT_FIELDS = ("title", "summary", "objectives", "start_date", "end_date")


@transaction.atomic
def dossier_save_invalid_input(*, user, dossier: Dossier, step: str, raw: dict) -> Dossier:
    """Keep what the applicant typed on a step that does not validate yet (shown again with
    its errors when they come back)."""
    locked = _locked(dossier)
    _require_editable(user, locked, step)
    locked.draft_data = {**(locked.draft_data or {}), step: raw}
    locked.save(update_fields=["draft_data", "updated_at"])
    return _sync(dossier, locked)


def _clear_draft(dossier: Dossier, step: str) -> None:
    if step in (dossier.draft_data or {}):
        dossier.draft_data = {k: v for k, v in dossier.draft_data.items() if k != step}


@transaction.atomic
def dossier_update_project(*, user, dossier: Dossier, **fields) -> Dossier:
    locked = _locked(dossier)
    _require_editable(user, locked, DossierStep.PROJECT)
    for name, value in fields.items():
        if name not in PROJECT_FIELDS:
            raise TypeError(f"unknown field {name}")
        setattr(locked, name, value)
    if locked.start_date and locked.end_date and locked.end_date < locked.start_date:
        raise DossierError({"end_date": _("La date de fin doit suivre la date de début.")})
    _clear_draft(locked, DossierStep.PROJECT)
    locked.full_clean(exclude=["created_by", "structure", "call", "tenant"])
    locked.save()
    _log_step(user, locked, DossierStep.PROJECT)
    return _sync(dossier, locked)


@transaction.atomic
def dossier_set_budget(*, user, dossier: Dossier, requested_amount: Decimal | None,
                       lines: list[dict]) -> Dossier:
    """Replace the budget: the requested amount and the expense and income lines
    (dicts with kind, source, label, amount)."""
    from ..checks import dossier_rules_and_expenses

    locked = _locked(dossier)
    _require_editable(user, locked, DossierStep.BUDGET)
    _rules, expenses = dossier_rules_and_expenses(locked)
    new_lines = []
    for position, line in enumerate(lines):
        kind = line["kind"]
        source = line.get("source") or ""
        extra = {}
        if kind == BudgetKind.EXPENSE:
            source = ""
            extra = {"expense_kind": line.get("expense_kind") or "",
                     "spent_from": line.get("spent_from"),
                     "spent_until": line.get("spent_until")}
            outside = expenses.period_problem(line["label"].strip(), extra["spent_from"],
                                              extra["spent_until"])
            if outside:
                raise DossierError({"lines": outside})
        elif source not in IncomeSource.values:
            raise DossierError({"lines": _("Origine de recette inconnue : %(s)s.") % {"s": source}})
        new = BudgetLine(dossier=locked, kind=kind, source=source,
                         label=line["label"].strip(), amount=line["amount"], position=position,
                         **extra)
        new.full_clean(exclude=["dossier"])
        new_lines.append(new)
    locked.budget_lines.all().delete()
    BudgetLine.objects.bulk_create(new_lines)
    locked.requested_amount = requested_amount
    _clear_draft(locked, DossierStep.BUDGET)
    locked.save(update_fields=["requested_amount", "draft_data", "updated_at"])
    _log_step(user, locked, DossierStep.BUDGET)
    return _sync(dossier, locked)


@transaction.atomic
def dossier_set_partners(*, user, dossier: Dossier, partners: list[dict]) -> Dossier:
    locked = _locked(dossier)
    _require_editable(user, locked, DossierStep.PARTNERS)
    new = []
    for position, data in enumerate(partners):
        partner = Partner(dossier=locked, name=data["name"].strip(),
                          siret="".join(ch for ch in data.get("siret", "") if ch.isdigit()),
                          role=data["role"].strip(), position=position)
        partner.full_clean(exclude=["dossier"])
        new.append(partner)
    locked.partners.all().delete()
    Partner.objects.bulk_create(new)
    _clear_draft(locked, DossierStep.PARTNERS)
    locked.save(update_fields=["draft_data", "updated_at"])
    _log_step(user, locked, DossierStep.PARTNERS)
    return _sync(dossier, locked)


@transaction.atomic
def dossier_set_declarations(*, user, dossier: Dossier, declarations: list[int]) -> Dossier:
    locked = _locked(dossier)
    _require_editable(user, locked, DossierStep.DECLARATIONS)
    allowed = set(locked.call.eligibility_criteria.filter(kind=CriterionKind.DECLARATION)
                  .values_list("pk", flat=True))
    unknown = set(declarations) - allowed
    if unknown:
        raise DossierError({"declarations": _("Déclaration inconnue.")})
    locked.declarations = sorted(set(declarations))
    _clear_draft(locked, DossierStep.DECLARATIONS)
    locked.save(update_fields=["declarations", "draft_data", "updated_at"])
    _log_step(user, locked, DossierStep.DECLARATIONS)
    return _sync(dossier, locked)


def _log_step(user, dossier: Dossier, step: str) -> None:
    if dossier.status != DossierStatus.DRAFT:
        # Changes made during a completion request are part of the dossier's history.
        audit_log(tenant=dossier.tenant, actor=user, action="applications.dossier.completed",
                  target=dossier, data={"step": str(step)})


# --- documents ------------------------------------------------------------------------------

@transaction.atomic
def attachment_upload(*, user, dossier: Dossier, requirement, upload) -> Attachment:
    """Store `upload` for `requirement` (replacing an earlier file). Refused: too big, wrong
    type (sniffed from the content), corrupted or encrypted PDF."""
    locked = _locked(dossier)
    _require_editable(user, locked, DossierStep.DOCUMENTS)
    if requirement.call_id != locked.call_id or requirement.is_for_report:
        raise PermissionDenied("requirement of another call, or of the final report")
    info = inspect_upload(upload, allowed_formats=list(requirement.allowed_formats),
                          max_bytes=requirement.max_size_bytes)
    previous = Attachment.objects.filter(dossier=locked, requirement=requirement).first()
    if previous is not None:
        old_file = previous.file.name
        previous.delete()
        transaction.on_commit(lambda: previous.file.storage.delete(old_file))
    attachment = Attachment(dossier=locked, requirement=requirement,
                            original_name=info.original_name,
                            content_type=info.content_type, extension=info.extension,
                            size=info.size, sha256=info.sha256, uploaded_by=user)
    upload.seek(0)
    attachment.file.save(info.original_name, upload, save=False)
    attachment.save()
    _clear_draft(locked, DossierStep.DOCUMENTS)
    locked.save(update_fields=["draft_data", "updated_at"])
    if locked.status != DossierStatus.DRAFT:
        audit_log(tenant=locked.tenant, actor=user, action="applications.dossier.completed",
                  target=locked, data={"step": "documents", "requirement": requirement.pk,
                                       "sha256": info.sha256})
    return attachment


@transaction.atomic
def attachment_remove(*, user, attachment: Attachment) -> None:
    locked = _locked(attachment.dossier)
    _require_editable(user, locked, DossierStep.DOCUMENTS)
    name, storage = attachment.file.name, attachment.file.storage
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))
    locked.save(update_fields=["updated_at"])


# --- submission -----------------------------------------------------------------------------

def tenant_code(tenant) -> str:
    """The contract's prefix of dossier references ("PDL"), set by its admin."""
    return tenant.dossier_prefix


def reference_allocate(dossier: Dossier, now: datetime) -> str:
    """The next reference of (tenant, call, Paris year); call inside the submitting
    transaction (the counter row stays locked until it commits)."""
    year = now.astimezone(PARIS).year
    code = dossier.call.reference_code
    ReferenceCounter.objects.bulk_create(
        [ReferenceCounter(tenant=dossier.tenant, code=code, year=year)], ignore_conflicts=True)
    counter = ReferenceCounter.objects.select_for_update().get(
        tenant=dossier.tenant, code=code, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return f"{tenant_code(dossier.tenant)}-{year}-{code}-{counter.last_number:04d}"


@transaction.atomic
def dossier_submit(*, user, dossier: Dossier, now: datetime | None = None) -> Dossier:
    """File the dossier (or refile it after a completion request): atomic, refused after
    the call's closing time, with a reference unique per tenant, call and year."""
    now = now or timezone.now()
    locked = _locked(dossier)
    _require(user, "applications.view_dossier", locked)
    _require(user, "applications.submit_dossier", locked)
    if locked.status == DossierStatus.COMPLETION_REQUESTED:
        return _sync(dossier, _resubmit(user, locked, now))
    if locked.status != DossierStatus.DRAFT:
        raise DossierError(_("Ce dossier a déjà été déposé (référence %(ref)s).")
                           % {"ref": locked.reference}, code="already_submitted")
    if not locked.call.is_open(now):
        raise DossierError(_closed_message(locked.call), code="closed")
    check = check_dossier(locked, now=now)
    if not check.can_submit:
        raise DossierError(check.blocking_reasons, code="blocking")
    reference = reference_allocate(locked, now)
    dossier_transition(dossier=locked, to=DossierStatus.SUBMITTED, user=user, now=now,
                       fields={"reference": reference, "rules_snapshot": check.snapshot,
                               "eligibility_results": check.results_json()},
                       data={"reference": reference,
                             "rules_version": check.snapshot.get("rules_version")})
    return _sync(dossier, locked)


def _resubmit(user, locked: Dossier, now: datetime) -> Dossier:
    request = open_completion_request(locked)
    if request is not None and now > request.due_at:
        raise DossierError(_("Le délai pour compléter ce dossier est dépassé."), code="late")
    check = check_dossier(locked, now=now, snapshot=locked.rules_snapshot)
    if not check.can_submit:
        raise DossierError(check.blocking_reasons, code="blocking")
    # The completed dossier gets its own acknowledgement of receipt (produced after commit by
    # the notification, or on first download); the previous one is named in the history.
    previous_receipt = {"name": locked.receipt.name, "sha256": locked.receipt_sha256}
    if request is not None:
        request.answered_at = now
        request.save(update_fields=["answered_at"])
    dossier_transition(dossier=locked, to=DossierStatus.SUBMITTED, user=user, now=now,
                       fields={"eligibility_results": check.results_json(), "receipt": "",
                               "receipt_sha256": ""},
                       data={"reference": locked.reference,
                             "previous_receipt_sha256": previous_receipt["sha256"]})
    if previous_receipt["name"]:
        storage = locked.receipt.storage
        transaction.on_commit(lambda: storage.delete(previous_receipt["name"]))
    return locked


# --- instructor side: completion request ---------------------------------------------------

@transaction.atomic
def dossier_request_completion(*, user, dossier: Dossier, message: str, steps: list[str],
                               due_at: datetime, now: datetime | None = None) -> CompletionRequest:
    now = now or timezone.now()
    locked = _locked(dossier)
    _require(user, "applications.request_completion", locked)
    if locked.status != DossierStatus.SUBMITTED:
        raise DossierError(_("On ne peut demander des compléments que sur un dossier déposé "
                             "en attente d'examen."))
    errors = {}
    steps = [s for s in dict.fromkeys(steps)]
    if not steps or any(s not in {str(x) for x in EDITABLE_STEPS} for s in steps):
        errors["steps"] = _("Choisissez au moins une étape à compléter.")
    if not (message or "").strip():
        errors["message"] = _("Précisez les éléments demandés.")
    if due_at <= now:
        errors["due_at"] = _("La date limite doit être dans le futur.")
    if errors:
        raise DossierError(errors)
    request = CompletionRequest.objects.create(dossier=locked, message=message.strip(),
                                               steps=steps, due_at=due_at, requested_by=user)
    dossier_transition(dossier=locked, to=DossierStatus.COMPLETION_REQUESTED, user=user,
                       now=now, data={"steps": steps, "due_at": due_at.isoformat()},
                       enqueue_kwargs={"completion_request_id": request.pk})
    _sync(dossier, locked)
    return request


# --- withdraw, messages ---------------------------------------------------------------------

@transaction.atomic
def dossier_withdraw(*, user, dossier: Dossier, reason: str = "",
                     now: datetime | None = None) -> Dossier:
    locked = _locked(dossier)
    _require(user, "applications.view_dossier", locked)
    _require(user, "applications.withdraw_dossier", locked)
    if not can_move(locked.status, DossierStatus.WITHDRAWN):
        raise DossierError(_("Ce dossier ne peut plus être retiré (état : %(state)s).")
                           % {"state": locked.get_status_for_applicant_display()})
    dossier_transition(dossier=locked, to=DossierStatus.WITHDRAWN, user=user, now=now,
                       data={"reason": reason.strip()[:500]})
    return _sync(dossier, locked)


@transaction.atomic
def dossier_message_post(*, user, dossier: Dossier, body: str) -> DossierMessage:
    _require(user, "applications.message_dossier", dossier)
    if dossier.status == DossierStatus.DRAFT:
        raise DossierError(_("La messagerie s'ouvre une fois le dossier déposé."))
    body = (body or "").strip()
    if not body:
        raise DossierError({"body": _("Écrivez votre message.")})
    from ..rules import is_dossier_member

    from_instructor = not is_dossier_member(user, dossier)
    message = DossierMessage.objects.create(dossier=dossier, author=user, body=body[:10000],
                                            from_instructor=from_instructor)
    audit_log(tenant=dossier.tenant, actor=user, action="applications.dossier.message_posted",
              target=dossier, data={"message": message.pk, "from_instructor": from_instructor})
    enqueue("applications.dossier_message_email", message_id=message.pk)
    return message
