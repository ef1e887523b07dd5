"""Writes on structure profiles (global, shared by the structure's dossiers in every region)."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit_log
from portal.outbox import enqueue

from ..enums import StructureRole
from ..models import (AnnualRevenue, PerformerLicence, Structure, StructureInvitation,
                      StructureMember)
from .dossiers import DossierError  # the applicant side's one domain error

PROFILE_FIELDS = ("name", "siret", "legal_form", "address", "postal_code", "city",
                  "creation_date", "cnm_affiliation_number", "cnm_affiliation_date",
                  "fte_hours", "main_activity", "aesthetics", "artists_count",
                  "regional_artists_count", "website")


def _require(user, perm: str, obj) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(perm)


def _forget_structures(user) -> None:
    user.__dict__.pop("_structure_ids", None)


@transaction.atomic
def structure_create(*, user, **fields) -> Structure:
    """Create a structure profile; its creator becomes its manager."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied("login required")
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    structure = Structure(created_by=user, **fields)
    structure.full_clean()
    structure.save()
    StructureMember.objects.create(structure=structure, user=user, role=StructureRole.MANAGER)
    _forget_structures(user)
    audit_log(tenant=None, actor=user, action="applications.structure.created",
              target=structure, data={"siret": structure.siret})
    return structure


@transaction.atomic
def structure_update(*, user, structure: Structure, **fields) -> Structure:
    _require(user, "applications.change_structure", structure)
    structure = Structure.objects.select_for_update().get(pk=structure.pk)
    changed = []
    for name, value in fields.items():
        if name not in PROFILE_FIELDS:
            raise TypeError(f"unknown field: {name}")
        if getattr(structure, name) != value:
            setattr(structure, name, value)
            changed.append(name)
    structure.full_clean(exclude=["created_by"])
    structure.save()
    if changed:
        audit_log(tenant=None, actor=user, action="applications.structure.updated",
                  target=structure, data={"fields": changed})
    return structure


@transaction.atomic
def licence_save(*, user, structure: Structure, category: str, number: str,
                 valid_until=None) -> PerformerLicence:
    """Add the licence of `category`, or replace its number and validity."""
    _require(user, "applications.change_structure", structure)
    licence = (PerformerLicence.objects.filter(structure=structure, category=category).first()
               or PerformerLicence(structure=structure, category=category))
    licence.number = number.strip()
    licence.valid_until = valid_until
    licence.full_clean()
    licence.save()
    audit_log(tenant=None, actor=user, action="applications.structure.licence_saved",
              target=structure, data={"category": category, "number": licence.number})
    return licence


@transaction.atomic
def licence_delete(*, user, licence: PerformerLicence) -> None:
    _require(user, "applications.change_structure", licence.structure)
    audit_log(tenant=None, actor=user, action="applications.structure.licence_deleted",
              target=licence.structure, data={"category": licence.category})
    licence.delete()


@transaction.atomic
def revenue_save(*, user, structure: Structure, year: int, amount: Decimal) -> AnnualRevenue:
    """Record the revenue of `year` (replacing an earlier figure for that year)."""
    _require(user, "applications.change_structure", structure)
    revenue = (AnnualRevenue.objects.filter(structure=structure, year=year).first()
               or AnnualRevenue(structure=structure, year=year))
    revenue.amount = amount
    revenue.full_clean()
    revenue.save()
    audit_log(tenant=None, actor=user, action="applications.structure.revenue_saved",
              target=structure, data={"year": year, "amount": str(amount)})
    return revenue


@transaction.atomic
def revenue_delete(*, user, revenue: AnnualRevenue) -> None:
    _require(user, "applications.change_structure", revenue.structure)
    audit_log(tenant=None, actor=user, action="applications.structure.revenue_deleted",
              target=revenue.structure, data={"year": revenue.year})
    revenue.delete()


def structure_invitation_create(*, user, structure: Structure, email: str) -> StructureInvitation:
    """Invite a colleague by e-mail; they accept once signed in with that address. Only the
    structure's managers invite (a member works on its dossiers, not on who acts for it)."""
    _require(user, "applications.manage_structure_members", structure)
    email = (email or "").strip().lower()
    if StructureMember.objects.filter(structure=structure, user__email__iexact=email).exists():
        raise DossierError({"email": _("Cette personne est déjà membre de la structure.")})
    invitation = StructureInvitation(structure=structure, email=email, invited_by=user)
    invitation.full_clean(exclude=["token"], validate_constraints=False)
    try:
        with transaction.atomic():
            invitation.save()
            audit_log(tenant=None, actor=user, action="applications.structure.member_invited",
                      target=structure, data={"email": email})
    except IntegrityError:
        raise DossierError(
            {"email": _("Une invitation est déjà en attente pour cette adresse.")}) from None
    enqueue("applications.structure_invitation_email", invitation_id=invitation.pk)
    return invitation


@transaction.atomic
def structure_invitation_accept(*, user, invitation: StructureInvitation) -> StructureMember:
    invitation = StructureInvitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_pending:
        raise DossierError(_("Cette invitation n'est plus valable."))
    if invitation.email.lower() != (user.email or "").lower():
        raise PermissionDenied("invitation for another address")
    member, _created = StructureMember.objects.get_or_create(
        structure=invitation.structure, user=user, defaults={"role": StructureRole.MEMBER})
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    _forget_structures(user)
    audit_log(tenant=None, actor=user, action="applications.structure.member_joined",
              target=invitation.structure, data={"email": user.email})
    return member
