"""The conflict-of-interest registry: an officer's declarations, the registry for those who may
read it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.decorators import tenant_view

from .. import services
from ..forms import ConflictForm
from ..models import ConflictDeclaration


@tenant_view("reviews.view_conflicts")
def conflicts(request):
    can_declare = request.user.has_perm("reviews.declare_conflicts", request.tenant)
    form = ConflictForm(request.POST or None) if can_declare else None
    if request.method == "POST" and not can_declare:
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        try:
            services.conflict_declare(tenant=request.tenant, user=request.user,
                                      **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Lien d'intérêts déclaré."))
            return redirect("reviews:conflicts", tenant_slug=request.tenant.slug)
    mine = ConflictDeclaration.objects.filter(tenant=request.tenant, officer=request.user)
    registry = (ConflictDeclaration.objects.filter(tenant=request.tenant).select_related("officer")
                if request.user.has_perm("reviews.view_conflict_registry", request.tenant)
                else None)
    return render(request, "reviews/conflicts.html", {"form": form, "mine": mine,
                                                      "registry": registry})


@require_POST
@tenant_view("reviews.view_conflicts")
def conflict_delete(request, conflict_pk: int):
    """The officer withdraws their own declaration; the tenant admin any (from the registry)."""
    declarations = ConflictDeclaration.objects.filter(tenant=request.tenant)
    if not request.user.has_perm("reviews.view_conflict_registry", request.tenant):
        declarations = declarations.filter(officer=request.user)
    declaration = get_object_or_404(declarations, pk=conflict_pk)
    try:
        services.conflict_withdraw(user=request.user, declaration=declaration)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Déclaration retirée."))
    return redirect("reviews:conflicts", tenant_slug=request.tenant.slug)
