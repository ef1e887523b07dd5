from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.enums import Aesthetic, MainActivity
from portal.geo import departement_for_postal_code, region_for_postal_code
from portal.validators import INSEE_REGION_CODES

from .enums import LegalForm, LicenceCategory, StructureRole
from .validators import normalize_siret, validate_postal_code, validate_siret


class Structure(models.Model):
    """A music structure (label, venue, producer, network…). Global, not tenant-owned: one
    profile serves the structure's dossiers in every region. Access is through
    `StructureMember`."""

    name = models.CharField(_("nom de la structure"), max_length=200)
    siret = models.CharField(_("SIRET"), max_length=14, unique=True, validators=[validate_siret],
                             error_messages={"unique": _(
                                 "Une structure avec ce SIRET existe déjà : demandez à l'un de "
                                 "ses membres de vous inviter.")})
    legal_form = models.CharField(_("forme juridique"), max_length=16, choices=LegalForm.choices)
    address = models.CharField(_("adresse"), max_length=255)
    postal_code = models.CharField(_("code postal"), max_length=5,
                                   validators=[validate_postal_code])
    city = models.CharField(_("commune"), max_length=120)
    departement = models.CharField(_("département"), max_length=3, editable=False)
    region_code = models.CharField(_("région (code INSEE)"), max_length=2, editable=False)
    creation_date = models.DateField(_("date de création"))
    cnm_affiliation_number = models.CharField(_("numéro d'affiliation au CNM"), max_length=32,
                                              blank=True)
    cnm_affiliation_date = models.DateField(_("date d'affiliation au CNM"), null=True, blank=True)
    fte_hours = models.DecimalField(
        _("heures annuelles hors emplois artistiques et techniques"), max_digits=8,
        decimal_places=2, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Tous régimes confondus ; 0,20 ETP = 320 heures."))
    main_activity = models.CharField(_("activité principale"), max_length=32,
                                     choices=MainActivity.choices)
    aesthetics = ArrayField(models.CharField(max_length=32, choices=Aesthetic.choices),
                            verbose_name=_("esthétiques"), default=list, blank=True)
    artists_count = models.PositiveIntegerField(_("nombre d'artistes produits ou accompagnés"),
                                                null=True, blank=True)
    regional_artists_count = models.PositiveIntegerField(
        _("dont artistes établis dans la région"), null=True, blank=True)
    website = models.URLField(_("site web"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("structure")
        verbose_name_plural = _("structures")
        constraints = [
            models.CheckConstraint(condition=Q(siret__regex=r"^[0-9]{14}$"),
                                   name="structure_siret_14_digits"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        self.siret = normalize_siret(self.siret)

    def save(self, *args, **kwargs):
        self.siret = normalize_siret(self.siret)
        self.departement = departement_for_postal_code(self.postal_code) or ""
        self.region_code = region_for_postal_code(self.postal_code) or ""
        super().save(*args, **kwargs)

    @property
    def siren(self) -> str:
        return self.siret[:9]

    @property
    def region_name(self) -> str:
        return INSEE_REGION_CODES.get(self.region_code, "")

    @property
    def cnm_affiliated(self) -> bool:
        return bool(self.cnm_affiliation_number)


class StructureMember(models.Model):
    """A person who may act for a structure (file and follow its dossiers)."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="structure_memberships")
    role = models.CharField(_("rôle"), max_length=16, choices=StructureRole.choices,
                            default=StructureRole.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membre de la structure")
        verbose_name_plural = _("membres de la structure")
        constraints = [models.UniqueConstraint(fields=["structure", "user"],
                                               name="structure_member_unique")]

    def __str__(self):
        return f"{self.user} — {self.structure}"


class PerformerLicence(models.Model):
    """A performer licence (licence d'entrepreneur de spectacles) held by a structure."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="licences")
    category = models.CharField(_("catégorie"), max_length=1, choices=LicenceCategory.choices)
    number = models.CharField(_("numéro"), max_length=64)
    valid_until = models.DateField(_("valable jusqu'au"), null=True, blank=True)

    class Meta:
        ordering = ["category"]
        verbose_name = _("licence d'entrepreneur de spectacles")
        verbose_name_plural = _("licences d'entrepreneur de spectacles")
        constraints = [models.UniqueConstraint(fields=["structure", "category"],
                                               name="licence_unique_category")]

    def __str__(self):
        return f"{self.get_category_display()} — {self.number}"


class AnnualRevenue(models.Model):
    """The structure's revenue (chiffre d'affaires) for one year."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="revenues")
    year = models.PositiveSmallIntegerField(_("année"), validators=[MinValueValidator(1950),
                                                                    MaxValueValidator(2100)])
    amount = models.DecimalField(_("chiffre d'affaires (€)"), max_digits=12, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        ordering = ["-year"]
        verbose_name = _("chiffre d'affaires annuel")
        verbose_name_plural = _("chiffres d'affaires annuels")
        constraints = [models.UniqueConstraint(fields=["structure", "year"],
                                               name="revenue_unique_year")]

    def __str__(self):
        return f"{self.year} : {self.amount}"


def _structure_invitation_token() -> str:
    import secrets

    return secrets.token_urlsafe(32)


def _structure_invitation_expiry():
    from datetime import timedelta

    from django.utils import timezone

    return timezone.now() + timedelta(days=14)


class StructureInvitation(models.Model):
    """An invitation, by e-mail, to become a member of a structure (global, like Structure)."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE,
                                  related_name="invitations")
    email = models.EmailField(_("adresse e-mail"))
    token = models.CharField(max_length=64, unique=True, default=_structure_invitation_token,
                             editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=_structure_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation à une structure")
        verbose_name_plural = _("invitations à une structure")
        constraints = [
            models.UniqueConstraint(fields=["structure", "email"],
                                    condition=Q(accepted_at__isnull=True),
                                    name="structure_invitation_unique_pending"),
        ]

    def __str__(self):
        return f"{self.email} → {self.structure}"

    @property
    def is_pending(self) -> bool:
        from django.utils import timezone

        return self.accepted_at is None and self.expires_at > timezone.now()
