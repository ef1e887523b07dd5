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

        guard_scopes()  # exists() & co. outside any scope raise, as every other read does
        install()  # the optional-field marker of django-dsfr's snippets (portal/form_labels.py)
        from .navigation import NavItem, register

        register(
            NavItem(_("Accueil du contrat"), "portal:tenant_home", order=0),
            NavItem(_("Administration du contrat"), "portal:manage_overview",
                    "portal.manage_tenant", order=900),
        )
