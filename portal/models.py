import secrets
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from .textlimits import ADDRESS, PRESENTATION, bounded
from .enums import ROLE_ORGANIZATION_KINDS, OrganizationKind, Role
from .validators import (INSEE_REGION_CODES, validate_insee_region, validate_reference_prefix,
                         validate_tenant_slug)


class RemembersLoadedValues:
    """Model mixin: the values of `REMEMBERED` fields as loaded from (or last saved to) the
    database, so that a post_save receiver can tell what a save changed without a query."""

    REMEMBERED: tuple[str, ...] = ()

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance.remember_values()
        return instance

    def remember_values(self) -> None:
        loaded = self.__dict__
        self._remembered = {f: loaded[f] for f in self.REMEMBERED if f in loaded}

    def changed_since_load(self) -> set[str]:
        """Fields of REMEMBERED that differ from the loaded values (all of them for an object
        that was never loaded)."""
        remembered = getattr(self, "_remembered", None)
        if remembered is None:
            return set(self.REMEMBERED)
        return {f for f in self.REMEMBERED if f not in remembered
                or remembered[f] != self.__dict__.get(f)}


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person. Users are global: their roles per tenant come from `Membership`."""

    username = None
    email = models.EmailField(_("adresse e-mail"), unique=True)
    language = models.CharField(_("langue"), max_length=8, choices=settings.LANGUAGES,
                                default="fr")
    reminders_opt_out = models.BooleanField(
        _("ne pas recevoir les rappels facultatifs"), default=False,
        help_text=_("Les rappels d'échéance ne vous seront plus envoyés. Les messages liés à "
                    "vos dossiers (décisions, demandes de compléments) restent envoyés."))
    #: The person without a name chose "later" when asked for it on their spaces page:
    #: they are asked once, never locked out.
    name_prompt_dismissed = models.BooleanField(default=False, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("utilisateur·rice")
        verbose_name_plural = _("utilisateur·rices")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        """How the person is shown everywhere (member lists, minutes, decisions, histories):
        "Camille Durand", or the e-mail address while no name is known."""
        return self.get_full_name() or self.email

    @property
    def has_name(self) -> bool:
        return bool(self.first_name.strip() and self.last_name.strip())

    @property
    def is_platform_admin(self) -> bool:
        return self.is_active and self.is_superuser

    def has_perm(self, perm, obj=None) -> bool:
        """The portal's own permissions (the `rules` ones: ``reviews.decide``,
        ``applications.view_dossier``…) are decided by their predicates alone: Django's
        "active superusers have every permission" does not apply to them, so the platform
        admin holds, inside a tenant, only the roles they were given there. Django's model
        permissions (the admin site, under two-factor) keep Django's behaviour."""
        import rules

        if rules.perm_exists(perm):
            return self.is_active and rules.has_perm(perm, self, obj)
        return super().has_perm(perm, obj)


class Tenant(models.Model):
    """One regional *contrat de filière musiques actuelles*; its slug starts every URL."""

    slug = models.SlugField(_("identifiant d'URL"), max_length=60, unique=True,
                            validators=[validate_tenant_slug])
    name = models.CharField(_("nom"), max_length=200)
    region_code = models.CharField(_("région (code INSEE)"), max_length=2,
                                   validators=[validate_insee_region])
    reference_prefix = models.CharField(
        _("préfixe des références des dossiers"), max_length=6, blank=True,
        validators=[validate_reference_prefix],
        help_text=_("2 à 6 lettres ou chiffres en tête de chaque référence de dossier : PDL "
                    "donne PDL-2025-COOP-0001."))
    contract_title = models.CharField(_("intitulé du contrat"), max_length=255, blank=True)
    contract_start = models.DateField(_("début du contrat"))
    contract_end = models.DateField(_("fin du contrat"))
    envelope = models.DecimalField(_("enveloppe du contrat (€)"), max_digits=12, decimal_places=2,
                                   null=True, blank=True,
                                   validators=[MinValueValidator(Decimal("0"))],
                                   help_text=_("Laisser vide si elle n'est pas encore connue."))
    description = models.TextField(_("présentation"), blank=True, max_length=PRESENTATION,
                                   validators=bounded(PRESENTATION))
    # --- what the official documents (letters, receipts) print -----------------------------
    letter_place = models.CharField(
        _("lieu de signature des courriers"), max_length=120, blank=True,
        help_text=_("Imprimé avant la date : « Toulouse, le 30 avril 2024 »."))
    service_name = models.CharField(
        _("service qui suit les dossiers"), max_length=200, blank=True,
        help_text=_("Imprimé sur les accusés de réception et les courriers : « Affaire suivie "
                    "par »."))
    service_email = models.EmailField(_("adresse e-mail du service"), blank=True)
    service_phone = models.CharField(_("téléphone du service"), max_length=30, blank=True)
    tribunal_name = models.CharField(
        _("tribunal administratif compétent"), max_length=200, blank=True,
        help_text=_("Vide : le tribunal administratif du chef-lieu de la région."))
    tribunal_address = models.CharField(_("adresse du tribunal administratif"), max_length=255,
                                        blank=True)
    is_active = models.BooleanField(_("actif"), default=True)
    retention_years = models.PositiveSmallIntegerField(
        _("durée de conservation des dossiers clos (années)"), default=10,
        validators=[MinValueValidator(1)],
        help_text=_("Les dossiers refusés, retirés ou irrecevables sont supprimés, avec leurs "
                    "pièces, ce nombre d'années après leur clôture."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("contrat régional")
        verbose_name_plural = _("contrats régionaux")
        constraints = [
            models.CheckConstraint(condition=Q(contract_end__gte=models.F("contract_start")),
                                   name="tenant_contract_period_ordered"),
            models.CheckConstraint(condition=Q(envelope__gte=0), name="tenant_envelope_positive"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.contract_start and self.contract_end and self.contract_end < self.contract_start:
            raise ValidationError(
                {"contract_end": _("La fin du contrat doit suivre son début.")})

    @property
    def region_name(self) -> str:
        return INSEE_REGION_CODES.get(self.region_code, self.region_code)

    @property
    def dossier_prefix(self) -> str:
        """The prefix of the contract's dossier references: the one the admin set, else (for
        a contract configured before the prefix existed) the first letters of the slug."""
        return self.reference_prefix or "".join(
            ch for ch in self.slug if ch.isalpha())[:3].upper()

    @property
    def tribunal_label(self) -> str:
        """The administrative court named in the letters' legal remedies."""
        if self.tribunal_name:
            return self.tribunal_name
        from .validators import REGION_TRIBUNALS

        return REGION_TRIBUNALS.get(self.region_code) or str(_("tribunal administratif compétent"))

    @property
    def period_label(self) -> str:
        return f"{self.contract_start.year}–{self.contract_end.year}"


def private_storage():
    """Private files (logos, generated documents' sources) outside MEDIA_URL. Callable so
    that tests' settings overrides apply."""
    from django.core.files.storage import FileSystemStorage

    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)


def _logo_path(instance, filename: str) -> str:
    import uuid
    from pathlib import Path

    return f"logos/{instance.tenant_id}/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class Organization(models.Model):
    """A body taking part in a contract: DRAC, CNM, Région, pilot structure, network."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="organizations",
                               verbose_name=_("contrat"))
    kind = models.CharField(_("type"), max_length=16, choices=OrganizationKind.choices)
    name = models.CharField(_("nom"), max_length=200)
    # --- its identity on official documents (letters, conventions) -------------------------
    logo = models.ImageField(
        _("logo"), storage=private_storage, upload_to=_logo_path, blank=True, max_length=255,
        help_text=_("PNG ou JPEG, 2 Mo au plus ; imprimé en tête des courriers. Pour la DRAC, "
                    "le bloc-marque de l'État est imprimé à la place."))
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    address = models.TextField(_("adresse"), blank=True, max_length=ADDRESS,
                               validators=bounded(ADDRESS), help_text=_("Une ligne par ligne d'adresse, code postal et "
                                           "commune compris."))
    representative_name = models.CharField(_("représenté·e par (nom)"), max_length=200,
                                           blank=True)
    representative_title = models.CharField(_("qualité du ou de la représentant·e"),
                                            max_length=200, blank=True)
    service_name = models.CharField(_("service"), max_length=200, blank=True)
    contact_email = models.EmailField(_("adresse e-mail de contact"), blank=True)
    contact_phone = models.CharField(_("téléphone"), max_length=30, blank=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("organisme")
        verbose_name_plural = _("organismes")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="organization_unique_name"),
        ]

    def __str__(self):
        return self.name

    @property
    def address_lines(self) -> list[str]:
        return [line.strip() for line in self.address.splitlines() if line.strip()]


class Signatory(models.Model):
    """A signatory of the contract, named on its decision letters."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="signatories",
                               verbose_name=_("contrat"))
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE,
                                     related_name="signatories", verbose_name=_("organisme"))
    person_name = models.CharField(_("nom du ou de la signataire"), max_length=200, blank=True,
                                   help_text=_("Peut rester vide tant que la personne n'est pas "
                                               "connue : seule la qualité est alors imprimée."))
    title = models.CharField(_("qualité"), max_length=255)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("signataire")
        verbose_name_plural = _("signataires")

    def __str__(self):
        return f"{self.person_name}, {self.title}" if self.person_name else self.title


class Membership(models.Model):
    """A user's role in one tenant, and the organization they act for."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="memberships")
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("rôle"), max_length=16, choices=Role.choices)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="memberships",
                                     verbose_name=_("organisme"))
    title = models.CharField(_("fonction"), max_length=200, blank=True,
                             help_text=_("Ex. : conseillère musiques actuelles, chargé de "
                                         "mission aides territoriales."))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["role", "user__last_name", "user__first_name", "user__email"]
        verbose_name = _("membre")
        verbose_name_plural = _("membres")
        constraints = [
            models.UniqueConstraint(fields=["user", "tenant", "role"],
                                    name="membership_unique_role"),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} ({self.tenant})"

    @property
    def person_label(self) -> str:
        """"Camille Durand, conseillère musiques actuelles (DRAC Occitanie)"."""
        label = self.user.display_name
        if self.title:
            label = f"{label}, {self.title}"
        if self.organization_id:
            label = f"{label} ({self.organization.name})"
        return label

    def clean(self):
        clean_role_organization(self.tenant_id, self.role, self.organization)


def clean_role_organization(tenant_id, role, organization) -> None:
    """The organization must belong to the tenant and fit the role (a funder for officers)."""
    kinds = ROLE_ORGANIZATION_KINDS.get(role)
    if organization is None:
        if kinds:
            raise ValidationError({"organization": _(
                "Ce rôle exige un organisme : %(kinds)s.") % {
                "kinds": ", ".join(str(OrganizationKind(k).label) for k in kinds)}})
        return
    if organization.tenant_id != tenant_id:
        raise ValidationError({"organization": _("Cet organisme n'appartient pas à ce contrat.")})
    if kinds and organization.kind not in kinds:
        raise ValidationError({"organization": _(
            "Un·e %(role)s doit appartenir à : %(kinds)s.") % {
            "role": Role(role).label,
            "kinds": ", ".join(str(OrganizationKind(k).label) for k in kinds)}})


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


def _invitation_expiry():
    return timezone.now() + timedelta(days=14)


class Invitation(models.Model):
    """An invitation, by e-mail, to take a role in a tenant."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("adresse e-mail"))
    role = models.CharField(_("rôle"), max_length=16, choices=Role.choices)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, null=True,
                                     blank=True, related_name="invitations",
                                     verbose_name=_("organisme"))
    title = models.CharField(_("fonction"), max_length=200, blank=True,
                             help_text=_("Proposée à la personne invitée, qui la confirme en "
                                         "acceptant."))
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "email", "role"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_unique_pending"),
        ]

    def __str__(self):
        return f"{self.email} ({self.get_role_display()})"

    @property
    def is_pending(self) -> bool:
        return (self.accepted_at is None and self.revoked_at is None
                and self.expires_at > timezone.now())


class AuditEvent(models.Model):
    """One line of the operation log: who did what to which object, when (pretix log_action)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="audit_events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              blank=True, related_name="+")
    action = models.CharField(max_length=120, db_index=True)
    target_type = models.ForeignKey(ContentType, on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+")
    target_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("événement du journal")
        verbose_name_plural = _("journal des opérations")
        indexes = [models.Index(fields=["target_type", "target_id", "-created_at"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action}"


class OutboxTask(models.Model):
    """Transactional outbox: a Celery task recorded in the same transaction as the change
    that needs it, sent to the broker after commit. If the broker is down the row stays and
    `outbox_flush` sends it when it is back, so the user's action never fails for it."""

    task_name = models.CharField(max_length=120)
    kwargs = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    dispatched_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("tâche en attente d'envoi")
        verbose_name_plural = _("tâches en attente d'envoi")
        indexes = [models.Index(fields=["created_at"], condition=Q(dispatched_at__isnull=True),
                                name="outbox_pending_idx")]

    def __str__(self):
        return f"{self.task_name}({self.kwargs})"


class NotificationState(models.TextChoices):
    PENDING = "pending", _("À envoyer")
    SENT = "sent", _("Envoyé")
    SKIPPED = "skipped", _("Non envoyé (remplacé par un rappel plus récent)")


class Notification(models.Model):
    """The ledger of outgoing messages: one row per (kind, object, occasion, recipient), unique,
    written before the message is sent and marked sent in the transaction that sends it, by a
    task of its own (`portal.notification_send`). A task run twice, two workers, a retry after
    a crash or a beat firing twice find the row and send nothing more; a row whose task was lost
    (worker killed) is sent again by `portal.notifications_resend` (beat, and at worker start).

    The message is rendered when the row is written, in the recipient's language, so that the
    task only sends what was decided when the event happened; attachments are named by a
    registered provider and produced at sending time (`portal.notifications`)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="+")
    kind = models.CharField(max_length=80)
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.CharField(max_length=64)
    #: the occasion: a milestone, a submission time, a message id… ("" when there is one only)
    key = models.CharField(max_length=128, blank=True)
    recipient = models.EmailField(max_length=254)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                             blank=True, related_name="+")
    state = models.CharField(max_length=8, choices=NotificationState.choices,
                             default=NotificationState.PENDING)
    subject = models.TextField(blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    #: [[provider name, {kwargs}], …] — see portal.notifications.register_attachment
    attachments = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=255, blank=True)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message envoyé")
        verbose_name_plural = _("messages envoyés")
        constraints = [
            models.UniqueConstraint(fields=["kind", "target_type", "target_id", "key",
                                            "recipient"], name="notification_once"),
            models.CheckConstraint(
                condition=~Q(state=NotificationState.SENT) | Q(sent_at__isnull=False),
                name="notification_sent_has_time"),
        ]
        indexes = [models.Index(fields=["created_at"],
                                condition=Q(state=NotificationState.PENDING),
                                name="notification_pending_idx")]

    def __str__(self):
        return f"{self.kind} {self.target_type_id}:{self.target_id} {self.key} → {self.recipient}"


class GeneratedDocument(models.Model):
    """A PDF produced by the portal (receipt, decision letter, minutes, convention), stored
    privately with its checksum; regenerated only when the data it shows change."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=40)
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.CharField(max_length=64)
    file_path = models.CharField(max_length=255)
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    source_hash = models.CharField(max_length=64, help_text=_(
        "Checksum of the data the document shows: same data, same document."))
    generated_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(tenant="tenant")

    class Meta:
        verbose_name = _("document généré")
        verbose_name_plural = _("documents générés")
        constraints = [models.UniqueConstraint(fields=["kind", "target_type", "target_id"],
                                               name="generated_document_unique")]

    def __str__(self):
        return self.filename
