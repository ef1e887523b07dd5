"""Keep the dossier search document fresh when the applications app saves a filed dossier or
a structure changes its name (the dashboard searches `DossierSummary.search`)."""

from django.db.models.signals import post_save
from django.dispatch import receiver
from django_scopes import scope


#: Saves that touch none of what the summary holds (a bare state change).
_STATE_ONLY = frozenset({"status", "updated_at", "submitted_at", "first_submitted_at",
                         "withdrawn_at"})


@receiver(post_save, sender="applications.Dossier", dispatch_uid="reviews_dossier_summary")
def dossier_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.is_draft or not instance.reference:
        return
    if update_fields is not None and set(update_fields) <= _STATE_ONLY:
        return
    from .services import summary_refresh

    with scope(tenant=instance.tenant):
        summary_refresh(dossier=instance)


@receiver(post_save, sender="applications.Structure", dispatch_uid="reviews_structure_summary")
def structure_saved(sender, instance, raw=False, created=False, **kwargs):
    if raw or created:
        return
    from django_scopes import scopes_disabled

    from applications.enums import DossierStatus
    from applications.models import Dossier

    from .services import summary_refresh

    with scopes_disabled():  # a global structure: its dossiers in every tenant
        dossiers = list(Dossier.objects.filter(structure=instance)
                        .exclude(status=DossierStatus.DRAFT)
                        .select_related("tenant", "structure"))
    for dossier in dossiers:
        with scope(tenant=dossier.tenant):
            summary_refresh(dossier=dossier)
