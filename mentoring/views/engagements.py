"""The pilot's engagements: the list, one engagement (terms, state, days), its transitions and its
sessions."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from portal.decorators import tenant_view
from portal.forms import apply_validation_error

from .. import selectors, services
from .common import MANAGE, state_filter
from ..enums import ENGAGEMENT_TRANSITIONS, EngagementState, FeedbackSide
from ..forms import EngagementForm, FeedbackForm, SessionForm, TransitionForm
from ..models import Engagement, EngagementSession


@require_GET
@tenant_view(MANAGE)
def engagements(request):
    state = state_filter(request, EngagementState.values)
    return render(request, "mentoring/pilot/engagements.html", {
        "engagements": selectors.engagements(request.tenant, state=state),
        "state": state, "states": EngagementState.choices})


def _pilot_engagement_or_404(request, pk) -> Engagement:
    try:
        return selectors.engagement_detail(request.tenant, pk)
    except Engagement.DoesNotExist:
        raise Http404("no engagement") from None


NEXT_ACTIONS = {
    EngagementState.SIGNED: gettext_lazy("Enregistrer la signature de la convention"),
    EngagementState.IN_PROGRESS: gettext_lazy("Démarrer l'accompagnement"),
    EngagementState.DONE: gettext_lazy("Clore l'accompagnement"),
}


@tenant_view(MANAGE)
def engagement(request, pk: int):
    engagement = _pilot_engagement_or_404(request, pk)
    form = EngagementForm(request.POST or None, initial={
        "terms": engagement.terms, "planned_days": engagement.planned_days,
        "start_date": engagement.start_date, "end_date": engagement.end_date})
    if request.method == "POST" and form.is_valid():
        try:
            services.engagement_update(engagement=engagement, user=request.user,
                                       **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Cahier des charges enregistré."))
            return redirect("mentoring:engagement", tenant_slug=request.tenant.slug, pk=pk)
    return render(request, "mentoring/pilot/engagement.html",
                  _engagement_context(engagement, form=form))


def _engagement_context(engagement, *, form=None, session_form=None) -> dict:
    sessions = list(engagement.sessions.all())
    planned = sum((s.days for s in sessions), 0)
    done = sum((s.days for s in sessions if s.done), 0)
    closed = engagement.state in (EngagementState.DONE, EngagementState.CANCELLED)
    next_states = [(s, NEXT_ACTIONS[s]) for s in ENGAGEMENT_TRANSITIONS[engagement.state]
                   if s != EngagementState.CANCELLED]
    resource_fb = next((f for f in engagement.feedbacks.all()
                        if f.side == FeedbackSide.RESOURCE), None)
    return {
        "engagement": engagement, "need": engagement.need, "form": form,
        "sessions": sessions, "scheduled_days": planned, "done_days": done,
        "session_form": session_form or SessionForm(), "closed": closed,
        "next_states": next_states,
        "can_cancel": EngagementState.CANCELLED in ENGAGEMENT_TRANSITIONS[engagement.state],
        "transition_form": TransitionForm(),
        "feedbacks": list(engagement.feedbacks.all()),
        "resource_feedback_form": (FeedbackForm(initial={"side": FeedbackSide.RESOURCE})
                                   if engagement.state == EngagementState.DONE
                                   and resource_fb is None else None),
    }


@require_POST
@tenant_view(MANAGE)
def engagement_transition(request, pk: int):
    engagement = _pilot_engagement_or_404(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Action inconnue."))
    else:
        try:
            services.engagement_transition(engagement=engagement, user=request.user,
                                           **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Accompagnement : %(state)s.") % {
                "state": EngagementState(form.cleaned_data["to"]).label})
    return redirect("mentoring:engagement", tenant_slug=request.tenant.slug, pk=pk)


@require_POST
@tenant_view(MANAGE)
def session_add(request, pk: int):
    engagement = _pilot_engagement_or_404(request, pk)
    form = SessionForm(request.POST)
    if form.is_valid():
        try:
            services.session_add(engagement=engagement, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Journée inscrite."))
            return redirect("mentoring:engagement", tenant_slug=request.tenant.slug, pk=pk)
    engagement = _pilot_engagement_or_404(request, pk)
    edit = EngagementForm(initial={
        "terms": engagement.terms, "planned_days": engagement.planned_days,
        "start_date": engagement.start_date, "end_date": engagement.end_date})
    return render(request, "mentoring/pilot/engagement.html",
                  _engagement_context(engagement, form=edit, session_form=form))


@require_POST
@tenant_view(MANAGE)
def session_done(request, pk: int):
    session = get_object_or_404(EngagementSession.objects.select_related("engagement__tenant"),
                                pk=pk, engagement__tenant=request.tenant)
    try:
        services.session_mark_done(session=session, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Journée marquée comme réalisée."))
    return redirect("mentoring:engagement", tenant_slug=request.tenant.slug,
                    pk=session.engagement_id)
