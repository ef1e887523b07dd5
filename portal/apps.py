from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portail")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks  # noqa: F401  (deploy checks)
        from . import signals  # noqa: F401  (cache invalidation)
        from .form_labels import install
        from .scope_guard import install as guard_scopes

        from django.db.backends.signals import connection_created

        from .page_generations import install as watch_writes

        # every write to the database forgets the kept pages it may change (portal.pagecache)
        connection_created.connect(watch_writes, dispatch_uid="portal.page_generations")
        guard_scopes()  # exists() & co. outside any scope raise, as every other read does
        install()  # the optional-field marker of django-dsfr's snippets (portal/form_labels.py)
        from .navigation import NavItem, register

        register(
            NavItem(_("Accueil du contrat"), "portal:tenant_home", order=0),
            NavItem(_("Administration du contrat"), "portal:manage_overview",
                    "portal.manage_tenant", order=900),
        )
