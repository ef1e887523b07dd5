"""The global assignment: its proposals and manual queue, a computation asked for and followed
(the task computes it), accepting and swapping proposals."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.decorators import tenant_view

from .. import selectors, services
from .common import MANAGE
from ..enums import AssignmentRunState, NeedState
from ..explain import assignment_quality_text
from ..forms import ProposalSwapForm
from ..models import AssignmentRun, MatchProposal


@tenant_view(MANAGE)
def assignment(request):
    tenant = request.tenant
    if request.method == "POST":
        run = services.assignment_request(tenant=tenant, user=request.user)
        return redirect("mentoring:assignment_run", tenant_slug=tenant.slug, pk=run.pk)
    proposals = list(selectors.open_proposals(tenant).order_by("need__created_at", "pk"))
    proposed_needs = {p.need_id for p in proposals}
    last = selectors.last_assignment_run(tenant)
    reasons = last.manual if last else {}
    manual = [{"need": n, "reason": reasons.get(str(n.pk), {}).get(
        "reason", _("Pas encore calculé : relancez la répartition."))}
        for n in selectors.pilot_needs(tenant, state=NeedState.QUALIFIED)
        if n.pk not in proposed_needs]
    quality = (assignment_quality_text(optimal=last.optimal, gap_percent=last.gap_percent)
               if last else "")
    return render(request, "mentoring/pilot/assignment.html", {
        "proposals": proposals, "manual": manual, "last": last, "quality": quality,
        "pending": selectors.pending_assignment_run(tenant),
        "total": sum((p.score or 0) for p in proposals)})


def _assignment_run_or_404(request, pk: int) -> AssignmentRun:
    return get_object_or_404(AssignmentRun.objects.select_related("computed_by"), pk=pk,
                             tenant=request.tenant)


@require_GET
@tenant_view(MANAGE)
def assignment_run(request, pk: int):
    """A computation of the global assignment the pilot asked for: queued, running, then its
    result (polled by static/mentoring/assignment-run.js; without script the page refreshes
    itself every few seconds while the computation is not over)."""
    run = _assignment_run_or_404(request, pk)
    quality = (assignment_quality_text(optimal=run.optimal, gap_percent=run.gap_percent)
               if run.state == AssignmentRunState.FINISHED else "")
    return render(request, "mentoring/pilot/assignment_run.html", {
        "run": run, "progress": selectors.assignment_run_progress(run), "quality": quality})


@require_GET
@tenant_view(MANAGE)
def assignment_run_progress(request, pk: int):
    return JsonResponse(selectors.assignment_run_progress(_assignment_run_or_404(request, pk)))


@require_POST
@tenant_view(MANAGE)
def proposal_accept(request, pk: int):
    proposal = get_object_or_404(MatchProposal.objects.select_related("need", "resource"),
                                 pk=pk, need__tenant=request.tenant)
    try:
        engagement = services.proposal_accept(proposal=proposal, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("mentoring:pilot_need", tenant_slug=request.tenant.slug,
                        pk=proposal.need_id)
    messages.success(request, _("Proposition acceptée : complétez le cahier des charges."))
    return redirect("mentoring:engagement", tenant_slug=request.tenant.slug, pk=engagement.pk)


@require_POST
@tenant_view(MANAGE)
def proposal_swap(request, pk: int):
    """Swap the resource people of two open proposals of the global assignment."""
    proposals = selectors.open_proposals(request.tenant)
    first = get_object_or_404(proposals, pk=pk)
    form = ProposalSwapForm(request.POST, proposals=proposals.exclude(pk=first.pk))
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["other"]))
    else:
        second = form.cleaned_data["other"]
        try:
            services.proposals_swap(first=first, second=second, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Personnes-ressources échangées entre %(a)s et %(b)s.") % {
                "a": first.need.reference, "b": second.need.reference})
    return redirect("mentoring:assignment", tenant_slug=request.tenant.slug)
