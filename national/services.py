"""Writes of the national view: the platform admin grants and withdraws the national officer
role; an export is logged."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.audit import audit_log

from .models import NationalOfficer


@transaction.atomic
def national_officer_grant(*, user, email: str, organisation: str) -> NationalOfficer:
    if not user.has_perm("national.grant"):
        raise PermissionDenied("national.grant")
    email = (email or "").strip()
    organisation = " ".join((organisation or "").split())
    errors = {}
    officer = get_user_model().objects.filter(email__iexact=email).first() if email else None
    if officer is None:
        errors["email"] = _("Aucun compte n'utilise l'adresse « %(email)s » : la personne crée "
                            "d'abord son compte.") % {"email": email}
    if not organisation:
        errors["organisation"] = _("Indiquez l'organisme (CNM, ministère de la Culture…).")
    if errors:
        raise ValidationError(errors)
    row, created = NationalOfficer.objects.get_or_create(
        user=officer, defaults={"organisation": organisation[:200], "granted_by": user})
    if not created:
        raise ValidationError({"email": _("%(email)s est déjà agent·e national·e.")
                               % {"email": officer.email}})
    audit_log(tenant=None, actor=user, action="national.officer.granted", target=row,
              data={"email": officer.email, "organisation": row.organisation})
    return row


@transaction.atomic
def national_officer_revoke(*, user, officer: NationalOfficer) -> None:
    if not user.has_perm("national.grant"):
        raise PermissionDenied("national.grant")
    audit_log(tenant=None, actor=user, action="national.officer.revoked", target=None,
              data={"email": officer.user.email})
    officer.delete()


def national_export_record(*, user) -> None:
    if not user.has_perm("national.view"):
        raise PermissionDenied("national.view")
    audit_log(tenant=None, actor=user, action="national.view.exported", data={})
