"""The pilot structure's dashboard and needs: the list, one need with its diagnosis and the
matchmaker's ranked candidates, the choice of a resource."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.decorators import tenant_view
from portal.forms import apply_validation_error

from .. import selectors, services
from .beneficiary import _timeline
from .common import MANAGE, state_filter
from ..enums import FORMAT_DAY_LIMITS, NeedState, ProposalSource
from ..explain import FACTOR_LABELS, exclusion_text, explain_candidate
from ..forms import DiagnosisForm, ProposalChoiceForm
from ..models import NeedRequest


@require_GET
@tenant_view(MANAGE)
def dashboard(request):
    data = selectors.dashboard(request.tenant)
    data["needs_chart"] = [(row["label"], row["count"]) for row in data["per_state"]]
    data["load_chart"] = [(r.full_name, int(r.days_used or 0)) for r in data["pool"]]
    return render(request, "mentoring/pilot/dashboard.html", data)


@require_GET
@tenant_view(MANAGE)
def pilot_needs(request):
    state = state_filter(request, NeedState.values)
    return render(request, "mentoring/pilot/needs.html", {
        "needs": selectors.pilot_needs(request.tenant, state=state),
        "state": state, "states": NeedState.choices})


def _pilot_need_or_404(request, pk) -> NeedRequest:
    return get_object_or_404(
        NeedRequest.objects.select_related("structure", "diagnosis", "submitted_by")
        .prefetch_related("themes"), pk=pk, tenant=request.tenant)


def _pilot_need_context(request, need, *, diagnosis_form=None, choice_form=None) -> dict:
    tenant = request.tenant
    diagnosis = getattr(need, "diagnosis", None)
    if diagnosis_form is None:
        diagnosis_form = DiagnosisForm(initial={
            "outcome": diagnosis.outcome if diagnosis else
            (need.hoped_format if need.hoped_format in FORMAT_DAY_LIMITS else None),
            "days": diagnosis.days if diagnosis else None,
            "comment": diagnosis.comment if diagnosis else "",
            "redirect_to": diagnosis.redirect_to if diagnosis else ""})
    context = {"need": need, "diagnosis": diagnosis, "diagnosis_form": diagnosis_form,
               "can_diagnose": need.state in (NeedState.SUBMITTED, NeedState.QUALIFIED,
                                              NeedState.REDIRECTED, NeedState.NOT_ELIGIBLE)}
    engagements = list(selectors.engagements(tenant).filter(need=need))
    context["engagements"] = engagements
    context["timeline"] = _timeline(need, engagements)
    if need.state == NeedState.QUALIFIED:
        result, pool = selectors.suggestions_for(need)
        themes = selectors.theme_labels(tenant)
        context["candidates"] = [
            {**explain_candidate(c, themes=themes), "resource": pool[c.resource_id]}
            for c in result.candidates]
        context["excluded"] = [
            {"resource": pool[rid], "reasons": [exclusion_text(e) for e in reasons]}
            for rid, reasons in result.excluded]
        context["proposal"] = selectors.open_proposal_of(need)
        context["choice_form"] = choice_form or ProposalChoiceForm(tenant=tenant)
        context["factor_labels"] = FACTOR_LABELS
        context["show_matching"] = True
    return context


@require_GET
@tenant_view(MANAGE)
def pilot_need(request, pk: int):
    need = _pilot_need_or_404(request, pk)
    return render(request, "mentoring/pilot/need.html", _pilot_need_context(request, need))


@require_POST
@tenant_view(MANAGE)
def need_diagnose(request, pk: int):
    need = _pilot_need_or_404(request, pk)
    form = DiagnosisForm(request.POST)
    if form.is_valid():
        try:
            services.need_diagnose(need=need, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Diagnostic enregistré ; le ou la bénéficiaire est "
                                        "prévenu·e."))
            return redirect("mentoring:pilot_need", tenant_slug=request.tenant.slug, pk=need.pk)
    need = _pilot_need_or_404(request, pk)
    return render(request, "mentoring/pilot/need.html",
                  _pilot_need_context(request, need, diagnosis_form=form), status=200)


@require_POST
@tenant_view(MANAGE)
def need_choose(request, pk: int):
    """Swap (another ranked candidate) or override (manual choice with a justification)."""
    need = _pilot_need_or_404(request, pk)
    form = ProposalChoiceForm(request.POST, tenant=request.tenant)
    if form.is_valid():
        try:
            engagement = services.engagement_propose(
                need=need, resource=form.cleaned_data["resource"], user=request.user,
                source=ProposalSource.OVERRIDE if form.overrides else ProposalSource.CHOSEN,
                reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Mise en relation proposée : complétez le cahier des "
                                        "charges."))
            return redirect("mentoring:engagement", tenant_slug=request.tenant.slug,
                            pk=engagement.pk)
    need = _pilot_need_or_404(request, pk)
    return render(request, "mentoring/pilot/need.html",
                  _pilot_need_context(request, need, choice_form=form))
