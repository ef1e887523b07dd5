"""Structure profile pages. Structures are global: these pages live under /structures/,
outside any tenant scope, and touch only global models."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import services
from ..forms import LicenceForm, RevenueForm, StructureForm, StructureInvitationForm
from ..models import AnnualRevenue, PerformerLicence, Structure, StructureInvitation
from ..selectors import structures_for_user
from portal.forms import apply_validation_error
from portal.pagecache import cached_page


def _structure_for(request, pk: int, perm: str = "applications.view_structure") -> Structure:
    """The structure if the user is one of its members; otherwise 404 (existence not revealed)."""
    structure = get_object_or_404(Structure, pk=pk)
    if not request.user.has_perm(perm, structure):
        raise Http404
    return structure


@login_required
def structure_list(request):
    return render(request, "applications/structure_list.html",
                  {"structures": structures_for_user(request.user)})


@login_required
def structure_create(request):
    form = StructureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            structure = services.structure_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("La structure « %(name)s » a été créée.")
                             % {"name": structure.name})
            next_url = request.GET.get("next", "")
            if next_url.startswith("/") and not next_url.startswith("//"):
                return redirect(next_url)
            return redirect("structures:detail", pk=structure.pk)
    return render(request, "applications/structure_form.html",
                  {"form": form, "title": _("Créer le profil de votre structure")})


@login_required
def structure_detail(request, pk: int):
    return _render_detail(request, _structure_for(request, pk))


@login_required
def structure_edit(request, pk: int):
    structure = _structure_for(request, pk, "applications.change_structure")
    form = StructureForm(request.POST or None, instance=structure)
    if request.method == "POST" and form.is_valid():
        try:
            services.structure_update(user=request.user, structure=structure,
                                      **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Le profil de la structure a été mis à jour."))
            return redirect("structures:detail", pk=structure.pk)
    return render(request, "applications/structure_form.html", {
        "form": form, "structure": structure, "title": _("Modifier le profil de la structure")})


def _render_detail(request, structure, status: int = 200, **forms):
    context = {
        "structure": structure, "licences": structure.licences.all(),
        "revenues": structure.revenues.all(),
        "members": structure.members.select_related("user").order_by("created_at"),
        "invitations": [i for i in structure.invitations.filter(accepted_at__isnull=True)
                        if i.is_pending],
        "licence_form": LicenceForm(prefix="licence"),
        "revenue_form": RevenueForm(prefix="revenue"),
        "invite_form": StructureInvitationForm(prefix="invite"),
        "can_invite": request.user.has_perm("applications.manage_structure_members", structure),
    }
    context.update(forms)
    return render(request, "applications/structure_detail.html", context, status=status)


@login_required
@require_POST
def licence_add(request, pk: int):
    structure = _structure_for(request, pk, "applications.change_structure")
    form = LicenceForm(request.POST, prefix="licence")
    if form.is_valid():
        try:
            services.licence_save(user=request.user, structure=structure, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Licence enregistrée."))
            return redirect("structures:detail", pk=structure.pk)
    return _render_detail(request, structure, 200, licence_form=form)


@login_required
@require_POST
def licence_remove(request, pk: int, licence_pk: int):
    structure = _structure_for(request, pk, "applications.change_structure")
    licence = get_object_or_404(PerformerLicence, pk=licence_pk, structure=structure)
    services.licence_delete(user=request.user, licence=licence)
    messages.success(request, _("Licence retirée."))
    return redirect("structures:detail", pk=structure.pk)


@login_required
@require_POST
def revenue_add(request, pk: int):
    structure = _structure_for(request, pk, "applications.change_structure")
    form = RevenueForm(request.POST, prefix="revenue")
    if form.is_valid():
        try:
            services.revenue_save(user=request.user, structure=structure, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Chiffre d'affaires enregistré."))
            return redirect("structures:detail", pk=structure.pk)
    return _render_detail(request, structure, 200, revenue_form=form)


@login_required
@require_POST
def revenue_remove(request, pk: int, revenue_pk: int):
    structure = _structure_for(request, pk, "applications.change_structure")
    revenue = get_object_or_404(AnnualRevenue, pk=revenue_pk, structure=structure)
    services.revenue_delete(user=request.user, revenue=revenue)
    messages.success(request, _("Chiffre d'affaires retiré."))
    return redirect("structures:detail", pk=structure.pk)


@login_required
@require_POST
def member_invite(request, pk: int):
    structure = _structure_for(request, pk)
    if not request.user.has_perm("applications.manage_structure_members", structure):
        raise PermissionDenied("applications.manage_structure_members")
    form = StructureInvitationForm(request.POST, prefix="invite")
    if form.is_valid():
        try:
            services.structure_invitation_create(user=request.user, structure=structure,
                                                 email=form.cleaned_data["email"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Invitation envoyée à %(email)s.")
                             % {"email": form.cleaned_data["email"]})
            return redirect("structures:detail", pk=structure.pk)
    return _render_detail(request, structure, 200, invite_form=form)


@login_required
def invitation_accept(request, token: str):
    invitation = StructureInvitation.objects.select_related("structure").filter(
        token=token).first()
    if invitation is None or invitation.email.lower() != request.user.email.lower():
        raise Http404
    if request.method == "POST":
        try:
            services.structure_invitation_accept(user=request.user, invitation=invitation)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            return redirect("structures:list")
        messages.success(request, _("Vous êtes désormais membre de « %(name)s ».")
                         % {"name": invitation.structure.name})
        return redirect("structures:detail", pk=invitation.structure.pk)
    return render(request, "applications/structure_invitation_accept.html",
                  {"invitation": invitation})


@login_required
@cached_page
def my_dossiers(request):
    """Every dossier of the user's structures, in every region (cross-tenant, see the
    selector for why the scope is disabled there)."""
    from ..selectors import dossiers_for_user_everywhere

    return render(request, "applications/my_dossiers.html",
                  {"dossiers": dossiers_for_user_everywhere(request.user)})
