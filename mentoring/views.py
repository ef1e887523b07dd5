"""Pages of the mentoring scheme: the beneficiary's questionnaire and follow-up, and the pilot
structure's diagnosis, resource pool, matchmaker, engagements and dashboard."""


from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from portal.documents import private_file_response
from portal.decorators import tenant_view
from portal.forms import apply_validation_error

from . import selectors, services
from .documents import convention_generate
from .enums import (ENGAGEMENT_TRANSITIONS, AssignmentRunState, FORMAT_DAY_LIMITS, EngagementState, FeedbackSide,
                    NeedState, ProposalSource,
                    ProposalStatus)
from .explain import (FACTOR_LABELS, assignment_quality_text, exclusion_text,
                      explain_candidate)
from .forms import (DiagnosisForm, EngagementForm, FeedbackForm, NeedForm, ProposalChoiceForm,
                    ProposalSwapForm,
                    ResourceForm, SessionForm, ThemeForm, TransitionForm, WeightsForm)
from .models import (AssignmentRun, Engagement, EngagementSession, MatchingWeights, MatchProposal, NeedRequest,
                     ResourcePerson, Theme)

MANAGE = "mentoring.manage"
CONFIGURE = "mentoring.configure"

#: What the beneficiary's timeline says of each audited step.
TIMELINE_LABELS = {
    "mentoring.need.submitted": gettext_lazy("Demande envoyée"),
    "mentoring.need.diagnosed": gettext_lazy("Diagnostic de la structure pilote"),
    "mentoring.need.withdrawn": gettext_lazy("Demande retirée"),
    "mentoring.proposal.accepted": gettext_lazy("Personne-ressource identifiée"),
    "mentoring.proposal.swapped": gettext_lazy("Personne-ressource identifiée"),
    "mentoring.proposal.overridden": gettext_lazy("Personne-ressource identifiée"),
    "mentoring.engagement.proposed": gettext_lazy("Accompagnement proposé"),
    "mentoring.engagement.signed": gettext_lazy("Convention tripartite signée"),
    "mentoring.engagement.in_progress": gettext_lazy("Accompagnement démarré"),
    "mentoring.engagement.done": gettext_lazy("Accompagnement terminé"),
    "mentoring.engagement.cancelled": gettext_lazy("Mise en relation annulée"),
    "mentoring.feedback.given": gettext_lazy("Retour d'accompagnement"),
}


def _timeline(need, engagements) -> list[dict]:
    events = selectors.need_history(need, engagements, actions=list(TIMELINE_LABELS))
    return [{"when": e.created_at, "label": TIMELINE_LABELS[e.action], "event": e}
            for e in events]


# --- Beneficiary side ---------------------------------------------------------------------

@require_GET
@tenant_view()
def home(request):
    tenant = request.tenant
    runs = request.user.has_perm("mentoring.view_scheme", tenant)
    return render(request, "mentoring/home.html", {
        "runs_scheme": runs,
        "themes": selectors.tenant_themes(tenant, active_only=True) if runs else [],
        "my_needs": (selectors.needs_of_user(tenant, request.user)[:5]
                     if runs and request.user.is_authenticated else []),
        "is_resource": runs and selectors.is_resource_person(tenant, request.user),
    })


@tenant_view()
def need_create(request):
    tenant = request.tenant
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perm("mentoring.submit_need", tenant):
        raise Http404("no mentoring scheme in this contract")
    structures = selectors.structures_of(request.user)
    if not structures.exists():
        return render(request, "mentoring/need_no_structure.html",
                      {"structure_create_url": reverse("structures:create")})
    form = NeedForm(request.POST or None, tenant=tenant, user=request.user,
                    initial={"structure": structures.first()} if structures.count() == 1
                    else None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            need = services.need_submit(tenant=tenant, user=request.user,
                                        structure=data.pop("structure"),
                                        themes=data.pop("themes"),
                                        description=data.pop("description"), **data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Votre demande a bien été envoyée à la structure pilote."))
            return redirect("mentoring:my_need", tenant_slug=tenant.slug, pk=need.pk)
    return render(request, "mentoring/need_form.html", {"form": form})


@require_GET
@tenant_view("mentoring.submit_need")
def my_needs(request):
    return render(request, "mentoring/my_needs.html", {
        "needs": selectors.needs_of_user(request.tenant, request.user)})


def _my_need_or_404(request, pk):
    need = get_object_or_404(
        NeedRequest.objects.select_related("structure", "diagnosis"), pk=pk,
        tenant=request.tenant)
    if not request.user.has_perm("applications.view_structure", need.structure):
        raise Http404("not your request")
    return need


@require_GET
@tenant_view("mentoring.submit_need")
def my_need(request, pk: int):
    need = _my_need_or_404(request, pk)
    engagements = list(selectors.engagements(request.tenant).filter(need=need)
                       .prefetch_related("feedbacks", "sessions"))
    current = next((e for e in engagements if e.state != EngagementState.CANCELLED), None)
    feedback_form = None
    if current is not None and current.state == EngagementState.DONE and not any(
            f.side == FeedbackSide.BENEFICIARY for f in current.feedbacks.all()):
        feedback_form = FeedbackForm(initial={"side": FeedbackSide.BENEFICIARY})
    return render(request, "mentoring/my_need.html", {
        "need": need, "diagnosis": getattr(need, "diagnosis", None),
        "engagement": current, "timeline": _timeline(need, engagements),
        "feedback_form": feedback_form,
        "can_withdraw": need.state in (NeedState.SUBMITTED, NeedState.QUALIFIED)})


@require_POST
@tenant_view("mentoring.submit_need")
def my_need_withdraw(request, pk: int):
    need = _my_need_or_404(request, pk)
    try:
        services.need_withdraw(need=need, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Votre demande a été retirée."))
    return redirect("mentoring:my_need", tenant_slug=request.tenant.slug, pk=need.pk)


@require_GET
@tenant_view("mentoring.submit_need")
def my_engagements(request):
    """The engagements a resource person with an account takes part in."""
    rows = list(selectors.engagements(request.tenant).filter(resource__user=request.user)
                .prefetch_related("feedbacks"))
    for e in rows:
        e.feedback_form = (FeedbackForm(initial={"side": FeedbackSide.RESOURCE})
                           if e.state == EngagementState.DONE and not any(
                               f.side == FeedbackSide.RESOURCE for f in e.feedbacks.all())
                           else None)
    return render(request, "mentoring/my_engagements.html", {"engagements": rows})


def _engagement_or_404(request, pk) -> Engagement:
    try:
        engagement = selectors.engagement_detail(request.tenant, pk)
    except Engagement.DoesNotExist:
        raise Http404("no engagement") from None
    if not request.user.has_perm("mentoring.view_engagement", engagement):
        raise Http404("not yours")
    return engagement


@require_GET
@tenant_view()
def convention(request, pk: int):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    engagement = _engagement_or_404(request, pk)
    # The task has usually stored it already; if not (worker down), it is produced now.
    document, _rendered = convention_generate(engagement)
    return private_file_response(document.file_path, filename=document.filename)


@require_POST
@tenant_view()
def feedback(request, pk: int):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    engagement = _engagement_or_404(request, pk)
    form = FeedbackForm(request.POST)
    slug = request.tenant.slug
    if form.data.get("side") == FeedbackSide.RESOURCE:
        back = (reverse("mentoring:engagement", kwargs={"tenant_slug": slug, "pk": pk})
                if request.user.has_perm(MANAGE, request.tenant)
                else reverse("mentoring:my_engagements", kwargs={"tenant_slug": slug}))
    else:
        back = reverse("mentoring:my_need", kwargs={"tenant_slug": slug,
                                                    "pk": engagement.need_id})
    if not form.is_valid():
        messages.error(request, _("Choisissez une appréciation de 1 à 5."))
        return redirect(back)
    try:
        services.feedback_give(engagement=engagement, user=request.user, **form.cleaned_data)
    except PermissionDenied:
        raise Http404("not allowed") from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Merci pour votre retour."))
    return redirect(back)


# --- Pilot structure: dashboard and needs -------------------------------------------------

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
    state = request.GET.get("etat") or None
    if state not in NeedState.values:
        state = None
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


# --- Pilot structure: resource pool, themes, weights ---------------------------------------

@require_GET
@tenant_view(MANAGE)
def resources(request):
    return render(request, "mentoring/pilot/resources.html", {
        "resources": selectors.resource_pool(request.tenant), "year": selectors.current_year()})


@tenant_view(MANAGE)
def resource_edit(request, pk: int | None = None):
    tenant = request.tenant
    resource = get_object_or_404(ResourcePerson, pk=pk, tenant=tenant) if pk else None
    form = ResourceForm(request.POST or None, instance=resource, tenant=tenant)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.resource_save(
                tenant=tenant, user=request.user, resource=resource,
                fields=form.model_fields(), theme_levels=form.theme_levels(),
                conflict_structures=form.cleaned_data["conflict_structures"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Personne-ressource enregistrée."))
            return redirect("mentoring:resource_edit", tenant_slug=tenant.slug, pk=saved.pk)
    past = (selectors.engagements(tenant).filter(resource=resource).prefetch_related("feedbacks")
            if resource else [])
    return render(request, "mentoring/pilot/resource_form.html", {
        "form": form, "resource": resource, "past_engagements": past})


@tenant_view(CONFIGURE)
def themes(request):
    tenant = request.tenant
    form = ThemeForm(request.POST or None)
    if request.method == "POST" and request.POST.get("action") == "defaults":
        services.themes_seed_defaults(tenant=tenant, user=request.user)
        messages.success(request, _("Les cinq thématiques du dispositif sont en place."))
        return redirect("mentoring:themes", tenant_slug=tenant.slug)
    if request.method == "POST" and form.is_valid():
        try:
            services.theme_save(tenant=tenant, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Thématique ajoutée."))
            return redirect("mentoring:themes", tenant_slug=tenant.slug)
    return render(request, "mentoring/pilot/themes.html", {
        "form": form, "themes": selectors.tenant_themes(tenant)})


@tenant_view(CONFIGURE)
def theme_edit(request, pk: int):
    tenant = request.tenant
    theme = get_object_or_404(Theme, pk=pk, tenant=tenant)
    form = ThemeForm(request.POST or None, instance=theme)
    if request.method == "POST" and form.is_valid():
        try:
            services.theme_save(tenant=tenant, user=request.user, theme=theme, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Thématique modifiée."))
            return redirect("mentoring:themes", tenant_slug=tenant.slug)
    return render(request, "mentoring/pilot/form.html", {
        "form": form, "title": _("Modifier la thématique"), "back": "mentoring:themes"})


@tenant_view(CONFIGURE)
def weights(request):
    tenant = request.tenant
    instance = MatchingWeights.objects.filter(tenant=tenant).first() or MatchingWeights(
        tenant=tenant)
    form = WeightsForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.weights_update(tenant=tenant, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Pondérations enregistrées ; les propositions sont "
                                        "recalculées."))
            return redirect("mentoring:weights", tenant_slug=tenant.slug)
    return render(request, "mentoring/pilot/form.html", {
        "form": form, "title": _("Pondération du score de rapprochement"),
        "back": "mentoring:themes",
        "intro": _("Chaque critère rapporte au plus son poids en points ; le score total est "
                   "sur la somme des poids.")})


# --- Pilot structure: engagements ---------------------------------------------------------

@require_GET
@tenant_view(MANAGE)
def engagements(request):
    state = request.GET.get("etat") or None
    if state not in EngagementState.values:
        state = None
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

