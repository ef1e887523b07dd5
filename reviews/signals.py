"""Keep the dossier search document fresh when the applications app files a dossier, changes
what its search document holds (reference, title, structure), or a structure changes its name
or SIRET (the dashboard searches `DossierSummary.search`). Other saves (a bare state change, a
draft field, a structure's licences or revenue) leave the summary alone: they used to refresh
it on every save, across tenants for a structure. The review aggregate is refreshed by
`review_save`."""

from django.db.models.signals import post_save
from django.dispatch import receiver
from django_scopes import scope


#: Saves that touch none of what the summary holds (a bare state change).
_STATE_ONLY = frozenset({"status", "updated_at", "submitted_at", "first_submitted_at",
                         "withdrawn_at"})


def _filed_again(instance) -> bool:
    """Filed (again): the partners may have changed during a completion request."""
    from applications.enums import DossierStatus

    remembered = getattr(instance, "_remembered", None) or {}
    return (instance.status == DossierStatus.SUBMITTED
            and remembered.get("status") != DossierStatus.SUBMITTED)


@receiver(post_save, sender="applications.Dossier", dispatch_uid="reviews_dossier_summary")
def dossier_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.is_draft or not instance.reference:
        return
    changed = instance.changed_since_load()
    filed_again = _filed_again(instance)
    instance.remember_values()
    if update_fields is not None and set(update_fields) <= _STATE_ONLY and not filed_again:
        return
    if changed == {"status"} and not filed_again:
        return
    if not changed:
        return
    from .services import summary_refresh

    with scope(tenant=instance.tenant):
        summary_refresh(dossier=instance)


@receiver(post_save, sender="applications.Structure", dispatch_uid="reviews_structure_summary")
def structure_saved(sender, instance, raw=False, created=False, **kwargs):
    changed = instance.changed_since_load()
    instance.remember_values()
    if raw or created or not changed:
        return
    from applications.selectors import filed_dossiers_of_structure_everywhere

    from .services import summary_refresh

    for dossier in filed_dossiers_of_structure_everywhere(instance):
        with scope(tenant=dossier.tenant):
            summary_refresh(dossier=dossier)
