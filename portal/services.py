"""Writes of the portal app: tenants, organizations, signatories, memberships, invitations."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .audit import audit_log
from .enums import Role
from .outbox import enqueue
from .models import (Invitation, Membership, Organization, Signatory, Tenant, User,
                     clean_role_organization)
from .tenancy import forget_roles


class PortalError(ValidationError):
    """A business rule of the portal (tenants, members, invitations) refused the action."""


def _require(user, perm: str, obj=None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(perm)


# --- Tenants (platform admin) -------------------------------------------------------------

@transaction.atomic
def tenant_create(*, user: User, **fields) -> Tenant:
    _require(user, "portal.manage_platform")
    tenant = Tenant(**fields)
    tenant.full_clean()
    tenant.save()
    audit_log(tenant=tenant, actor=user, action="portal.tenant.created", target=tenant,
              data={"slug": tenant.slug, "name": tenant.name})
    return tenant


@transaction.atomic
def tenant_update(*, user: User, tenant: Tenant, **fields) -> Tenant:
    if not (user.has_perm("portal.manage_platform") or user.has_perm("portal.manage_tenant", tenant)):
        raise PermissionDenied("portal.manage_tenant")
    # Compare with the stored row: a bound ModelForm has already written into `tenant`.
    stored = Tenant.objects.get(pk=tenant.pk)
    changed = {k: str(v) for k, v in fields.items() if getattr(stored, k) != v}
    for name, value in fields.items():
        setattr(tenant, name, value)
    tenant.full_clean()
    tenant.save()
    if changed:
        audit_log(tenant=tenant, actor=user, action="portal.tenant.updated", target=tenant,
                  data=changed)
    return tenant


# --- Organizations and signatories (tenant admin) ----------------------------------------

@transaction.atomic
def organization_create(*, user: User, tenant: Tenant, kind: str, name: str) -> Organization:
    _require(user, "portal.manage_tenant", tenant)
    org = Organization(tenant=tenant, kind=kind, name=name)
    org.full_clean()
    org.save()
    audit_log(tenant=tenant, actor=user, action="portal.organization.created", target=org,
              data={"kind": kind, "name": name})
    return org


@transaction.atomic
def organization_update(*, user: User, organization: Organization, kind: str,
                        name: str) -> Organization:
    tenant = organization.tenant
    _require(user, "portal.manage_tenant", tenant)
    if kind != organization.kind and organization.memberships.exists():
        for membership in organization.memberships.all():
            clean_role_organization(tenant.pk, membership.role,
                                    Organization(tenant=tenant, kind=kind, name=name))
    organization.kind, organization.name = kind, name
    organization.full_clean()
    organization.save()
    audit_log(tenant=tenant, actor=user, action="portal.organization.updated",
              target=organization, data={"kind": kind, "name": name})
    return organization


@transaction.atomic
def organization_delete(*, user: User, organization: Organization) -> None:
    tenant = organization.tenant
    _require(user, "portal.manage_tenant", tenant)
    if organization.memberships.exists():
        raise PortalError(_("Cet organisme a encore des membres : retirez-les d'abord."))
    audit_log(tenant=tenant, actor=user, action="portal.organization.deleted",
              target=organization, data={"name": organization.name})
    organization.delete()


@transaction.atomic
def signatory_create(*, user: User, tenant: Tenant, organization: Organization,
                     person_name: str, title: str, position: int = 0) -> Signatory:
    _require(user, "portal.manage_tenant", tenant)
    signatory = Signatory(tenant=tenant, organization=organization, person_name=person_name,
                          title=title, position=position)
    if organization.tenant_id != tenant.pk:
        raise PortalError({"organization": _("Cet organisme n'appartient pas à ce contrat.")})
    signatory.full_clean()
    signatory.save()
    audit_log(tenant=tenant, actor=user, action="portal.signatory.created", target=signatory,
              data={"person_name": person_name, "title": title})
    return signatory


@transaction.atomic
def signatory_update(*, user: User, signatory: Signatory, organization: Organization,
                     person_name: str, title: str, position: int = 0) -> Signatory:
    """Correct a signatory in place (a new president, a misspelt title): the letters to come
    carry the new text; those already produced keep theirs."""
    tenant = signatory.tenant
    _require(user, "portal.manage_tenant", tenant)
    if organization.tenant_id != tenant.pk:
        raise ValidationError({"organization": _("Cet organisme n'appartient pas à ce contrat.")})
    stored = Signatory.objects.get(pk=signatory.pk)
    before = {"organization": str(stored.organization), "person_name": stored.person_name,
              "title": stored.title, "position": stored.position}
    signatory.organization, signatory.person_name = organization, person_name.strip()
    signatory.title, signatory.position = title.strip(), position or 0
    signatory.full_clean()
    signatory.save()
    after = {"organization": str(organization), "person_name": signatory.person_name,
             "title": signatory.title, "position": signatory.position}
    changed = {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}
    if changed:
        audit_log(tenant=tenant, actor=user, action="portal.signatory.updated",
                  target=signatory, data=changed)
    return signatory


@transaction.atomic
def signatory_delete(*, user: User, signatory: Signatory) -> None:
    _require(user, "portal.manage_tenant", signatory.tenant)
    audit_log(tenant=signatory.tenant, actor=user, action="portal.signatory.deleted",
              target=signatory, data={"person_name": signatory.person_name})
    signatory.delete()


# --- Memberships and invitations -----------------------------------------------------------

# --- People -----------------------------------------------------------------------------------

@transaction.atomic
def user_set_name(*, user: User, first_name: str, last_name: str) -> User:
    """The person's own first and last name (shown wherever they appear)."""
    first_name, last_name = first_name.strip(), last_name.strip()
    if not first_name or not last_name:
        raise PortalError({"first_name" if not first_name else "last_name":
                               _("Indiquez votre prénom et votre nom.")})
    before = (user.first_name, user.last_name)
    user.first_name, user.last_name = first_name, last_name
    user.save(update_fields=["first_name", "last_name"])
    if before != (first_name, last_name):
        audit_log(tenant=None, actor=user, action="portal.user.name_changed", target=user,
                  data={"first_name": first_name, "last_name": last_name})
    return user


@transaction.atomic
def user_dismiss_name_prompt(*, user: User) -> User:
    """"Later": the spaces page stops asking for the name (preferences still offer it)."""
    user.name_prompt_dismissed = True
    user.save(update_fields=["name_prompt_dismissed"])
    return user


def _membership_add(*, tenant: Tenant, user: User, role: str, organization, actor,
                    title: str = "") -> Membership:
    membership = Membership(tenant=tenant, user=user, role=role, organization=organization,
                            title=title)
    membership.full_clean(validate_unique=False)
    membership, created = Membership.objects.get_or_create(
        tenant=tenant, user=user, role=role,
        defaults={"organization": organization, "title": title})
    if created:
        audit_log(tenant=tenant, actor=actor, action="portal.membership.created",
                  target=membership, data={"user": user.email, "role": role,
                                           "organization": str(organization or ""),
                                           "title": title})
    elif title and membership.title != title:
        membership.title = title
        membership.save(update_fields=["title"])
    forget_roles(user)
    return membership


@transaction.atomic
def invitation_create(*, user: User, tenant: Tenant, email: str, role: str,
                      organization: Organization | None, title: str = "") -> Invitation:
    """Invite `email` to `role`; they accept from the link in the e-mail once signed in. The
    platform admin may invite a tenant admin (and nothing else) without a role there."""
    _require(user, "portal.appoint_tenant_admin" if role == Role.ADMIN
             else "portal.manage_tenant", tenant)
    email = email.strip().lower()
    clean_role_organization(tenant.pk, role, organization)
    if Membership.objects.filter(tenant=tenant, user__email__iexact=email, role=role).exists():
        raise PortalError({"email": _("Cette personne a déjà ce rôle dans ce contrat.")})
    # An expired invitation to the same role is closed, so that a fresh one may be sent.
    Invitation.objects.filter(tenant=tenant, email__iexact=email, role=role,
                              accepted_at__isnull=True, revoked_at__isnull=True,
                              expires_at__lte=timezone.now()).update(revoked_at=timezone.now())
    invitation = Invitation(tenant=tenant, email=email, role=role, organization=organization,
                            title=(title or "").strip(), invited_by=user)
    invitation.full_clean(exclude=["token"], validate_constraints=False)
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError:
        raise PortalError(
            {"email": _("Une invitation à ce rôle est déjà en attente pour cette adresse.")}
        ) from None
    audit_log(tenant=tenant, actor=user, action="portal.invitation.created", target=invitation,
              data={"email": email, "role": role})
    enqueue("portal.invitation_email", invitation_id=invitation.pk)
    return invitation


@transaction.atomic
def invitation_revoke(*, user: User, invitation: Invitation) -> Invitation:
    _require(user, "portal.manage_tenant", invitation.tenant)
    if invitation.accepted_at:
        raise PortalError(_("Cette invitation a déjà été acceptée."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_log(tenant=invitation.tenant, actor=user, action="portal.invitation.revoked",
              target=invitation, data={"email": invitation.email})
    return invitation


@transaction.atomic
def invitation_resend(*, user: User, invitation: Invitation) -> Invitation:
    """Send the invitation again, valid for a fresh period (also when it had expired)."""
    _require(user, "portal.manage_tenant", invitation.tenant)
    invitation = Invitation.objects.select_for_update(of=("self",)).get(pk=invitation.pk)
    if invitation.accepted_at or invitation.revoked_at:
        raise PortalError(_("Cette invitation n'est plus valable."))
    invitation.expires_at = invitation._meta.get_field("expires_at").get_default()
    invitation.save(update_fields=["expires_at"])
    audit_log(tenant=invitation.tenant, actor=user, action="portal.invitation.resent",
              target=invitation, data={"email": invitation.email,
                                       "expires_at": invitation.expires_at.isoformat()})
    enqueue("portal.invitation_email", invitation_id=invitation.pk)
    return invitation


@transaction.atomic
def invitation_accept(*, user: User, invitation: Invitation,
                      title: str | None = None) -> Membership:
    """The invited person, signed in with the invited (verified) address, takes the role,
    with the function they confirmed (`title`; the one proposed in the invitation if None)."""
    invitation = Invitation.objects.select_for_update(of=("self",)).get(pk=invitation.pk)
    if not invitation.is_pending:
        raise PortalError(_("Cette invitation n'est plus valable."))
    if user.email.lower() != invitation.email.lower():
        raise PermissionDenied("invitation addressed to another e-mail")
    title = (invitation.title if title is None else title).strip()
    membership = _membership_add(tenant=invitation.tenant, user=user, role=invitation.role,
                                 organization=invitation.organization, actor=user, title=title)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_log(tenant=invitation.tenant, actor=user, action="portal.invitation.accepted",
              target=invitation, data={"email": invitation.email, "role": invitation.role})
    return membership


@transaction.atomic
def membership_update(*, user: User, membership: Membership, organization,
                      role: str | None = None, title: str | None = None) -> Membership:
    """Change a member's organization and, optionally, role (the last administrator of the
    contract keeps theirs)."""
    tenant = membership.tenant
    _require(user, "portal.manage_tenant", tenant)
    membership = Membership.objects.select_for_update(of=("self",)).select_related("user").get(
        pk=membership.pk)
    role = role or membership.role
    if role != membership.role:
        if Membership.objects.filter(tenant=tenant, user=membership.user, role=role).exists():
            raise PortalError({"role": _("%(user)s a déjà ce rôle dans ce contrat.")
                                   % {"user": membership.user.display_name}})
        if membership.role == Role.ADMIN and not Membership.objects.filter(
                tenant=tenant, role=Role.ADMIN).exclude(pk=membership.pk).exists():
            raise PortalError({"role": _("C'est le dernier administrateur du contrat : "
                                             "nommez-en un autre d'abord.")})
    clean_role_organization(tenant.pk, role, organization)
    title = membership.title if title is None else title.strip()
    before = {"role": membership.role, "organization": str(membership.organization or ""),
              "title": membership.title}
    membership.role, membership.organization, membership.title = role, organization, title
    membership.save(update_fields=["role", "organization", "title"])
    after = {"role": role, "organization": str(organization or ""), "title": title}
    audit_log(tenant=tenant, actor=user, action="portal.membership.updated", target=membership,
              data={k: {"from": before[k], "to": after[k]} for k in after
                    if before[k] != after[k]})
    forget_roles(membership.user)
    return membership


@transaction.atomic
def membership_remove(*, user: User, membership: Membership) -> None:
    tenant = membership.tenant
    _require(user, "portal.manage_tenant", tenant)
    if membership.role == "admin" and membership.user_id == user.pk:
        others = Membership.objects.filter(tenant=tenant, role="admin").exclude(pk=membership.pk)
        if not others.exists():
            raise PortalError(_("Vous êtes le dernier administrateur : nommez-en un autre d'abord."))
    audit_log(tenant=tenant, actor=user, action="portal.membership.removed", target=membership,
              data={"user": membership.user.email, "role": membership.role})
    membership.delete()
    forget_roles(membership.user)
