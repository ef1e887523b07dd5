"""Writes of the follow-up of a grant: one function per business action, keyword-only,
atomic; each checks the permission and the state, writes, audits (a state change of the
dossier through `applications.services.dossier_transition`) and queues what follows."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.enums import BudgetKind, DossierStatus
from applications.models import Dossier
from applications.services import dossier_transition
from calls.enums import AdvanceTiming, Funder
from portal.amounts import clean_number
from portal.audit import audit_log
from portal.formatting import PARIS, format_date_fr, format_money

from .arithmetic import ZERO, money, reevaluate
from .enums import (EXAMINED_STATES, REPORT_OPEN_STATES, SETTLED_PAYMENT_STATES, AwardStatus,
                    PaymentKind, PaymentStatus)
from .models import (BankAccount, FinalReport, FunderAccount, Payment, ReportAttachment,
                     ReportLine)
from .validators import normalize_iban


class AwardError(ValidationError):
    """A follow-up action refused for a reason the user can act on (shown by the view)."""


def _require(user, perm: str, obj) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(perm)


def _locked(dossier) -> Dossier:
    return (Dossier.objects.select_for_update(of=("self",))
            .select_related("tenant", "call", "track", "category", "structure")
            .get(pk=dossier.pk))


def _today(now: datetime) -> date:
    return now.astimezone(PARIS).date()


# --- The schedule, when the decision is published ---------------------------------------------

@transaction.atomic
def schedule_create(*, decision, now: datetime | None = None) -> list[Payment]:
    """The payment schedule of a published grant (its session closed): per funder, the
    advance (the call's percentage as the dossier was filed, split pro rata of the shares)
    due now, and the balance planned at the final report; the final report's deadline from
    the rules; the dossier moves to « Avance à verser » (or « Bilan final attendu » without an
    advance). Idempotent: a dossier with a schedule is left alone."""
    from reviews.enums import DecisionOutcome
    from reviews.letters import report_due_date, split_advance
    from reviews.selectors import dossier_rules

    now = now or timezone.now()
    if decision.outcome != DecisionOutcome.GRANTED:
        return []
    dossier = _locked(decision.dossier)
    if dossier.status != DossierStatus.GRANTED or Payment.objects.filter(dossier=dossier).exists():
        return []
    shares = [(s.funder, s.amount) for s in decision.shares.all()]
    rules = dossier_rules(dossier)
    # « versée à la signature de la convention »: the advance waits for the signed convention;
    # « au démarrage de l'action, sur attestation »: for the structure's start attestation
    timing = rules.get("advance_paid_on")
    awaits = timing if timing in (AdvanceTiming.CONVENTION, AdvanceTiming.START) else ""
    awaiting = awaits == AdvanceTiming.CONVENTION
    rows = []
    for funder, _share, advance, balance in split_advance(shares, decision.advance_amount):
        if advance > 0:
            rows.append(Payment(tenant=dossier.tenant, dossier=dossier, funder=funder,
                                kind=PaymentKind.ADVANCE, amount=advance, awaits=awaits,
                                status=PaymentStatus.PLANNED if awaits else PaymentStatus.DUE))
        if balance > 0:
            rows.append(Payment(tenant=dossier.tenant, dossier=dossier, funder=funder,
                                kind=PaymentKind.BALANCE, amount=balance,
                                status=PaymentStatus.PLANNED))
    Payment.objects.bulk_create(rows)
    FinalReport.objects.get_or_create(
        dossier=dossier, defaults={"due_on": report_due_date(dossier=dossier, rules=rules)})
    has_advance = any(p.kind == PaymentKind.ADVANCE for p in rows)
    dossier_transition(dossier=dossier, to=AwardStatus.ADVANCE_DUE if has_advance
                       else AwardStatus.REPORT_DUE, user=None, now=now,
                       data={"decision": decision.pk,
                             "advance_amount": str(decision.advance_amount or ZERO),
                             "payments": len(rows), "awaiting_convention": awaiting,
                             "awaiting_start": awaits == AdvanceTiming.START})
    return rows


@transaction.atomic
def convention_receive(*, user, dossier, received_on: date, now: datetime | None = None
                       ) -> list[Payment]:
    """An instructor records the signed convention (or acceptance) returned by the structure:
    where the call pays the advance at the convention's signature, the advance is now due."""
    now = now or timezone.now()
    locked = _locked(dossier)
    _require(user, "awards.examine_report", locked)
    waiting = list(Payment.objects.select_for_update(of=("self",)).filter(
        dossier=locked, kind=PaymentKind.ADVANCE, status=PaymentStatus.PLANNED,
        awaits=AdvanceTiming.CONVENTION))
    if locked.status != AwardStatus.ADVANCE_DUE or not waiting:
        raise AwardError(_("Aucune avance n'attend la convention signée sur ce dossier."),
                         code="state")
    if not received_on:
        raise AwardError({"received_on": [_("Reçue le : indiquez la date de réception de la "
                                            "convention signée.")]})
    if received_on > _today(now):
        raise AwardError({"received_on": [_("Reçue le : la date ne peut pas être dans le futur "
                                            "(%(d)s).") % {"d": format_date_fr(received_on)}]})
    for payment in waiting:
        payment.status = PaymentStatus.DUE
        payment.save(update_fields=["status", "updated_at"])
    audit_log(tenant=locked.tenant, actor=user, action="awards.convention.received",
              target=locked, data={"received_on": received_on.isoformat(),
                                   "amount": str(sum((p.amount for p in waiting), ZERO))})
    return waiting


#: What the structure declares when it attests the start of the action.
START_DECLARATION = gettext_lazy("Je certifie que l'action a démarré à la date indiquée.")
#: The optional document of the attestation (a signed attestation, a programme…).
START_DOCUMENT_FORMATS = ["pdf", "jpg", "png"]
START_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024


@transaction.atomic
def start_attest(*, user, dossier, declared: bool, started_on: date | None, upload=None,
                 now: datetime | None = None):
    """A member of the structure attests that the action started (the call pays the advance
    « au démarrage de l'action, sur attestation »): a declaration ticked, the start date (not
    in the future), optionally a document (checked as the dossier's attachments are); the
    advance waiting for it is now due, to be paid by each funder."""
    from applications.uploads import inspect_upload

    from .models import StartAttestation

    now = now or timezone.now()
    locked = _locked(dossier)
    _require(user, "awards.file_report", locked)
    waiting = list(Payment.objects.select_for_update(of=("self",)).filter(
        dossier=locked, kind=PaymentKind.ADVANCE, status=PaymentStatus.PLANNED,
        awaits=AdvanceTiming.START))
    if locked.status != AwardStatus.ADVANCE_DUE or not waiting:
        raise AwardError(_("Aucune avance n'attend l'attestation de démarrage sur ce dossier."),
                         code="state")
    errors = {}
    if not declared:
        errors["declared"] = [_("Déclaration : cochez la case pour attester le démarrage de "
                                "l'action.")]
    if not started_on:
        errors["started_on"] = [_("Date de démarrage : indiquez le jour où l'action a "
                                  "commencé.")]
    elif started_on > _today(now):
        errors["started_on"] = [_("Date de démarrage : elle ne peut pas être dans le futur "
                                  "(%(d)s) ; attestez le démarrage une fois l'action "
                                  "commencée.") % {"d": format_date_fr(started_on)}]
    info = None
    if upload is not None:
        try:
            info = inspect_upload(upload, allowed_formats=START_DOCUMENT_FORMATS,
                                  max_bytes=START_DOCUMENT_MAX_BYTES)
        except ValidationError as exc:
            errors["document"] = exc.messages
    if errors:
        raise AwardError(errors)
    attestation = StartAttestation(dossier=locked, started_on=started_on,
                                   declaration=str(START_DECLARATION), filed_by=user,
                                   filed_at=now)
    if info is not None:
        attestation.original_name, attestation.content_type = info.original_name, info.content_type
        attestation.size, attestation.sha256 = info.size, info.sha256
        upload.seek(0)
        attestation.file.save(info.original_name, upload, save=False)
    attestation.save()
    for payment in waiting:
        payment.status = PaymentStatus.DUE
        payment.save(update_fields=["status", "updated_at"])
    audit_log(tenant=locked.tenant, actor=user, action="awards.start.attested", target=locked,
              data={"started_on": started_on.isoformat(),
                    "amount": str(sum((p.amount for p in waiting), ZERO)),
                    "document": info.original_name if info else ""})
    return attestation


# --- Payments ---------------------------------------------------------------------------------

def _locked_payment(payment) -> Payment:
    return (Payment.objects.select_for_update(of=("self",))
            .select_related("tenant", "dossier__tenant", "dossier__structure")
            .get(pk=payment.pk))


def _payment_data(p: Payment, **extra) -> dict:
    return {"payment": p.pk, "funder": p.funder, "kind": p.kind, "amount": str(p.amount),
            **extra}


@transaction.atomic
def payment_mark_sent(*, user, payment: Payment, now: datetime | None = None) -> Payment:
    """The funder's officer sends the payment to their finance department."""
    now = now or timezone.now()
    locked = _locked_payment(payment)
    _require(user, "awards.record_payment", locked)
    if locked.status != PaymentStatus.DUE:
        raise AwardError(_("Ce versement n'est pas à mettre en paiement (état : %(s)s).")
                         % {"s": locked.get_status_display()}, code="state")
    locked.status, locked.sent_at, locked.sent_by = PaymentStatus.SENT, now, user
    locked.save(update_fields=["status", "sent_at", "sent_by", "updated_at"])
    audit_log(tenant=locked.tenant, actor=user, action="awards.payment.sent",
              target=locked.dossier, data=_payment_data(locked))
    return locked


@transaction.atomic
def payment_mark_paid(*, user, payment: Payment, paid_on, amount, reference: str,
                      now: datetime | None = None) -> Payment:
    """The funder's officer records the payment (or the recovery) as made: date, amount (the
    amount due, to the cent), reference of the mandate or of the recovery order. When it is
    the last advance of the dossier, the dossier's advance is paid; when it settles the
    balance, the balance is paid."""
    now = now or timezone.now()
    locked = _locked_payment(payment)
    _require(user, "awards.record_payment", locked)
    errors = {}
    if locked.status not in (PaymentStatus.DUE, PaymentStatus.SENT):
        raise AwardError(_("Ce versement ne peut pas être enregistré (état : %(s)s).")
                         % {"s": locked.get_status_display()}, code="state")
    try:
        value = clean_number(amount, label=_("Montant versé"), min_value=Decimal("0.01"))
    except ValidationError as exc:
        errors["amount"] = exc.messages
        value = None
    if value is None and "amount" not in errors:
        errors["amount"] = [_("Montant versé : indiquez le montant, par exemple %(a)s.")
                            % {"a": format_money(locked.amount)}]
    elif value is not None and money(value) != locked.amount:
        errors["amount"] = [_("Montant versé : %(typed)s ne correspond pas au montant à verser "
                              "(%(due)s).") % {"typed": format_money(value),
                                               "due": format_money(locked.amount)}]
    if not paid_on:
        errors["paid_on"] = [_("Date du versement : indiquez-la.")]
    elif paid_on > _today(now):
        errors["paid_on"] = [_("Date du versement : elle ne peut pas être dans le futur "
                               "(%(d)s).") % {"d": format_date_fr(paid_on)}]
    reference = (reference or "").strip()
    if not reference:
        errors["reference"] = [_("Référence : indiquez le numéro du mandat ou du titre de "
                                 "recettes.")]
    if errors:
        raise AwardError(errors)
    locked.status, locked.paid_on, locked.paid_amount = PaymentStatus.PAID, paid_on, money(value)
    locked.reference, locked.paid_by = reference[:64], user
    locked.save(update_fields=["status", "paid_on", "paid_amount", "reference", "paid_by",
                               "updated_at"])
    audit_log(tenant=locked.tenant, actor=user,
              action="awards.payment.recovered" if locked.is_recovery else "awards.payment.paid",
              target=locked.dossier,
              data=_payment_data(locked, paid_on=paid_on.isoformat(), reference=reference))
    _advance_dossier_after_payment(user=user, dossier=locked.dossier, now=now)
    return locked


def _advance_dossier_after_payment(*, user, dossier, now) -> None:
    dossier = _locked(dossier)
    payments = list(Payment.objects.filter(dossier=dossier))
    if dossier.status == AwardStatus.ADVANCE_DUE:
        advances = [p for p in payments if p.kind == PaymentKind.ADVANCE]
        if all(p.status in SETTLED_PAYMENT_STATES for p in advances):
            dossier_transition(dossier=dossier, to=AwardStatus.ADVANCE_PAID, user=user, now=now,
                               data={"amount": str(sum((p.amount for p in advances), ZERO))})
    elif dossier.status in EXAMINED_STATES:
        rest = [p for p in payments if p.kind != PaymentKind.ADVANCE]
        if all(p.status in SETTLED_PAYMENT_STATES for p in rest):
            dossier_transition(dossier=dossier, to=AwardStatus.BALANCE_PAID, user=user, now=now,
                               data={"amount": str(sum((p.amount for p in rest
                                                        if p.kind == PaymentKind.BALANCE
                                                        and p.status == PaymentStatus.PAID),
                                                       ZERO))})


# --- The structure's bank account -------------------------------------------------------------

@transaction.atomic
def bank_account_save(*, user, structure, holder: str, iban: str, bic: str = "") -> BankAccount:
    """A manager of the structure records its bank account (IBAN checked)."""
    _require(user, "awards.change_bank_account", structure)
    account = BankAccount.objects.filter(structure=structure).first() or BankAccount(
        structure=structure)
    account.holder = " ".join((holder or "").split())
    account.iban = normalize_iban(iban)
    account.bic = (bic or "").replace(" ", "").upper()
    account.updated_by = user
    account.full_clean()
    account.save()
    # Global row (no tenant): the audit line names the structure, never the IBAN itself.
    audit_log(tenant=None, actor=user, action="awards.bank_account.saved", target=structure,
              data={"structure": structure.name, "iban_end": account.iban[-4:]})
    return account


@transaction.atomic
def funder_account_save(*, user, tenant, funder: str, name: str, iban: str,
                        bic: str = "") -> FunderAccount:
    """The tenant's admin records the account a funder pays from (its SEPA file's debtor)."""
    _require(user, "awards.manage_funder_accounts", tenant)
    if funder not in Funder.values:
        raise AwardError({"funder": [_("Financeur inconnu.")]})
    account = FunderAccount.objects.filter(tenant=tenant, funder=funder).first() or \
        FunderAccount(tenant=tenant, funder=funder)
    account.name = " ".join((name or "").split())
    account.iban = normalize_iban(iban)
    account.bic = (bic or "").replace(" ", "").upper()
    account.updated_by = user
    account.full_clean()
    account.save()
    audit_log(tenant=tenant, actor=user, action="awards.funder_account.saved",
              data={"funder": funder, "iban_end": account.iban[-4:]})
    return account


# --- The final report -------------------------------------------------------------------------

def report_for(dossier) -> FinalReport:
    report, _created = FinalReport.objects.get_or_create(dossier=dossier)
    return report


def _clean_realised(dossier, realised: dict) -> tuple[dict[int, Decimal | None], dict]:
    lines = {line.pk: line for line in dossier.budget_lines.all()}
    values, errors = {}, {}
    for pk, line in lines.items():
        typed = realised.get(pk, realised.get(str(pk)))
        try:
            values[pk] = clean_number(typed, label=_("Réalisé — %(label)s") % {
                "label": line.label})
        except ValidationError as exc:
            errors[f"line_{pk}"] = exc.messages
    return values, errors


def _realised_dates(line, stored, typed) -> tuple[date | None, date | None]:
    """The dates of a realised expense: as typed, else as stored, else the planned line's."""
    if typed is not None:
        return typed
    if stored is not None and (stored.spent_from or stored.spent_until):
        return stored.spent_from, stored.spent_until
    return line.spent_from, line.spent_until


def _check_realised_dates(dossier, dates: dict) -> dict:
    """The eligible period's rule of the planned budget (`ExpenseRules.period_problem`, same
    message with the period in it) applied to the realised expenses' dates."""
    from applications.checks import dossier_rules_and_expenses

    _rules, expenses = dossier_rules_and_expenses(dossier)
    errors = {}
    for line in dossier.budget_lines.all():
        if line.kind != BudgetKind.EXPENSE or line.pk not in dates:
            continue
        first, last = dates[line.pk]
        problem = expenses.period_problem(line.label, first, last)
        if problem:
            errors[f"until_{line.pk}" if first and last and last < first
                   else f"from_{line.pk}"] = [problem]
    return errors


@transaction.atomic
def report_save(*, user, dossier, activity_report: str, realised: dict,
                dates: dict | None = None, now: datetime | None = None) -> FinalReport:
    """The applicant keeps a draft of the final report (what was typed is saved; empty
    amounts stay empty). `dates`: {budget line id: (from, until)} of the realised expenses
    (a day: until empty), refused outside the call's eligible period with the period named;
    a line without typed dates keeps its own, else the planned line's."""
    locked = _locked(dossier)
    _require(user, "awards.file_report", locked)
    if locked.status not in REPORT_OPEN_STATES:
        raise AwardError(_("Le bilan final ne peut plus être modifié (état du dossier : "
                           "%(s)s).") % {"s": locked.get_status_display()}, code="state")
    values, errors = _clean_realised(locked, realised)
    dates = {int(k): v for k, v in (dates or {}).items()}
    errors.update(_check_realised_dates(locked, dates))
    if errors:
        raise AwardError(errors)
    report = report_for(locked)
    report.activity_report = (activity_report or "").strip()
    report.save(update_fields=["activity_report", "updated_at"])
    planned = {line.pk: line for line in locked.budget_lines.all()}
    stored = {r.budget_line_id: r for r in report.lines.all()}
    for pk, value in values.items():
        if value is None:
            ReportLine.objects.filter(report=report, budget_line_id=pk).delete()
            continue
        defaults = {"realised": money(value)}
        if planned[pk].kind == BudgetKind.EXPENSE:
            defaults["spent_from"], defaults["spent_until"] = _realised_dates(
                planned[pk], stored.get(pk), dates.get(pk))
        ReportLine.objects.update_or_create(report=report, budget_line_id=pk,
                                            defaults=defaults)
    return report


def report_requirements(dossier) -> list:
    """The documents the final report needs: those « au bilan final » of the rules the dossier
    was filed under (its snapshot); a snapshot older than them (no "report_documents"): the
    call's own, as they apply to the dossier's track and category. Unsaved
    DocumentRequirement instances for a snapshot (pk, label, formats, size, required)."""
    from calls.applicability import items_applying
    from calls.enums import DocumentStage
    from calls.models import DocumentRequirement

    snapshot = dossier.rules_snapshot or {}
    if snapshot.get("report_documents") is not None:
        return [DocumentRequirement(
            pk=r["id"], call_id=dossier.call_id, label=r["label"],
            help_text=r.get("help_text", ""), required=r["required"],
            allowed_formats=r.get("allowed_formats", []), max_size_mb=r.get("max_size_mb"),
            track_id=r.get("track_id"), category_id=r.get("category_id"),
            stage=DocumentStage.FINAL_REPORT)
            for r in snapshot["report_documents"]]
    return items_applying(DocumentRequirement.objects.filter(
        call_id=dossier.call_id, stage=DocumentStage.FINAL_REPORT),
        track_id=dossier.track_id, category_id=dossier.category_id)


def report_requirement(dossier, requirement_pk: int):
    """One of the report's documents by id, or None when the report does not ask for it."""
    return next((r for r in report_requirements(dossier) if r.pk == requirement_pk), None)


@transaction.atomic
def report_document_upload(*, user, dossier, requirement, upload,
                           now: datetime | None = None) -> ReportAttachment:
    """The applicant adds (or replaces) one document of the final report's draft: the same
    checks as the dossier's attachments (`applications.uploads.inspect_upload`: size, type
    sniffed from the content, active PDFs and zip bombs refused), the same private storage."""
    from applications.uploads import inspect_upload

    now = now or timezone.now()
    locked = _locked(dossier)
    _require(user, "awards.file_report", locked)
    if locked.status not in REPORT_OPEN_STATES:
        raise AwardError(_("Le bilan final ne peut plus être modifié (état du dossier : "
                           "%(s)s).") % {"s": locked.get_status_display()}, code="state")
    if report_requirement(locked, requirement.pk) is None:
        raise PermissionDenied("not a document of this report")
    info = inspect_upload(upload, allowed_formats=list(requirement.allowed_formats),
                          max_bytes=requirement.max_size_bytes)
    report = report_for(locked)
    ReportAttachment.objects.filter(report=report, requirement_id=requirement.pk).delete()
    attachment = ReportAttachment(report=report, requirement_id=requirement.pk,
                                  original_name=info.original_name,
                                  content_type=info.content_type, extension=info.extension,
                                  size=info.size, sha256=info.sha256, uploaded_by=user,
                                  uploaded_at=now)
    upload.seek(0)
    attachment.file.save(info.original_name, upload, save=False)
    attachment.save()
    return attachment


def report_documents_missing(dossier, report: FinalReport) -> list[str]:
    """The labels of the documents the report still needs: a required one not uploaded, or
    one the completion request asked again for and not uploaded since."""
    present = {a.requirement_id: a for a in report.attachments.all()}
    asked_again = set(report.completion_documents or [])
    missing = []
    for requirement in report_requirements(dossier):
        attachment = present.get(requirement.pk)
        if requirement.pk in asked_again and report.completion_requested_at and (
                attachment is None or attachment.uploaded_at < report.completion_requested_at):
            missing.append(requirement.label)
        elif requirement.required and attachment is None:
            missing.append(requirement.label)
    return missing


@transaction.atomic
def report_file(*, user, dossier, now: datetime | None = None) -> FinalReport:
    """The applicant files the saved report: an activity report and a realised amount on
    every planned line."""
    now = now or timezone.now()
    locked = _locked(dossier)
    _require(user, "awards.file_report", locked)
    if locked.status not in REPORT_OPEN_STATES:
        raise AwardError(_("Le bilan final n'est pas attendu sur ce dossier (état : %(s)s).")
                         % {"s": locked.get_status_display()}, code="state")
    report = report_for(locked)
    errors = {}
    if not report.activity_report:
        errors["activity_report"] = [_("Bilan d'activité : décrivez ce qui a été réalisé.")]
    filled = set(report.lines.values_list("budget_line_id", flat=True))
    missing = [line.label for line in locked.budget_lines.all() if line.pk not in filled]
    if missing:
        errors["__all__"] = [_("Indiquez le montant réalisé de chaque ligne du budget "
                               "(0 si rien n'a été dépensé ou reçu) : %(lines)s.")
                             % {"lines": ", ".join(missing)}]
    realised_lines = {r.budget_line_id: r for r in report.lines.all()}
    undated, outside = [], {}
    for line in locked.budget_lines.all():
        row = realised_lines.get(line.pk)
        if line.kind != BudgetKind.EXPENSE or row is None or row.realised <= 0:
            continue
        if not (row.spent_from or row.spent_until):
            undated.append(line.label)
        else:
            outside.update(_check_realised_dates(locked, {line.pk: (row.spent_from,
                                                                    row.spent_until)}))
    if undated:
        errors.setdefault("__all__", []).append(
            _("Indiquez la date (ou la période) de chaque dépense réalisée : %(lines)s.")
            % {"lines": ", ".join(undated)})
    for messages_ in outside.values():
        errors.setdefault("__all__", []).extend(messages_)
    documents = report_documents_missing(locked, report)
    if documents:
        errors.setdefault("__all__", []).append(
            _("Pièces manquantes au bilan final : %(labels)s. Déposez-les dans « Pièces du "
              "bilan final » ; votre brouillon est conservé.") % {"labels": ", ".join(f"« {d} »" for d in documents)})
    if errors:
        raise AwardError(errors)
    report.filed_at, report.filed_by = now, user
    report.save(update_fields=["filed_at", "filed_by", "updated_at"])
    figures = report_figures(locked, report)
    dossier_transition(dossier=locked, to=AwardStatus.REPORT_FILED, user=user, now=now,
                       data={"planned_eligible": str(figures["planned_eligible"]),
                             "realised_eligible": str(figures["realised_eligible"])})
    return report


def report_figures(dossier, report: FinalReport | None = None) -> dict:
    """Planned and realised budget side by side, each expense line marked eligible or not:
    {"lines": [{line, realised, eligible}], "planned_eligible", "realised_eligible",
    "planned_expenses", "realised_expenses", "rules", "expenses"}."""
    from applications.budget import line_is_eligible
    from applications.checks import dossier_rules_and_expenses

    rules, expenses = dossier_rules_and_expenses(dossier)
    report = report or getattr(dossier, "final_report", None)
    stored = ({r.budget_line_id: r for r in report.lines.all()}
              if report is not None and report.pk else {})
    realised = {pk: r.realised for pk, r in stored.items()}
    rows = []
    totals = {"planned_eligible": ZERO, "realised_eligible": ZERO, "planned_expenses": ZERO,
              "realised_expenses": ZERO, "planned_income": ZERO, "realised_income": ZERO}
    for line in dossier.budget_lines.all():
        eligible = line_is_eligible(line, expenses)
        value = realised.get(line.pk)
        row = stored.get(line.pk)
        rows.append({"line": line, "realised": value, "eligible": eligible,
                     "spent_from": row.spent_from if row else None,
                     "spent_until": row.spent_until if row else None})
        side = "expenses" if line.kind == BudgetKind.EXPENSE else "income"
        totals[f"planned_{side}"] += line.amount
        totals[f"realised_{side}"] += value or ZERO
        if eligible:
            totals["planned_eligible"] += line.amount
            totals["realised_eligible"] += value or ZERO
    return {"lines": rows, **totals, "rules": rules, "expenses": expenses}


def _examinable(user, dossier) -> tuple[Dossier, FinalReport]:
    locked = _locked(dossier)
    _require(user, "awards.examine_report", locked)
    if locked.status != AwardStatus.REPORT_FILED:
        raise AwardError(_("Aucun bilan final déposé n'attend d'examen sur ce dossier."),
                         code="state")
    return locked, report_for(locked)


@transaction.atomic
def report_request_completion(*, user, dossier, message: str, due_on: date,
                              documents=(), now: datetime | None = None) -> FinalReport:
    """The instructor asks the applicant to complete the report before a date: the report is
    open again (its draft kept), due on that date. `documents`: ids of the report's documents
    asked again for (missing, unsigned…): each must be uploaded anew before the report is
    filed again."""
    now = now or timezone.now()
    locked, report = _examinable(user, dossier)
    errors = {}
    known = {r.pk: r.label for r in report_requirements(locked)}
    documents = [int(d) for d in documents or ()]
    if any(d not in known for d in documents):
        errors["documents"] = [_("Pièces à fournir de nouveau : choisissez parmi les pièces du "
                                 "bilan.")]
    message = (message or "").strip()
    if not message:
        errors["message"] = [_("Éléments demandés : dites ce qui manque au bilan.")]
    if not due_on:
        errors["due_on"] = [_("À compléter avant le : indiquez une date.")]
    elif due_on <= _today(now):
        errors["due_on"] = [_("À compléter avant le : choisissez une date après aujourd'hui.")]
    if errors:
        raise AwardError(errors)
    report.completion_message, report.due_on = message, due_on
    report.completion_documents, report.completion_requested_at = documents, now
    report.filed_at = None
    report.save(update_fields=["completion_message", "due_on", "filed_at", "updated_at",
                               "completion_documents", "completion_requested_at"])
    dossier_transition(dossier=locked, to=AwardStatus.REPORT_DUE, user=user, now=now,
                       data={"message": message, "due_date": due_on.isoformat(),
                             "documents": [known[d] for d in documents]})
    return report


def _balance_due(dossier, outcomes: dict[str, Decimal]) -> None:
    """The balance of each funder after the report: `outcomes` funder → new share − advance
    paid; a positive balance is due, a zero one cancelled, a negative one becomes a recovery
    order of that amount."""
    payments = {(p.funder, p.kind): p for p in Payment.objects.filter(dossier=dossier)}
    for funder, balance in outcomes.items():
        row = payments.get((funder, PaymentKind.BALANCE))
        if balance > 0:
            if row is None:
                row = Payment(tenant=dossier.tenant, dossier=dossier, funder=funder,
                              kind=PaymentKind.BALANCE)
            row.amount, row.status = balance, PaymentStatus.DUE
            row.save()
        elif row is not None:
            row.status = PaymentStatus.CANCELLED
            row.save(update_fields=["status", "updated_at"])
        if balance < 0:
            Payment.objects.update_or_create(
                dossier=dossier, funder=funder, kind=PaymentKind.RECOVERY,
                defaults={"tenant": dossier.tenant, "amount": -balance,
                          "status": PaymentStatus.DUE})


def _granted(dossier) -> tuple[Decimal, dict[str, Decimal], dict[str, Decimal]]:
    decision = dossier.decision
    shares = {s.funder: s.amount for s in decision.shares.all()}
    advances = {p.funder: p.paid_amount or ZERO for p in Payment.objects.filter(
        dossier=dossier, kind=PaymentKind.ADVANCE, status=PaymentStatus.PAID)}
    return decision.amount, shares, advances


def _settle_or_wait(*, user, dossier, now) -> None:
    """Nothing left to pay or recover: the balance is settled at once."""
    if not Payment.objects.filter(dossier=dossier).exclude(kind=PaymentKind.ADVANCE).exclude(
            status__in=SETTLED_PAYMENT_STATES).exists():
        dossier_transition(dossier=dossier, to=AwardStatus.BALANCE_PAID, user=user, now=now,
                           data={"amount": "0.00"})


@transaction.atomic
def report_accept(*, user, dossier, comment: str = "", now: datetime | None = None
                  ) -> FinalReport:
    """The instructor accepts the report: the grant stands, each funder's balance is due."""
    now = now or timezone.now()
    locked, report = _examinable(user, dossier)
    granted, shares, advances = _granted(locked)
    outcomes = {f: money(a) - advances.get(f, ZERO) for f, a in shares.items()}
    report.examined_at, report.examined_by = now, user
    report.examination_comment = (comment or "").strip()
    report.reevaluation, report.reevaluated_amount = None, None
    report.save()
    _balance_due(locked, outcomes)
    dossier_transition(dossier=locked, to=AwardStatus.REPORT_ACCEPTED, user=user, now=now,
                       data={"amount": str(granted),
                             "balance": str(sum(outcomes.values(), ZERO))})
    _settle_or_wait(user=user, dossier=locked, now=now)
    return report


def reevaluation_for(dossier, report: FinalReport | None = None):
    """The re-evaluation the call's rule gives for the realised budget of the report (pro rata
    of the realised eligible expenses, within the call's maximum share)."""
    figures = report_figures(dossier, report)
    granted, shares, advances = _granted(dossier)
    rules, expenses = figures["rules"], figures["expenses"]
    cap_base = (figures["realised_eligible"] if expenses.on_eligible
                else figures["realised_expenses"])
    return reevaluate(granted=granted, shares=shares, advances=advances,
                      planned_eligible=figures["planned_eligible"],
                      realised_eligible=figures["realised_eligible"],
                      max_share=rules.get("max_share_of_budget"), cap_base=cap_base), figures


def reevaluation_json(result) -> dict:
    return {"granted": str(result.granted), "amount": str(result.amount),
            "planned_eligible": str(result.planned_eligible),
            "realised_eligible": str(result.realised_eligible),
            "pro_rata": str(result.pro_rata),
            "cap": str(result.cap) if result.cap is not None else None,
            "funders": {f.funder: {"share": str(f.share), "new_share": str(f.new_share),
                                   "advance": str(f.advance), "balance": str(f.balance)}
                        for f in result.funders}}


@transaction.atomic
def report_reevaluate(*, user, dossier, comment: str, now: datetime | None = None
                      ) -> FinalReport:
    """The instructor re-evaluates the grant on the realised budget: the grant is reduced by
    the call's rule, each funder's share with it; each balance is the new share less the
    advance paid, and a funder whose advance exceeds its new share recovers the difference."""
    now = now or timezone.now()
    locked, report = _examinable(user, dossier)
    comment = (comment or "").strip()
    if not comment:
        raise AwardError({"comment": [_("Motivation : expliquez la réévaluation (elle figure "
                                        "dans le courrier).")]})
    result, _figures = reevaluation_for(locked, report)
    if not result.reduced:
        raise AwardError(_("Les dépenses éligibles réalisées (%(r)s) ne réduisent pas l'aide : "
                           "acceptez le bilan.") % {"r": format_money(result.realised_eligible)},
                         code="not_reduced")
    report.examined_at, report.examined_by, report.examination_comment = now, user, comment
    report.reevaluation, report.reevaluated_amount = reevaluation_json(result), result.amount
    report.save()
    _balance_due(locked, {f.funder: f.balance for f in result.funders})
    dossier_transition(dossier=locked, to=AwardStatus.REEVALUATED, user=user, now=now,
                       data={"granted": str(result.granted), "amount": str(result.amount),
                             "released": str(result.released),
                             "recover": {f.funder: str(f.to_recover) for f in result.funders
                                         if f.to_recover > 0}})
    _settle_or_wait(user=user, dossier=locked, now=now)
    return report


@transaction.atomic
def dossier_close(*, user, dossier, now: datetime | None = None) -> Dossier:
    """The instructor closes a dossier whose balance is settled (payments closed)."""
    now = now or timezone.now()
    locked = _locked(dossier)
    _require(user, "awards.examine_report", locked)
    if locked.status != AwardStatus.BALANCE_PAID:
        raise AwardError(_("Le dossier ne peut être clos qu'une fois le solde réglé."),
                         code="state")
    return dossier_transition(dossier=locked, to=AwardStatus.CLOSED, user=user, now=now)


# --- The daily clock --------------------------------------------------------------------------

def awards_tick(*, tenant, now: datetime | None = None) -> dict[str, int]:
    """Run in the tenant's scope (daily): an action over → its report is due; a report past
    its deadline → overdue (the applicant is told, once)."""
    now = now or timezone.now()
    today = _today(now)
    moved = {"report_due": 0, "report_overdue": 0}
    reports = {r.dossier_id: r for r in FinalReport.objects.filter(dossier__tenant=tenant)}
    dossiers = Dossier.objects.filter(
        tenant=tenant, status__in=[AwardStatus.ADVANCE_PAID, AwardStatus.REPORT_DUE])
    for dossier in dossiers.select_related("call"):
        report = reports.get(dossier.pk)
        with transaction.atomic():
            if report is not None and report.due_on and report.due_on < today:
                dossier_transition(dossier=dossier, to=AwardStatus.REPORT_OVERDUE, user=None,
                                   now=now, data={"due_date": report.due_on.isoformat()})
                moved["report_overdue"] += 1
                continue
            end = dossier.end_date or dossier.call.expenses_end
            if dossier.status == AwardStatus.ADVANCE_PAID and end and end < today:
                dossier_transition(dossier=dossier, to=AwardStatus.REPORT_DUE, user=None,
                                   now=now, data={"end_date": end.isoformat()})
                moved["report_due"] += 1
    return moved


def funder_label(value: str) -> str:
    return str(Funder(value).label) if value in Funder.values else value


def payments_export_log(*, user, tenant, funder: str, fmt: str, count: int) -> None:
    """An officer exported their funder's payment file (it holds bank details): audited."""
    _require(user, "awards.export_payments", tenant)
    audit_log(tenant=tenant, actor=user, action="awards.payments.exported",
              data={"funder": funder, "format": fmt, "count": count})
