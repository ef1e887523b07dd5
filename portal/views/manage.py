"""Tenant admin pages: the contract, its organizations, signatories, members and log."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..decorators import tenant_view
from ..formatting import format_date_local
from ..forms import (InvitationForm, MembershipForm, OrganizationForm, SignatoryForm,
                     TenantContractForm, apply_validation_error)
from ..models import AuditEvent, Invitation, Membership, Organization, Signatory
from ..selectors import audit_target_labels
from ..selectors import (tenant_memberships, tenant_organizations, tenant_open_invitations,
                         tenant_signatories)
from .. import services

MANAGE = "portal.manage_tenant"

#: Sections other apps add to the contract's admin home, from their AppConfig.ready():
#: (template name, function(request) -> extra context dict).
OVERVIEW_SECTIONS: list[tuple[str, object]] = []


def register_overview_section(template_name: str, context) -> None:
    if all(name != template_name for name, _ctx in OVERVIEW_SECTIONS):
        OVERVIEW_SECTIONS.append((template_name, context))


@tenant_view(MANAGE)
def overview(request):
    tenant = request.tenant
    context = {
        "organizations": tenant_organizations(tenant),
        "signatories": tenant_signatories(tenant),
        "member_count": Membership.objects.filter(tenant=tenant).count(),
        "pending_count": tenant_open_invitations(tenant).count(),
        "overview_sections": [],
    }
    for template_name, extra in OVERVIEW_SECTIONS:
        context.update(extra(request))
        context["overview_sections"].append(template_name)
    return render(request, "portal/manage/overview.html", context)


@tenant_view(MANAGE)
def contract_edit(request):
    tenant = request.tenant
    form = TenantContractForm(request.POST or None, instance=tenant)
    if request.method == "POST" and form.is_valid():
        try:
            services.tenant_update(user=request.user, tenant=tenant, **{
                name: form.cleaned_data[name] for name in form.Meta.fields})
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Le contrat a été mis à jour."))
            return redirect("portal:manage_overview", tenant_slug=tenant.slug)
    return render(request, "portal/manage/form.html", {
        "form": form, "title": _("Modifier le contrat"), "back": "portal:manage_overview"})


@tenant_view(MANAGE)
def organizations(request):
    tenant = request.tenant
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_create(user=request.user, tenant=tenant, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Organisme ajouté."))
            return redirect("portal:manage_organizations", tenant_slug=tenant.slug)
    return render(request, "portal/manage/organizations.html", {
        "form": form, "organizations": tenant_organizations(tenant)})


@tenant_view(MANAGE)
def organization_edit(request, pk: int):
    tenant = request.tenant
    organization = get_object_or_404(Organization, pk=pk, tenant=tenant)
    form = OrganizationForm(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        try:
            services.organization_update(user=request.user, organization=organization,
                                         **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Organisme modifié."))
            return redirect("portal:manage_organizations", tenant_slug=tenant.slug)
    return render(request, "portal/manage/form.html", {
        "form": form, "title": _("Modifier l'organisme"), "back": "portal:manage_organizations"})


@require_POST
@tenant_view(MANAGE)
def organization_delete(request, pk: int):
    organization = get_object_or_404(Organization, pk=pk, tenant=request.tenant)
    try:
        services.organization_delete(user=request.user, organization=organization)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Organisme supprimé."))
    return redirect("portal:manage_organizations", tenant_slug=request.tenant.slug)


@tenant_view(MANAGE)
def signatories(request):
    tenant = request.tenant
    form = SignatoryForm(request.POST or None, tenant=tenant)
    if request.method == "POST" and form.is_valid():
        try:
            services.signatory_create(user=request.user, tenant=tenant, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Signataire ajouté·e."))
            return redirect("portal:manage_signatories", tenant_slug=tenant.slug)
    return render(request, "portal/manage/signatories.html", {
        "form": form, "signatories": tenant_signatories(tenant)})


@tenant_view(MANAGE)
def signatory_edit(request, pk: int):
    tenant = request.tenant
    signatory = get_object_or_404(Signatory.objects.select_related("organization"), pk=pk,
                                  tenant=tenant)
    form = SignatoryForm(request.POST or None, instance=signatory, tenant=tenant)
    if request.method == "POST" and form.is_valid():
        try:
            services.signatory_update(user=request.user, signatory=signatory,
                                      **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Signataire modifié·e."))
            return redirect("portal:manage_signatories", tenant_slug=tenant.slug)
    return render(request, "portal/manage/form.html", {
        "form": form, "title": _("Modifier le ou la signataire"),
        "back": "portal:manage_signatories"})


@require_POST
@tenant_view(MANAGE)
def signatory_delete(request, pk: int):
    signatory = get_object_or_404(Signatory, pk=pk, tenant=request.tenant)
    services.signatory_delete(user=request.user, signatory=signatory)
    messages.success(request, _("Signataire retiré·e."))
    return redirect("portal:manage_signatories", tenant_slug=request.tenant.slug)


@tenant_view(MANAGE)
def members(request):
    tenant = request.tenant
    form = InvitationForm(request.POST or None, tenant=tenant)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(user=request.user, tenant=tenant, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Invitation envoyée à %(email)s.")
                             % {"email": form.cleaned_data["email"]})
            return redirect("portal:manage_members", tenant_slug=tenant.slug)
    return render(request, "portal/manage/members.html", {
        "form": form, "memberships": tenant_memberships(tenant),
        "invitations": tenant_open_invitations(tenant)})


@tenant_view(MANAGE)
def membership_edit(request, pk: int):
    tenant = request.tenant
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=pk,
                                   tenant=tenant)
    form = MembershipForm(request.POST or None, tenant=tenant,
                          initial={"role": membership.role, "title": membership.title,
                                   "organization": membership.organization})
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(user=request.user, membership=membership,
                                       organization=form.cleaned_data["organization"],
                                       role=form.cleaned_data["role"],
                                       title=form.cleaned_data["title"])
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Membre modifié·e."))
            return redirect("portal:manage_members", tenant_slug=tenant.slug)
    return render(request, "portal/manage/form.html", {
        "form": form, "back": "portal:manage_members",
        "title": _("%(user)s — %(role)s") % {"user": membership.user.display_name,
                                              "role": membership.get_role_display()}})


@require_POST
@tenant_view(MANAGE)
def membership_remove(request, pk: int):
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=pk,
                                   tenant=request.tenant)
    try:
        services.membership_remove(user=request.user, membership=membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Membre retiré·e."))
    return redirect("portal:manage_members", tenant_slug=request.tenant.slug)


@require_POST
@tenant_view(MANAGE)
def invitation_resend(request, pk: int):
    invitation = get_object_or_404(Invitation, pk=pk, tenant=request.tenant)
    try:
        invitation = services.invitation_resend(user=request.user, invitation=invitation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Invitation renvoyée à %(email)s, valable jusqu’au %(date)s.")
                         % {"email": invitation.email,
                            "date": format_date_local(invitation.expires_at)})
    return redirect("portal:manage_members", tenant_slug=request.tenant.slug)


@require_POST
@tenant_view(MANAGE)
def invitation_revoke(request, pk: int):
    invitation = get_object_or_404(Invitation, pk=pk, tenant=request.tenant)
    try:
        services.invitation_revoke(user=request.user, invitation=invitation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Invitation annulée."))
    return redirect("portal:manage_members", tenant_slug=request.tenant.slug)


@tenant_view("portal.view_audit_log")
def audit_log_view(request):
    events = (AuditEvent.objects.filter(tenant=request.tenant)
              .select_related("actor", "target_type"))
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)  # the labels are set on these instances
    audit_target_labels(page.object_list)
    return render(request, "portal/manage/audit_log.html", {"page_obj": page})
