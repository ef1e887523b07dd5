"""Pages of the follow-up under /<tenant_slug>/: each funder's payments and payment file, a
dossier's follow-up for the instructors, the applicant's final report, the envelopes; and,
outside any tenant, the structure's bank account. Views parse, call one service or selector,
render; an object out of reach answers 404."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from applications.models import Dossier, Structure
from portal.decorators import tenant_view
from portal.forms import apply_validation_error

from . import exports, selectors, services
from .enums import AwardStatus, PaymentStatus, REPORT_OPEN_STATES
from .forms import (BankAccountForm, ConventionForm, PaymentPaidForm, ReportCompletionForm, ReportExamineForm,
                    ReportForm)
from .letters import stored_letter
from .models import Payment
from .rules import officer_funder


def _flash(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _dossier(request, pk: int, perm: str) -> Dossier:
    dossier = get_object_or_404(
        Dossier.objects.select_related("tenant", "call", "track", "category", "structure"),
        pk=pk)
    if not request.user.has_perm(perm, dossier) or not hasattr(dossier, "final_report"):
        raise Http404
    return dossier


# --- Each funder's payments --------------------------------------------------------------------

def _payments_page(request, *, forms_by_pk=None, status=200):
    funder = officer_funder(request.user, request.tenant)
    shown = request.GET.get("etat", "")
    if shown not in PaymentStatus.values:
        shown = ""
    payments = list(selectors.payments_for_funder(request.tenant, funder, user=request.user,
                                                   status=shown or None))
    for p in payments:
        p.paid_form = (forms_by_pk or {}).get(p.pk) or PaymentPaidForm(
            prefix_pk=p.pk, initial={"amount": p.amount})
        p.may_record = request.user.has_perm("awards.record_payment", p)
    from calls.enums import Funder

    return render(request, "awards/payments.html", {
        "payments": payments, "funder": funder, "funder_label": Funder(funder).label,
        "shown": shown, "statuses": PaymentStatus.choices,
        "to_pay": sum((p.amount for p in payments
                       if p.status in (PaymentStatus.DUE, PaymentStatus.SENT)
                       and not p.is_recovery), start=0),
    }, status=status)


@require_GET
@tenant_view("awards.view_payments")
def payments(request):
    return _payments_page(request)


def _payment(request, pk: int) -> Payment:
    payment = get_object_or_404(Payment.objects.select_related("tenant", "dossier__tenant",
                                                               "dossier__structure"), pk=pk)
    if not request.user.has_perm("awards.record_payment", payment):
        raise Http404
    return payment


@require_POST
@tenant_view("awards.view_payments")
def payment_sent(request, pk: int):
    payment = _payment(request, pk)
    try:
        services.payment_mark_sent(user=request.user, payment=payment)
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("%(kind)s du dossier %(ref)s transmis au service financier.")
                         % {"kind": payment.get_kind_display(), "ref": payment.dossier.reference})
    return redirect("awards:payments", tenant_slug=request.tenant.slug)


@require_POST
@tenant_view("awards.view_payments")
def payment_paid(request, pk: int):
    payment = _payment(request, pk)
    form = PaymentPaidForm(request.POST, prefix_pk=payment.pk)
    if form.is_valid():
        try:
            services.payment_mark_paid(user=request.user, payment=payment, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Versement enregistré : %(kind)s du dossier %(ref)s.")
                             % {"kind": payment.get_kind_display(),
                                "ref": payment.dossier.reference})
            return redirect("awards:payments", tenant_slug=request.tenant.slug)
    return _payments_page(request, forms_by_pk={payment.pk: form}, status=400)


def _export(request, fmt: str):
    funder = officer_funder(request.user, request.tenant)
    payments = list(selectors.payments_to_export(request.tenant, funder, user=request.user))
    if fmt == "csv":
        content, count = exports.csv_bytes(payments)
        content_type = "text/csv; charset=utf-8"
    else:
        content, count = exports.xlsx_bytes(payments, title=_("Versements"))
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    services.payments_export_log(user=request.user, tenant=request.tenant, funder=funder,
                                 fmt=fmt, count=count)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (f'attachment; filename="versements-{funder}-'
                                       f'{request.tenant.slug}.{fmt}"')
    return response


@require_GET
@tenant_view("awards.export_payments")
def payments_sepa(request):
    """The funder's SEPA credit-transfer file (pain.001.001.03) of the payments sent to its
    finance department, from the account the tenant's admin set for the funder."""
    from django.utils import timezone

    from portal.formatting import PARIS

    funder = officer_funder(request.user, request.tenant)
    account = selectors.funder_account_of(request.tenant, funder)
    if account is None:
        messages.error(request, _("Fichier SEPA non produit : le compte payeur de votre "
                                  "financeur (nom, IBAN, BIC) n'est pas renseigné ; "
                                  "l'administrateur·rice du contrat le saisit dans « Comptes "
                                  "payeurs des financeurs »."))
        return redirect("awards:payments", tenant_slug=request.tenant.slug)
    payments = list(selectors.payments_to_transfer(request.tenant, funder, user=request.user))
    try:
        content, count = exports.sepa_bytes(
            payments, account=account,
            execution_date=timezone.now().astimezone(PARIS).date())
    except exports.SepaRefused as exc:
        messages.error(request, str(exc))
        return redirect("awards:payments", tenant_slug=request.tenant.slug)
    services.payments_export_log(user=request.user, tenant=request.tenant, funder=funder,
                                 fmt="sepa", count=count)
    response = HttpResponse(content, content_type="application/xml")
    response["Content-Disposition"] = (f'attachment; filename="virements-{funder}-'
                                       f'{request.tenant.slug}.xml"')
    return response


@tenant_view("awards.manage_funder_accounts")
def funder_accounts(request):
    """The tenant's admin sets, per funder, the account its transfers are paid from."""
    from calls.enums import Funder

    from .forms import FunderAccountForm

    posted = request.POST.get("funder") if request.method == "POST" else None
    rows, status = [], 200
    for funder, label in Funder.choices:
        account = selectors.funder_account_of(request.tenant, funder)
        initial = ({"name": account.name, "iban": account.iban_display, "bic": account.bic}
                   if account else {})
        form = FunderAccountForm(request.POST if posted == funder else None, funder=funder,
                                 initial=initial)
        if posted == funder:
            if form.is_valid():
                try:
                    services.funder_account_save(user=request.user, tenant=request.tenant,
                                                 funder=funder, **form.cleaned_data)
                except ValidationError as exc:
                    apply_validation_error(form, exc)
                else:
                    messages.success(request, _("Compte payeur de %(f)s enregistré.")
                                     % {"f": label})
                    return redirect("awards:funder_accounts", tenant_slug=request.tenant.slug)
            status = 400
        rows.append({"funder": funder, "label": label, "account": account, "form": form})
    return render(request, "awards/funder_accounts.html", {"rows": rows}, status=status)


@require_GET
@tenant_view("awards.export_payments")
def payments_csv(request):
    return _export(request, "csv")


@require_GET
@tenant_view("awards.export_payments")
def payments_xlsx(request):
    return _export(request, "xlsx")


# --- A dossier's follow-up (instructors) ----------------------------------------------------

def _followup_context(request, dossier):
    report = selectors.report_of(dossier)
    figures = services.report_figures(dossier, report)
    proposal = None
    if dossier.status == AwardStatus.REPORT_FILED:
        proposal, _figures = services.reevaluation_for(dossier, report)
    from .letters import letter_is_due

    return {"dossier": dossier, "report": report, "figures": figures, "proposal": proposal,
            "documents": _report_documents(dossier, report),
            "letter_due": letter_is_due(dossier),
            "awaiting_convention": any(p.awaits_convention for p in selectors.schedule_of(dossier)),
            "awaiting_start": _awaiting_start(dossier),
            "start_attestation": selectors.start_attestation_of(dossier),
            "can_close": dossier.status == AwardStatus.BALANCE_PAID,
            "schedule": selectors.schedule_of(dossier), "decision": dossier.decision,
            "letter": stored_letter(report),
            "bank_account": selectors.bank_account_of(dossier.structure)
            if officer_funder(request.user, dossier.tenant) else None}


@require_GET
@tenant_view("reviews.view_dashboard")
def followup(request, pk: int):
    return _render_followup(request, _dossier(request, pk, "awards.examine_report"))


def _render_followup(request, dossier, forms=None, status: int = 200):
    return render(request, "awards/followup.html", {
        **_followup_context(request, dossier),
        "completion_form": (forms or {}).get("completion") or ReportCompletionForm(
            requirements=services.report_requirements(dossier)),
        "examine_form": (forms or {}).get("examine") or ReportExamineForm(),
        "convention_form": (forms or {}).get("convention") or ConventionForm(),
    }, status=status)


@require_POST
@tenant_view("reviews.view_dashboard")
def report_examine(request, pk: int):
    dossier = _dossier(request, pk, "awards.examine_report")
    action = request.POST.get("action")
    forms = {}
    try:
        if action == "completion":
            form = forms["completion"] = ReportCompletionForm(
                request.POST, requirements=services.report_requirements(dossier))
            if form.is_valid():
                services.report_request_completion(user=request.user, dossier=dossier,
                                                   **form.cleaned_data)
                messages.success(request, _("Compléments demandés : le bilan est rouvert au "
                                            "ou à la candidat·e."))
                return redirect("awards:followup", tenant_slug=request.tenant.slug, pk=pk)
        elif action == "convention":
            form = forms["convention"] = ConventionForm(request.POST)
            if form.is_valid():
                services.convention_receive(user=request.user, dossier=dossier,
                                            **form.cleaned_data)
                messages.success(request, _("Convention signée enregistrée : l'avance est à "
                                            "mettre en paiement par chaque financeur."))
                return redirect("awards:followup", tenant_slug=request.tenant.slug, pk=pk)
        elif action in ("accept", "reevaluate", "close"):
            form = forms["examine"] = ReportExamineForm(request.POST)
            if form.is_valid():
                comment = form.cleaned_data["comment"]
                if action == "accept":
                    services.report_accept(user=request.user, dossier=dossier, comment=comment)
                    messages.success(request, _("Bilan accepté : le solde est à verser."))
                elif action == "reevaluate":
                    services.report_reevaluate(user=request.user, dossier=dossier,
                                               comment=comment)
                    messages.success(request, _("Aide réévaluée : le courrier est en cours de "
                                                "production."))
                else:
                    services.dossier_close(user=request.user, dossier=dossier)
                    messages.success(request, _("Dossier soldé et clos."))
                return redirect("awards:followup", tenant_slug=request.tenant.slug, pk=pk)
        else:
            raise Http404
    except ValidationError as exc:
        apply_validation_error(form, exc)
    return _render_followup(request, dossier, forms=forms, status=400)


@require_GET
@tenant_view(None)
def balance_letter(request, pk: int):
    from portal.documents import private_file_response

    from .letters import balance_letter_generate, letter_is_due

    if not request.user.is_authenticated:
        raise Http404
    dossier = _dossier(request, pk, "awards.view_followup")
    if not letter_is_due(dossier):
        raise Http404
    report = dossier.final_report
    document = stored_letter(report) or balance_letter_generate(report)[0]
    return private_file_response(document.file_path, filename=document.filename)


# --- The applicant's final report -------------------------------------------------------------

def _report_documents(dossier, report, *, failed=None) -> list[dict]:
    """The report's documents as the pages list them: each requirement with its uploaded file
    (if any), whether the completion request asks it again, and its upload form (`failed`:
    (requirement pk, bound form with its error) to show again)."""
    from applications.forms import AttachmentForm

    present = {a.requirement_id: a for a in report.attachments.all()} if report else {}
    asked = set(report.completion_documents or []) if report else set()
    rows = []
    for requirement in services.report_requirements(dossier):
        attachment = present.get(requirement.pk)
        form = (failed[1] if failed and failed[0] == requirement.pk
                else AttachmentForm(prefix=f"req{requirement.pk}"))
        rows.append({"requirement": requirement, "attachment": attachment, "form": form,
                     "asked_again": requirement.pk in asked and (
                         attachment is None or report.completion_requested_at is None
                         or attachment.uploaded_at < report.completion_requested_at)})
    return rows


def _report_page(request, dossier, *, form=None, failed=None, status=200):
    report = selectors.report_of(dossier)
    figures = services.report_figures(dossier, report)
    form = form or ReportForm(lines=figures["lines"], initial={
        "activity_report": report.activity_report if report else ""})
    return render(request, "awards/report_form.html", {
        "dossier": dossier, "report": report, "form": form, "figures": figures,
        "documents": _report_documents(dossier, report, failed=failed)}, status=status)


@tenant_view("applications.file_dossier")
@require_POST
@csrf_exempt  # checked below, once the upload handler with this document's limit is in
def report_document_upload(request, pk: int, requirement_pk: int):
    """One document of the final report's draft, through the dossier attachments' upload
    checks: a file above the document's limit is stopped while it arrives."""
    from applications.uploads import SizeLimitUploadHandler

    dossier = _dossier(request, pk, "awards.file_report")
    if dossier.status not in REPORT_OPEN_STATES:
        raise Http404
    requirement = services.report_requirement(dossier, requirement_pk)
    if requirement is None:
        raise Http404
    request.upload_handlers.insert(
        0, SizeLimitUploadHandler(request, max_bytes=requirement.max_size_bytes))
    return _report_document_upload(request, dossier, requirement)


@csrf_protect
def _report_document_upload(request, dossier, requirement):
    from applications.forms import AttachmentForm

    form, valid = AttachmentForm.posted(request, requirement)
    if valid:
        try:
            services.report_document_upload(user=request.user, dossier=dossier,
                                            requirement=requirement,
                                            upload=form.cleaned_data["file"])
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("« %(label)s » : fichier enregistré.")
                             % {"label": requirement.label})
            return redirect(reverse("awards:report_edit", kwargs={
                "tenant_slug": request.tenant.slug, "pk": dossier.pk}) + "#pieces")
    return _report_page(request, dossier, failed=(requirement.pk, form), status=400)


@require_GET
@tenant_view(None)
def report_document_download(request, pk: int, attachment_pk: int):
    """A document of the final report, for the structure's members and the unconflicted
    instructors (a conflicted officer gets 404, as for the whole dossier)."""
    from portal.storage import private_file_response

    from .models import ReportAttachment

    if not request.user.is_authenticated:
        raise Http404
    dossier = _dossier(request, pk, "awards.view_followup")
    attachment = get_object_or_404(ReportAttachment, pk=attachment_pk,
                                   report__dossier=dossier)
    return private_file_response(attachment.file.name, filename=attachment.original_name,
                                 content_type=attachment.content_type)


@tenant_view("applications.file_dossier")
def report_edit(request, pk: int):
    dossier = _dossier(request, pk, "awards.file_report")
    if dossier.status not in REPORT_OPEN_STATES:
        raise Http404
    report = selectors.report_of(dossier)
    figures = services.report_figures(dossier, report)
    form = ReportForm(request.POST or None, lines=figures["lines"],
                      initial={"activity_report": report.activity_report if report else ""})
    if request.method != "POST":
        return _report_page(request, dossier, form=form)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.report_save(user=request.user, dossier=dossier,
                                     activity_report=form.cleaned_data["activity_report"],
                                     realised={int(n[5:]): form.cleaned_data[n]
                                               for _row, n in form.line_fields},
                                     dates=form.dates())
                if request.POST.get("action") == "file":
                    services.report_file(user=request.user, dossier=dossier)
                    messages.success(request, _("Votre bilan final est déposé : les "
                                                "instructeur·rices vont l'examiner."))
                    return redirect("applications:dossier_detail",
                                    tenant_slug=request.tenant.slug, pk=pk)
            except ValidationError as exc:
                apply_validation_error(form, exc)
                status = 400
            else:
                messages.success(request, _("Brouillon du bilan enregistré."))
                return redirect("awards:report_edit", tenant_slug=request.tenant.slug, pk=pk)
        else:
            status = 400
    return _report_page(request, dossier, form=form, status=status)


# --- The start of the action, attested (advance « au démarrage, sur attestation ») ----------

def _awaiting_start(dossier) -> bool:
    return (dossier.status == AwardStatus.ADVANCE_DUE
            and any(p.awaits_start for p in selectors.schedule_of(dossier)))


@tenant_view("applications.file_dossier")
@csrf_exempt  # checked below, once the upload handler with the document's limit is in
def start_attestation(request, pk: int):
    """The structure attests that the action started: the advance is then due."""
    from applications.uploads import SizeLimitUploadHandler

    dossier = _dossier(request, pk, "awards.file_report")
    if not _awaiting_start(dossier):
        raise Http404
    if request.method == "POST":
        request.upload_handlers.insert(
            0, SizeLimitUploadHandler(request, max_bytes=services.START_DOCUMENT_MAX_BYTES))
    return _start_attestation(request, dossier)


@csrf_protect
def _start_attestation(request, dossier):
    from applications.uploads import refused_upload, refused_upload_message

    from .forms import StartAttestationForm

    form = StartAttestationForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        refused = refused_upload(request)
        if refused is not None:
            form.is_valid()
            form.add_error("document", refused_upload_message(*refused))
        elif form.is_valid():
            try:
                services.start_attest(user=request.user, dossier=dossier,
                                      declared=form.cleaned_data["declared"],
                                      started_on=form.cleaned_data["started_on"],
                                      upload=form.cleaned_data["document"])
            except PermissionDenied:
                raise Http404 from None
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Démarrage de l'action attesté : les financeurs "
                                            "mettent l'avance en paiement."))
                return redirect(reverse("applications:dossier_detail", kwargs={
                    "tenant_slug": request.tenant.slug, "pk": dossier.pk}) + "#suivi")
        status = 400
    return render(request, "awards/start_attestation.html", {
        "dossier": dossier, "form": form,
        "advance": sum((p.amount for p in selectors.schedule_of(dossier) if p.awaits_start),
                       start=0)}, status=status)


@require_GET
@tenant_view(None)
def start_attestation_document(request, pk: int):
    from portal.storage import private_file_response

    if not request.user.is_authenticated:
        raise Http404
    dossier = _dossier(request, pk, "awards.view_followup")
    attestation = selectors.start_attestation_of(dossier)
    if attestation is None or not attestation.file:
        raise Http404
    return private_file_response(attestation.file.name, filename=attestation.original_name,
                                 content_type=attestation.content_type)


# --- Envelopes --------------------------------------------------------------------------------

@require_GET
@tenant_view("awards.view_envelope")
def envelope(request):
    figures = selectors.envelope_figures(request.tenant)
    charts = [{"call": row, "chart": selectors.envelope_chart(row.funders),
               "id": f"chart-call-{i}"} for i, row in enumerate(figures["calls"], start=1)]
    return render(request, "awards/envelope.html", {
        **figures, "charts": charts,
        "may_manage_accounts": request.user.has_perm("awards.manage_funder_accounts",
                                                     request.tenant),
        "funders_chart": selectors.envelope_chart(figures["funders"])})


# --- The structure's bank account (global page) -----------------------------------------------

def bank_account_edit(request, pk: int):
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    structure = get_object_or_404(Structure, pk=pk)
    if not request.user.has_perm("awards.change_bank_account", structure):
        raise Http404
    account = selectors.bank_account_of(structure)
    initial = ({"holder": account.holder, "iban": account.iban_display, "bic": account.bic}
               if account else {"holder": structure.name})
    form = BankAccountForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.bank_account_save(user=request.user, structure=structure,
                                           **form.cleaned_data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            except PermissionDenied:
                raise Http404 from None
            else:
                messages.success(request, _("Coordonnées bancaires enregistrées."))
                return redirect("structures:detail", pk=structure.pk)
        status = 400
    return render(request, "awards/bank_account.html", {
        "structure": structure, "form": form, "account": account}, status=status)
