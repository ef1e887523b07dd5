from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.enums import OrganizationKind


class CallStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    PUBLISHED = "published", _("Publié")
    CLOSED = "closed", _("Clos")
    ARCHIVED = "archived", _("Archivé")


class CallPhase(models.TextChoices):
    """What the public sees, from the status and the dates (see `Call.phase`)."""

    DRAFT = "draft", _("Brouillon")
    UPCOMING = "upcoming", _("À venir")
    OPEN = "open", _("Ouvert")
    CLOSED = "closed", _("Clos")
    ARCHIVED = "archived", _("Archivé")


class AdvanceTiming(models.TextChoices):
    """When the advance of a grant is paid (a funding rule of the call)."""

    NOTIFICATION = "notification", _("à la notification de la décision")
    CONVENTION = "convention", _("à la signature de la convention")
    START = "start", _("au démarrage de l'action, sur attestation de la structure")


class DocumentStage(models.TextChoices):
    """When a document of the call is asked for: with the application, or with the final
    report of a grant (bilan financier signé, rapport d'activité, pièces justificatives)."""

    FILING = "filing", _("au dépôt du dossier")
    FINAL_REPORT = "final_report", _("au bilan final de l'aide")


class BalanceTrigger(models.TextChoices):
    """What releases the balance of a grant (a funding rule of the call)."""

    FINAL_REPORT = "final_report", _("sur présentation du bilan final de l'action (bilan "
                                     "d'activité et bilan financier)")
    REPORT_ACCEPTED = "report_accepted", _("après validation du bilan final de l'action par les "
                                           "financeurs, ou réévaluation de l'aide au vu du bilan")


class Funder(models.TextChoices):
    """The funders that may take part in a call: the three signatories of a contrat de filière
    (same values as `portal.enums.OrganizationKind`)."""

    DRAC = OrganizationKind.DRAC.value, _("DRAC (État)")
    CNM = OrganizationKind.CNM.value, _("Centre national de la musique")
    REGION = OrganizationKind.REGION.value, _("Région")


#: What may be done to a call in each status (the call's own small life): the services check
#: it, the permissions below wrap it (calls.rules) and the management page asks them.
CALL_ACTIONS: dict[str, frozenset[str]] = {
    "publish": frozenset({CallStatus.DRAFT, CallStatus.CLOSED}),
    "close": frozenset({CallStatus.PUBLISHED}),
    "archive": frozenset({CallStatus.PUBLISHED, CallStatus.CLOSED}),
    "delete": frozenset({CallStatus.DRAFT}),
    "change": frozenset({CallStatus.DRAFT, CallStatus.PUBLISHED, CallStatus.CLOSED}),
}


class CriterionKind(models.TextChoices):
    DECLARATION = "declaration", _("Déclaration cochée par le ou la candidat·e")
    CHECK = "check", _("Vérification sur la structure ou le dossier")


class Severity(models.TextChoices):
    BLOCKING = "blocking", _("Bloquant")
    WARNING = "warning", _("Avertissement")


class ExpenseKind(models.TextChoices):
    """The nature of an expense line of a budget (the call says which natures are eligible)."""

    ARTISTIC = "artistic", _("Rémunérations artistiques (cachets, droits d'auteur)")
    STAFF = "staff", _("Salaires et charges du personnel affecté à l'action")
    SERVICES = "services", _("Prestations extérieures (technique, accompagnement, conseil)")
    PRODUCTION = "production", _("Production (enregistrement, fabrication, captation)")
    TRAVEL = "travel", _("Déplacements, hébergement, restauration")
    COMMUNICATION = "communication", _("Communication et promotion")
    EQUIPMENT = "equipment", _("Achat de matériel et investissement")
    OVERHEADS = "overheads", _("Frais de structure (frais généraux)")
    IN_KIND = "in_kind", _("Contributions volontaires en nature (valorisation)")
    OTHER = "other", _("Autres dépenses")


class ShareBase(models.TextChoices):
    """What the share rules (maximum share of the grant, minimum self-financing) are a
    percentage of."""

    BUDGET = "budget", _("du budget total de l'action")
    ELIGIBLE = "eligible", _("des dépenses éligibles")
