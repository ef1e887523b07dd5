from django.db import models
from django.utils.translation import gettext_lazy as _


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SUBMITTED = "submitted", _("Soumise")


class Recommendation(models.TextChoices):
    FAVOURABLE = "favourable", _("Favorable")
    RESERVED = "reserved", _("Réservé")
    UNFAVOURABLE = "unfavourable", _("Défavorable")


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("En préparation")
    IN_SESSION = "in_session", _("En séance")
    CLOSED = "closed", _("Clôturée")


class VoteChoice(models.TextChoices):
    FOR = "for", _("Pour")
    AGAINST = "against", _("Contre")
    ABSTAIN = "abstain", _("Abstention")


class PresenceKind(models.TextChoices):
    ARRIVED = "arrived", _("Arrivée")
    LEFT = "left", _("Départ")


class DecisionOutcome(models.TextChoices):
    GRANTED = "granted", _("Aide accordée")
    REJECTED = "rejected", _("Aide refusée")


class EligibilityOutcome(models.TextChoices):
    ELIGIBLE = "eligible", _("Recevable")
    INELIGIBLE = "ineligible", _("Irrecevable")


class BatchAction(models.TextChoices):
    """What an officer may do to the selected dossiers at once (each through the service of
    the single action)."""

    ELIGIBILITY_CONFIRM = "eligibility_confirm", _("Confirmer la recevabilité")
    ASSIGN = "assign", _("Affecter un·e rapporteur·rice")
    REQUEST_COMPLETION = "request_completion", _("Demander des compléments")
    AGENDA_ADD = "agenda_add", _("Inscrire à l'ordre du jour d'un comité")


class BatchStatus(models.TextChoices):
    QUEUED = "queued", _("En attente")
    RUNNING = "running", _("En cours")
    FINISHED = "finished", _("Terminé")
