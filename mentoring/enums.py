"""Choices of the mentoring scheme (Transfert de savoir-faire / Mentorat)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PersonStatus(models.TextChoices):
    EMPLOYEE = "employee", _("Salarié·e")
    VOLUNTEER = "volunteer", _("Bénévole")


class HopedFormat(models.TextChoices):
    TSF = "tsf", _("Transfert de savoir-faire (1 à 2 jours)")
    MENTORING = "mentoring", _("Mentorat (jusqu'à 4 jours)")
    UNKNOWN = "unknown", _("Je ne sais pas encore")


class NeedState(models.TextChoices):
    SUBMITTED = "submitted", _("Reçue, en attente de diagnostic")
    QUALIFIED = "qualified", _("Diagnostiquée, recherche d'une personne-ressource")
    MATCHED = "matched", _("Mise en relation proposée")
    IN_PROGRESS = "in_progress", _("Accompagnement en cours")
    DONE = "done", _("Accompagnement terminé")
    REDIRECTED = "redirected", _("Réorientée")
    NOT_ELIGIBLE = "not_eligible", _("Non éligible")
    CANCELLED = "cancelled", _("Annulée")


#: States in which the need still waits for something from the pilot structure.
OPEN_NEED_STATES = (NeedState.SUBMITTED, NeedState.QUALIFIED, NeedState.MATCHED)
#: States of a diagnosed need the matchmaker works on (no engagement yet).
MATCHABLE_NEED_STATES = (NeedState.QUALIFIED,)


class DiagnosisOutcome(models.TextChoices):
    TSF = "tsf", _("Transfert de savoir-faire (1 à 2 jours)")
    MENTORING = "mentoring", _("Mentorat (jusqu'à 4 jours)")
    DLA = "dla", _("Réorientation vers un DLA (dispositif local d'accompagnement)")
    TRAINING = "training", _("Réorientation vers une formation")
    NOT_ELIGIBLE = "not_eligible", _("Non éligible")


#: Outcomes that lead to a match with a resource person, and their day limits (min, max).
FORMAT_DAY_LIMITS = {
    DiagnosisOutcome.TSF: (1, 2),
    DiagnosisOutcome.MENTORING: (1, 4),
}
REDIRECT_OUTCOMES = (DiagnosisOutcome.DLA, DiagnosisOutcome.TRAINING)


class EngagementState(models.TextChoices):
    PROPOSED = "proposed", _("Proposé")
    SIGNED = "signed", _("Convention signée")
    IN_PROGRESS = "in_progress", _("En cours")
    DONE = "done", _("Terminé")
    CANCELLED = "cancelled", _("Annulé")


#: Engagements that count against a resource person's capacity.
ACTIVE_ENGAGEMENT_STATES = (EngagementState.PROPOSED, EngagementState.SIGNED,
                            EngagementState.IN_PROGRESS, EngagementState.DONE)

ENGAGEMENT_TRANSITIONS = {
    EngagementState.PROPOSED: (EngagementState.SIGNED, EngagementState.CANCELLED),
    EngagementState.SIGNED: (EngagementState.IN_PROGRESS, EngagementState.CANCELLED),
    EngagementState.IN_PROGRESS: (EngagementState.DONE, EngagementState.CANCELLED),
    EngagementState.DONE: (),
    EngagementState.CANCELLED: (),
}


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposée")
    ACCEPTED = "accepted", _("Acceptée")
    REJECTED = "rejected", _("Écartée")
    SUPERSEDED = "superseded", _("Remplacée")


class ProposalSource(models.TextChoices):
    GLOBAL = "global", _("Répartition globale")
    CHOSEN = "chosen", _("Choix de la structure pilote (autre candidat·e ou échange)")
    OVERRIDE = "override", _("Choix manuel (dérogation)")


class AssignmentRunState(models.TextChoices):
    """Where a computation of the global assignment stands (the task runs it)."""
    QUEUED = "queued", _("En attente")
    RUNNING = "running", _("Calcul en cours")
    FINISHED = "finished", _("Terminé")
    FAILED = "failed", _("Échec")


class FeedbackSide(models.TextChoices):
    BENEFICIARY = "beneficiary", _("Structure bénéficiaire")
    RESOURCE = "resource", _("Personne-ressource")


DEFAULT_THEMES = (
    _("Pilotage des projets et des organisations"),
    _("Financement"),
    _("Mise en œuvre et gestion des organisations"),
    _("Visibilité des projets"),
    _("Actions responsables, locales et/ou solidaires"),
)
