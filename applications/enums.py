from django.db import models
from django.utils.translation import gettext_lazy as _


class LegalForm(models.TextChoices):
    ASSOCIATION = "association", _("Association loi 1901")
    SARL = "sarl", _("SARL")
    EURL = "eurl", _("EURL")
    SAS = "sas", _("SAS")
    SASU = "sasu", _("SASU")
    SCOP = "scop", _("SCOP")
    SCIC = "scic", _("SCIC")
    EI = "ei", _("Entreprise individuelle / micro-entreprise")
    PUBLIC = "public", _("Établissement public, régie, EPCC")
    OTHER = "other", _("Autre")


class LicenceCategory(models.TextChoices):
    """Licences d'entrepreneur de spectacles vivants."""

    CAT1 = "1", _("Catégorie 1 — exploitant de lieu")
    CAT2 = "2", _("Catégorie 2 — producteur de spectacles")
    CAT3 = "3", _("Catégorie 3 — diffuseur de spectacles")


class StructureRole(models.TextChoices):
    MANAGER = "manager", _("Responsable")
    MEMBER = "member", _("Membre")
