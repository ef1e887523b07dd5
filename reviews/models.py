"""Joint instruction and committee: conflicts of interest, rapporteurs, reviews (scores per
appraisal criterion), eligibility confirmations, committee sessions, agenda and decisions.

Every model is tenant-owned (``ScopedManager``), directly or through its dossier/session.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from calls.enums import Funder

from .enums import (DecisionOutcome, EligibilityOutcome, Recommendation, ReviewStatus,
                    SessionStatus)

MONEY = {"max_digits": 12, "decimal_places": 2}


class ReviewSettings(models.Model):
    """Instruction settings of a tenant, or of one call (a call's row wins)."""

    tenant = models.ForeignKey("portal.Tenant", on_delete=models.CASCADE, related_name="+")
    call = models.OneToOneField("calls.Call", on_delete=models.CASCADE, null=True, blank=True,
                                related_name="review_settings")
    disagreement_threshold = models.DecimalField(
        _("seuil de désaccord (points sur 20)"), max_digits=5, decimal_places=2,
        default=Decimal("4.00"), validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Un dossier est signalé quand l'écart entre la meilleure et la moins bonne "
                    "note dépasse ce seuil."))

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = _("réglages de l'instruction")
        constraints = [
            models.UniqueConstraint(fields=["tenant"], condition=Q(call__isnull=True),
                                    name="review_settings_one_per_tenant"),
            models.CheckConstraint(condition=Q(disagreement_threshold__gte=0),
                                   name="review_settings_threshold_positive"),
        ]


class ConflictDeclaration(models.Model):
    """An officer's declared link with a structure (registry per tenant), matched on SIRET:
    the officer is conflicted on every dossier whose structure or one of whose partners has
    this SIRET."""

    tenant = models.ForeignKey("portal.Tenant", on_delete=models.CASCADE, related_name="+")
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="conflict_declarations",
                                verbose_name=_("instructeur·rice"))
    siret = models.CharField(_("SIRET de la structure"), max_length=14)
    structure_name = models.CharField(_("nom de la structure"), max_length=200)
    structure = models.ForeignKey("applications.Structure", on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+")
    nature = models.CharField(_("nature du lien"), max_length=300,
                              help_text=_("Ex. : ancien salarié, membre du bureau, proche."))
    declared_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["structure_name", "pk"]
        verbose_name = _("déclaration de lien d'intérêts")
        verbose_name_plural = _("déclarations de liens d'intérêts")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "officer", "siret"],
                                    name="conflict_unique_per_officer_siret"),
            models.CheckConstraint(condition=Q(siret__regex=r"^[0-9]{14}$"),
                                   name="conflict_siret_14_digits"),
        ]
        indexes = [models.Index(fields=["tenant", "siret"], name="conflict_tenant_siret")]

    def __str__(self):
        return f"{self.officer} ↔ {self.structure_name} ({self.siret})"


class CommitteeSession(models.Model):
    """A sitting of the attribution committee: its date, the calls it covers, its members
    by funder, a quorum rule; its agenda and decisions. Closing it freezes the decisions."""

    tenant = models.ForeignKey("portal.Tenant", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("intitulé"), max_length=200)
    date = models.DateField(_("date du comité"))
    calls = models.ManyToManyField("calls.Call", related_name="committee_sessions",
                                   verbose_name=_("appels examinés"))
    quorum = models.PositiveSmallIntegerField(
        _("quorum (membres présents)"), default=1, validators=[MinValueValidator(1)],
        help_text=_("Nombre minimum de membres présents pour délibérer."))
    quorum_each_funder = models.BooleanField(
        _("chaque financeur représenté"), default=True,
        help_text=_("Au moins un membre présent pour chaque financeur des appels examinés."))
    status = models.CharField(_("statut"), max_length=16, choices=SessionStatus.choices,
                              default=SessionStatus.PLANNED)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="+")
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["-date", "pk"]
        verbose_name = _("séance du comité")
        verbose_name_plural = _("séances du comité")
        constraints = [models.CheckConstraint(condition=Q(quorum__gte=1),
                                              name="session_quorum_positive")]

    def __str__(self):
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.status == SessionStatus.CLOSED


class CommitteeMember(models.Model):
    """A member of one session, for one funder (e.g. 3 Région + 3 CNM + 3 État)."""

    session = models.ForeignKey(CommitteeSession, on_delete=models.CASCADE,
                                related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    funder = models.CharField(_("financeur"), max_length=16, choices=Funder.choices)
    present = models.BooleanField(_("présent·e"), default=False)

    objects = ScopedManager(tenant="session__tenant")

    class Meta:
        ordering = ["funder", "pk"]
        verbose_name = _("membre du comité")
        verbose_name_plural = _("membres du comité")
        constraints = [models.UniqueConstraint(fields=["session", "user"],
                                               name="committee_member_unique")]

    def __str__(self):
        return f"{self.user} ({self.get_funder_display()})"
