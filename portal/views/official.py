"""Tenant admin pages of the official documents: the contract's letter settings and each
organisation's identity (logo, SIRET, address, representative, contact)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ..decorators import tenant_view
from ..models import Organization
from ..official import (OrganizationIdentityForm, TenantDocumentsForm,
                        organization_identity_set, tenant_documents_set)
from .manage import MANAGE, apply_validation_error


@tenant_view(MANAGE)
def documents_settings(request):
    tenant = request.tenant
    form = TenantDocumentsForm(request.POST or None, instance=tenant)
    if request.method == "POST" and form.is_valid():
        try:
            tenant_documents_set(user=request.user, tenant=tenant, **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Les mentions des documents officiels sont enregistrées."))
            return redirect("portal:manage_overview", tenant_slug=tenant.slug)
    return render(request, "portal/manage/official_form.html", {
        "form": form, "title": _("Documents officiels : lieu, service, recours"),
        "back": "portal:manage_overview", "multipart": False})


@tenant_view(MANAGE)
def organization_identity(request, pk: int):
    organization = get_object_or_404(Organization, pk=pk, tenant=request.tenant)
    form = OrganizationIdentityForm(request.POST or None, request.FILES or None,
                                    instance=organization)
    if request.method == "POST" and form.is_valid():
        try:
            organization_identity_set(user=request.user, organization=organization,
                                      **form.cleaned_data)
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("L'identité de %(org)s sur les documents est "
                                        "enregistrée.") % {"org": organization.name})
            return redirect("portal:manage_organizations", tenant_slug=request.tenant.slug)
    return render(request, "portal/manage/official_form.html", {
        "form": form, "organization": organization, "multipart": True,
        "title": _("Identité de %(org)s sur les documents officiels") % {"org": organization.name},
        "back": "portal:manage_organizations"})
