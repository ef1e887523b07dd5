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


class DossierStatus(models.TextChoices):
    """The dossier's life (DESIGN §4): draft → submitted → (completion_requested ⇄ submitted)
    → eligible | ineligible → in_review → in_committee → granted | rejected; withdrawn from
    any state before the decision."""

    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Déposé")
    COMPLETION_REQUESTED = "completion_requested", _("Compléments demandés")
    ELIGIBLE = "eligible", _("Recevable")
    INELIGIBLE = "ineligible", _("Irrecevable")
    IN_REVIEW = "in_review", _("En instruction")
    IN_COMMITTEE = "in_committee", _("En comité")
    GRANTED = "granted", _("Aide accordée")
    REJECTED = "rejected", _("Aide refusée")
    WITHDRAWN = "withdrawn", _("Retiré")


#: States that end a dossier without a grant: such dossiers are deleted after the tenant's
#: retention period (applications.privacy).
ENDED_WITHOUT_GRANT = frozenset({DossierStatus.INELIGIBLE, DossierStatus.REJECTED,
                                 DossierStatus.WITHDRAWN})

#: States in which the applicant edits the dossier (all steps of a draft; the steps reopened
#: by a completion request).
EDITABLE_STATES = frozenset({DossierStatus.DRAFT, DossierStatus.COMPLETION_REQUESTED})


class DossierStep(models.TextChoices):
    """The steps of the guided form, in order."""

    PROJECT = "project", _("Projet")
    BUDGET = "budget", _("Budget")
    PARTNERS = "partners", _("Partenaires")
    DOCUMENTS = "documents", _("Pièces justificatives")
    DECLARATIONS = "declarations", _("Déclarations")
    SUMMARY = "summary", _("Récapitulatif")


#: Steps an instructor may reopen in a completion request.
EDITABLE_STEPS = (DossierStep.PROJECT, DossierStep.BUDGET, DossierStep.PARTNERS,
                  DossierStep.DOCUMENTS, DossierStep.DECLARATIONS)


class BudgetKind(models.TextChoices):
    EXPENSE = "expense", _("Dépense")
    INCOME = "income", _("Recette")


class IncomeSource(models.TextChoices):
    """Income lines besides the amount requested from the call (a dossier field)."""

    SELF_FINANCING = "self_financing", _("Autofinancement (fonds propres, recettes propres)")
    PUBLIC = "public", _("Autres financements publics (État, collectivités, CNM…)")
    PRIVATE = "private", _("Financements privés (mécénat, sociétés civiles, partenaires)")
    OTHER = "other", _("Autres recettes")


class ExportState(models.TextChoices):
    """Where the PDF export of a dossier stands (the `applications.dossier_export` task
    renders it)."""
    QUEUED = "queued", _("En attente")
    RUNNING = "running", _("Mise en page en cours")
    FINISHED = "finished", _("Prêt")
    FAILED = "failed", _("Échec")
