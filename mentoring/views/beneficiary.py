"""The beneficiary's side: the questionnaire stating a need, its follow-up and timeline, the
engagements, the convention and the feedback."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from portal.decorators import tenant_view
from portal.documents import private_file_response
from portal.forms import apply_validation_error

from .. import selectors, services
from .common import MANAGE
from ..documents import convention_generate
from ..enums import EngagementState, FeedbackSide, NeedState
from ..forms import FeedbackForm, NeedForm
from ..models import Engagement, NeedRequest


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
