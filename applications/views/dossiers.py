"""Dossier pages under /<tenant_slug>/ (the middleware runs them in the tenant's scope)."""

from datetime import datetime, time
from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from calls.applicability import items_applying
from calls.enums import CriterionKind, DocumentStage
from calls.models import Call, DocumentRequirement
from portal.audit import audit_events_for
from portal.decorators import tenant_view
from portal.pagecache import cached_page
from portal.confirm import confirmation_page, is_confirmed
from portal.formatting import PARIS, format_file_size
from portal.textlimits import KEPT_INPUT

from .. import services
from ..budget import format_percent, line_is_eligible, summarize
from ..checks import check_dossier, dossier_rules_and_expenses, filed_snapshot, structure_checks
from ..enums import DossierStatus, DossierStep
from ..forms import (AttachmentForm, CompletionRequestForm, DeclarationsForm, DossierStartForm,
                     ExpenseFormSet, IncomeFormSet, MessageForm, PartnerFormSet, ProjectForm,
                     RequestedAmountForm, WithdrawForm)
from ..models import Attachment, Dossier
from ..sections import dossier_sections
from ..selectors import dossiers_for_user_in_tenant, timeline_for
from ..workflow import can_move
from ..uploads import SizeLimitUploadHandler
from portal.forms import apply_validation_error

FILE = "applications.file_dossier"
STEPS = list(DossierStep)


def _dossier_for(request, pk: int, perm: str = "applications.view_dossier",
                 related: tuple[str, ...] = ()) -> Dossier:
    """The dossier of the current tenant (scope) the user may see; otherwise 404."""
    dossier = get_object_or_404(
        Dossier.objects.select_related("tenant", "call", "track", "category", "structure",
                                       *related),
        pk=pk)
    if not request.user.has_perm(perm, dossier):
        raise Http404
    return dossier


def _messages_of(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# --- start and list --------------------------------------------------------------------------

@tenant_view(FILE)
def dossier_start(request, call_slug: str):
    call = get_object_or_404(Call, slug=call_slug)
    if not call.is_open(_now()):
        messages.error(request, _("Cet appel à projets n'est pas ouvert aux candidatures."))
        return redirect("calls:call_detail", tenant_slug=request.tenant.slug, call_slug=call.slug)
    form = DossierStartForm(request.POST or None, user=request.user, call=call)
    if request.method == "POST" and form.is_valid():
        try:
            dossier = services.dossier_start(user=request.user, call=call, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Votre dossier est créé : il est enregistré comme "
                                        "brouillon à chaque étape."))
            return redirect("applications:dossier_step", tenant_slug=request.tenant.slug,
                            pk=dossier.pk, step=DossierStep.PROJECT)
    criteria = list(call.eligibility_criteria.select_related("track", "category"))
    return render(request, "applications/dossier_start.html", {
        "call": call, "form": form,
        "structure_checks": [structure_checks(criteria, s, with_scope=True)
                             for s in form.fields["structure"].queryset],
        "has_structure": form.fields["structure"].queryset.exists(),
        "create_url": reverse("structures:create") + "?next=" + request.path})


@tenant_view(FILE)
def dossier_list(request):
    return render(request, "applications/dossier_list.html", {
        "dossiers": dossiers_for_user_in_tenant(request.user, request.tenant)})


# --- detail, timeline, messages ---------------------------------------------------------------

@tenant_view(FILE)
@cached_page
def dossier_detail(request, pk: int):
    # The committee's decision (the reviews app's one-to-one, with its session) comes with the
    # dossier: the state the applicant is told and the published-decision section read it.
    return _render_detail(request, _dossier_for(request, pk, related=("decision__session",)))


def _render_detail(request, dossier, *, status: int = 200, withdraw_form=None,
                   completion_form=None, message_form=None):
    """The dossier page; a form given here (bound, with its errors) replaces the empty one,
    so an invalid submission is shown again with what was typed."""
    user = request.user
    is_member = user.has_perm("applications.submit_dossier", dossier)
    lines = list(dossier.budget_lines.all())
    _rules, expenses = dossier_rules_and_expenses(dossier)
    budget = summarize(requested_amount=dossier.requested_amount, lines=lines,
                       expense_rules=expenses)
    for line in lines:
        line.eligible = line_is_eligible(line, expenses)
    return render(request, "applications/dossier_detail.html", {
        "budget_lines": lines, "budget": budget,
        "requested_share": format_percent(budget.requested_share_of_base),
        "self_share": format_percent(budget.self_financing_share_of_base),
        "partners": list(dossier.partners.all()),
        "dossier": dossier, "is_member": is_member,
        "steps": _steps(dossier, None),
        "timeline": timeline_for(dossier, for_applicant=is_member),
        "dossier_messages": dossier.messages.select_related("author"),
        "completion": services.open_completion_request(dossier),
        "editable_steps": services.editable_steps(dossier),
        "message_form": message_form or MessageForm(),
        "withdraw_form": withdraw_form or WithdrawForm(),
        "completion_form": completion_form or CompletionRequestForm(),
        "can_request_completion": (user.has_perm("applications.request_completion", dossier)
                                   and can_move(dossier.status,
                                                DossierStatus.COMPLETION_REQUESTED)),
        # from the state the applicant is shown, never the real one (a recorded decision)
        "can_withdraw": is_member and can_move(dossier.status_for_applicant,
                                               DossierStatus.WITHDRAWN),
        "in_committee": dossier.status_for_applicant == DossierStatus.IN_COMMITTEE,
        "attachments": dossier.attachments.select_related("requirement"),
        "sections": dossier_sections(dossier, user),
    }, status=status)


@tenant_view(FILE)
@require_POST
def dossier_message(request, pk: int):
    dossier = _dossier_for(request, pk, "applications.message_dossier")
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            services.dossier_message_post(user=request.user, dossier=dossier,
                                          body=form.cleaned_data["body"])
        except ValidationError as exc:
            messages.error(request, _messages_of(exc))
        else:
            messages.success(request, _("Message envoyé."))
    else:
        # shown again with its error (empty, too long) and the text as typed
        return _render_detail(request, dossier, status=400, message_form=form)
    return redirect(_detail_url(dossier) + "#messages")


@tenant_view(FILE)
@require_POST
def dossier_withdraw(request, pk: int):
    dossier = _dossier_for(request, pk)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.dossier_withdraw(user=request.user, dossier=dossier,
                                      reason=form.cleaned_data.get("reason", ""))
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):  # the state forbids it: nothing to correct
                messages.error(request, _messages_of(exc))
                return redirect(_detail_url(dossier))
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Le dossier a été retiré."))
            return redirect(_detail_url(dossier))
    return _render_detail(request, dossier, status=400, withdraw_form=form)


#: the service's name of a field → the form's
_COMPLETION_FIELDS = {"due_at": "due_date"}


@tenant_view(FILE)
@require_POST
def dossier_request_completion(request, pk: int):
    dossier = _dossier_for(request, pk, "applications.request_completion")
    form = CompletionRequestForm(request.POST)
    if form.is_valid():
        due = datetime.combine(form.cleaned_data["due_date"], time(23, 59, 59), tzinfo=PARIS)
        try:
            services.dossier_request_completion(
                user=request.user, dossier=dossier, message=form.cleaned_data["message"],
                steps=form.cleaned_data["steps"], due_at=due)
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):  # the state forbids it: nothing to correct
                messages.error(request, _messages_of(exc))
                return redirect(_detail_url(dossier))
            apply_validation_error(form, ValidationError({
                _COMPLETION_FIELDS.get(field, field): errors
                for field, errors in exc.error_dict.items()}))
        else:
            messages.success(request, _("La demande de compléments a été envoyée."))
            return redirect(_detail_url(dossier))
    return _render_detail(request, dossier, status=400, completion_form=form)


# --- the guided form --------------------------------------------------------------------------

def _steps(dossier, current: str | None):
    editable = services.editable_steps(dossier)
    return [{"value": s.value, "label": s.label, "index": i + 1, "current": s.value == current,
             "editable": s.value in editable or s == DossierStep.SUMMARY,
             "invalid": s.value in (dossier.draft_data or {})}
            for i, s in enumerate(STEPS)]


def _detail_url(dossier) -> str:
    return reverse("applications:dossier_detail",
                   kwargs={"tenant_slug": dossier.tenant.slug, "pk": dossier.pk})


def _step_url(dossier, step) -> str:
    return reverse("applications:dossier_step",
                   kwargs={"tenant_slug": dossier.tenant.slug, "pk": dossier.pk,
                           "step": str(step)})


def _raw(post) -> dict:
    # NUL characters cannot be stored in PostgreSQL's jsonb (draft_data): dropped here. A text
    # over its limit is kept for the applicant to shorten, up to KEPT_INPUT characters (a pasted
    # megabyte is not stored again with every invalid save).
    return {k: [v.replace("\x00", "")[:KEPT_INPUT] for v in post.getlist(k)]
            for k in post if k != "csrfmiddlewaretoken"}


def _querydict(raw: dict) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, values in raw.items():
        data.setlist(key, values)
    return data


def _now():
    from django.utils import timezone

    return timezone.now()


def _requirements(dossier):
    """The documents the dossier must carry: for a filed dossier, those of the rules it was
    filed under (its snapshot), so a requirement added since does not block its completion."""
    snapshot = filed_snapshot(dossier)
    if snapshot is not None and snapshot.get("document_requirements") is not None:
        return [DocumentRequirement(
            pk=r["id"], call_id=dossier.call_id, label=r["label"],
            help_text=r.get("help_text", ""), required=r["required"],
            allowed_formats=r.get("allowed_formats", []), max_size_mb=r.get("max_size_mb"),
            track_id=r.get("track_id"), category_id=r.get("category_id"))
            for r in snapshot["document_requirements"]]
    return items_applying(DocumentRequirement.objects.filter(call=dossier.call,
                                                             stage=DocumentStage.FILING),
                          track_id=dossier.track_id, category_id=dossier.category_id)


def _declaration_criteria(dossier):
    snapshot = filed_snapshot(dossier)
    if snapshot is not None and snapshot.get("eligibility_criteria") is not None:
        return [SimpleNamespace(pk=c["id"], label=c["label"])
                for c in snapshot["eligibility_criteria"] if c["kind"] == "declaration"]
    declarations = dossier.call.eligibility_criteria.filter(kind=CriterionKind.DECLARATION)
    return items_applying(declarations, track_id=dossier.track_id,
                          category_id=dossier.category_id)


#: The formsets of the guided form, by prefix: a line can be added to each (by the page's
#: script without a round trip, or by its « Ajouter » button that saves and shows one more).
LINE_FORMSETS = {"expense": DossierStep.BUDGET, "income": DossierStep.BUDGET,
                 "partner": DossierStep.PARTNERS}


def _line_to_add(step, value) -> str | None:
    return value if LINE_FORMSETS.get(value) == step else None


def _with_one_more_line(post, prefix):
    """`post` with one more (empty) form in the formset `prefix`."""
    data = post.copy()
    key = f"{prefix}-TOTAL_FORMS"
    try:
        data[key] = str(int(data.get(key) or 0) + 1)
    except ValueError:
        pass
    return data


def _build_forms(dossier, step, data, more: str | None = None):
    """The forms of `step`, bound to `data` (POST or kept raw input) or to the saved values;
    `more`: the prefix of a formset shown with one more empty line."""
    forms = _build_step_forms(dossier, step, data)
    for form in forms.values():
        if more and getattr(form, "prefix", None) == more and hasattr(form, "extra"):
            form.extra += 1
    return forms


def _build_step_forms(dossier, step, data):
    if step == DossierStep.PROJECT:
        return {"form": ProjectForm(data, instance=dossier)}
    if step == DossierStep.BUDGET:
        lines = list(dossier.budget_lines.all())
        _rules, expenses = dossier_rules_and_expenses(dossier)
        return {
            "amount_form": RequestedAmountForm(
                data, initial={"requested_amount": dossier.requested_amount}),
            "expenses": ExpenseFormSet(data, prefix="expense", initial=[
                {"label": ln.label, "expense_kind": ln.expense_kind, "amount": ln.amount,
                 "spent_from": ln.spent_from, "spent_until": ln.spent_until} for ln in lines
                if ln.kind == "expense"], form_kwargs={"expense_rules": expenses}),
            "incomes": IncomeFormSet(data, prefix="income", initial=[
                {"source": ln.source, "label": ln.label, "amount": ln.amount} for ln in lines
                if ln.kind == "income"]),
        }
    if step == DossierStep.PARTNERS:
        return {"partners": PartnerFormSet(data, prefix="partner", initial=[
            {"name": p.name, "siret": p.siret, "role": p.role} for p in dossier.partners.all()])}
    if step == DossierStep.DECLARATIONS:
        return {"form": DeclarationsForm(data, criteria=_declaration_criteria(dossier),
                                         initial={"declarations": dossier.declarations})}
    return {}


def _valid(forms) -> bool:
    return all(f.is_valid() for f in forms.values())


def _save_step(request, dossier, step, forms):
    user = request.user
    if step == DossierStep.PROJECT:
        form = forms["form"]
        services.dossier_update_project(user=user, dossier=dossier, **{
            f: form.cleaned_data[f] for f in ProjectForm.Meta.fields})
    elif step == DossierStep.BUDGET:
        lines = [{"kind": "expense", "label": f.cleaned_data["label"],
                  "amount": f.cleaned_data["amount"],
                  "expense_kind": f.cleaned_data["expense_kind"],
                  "spent_from": f.cleaned_data["spent_from"],
                  "spent_until": f.cleaned_data["spent_until"]}
                 for f in forms["expenses"] if f.cleaned_data.get("label")]
        lines += [{"kind": "income", "source": f.cleaned_data["source"],
                   "label": f.cleaned_data["label"], "amount": f.cleaned_data["amount"]}
                  for f in forms["incomes"] if f.cleaned_data.get("label")]
        services.dossier_set_budget(
            user=user, dossier=dossier, lines=lines,
            requested_amount=forms["amount_form"].cleaned_data["requested_amount"])
    elif step == DossierStep.PARTNERS:
        services.dossier_set_partners(user=user, dossier=dossier, partners=[
            {k: f.cleaned_data[k] for k in ("name", "siret", "role")}
            for f in forms["partners"] if f.cleaned_data.get("name")])
    elif step == DossierStep.DECLARATIONS:
        services.dossier_set_declarations(user=user, dossier=dossier,
                                          declarations=forms["form"].cleaned_data["declarations"])


@tenant_view(FILE)
def dossier_step(request, pk: int, step: str):
    if step not in DossierStep.values:
        raise Http404
    dossier = _dossier_for(request, pk)
    if not request.user.has_perm("applications.submit_dossier", dossier):
        raise Http404  # instructors read the dossier page, not the applicant's form
    if step == DossierStep.SUMMARY:
        return _summary(request, dossier)
    editable = step in services.editable_steps(dossier)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(_("Cette étape n'est pas modifiable."))
        action = request.POST.get("action", "")
        adding = _line_to_add(step, action.removeprefix("add-")) if action.startswith(
            "add-") else None
        forms = _build_forms(dossier, step, request.POST)
        if step == DossierStep.DOCUMENTS or _valid(forms):
            try:
                _save_step(request, dossier, step, forms)
            except ValidationError as exc:
                target = forms.get("form") or forms.get("amount_form")
                if target is not None:
                    apply_validation_error(target, exc)
                services.dossier_save_invalid_input(user=request.user, dossier=dossier,
                                                    step=step, raw=_raw(request.POST))
            else:
                messages.success(request, _("Étape « %(step)s » enregistrée.")
                                 % {"step": DossierStep(step).label})
                if request.POST.get("action") == "next":
                    return redirect(_step_url(dossier, STEPS[STEPS.index(step) + 1]))
                if adding:
                    return redirect(f"{_step_url(dossier, step)}?ajouter={adding}"
                                    f"#{adding}-lines")
                return redirect(_step_url(dossier, step))
        else:
            services.dossier_save_invalid_input(user=request.user, dossier=dossier, step=step,
                                                raw=_raw(request.POST))
            messages.warning(request, _("Votre saisie est conservée, mais elle contient des "
                                        "erreurs : corrigez les champs signalés."))
            if adding:
                forms = _build_forms(dossier, step, _with_one_more_line(request.POST, adding))
                _valid(forms)
    else:
        kept = (dossier.draft_data or {}).get(step)
        more = _line_to_add(step, request.GET.get("ajouter"))
        forms = _build_forms(dossier, step, _querydict(kept) if kept else None, more=more)
        if kept:
            _valid(forms)  # show the errors of the kept input again
    check = (check_dossier(dossier, snapshot=filed_snapshot(dossier))
             if step in (DossierStep.PROJECT, DossierStep.BUDGET, DossierStep.PARTNERS)
             else None)
    context = {"dossier": dossier, "step": step, "step_label": DossierStep(step).label,
               "step_index": STEPS.index(step) + 1, "step_count": len(STEPS),
               "next_step": STEPS[STEPS.index(step) + 1], "steps": _steps(dossier, step),
               "editable": editable, "check": check,
               "completion": services.open_completion_request(dossier), **forms}
    if step == DossierStep.PROJECT:
        context["structure_check"] = structure_checks(
            check.snapshot.get("eligibility_criteria", []), dossier.structure)
    if check is not None:
        context["duration_reasons"] = check.field_problems.get("duration", [])
        context["rules"] = check.rules
        context["requested_share"] = format_percent(check.budget.requested_share_of_base)
        context["self_share"] = format_percent(check.budget.self_financing_share_of_base)
        context["eligible_kinds"] = sorted(check.expenses.kinds or ())
    if step == DossierStep.DOCUMENTS:
        present = {a.requirement_id: a for a in dossier.attachments.all()}
        context["requirements"] = [
            {"requirement": r, "attachment": present.get(r.pk),
             "form": AttachmentForm(prefix=f"req{r.pk}")} for r in _requirements(dossier)]
    return render(request, f"applications/step_{step}.html", context)


def _summary(request, dossier):
    check = check_dossier(dossier, snapshot=filed_snapshot(dossier))
    submittable = can_move(dossier.status, DossierStatus.SUBMITTED)
    return render(request, "applications/step_summary.html", {
        "dossier": dossier, "step": DossierStep.SUMMARY, "steps": _steps(dossier, "summary"),
        "step_index": len(STEPS), "step_count": len(STEPS),
        "step_label": DossierStep.SUMMARY.label, "check": check,
        "requested_share": format_percent(check.budget.requested_share),
        "self_share": format_percent(check.budget.self_financing_share),
        "can_submit": check.can_submit and submittable,
        "submittable_state": submittable,
        "blocked": submittable and not check.can_submit,
        "call_open": dossier.call.is_open(_now()),
        "attachments": dossier.attachments.select_related("requirement"),
        "completion": services.open_completion_request(dossier),
    })


@tenant_view(FILE)
@require_POST
def dossier_submit(request, pk: int):
    dossier = _dossier_for(request, pk)
    try:
        services.dossier_submit(user=request.user, dossier=dossier)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        if getattr(exc, "code", None) == "already_submitted":
            # A double click: the first click filed it; say so calmly.
            messages.info(request, _messages_of(exc))
            return redirect(_detail_url(dossier))
        messages.error(request, _("Le dossier n'a pas été déposé : %(reasons)s")
                       % {"reasons": " ".join(exc.messages)})
        return redirect(_step_url(dossier, DossierStep.SUMMARY))
    messages.success(request, _("Votre dossier est déposé sous la référence %(ref)s. "
                                "L'accusé de réception vous a été envoyé par e-mail.")
                     % {"ref": dossier.reference})
    return redirect(_detail_url(dossier))


# --- documents --------------------------------------------------------------------------------

@tenant_view(FILE)
@require_POST
@csrf_exempt  # checked below, once the upload handler with this requirement's limit is in
def attachment_upload(request, pk: int, requirement_pk: int):
    dossier = _dossier_for(request, pk)
    requirement = get_object_or_404(DocumentRequirement, pk=requirement_pk, call=dossier.call)
    if requirement.pk not in {r.pk for r in _requirements(dossier)}:
        raise Http404  # not asked of this dossier (e.g. added to the call after filing)
    # The body is not read yet: stop a file above the requirement's limit while it arrives.
    request.upload_handlers.insert(
        0, SizeLimitUploadHandler(request, max_bytes=requirement.max_size_bytes))
    return _attachment_upload(request, dossier, requirement)


@csrf_protect
def _attachment_upload(request, dossier, requirement):
    form, valid = AttachmentForm.posted(request, requirement)
    if valid:
        try:
            services.attachment_upload(user=request.user, dossier=dossier,
                                       requirement=requirement,
                                       upload=form.cleaned_data["file"])
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("« %(label)s » : fichier enregistré.")
                             % {"label": requirement.label})
            return redirect(_step_url(dossier, DossierStep.DOCUMENTS))
    present = {a.requirement_id: a for a in dossier.attachments.all()}
    return render(request, "applications/step_documents.html", {
        "dossier": dossier, "step": DossierStep.DOCUMENTS,
        "step_label": DossierStep.DOCUMENTS.label, "steps": _steps(dossier, "documents"),
        "step_index": STEPS.index(DossierStep.DOCUMENTS) + 1, "step_count": len(STEPS),
        "next_step": DossierStep.DECLARATIONS, "editable": True,
        "requirements": [{"requirement": r, "attachment": present.get(r.pk),
                          "form": form if r.pk == requirement.pk
                          else AttachmentForm(prefix=f"req{r.pk}")}
                         for r in _requirements(dossier)]}, status=400)


@tenant_view(FILE)
@require_http_methods(["GET", "POST"])
def attachment_remove(request, pk: int, attachment_pk: int):
    """GET (or a POST without `confirm`): which file will be removed; with `confirm`: remove
    it (its content is deleted from the store)."""
    dossier = _dossier_for(request, pk)
    attachment = get_object_or_404(Attachment.objects.select_related("requirement"),
                                   pk=attachment_pk, dossier=dossier)
    if not is_confirmed(request):
        if (not request.user.has_perm("applications.change_dossier", dossier)
                or DossierStep.DOCUMENTS not in services.editable_steps(dossier)):
            raise Http404
        step_url = _step_url(dossier, DossierStep.DOCUMENTS)
        return confirmation_page(
            request, title=_("Retirer le fichier « %(name)s »") % {
                "name": attachment.original_name},
            lead=_("Le fichier est supprimé du dossier ; pour le remettre, il faudra le "
                   "déposer de nouveau."),
            summary={_("Pièce"): attachment.requirement.label if attachment.requirement
                     else _("Pièce libre"),
                     _("Fichier"): attachment.original_name,
                     _("Taille"): format_file_size(attachment.size)},
            button=_("Retirer le fichier"), cancel_url=step_url, hidden=[],
            breadcrumb=[(dossier.title, _detail_url(dossier)), (_("Pièces"), step_url)])
    try:
        services.attachment_remove(user=request.user, attachment=attachment)
    except PermissionDenied:
        raise Http404 from None
    messages.success(request, _("Fichier retiré."))
    return redirect(_step_url(dossier, DossierStep.DOCUMENTS))


@tenant_view(FILE)
def attachment_download(request, pk: int, attachment_pk: int):
    """Private files: only through this permission-checked view, as an attachment."""
    dossier = _dossier_for(request, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, dossier=dossier)
    from portal.storage import private_file_response

    return private_file_response(attachment.file.name, filename=attachment.original_name,
                                 content_type=attachment.content_type)


# --- PDFs -------------------------------------------------------------------------------------

def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@tenant_view(FILE)
def dossier_receipt(request, pk: int):
    """The receipt stored at submission (produced now if the notification has not run)."""
    from ..receipts import ensure_receipt

    dossier = _dossier_for(request, pk)
    if not dossier.reference:
        raise Http404
    pdf = ensure_receipt(dossier)
    return _pdf_response(pdf, f"accuse-reception-{dossier.reference}.pdf")


@require_POST
@tenant_view(FILE)
def dossier_export(request, pk: int):
    """Ask for the dossier's PDF: a worker lays it out (never this request); the user lands on
    the export's page, which follows it (applications.exports)."""
    from ..exports import export_request

    dossier = _dossier_for(request, pk)
    try:
        export = export_request(user=request.user, dossier=dossier,
                                language=getattr(request, "LANGUAGE_CODE", "fr"))
    except PermissionDenied:
        raise Http404 from None
    return redirect("applications:dossier_export_job", tenant_slug=request.tenant.slug,
                    pk=dossier.pk, export_pk=export.pk)


def _export_for(request, pk: int, export_pk: int):
    """The user's own export of a dossier they may still see; otherwise 404."""
    from ..models import DossierExport

    dossier = _dossier_for(request, pk)
    export = get_object_or_404(DossierExport, pk=export_pk, dossier=dossier,
                               requested_by=request.user)
    export.dossier = dossier
    return export


@require_GET
@tenant_view(FILE)
def dossier_export_job(request, pk: int, export_pk: int):
    """The export's page: queued, laid out, then its download (polled by
    static/applications/dossier-export.js; without script it refreshes itself)."""
    from ..exports import EXPORT_KEEP, export_progress

    export = _export_for(request, pk, export_pk)
    return render(request, "applications/dossier_export.html", {
        "dossier": export.dossier, "export": export, "progress": export_progress(export),
        "keep_days": EXPORT_KEEP.days,
        "size": format_file_size(export.size) if export.size else ""})


@require_GET
@tenant_view(FILE)
def dossier_export_progress(request, pk: int, export_pk: int):
    from ..exports import export_progress

    return JsonResponse(export_progress(_export_for(request, pk, export_pk)))


@require_GET
@tenant_view(FILE)
def dossier_export_download(request, pk: int, export_pk: int):
    """The finished file, to the user who asked for it, while they may see the dossier."""
    from ..enums import ExportState
    from portal.storage import private_file_response

    export = _export_for(request, pk, export_pk)
    if export.state != ExportState.FINISHED:
        return redirect("applications:dossier_export_job", tenant_slug=request.tenant.slug,
                        pk=pk, export_pk=export.pk)
    return private_file_response(export.file_path, filename=export.filename)
