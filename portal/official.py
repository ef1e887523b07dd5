"""What the official documents print about the contract and its bodies: the tenant's letter
settings (place of signature, service and contact, administrative court) and each
organisation's identity (logo, SIRET, address, representative, service and contact).
Forms and services of the tenant admin's « Documents officiels » pages."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .audit import audit_log
from .forms import PortalModelForm
from .models import Organization, Tenant

LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_FORMATS = {"PNG", "JPEG"}

TENANT_DOCUMENT_FIELDS = ["letter_place", "service_name", "service_email", "service_phone",
                          "tribunal_name", "tribunal_address"]
ORGANIZATION_IDENTITY_FIELDS = ["logo", "siret", "address", "representative_name",
                                "representative_title", "service_name", "contact_email",
                                "contact_phone"]


class TenantDocumentsForm(PortalModelForm):
    class Meta:
        model = Tenant
        fields = TENANT_DOCUMENT_FIELDS


class OrganizationIdentityForm(PortalModelForm):
    class Meta:
        model = Organization
        fields = ORGANIZATION_IDENTITY_FIELDS
        widgets = {"address": forms.Textarea(attrs={"rows": 3}),
                   "logo": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"})}

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if not logo or not hasattr(logo, "image"):  # unchanged or cleared
            return logo
        if logo.size > LOGO_MAX_BYTES:
            raise ValidationError(_("Le logo dépasse 2 Mo."))
        if getattr(logo.image, "format", None) not in LOGO_FORMATS:
            raise ValidationError(_("Le logo doit être une image PNG ou JPEG."))
        return logo

    def clean_siret(self):
        from stdnum.fr import siret

        value = "".join(ch for ch in self.cleaned_data.get("siret", "") if ch.isdigit())
        if value and not siret.is_valid(value):
            raise ValidationError(_("Ce numéro SIRET n'est pas valide (14 chiffres)."))
        return value


def _require(user, tenant) -> None:
    if not user.has_perm("portal.manage_tenant", tenant):
        raise PermissionDenied("portal.manage_tenant")


@transaction.atomic
def tenant_documents_set(*, user, tenant: Tenant, **fields) -> Tenant:
    """Set what the letters and receipts print about the contract; audited."""
    _require(user, tenant)
    stored = Tenant.objects.get(pk=tenant.pk)
    changed = {k: str(v) for k, v in fields.items()
               if k in TENANT_DOCUMENT_FIELDS and getattr(stored, k) != v}
    for name in TENANT_DOCUMENT_FIELDS:
        if name in fields:
            setattr(tenant, name, fields[name])
    tenant.full_clean()
    tenant.save(update_fields=TENANT_DOCUMENT_FIELDS)
    if changed:
        audit_log(tenant=tenant, actor=user, action="portal.tenant.documents_updated",
                  target=tenant, data=changed)
    return tenant


@transaction.atomic
def organization_identity_set(*, user, organization: Organization, **fields) -> Organization:
    """Set an organisation's identity on the documents (logo, SIRET, address, …); audited,
    the logo by its new file name only."""
    _require(user, organization.tenant)
    stored = Organization.objects.get(pk=organization.pk)
    old_logo = stored.logo.name
    for name in ORGANIZATION_IDENTITY_FIELDS:
        if name in fields:
            setattr(organization, name, fields[name])
    organization.full_clean()
    organization.save()
    changed = {k: str(getattr(organization, k)) for k in ORGANIZATION_IDENTITY_FIELDS
               if k != "logo" and getattr(stored, k) != getattr(organization, k)}
    if organization.logo.name != old_logo:
        changed["logo"] = organization.logo.name or ""
        if old_logo:
            storage = stored.logo.storage
            transaction.on_commit(lambda: storage.delete(old_logo))
    if changed:
        audit_log(tenant=organization.tenant, actor=user,
                  action="portal.organization.identity_updated", target=organization,
                  data=changed)
    return organization
