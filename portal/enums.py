from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganizationKind(models.TextChoices):
    DRAC = "drac", _("DRAC (État)")
    CNM = "cnm", _("Centre national de la musique")
    REGION = "region", _("Région")
    PILOT = "pilot", _("Structure pilote (mentorat)")
    NETWORK = "network", _("Réseau régional")
    OTHER = "other", _("Autre")


#: The three funders of a contrat de filière; their officers instruct dossiers jointly.
FUNDER_KINDS = (OrganizationKind.DRAC, OrganizationKind.CNM, OrganizationKind.REGION)


class Role(models.TextChoices):
    INSTRUCTOR = "instructor", _("Instructeur·rice")
    COMMITTEE = "committee", _("Membre du comité")
    PILOT = "pilot", _("Équipe de la structure pilote")
    ADMIN = "admin", _("Administrateur·rice du contrat")


#: Every membership role is a staff role: two-factor authentication is required for them.
STAFF_ROLES = frozenset(Role.values)

#: Which organization kinds a role may belong to (None: no organization required).
ROLE_ORGANIZATION_KINDS = {
    Role.INSTRUCTOR: FUNDER_KINDS,
    Role.COMMITTEE: FUNDER_KINDS,
    Role.PILOT: (OrganizationKind.PILOT,),
    Role.ADMIN: None,
}
