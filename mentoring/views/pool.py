"""The resource pool, the themes and the matchmaker's weights."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _, gettext_lazy as _lazy
from django.views.decorators.http import require_GET

from portal.decorators import tenant_view
from portal.forms import ActionForm, apply_validation_error
from portal.views.errors import refused

from .. import selectors, services
from .common import CONFIGURE, MANAGE
from ..forms import ResourceForm, ThemeForm, WeightsForm
from ..models import MatchingWeights, ResourcePerson, Theme


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


#: The themes page's two forms, told apart by their hidden `action`.
THEME_ACTIONS = {"add": _lazy("Ajouter une thématique"),
                 "defaults": _lazy("Créer les cinq thématiques du dispositif")}


@tenant_view(CONFIGURE)
def themes(request):
    """The themes; a POST adds one (`action=add`) or creates the five of the scheme
    (`action=defaults`, offered while there is none)."""
    tenant = request.tenant
    form = ThemeForm()
    if request.method == "POST":
        which = ActionForm(request.POST, actions=THEME_ACTIONS)
        if not which.is_valid():
            return refused(request, which.reason())
        if which.cleaned_data["action"] == "defaults":
            services.themes_seed_defaults(tenant=tenant, user=request.user)
            messages.success(request, _("Les cinq thématiques du dispositif sont en place."))
            return redirect("mentoring:themes", tenant_slug=tenant.slug)
        form = ThemeForm(request.POST)
        if form.is_valid():
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
