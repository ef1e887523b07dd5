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


class MainActivity(models.TextChoices):
    """Main activity of a music structure (shared by profiles, eligibility rules, mentoring)."""

    LIVE_PRODUCTION = "live_production", _("Production de spectacles (spectacle vivant)")
    RECORDED_MUSIC = "recorded_music", _("Label / production phonographique")
    PUBLISHING = "publishing", _("Édition musicale")
    MUSIC_TO_IMAGE = "music_to_image", _("Musique à l'image / production vidéo")
    VENUE = "venue", _("Lieu de diffusion / salle")
    FESTIVAL = "festival", _("Festival")
    CAREER_DEVELOPMENT = "career_development", _("Développement de carrières d'artistes")
    NETWORK = "network", _("Réseau, fédération, centre de ressources")
    EDUCATION = "education", _("Formation, enseignement, action culturelle")
    OTHER = "other", _("Autre")


class Aesthetic(models.TextChoices):
    ROCK_POP = "rock_pop", _("Rock, pop")
    CHANSON = "chanson", _("Chanson")
    ELECTRO = "electro", _("Musiques électroniques")
    HIP_HOP = "hip_hop", _("Rap, hip-hop, R'n'B")
    JAZZ = "jazz", _("Jazz, musiques improvisées")
    WORLD = "world", _("Musiques du monde, traditionnelles")
    METAL = "metal", _("Metal, punk, hardcore")
    REGGAE = "reggae", _("Reggae, dub")
    OTHER = "other", _("Autres")
