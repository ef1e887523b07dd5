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
    CLOSED = "closed", _("Close")


class DecisionOutcome(models.TextChoices):
    GRANTED = "granted", _("Aide accordée")
    REJECTED = "rejected", _("Aide refusée")


class EligibilityOutcome(models.TextChoices):
    ELIGIBLE = "eligible", _("Recevable")
    INELIGIBLE = "ineligible", _("Irrecevable")
