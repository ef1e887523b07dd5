"""Cache invalidation for what the middlewares read on every request (portal.tenancy): a
tenant by slug with its frame facts, and a user's staff / two-factor facts. The cache is shared by every web
process (Redis in production), so forgetting here is seen everywhere at once."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from .tenancy import forget_tenant, forget_tenant_by_pk, forget_user_facts


@receiver(pre_save, sender="portal.Tenant", dispatch_uid="portal_tenant_slug")
def tenant_saving(sender, instance, raw=False, **kwargs):
    """A renamed slug: the old one is forgotten too (it must answer 404 at once)."""
    if instance.pk and not raw:
        instance._previous_slug = sender.objects.filter(pk=instance.pk).values_list(
            "slug", flat=True).first()


@receiver([post_save, post_delete], sender="portal.Tenant", dispatch_uid="portal_tenant_cache")
def tenant_changed(sender, instance, **kwargs):
    forget_tenant(instance.slug, getattr(instance, "_previous_slug", None))


@receiver([post_save, post_delete], sender="portal.Organization",
          dispatch_uid="portal_organization_frame")
@receiver([post_save, post_delete], sender="portal.Signatory",
          dispatch_uid="portal_signatory_frame")
def frame_fact_changed(sender, instance, **kwargs):
    """The cached tenant carries its signatories and whether it has a pilot structure."""
    forget_tenant_by_pk(instance.tenant_id)


@receiver([post_save, post_delete], sender="portal.Membership",
          dispatch_uid="portal_membership_facts")
def membership_changed(sender, instance, **kwargs):
    forget_user_facts(instance.user_id)


@receiver([post_save, post_delete], sender="mfa.Authenticator",
          dispatch_uid="portal_authenticator_facts")
def authenticator_changed(sender, instance, **kwargs):
    forget_user_facts(instance.user_id)


@receiver(post_save, sender="portal.User", dispatch_uid="portal_user_facts")
def user_changed(sender, instance, **kwargs):
    forget_user_facts(instance.pk)
