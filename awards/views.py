"""Pages of the follow-up under /<tenant_slug>/: each funder's payments and payment file, a
dossier's follow-up for the instructors, the applicant's final report, the envelopes; and,
outside any tenant, the structure's bank account. Views parse, call one service or selector,
render; an object out of reach answers 404."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
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
            "letter_due": letter_is_due(dossier),
            "awaiting_convention": any(p.awaits_convention for p in selectors.schedule_of(dossier)),
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
        "completion_form": (forms or {}).get("completion") or ReportCompletionForm(),
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
            form = forms["completion"] = ReportCompletionForm(request.POST)
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

@tenant_view("applications.file_dossier")
def report_edit(request, pk: int):
    dossier = _dossier(request, pk, "awards.file_report")
    if dossier.status not in REPORT_OPEN_STATES:
        raise Http404
    report = selectors.report_of(dossier)
    figures = services.report_figures(dossier, report)
    form = ReportForm(request.POST or None, lines=figures["lines"],
                      initial={"activity_report": report.activity_report if report else ""})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.report_save(user=request.user, dossier=dossier,
                                     activity_report=form.cleaned_data["activity_report"],
                                     realised={int(n[5:]): form.cleaned_data[n]
                                               for _row, n in form.line_fields})
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
    return render(request, "awards/report_form.html", {
        "dossier": dossier, "report": report, "form": form, "figures": figures},
        status=status)


# --- Envelopes --------------------------------------------------------------------------------

@require_GET
@tenant_view("awards.view_envelope")
def envelope(request):
    figures = selectors.envelope_figures(request.tenant)
    charts = [{"call": row, "chart": selectors.envelope_chart(row.funders),
               "id": f"chart-call-{i}"} for i, row in enumerate(figures["calls"], start=1)]
    return render(request, "awards/envelope.html", {
        **figures, "charts": charts,
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
