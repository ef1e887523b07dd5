"""Assignment at scale (the automatic one, each officer's workload) and the disagreement
threshold."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications.models import Dossier
from portal.decorators import tenant_view

from .. import selectors, services
from .common import flash, form_messages
from ..forms import ThresholdForm


@tenant_view("reviews.assign")
def assignment_overview(request):
    if request.method == "POST":
        try:
            plan = services.assignments_auto(user=request.user, tenant=request.tenant)
        except ValidationError as exc:
            flash(request, exc)
        else:
            messages.success(request, _("%(n)s affectation(s) créée(s).") % {"n": len(plan.pairs)})
            if plan.unassignable:
                messages.warning(request, _(
                    "%(n)s besoin(s) sans rapporteur·rice possible (aucun·e instructeur·rice "
                    "du financeur sans lien d'intérêts).") % {"n": len(plan.unassignable)})
        return redirect("reviews:assignments", tenant_slug=request.tenant.slug)
    unassigned = Dossier.objects.filter(tenant=request.tenant, status__in=services.ASSIGNABLE,
                                        assignments__isnull=True).count()
    from calls.models import Call

    from ..models import ReviewSettings

    can_set = request.user.has_perm("reviews.manage_sessions", request.tenant)
    return render(request, "reviews/assignments.html", {
        "workload": selectors.workload(request.tenant), "unassigned": unassigned,
        "can_set_threshold": can_set,
        "thresholds": ReviewSettings.objects.filter(tenant=request.tenant).select_related("call")
        if can_set else [],
        "default_threshold": selectors.disagreement_threshold(request.tenant),
        "calls": Call.objects.filter(tenant=request.tenant).order_by("title") if can_set else []})


@require_POST
@tenant_view("reviews.manage_sessions")
def threshold_set(request):
    form = ThresholdForm(request.POST, tenant=request.tenant)
    if not form.is_valid():
        if "call" in form.errors:  # not a call of this tenant
            raise Http404
        for message in form_messages(form):
            messages.error(request, message)
        return redirect("reviews:assignments", tenant_slug=request.tenant.slug)
    try:
        services.review_settings_set(user=request.user, tenant=request.tenant,
                                     call=form.cleaned_data["call"],
                                     threshold=form.cleaned_data["threshold"])
    except ValidationError as exc:
        flash(request, exc)
    else:
        messages.success(request, _("Seuil de désaccord enregistré."))
    return redirect("reviews:assignments", tenant_slug=request.tenant.slug)
