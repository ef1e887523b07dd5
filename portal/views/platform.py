"""Platform admin pages: the operator creates and edits tenants (regions)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from .. import services
from ..enums import Role
from ..forms import TenantAdminInvitationForm, TenantForm, apply_validation_error
from ..models import Invitation, Membership, Tenant


def _require_platform_admin(request):
    if not request.user.has_perm("portal.manage_platform"):
        raise PermissionDenied


@login_required
def tenant_list(request):
    _require_platform_admin(request)
    return render(request, "portal/platform/tenant_list.html",
                  {"tenants": Tenant.objects.order_by("name")})


@login_required
def tenant_create(request):
    _require_platform_admin(request)
    form = TenantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tenant = services.tenant_create(user=request.user, **{
                name: form.cleaned_data[name] for name in form.Meta.fields})
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Le contrat « %(name)s » a été créé.") % {"name": tenant.name})
            return redirect("portal:platform_tenants")
    return render(request, "portal/platform/tenant_form.html",
                  {"form": form, "title": _("Nouveau contrat régional")})


@login_required
def tenant_edit(request, slug: str):
    _require_platform_admin(request)
    tenant = get_object_or_404(Tenant, slug=slug)
    form = TenantForm(request.POST or None, instance=tenant)
    if request.method == "POST" and form.is_valid():
        try:
            services.tenant_update(user=request.user, tenant=tenant, **{
                name: form.cleaned_data[name] for name in form.Meta.fields})
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Le contrat a été mis à jour."))
            return redirect("portal:platform_tenants")
    return render(request, "portal/platform/tenant_form.html",
                  {"form": form, "title": tenant.name, "tenant_obj": tenant})


@login_required
def tenant_admins(request, slug: str):
    """The contract's administrators and pending admin invitations; the platform admin invites
    one (typically the first) — nothing else of the tenant is theirs to see or change."""
    from django_scopes import scope

    _require_platform_admin(request)
    tenant = get_object_or_404(Tenant, slug=slug)
    form = TenantAdminInvitationForm(request.POST or None)
    with scope(tenant=tenant):
        if request.method == "POST" and form.is_valid():
            try:
                services.invitation_create(user=request.user, tenant=tenant, role=Role.ADMIN,
                                           organization=None, **form.cleaned_data)
            except ValidationError as exc:
                apply_validation_error(form, exc)
            else:
                messages.success(request, _("Invitation envoyée à %(email)s.")
                                 % {"email": form.cleaned_data["email"]})
                return redirect("portal:platform_tenant_admins", slug=tenant.slug)
        admins = list(Membership.objects.filter(tenant=tenant, role=Role.ADMIN)
                      .select_related("user").order_by("user__last_name", "user__email"))
        invitations = list(Invitation.objects.filter(
            tenant=tenant, role=Role.ADMIN, accepted_at__isnull=True, revoked_at__isnull=True))
    return render(request, "portal/platform/tenant_admins.html", {
        "tenant_obj": tenant, "form": form, "admins": admins, "invitations": invitations})
