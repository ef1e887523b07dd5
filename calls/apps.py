from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "calls"
    verbose_name = _("Appels à projets")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from portal.navigation import NavItem, register
        from portal.views.public import register_home_section

        from . import rules  # noqa: F401  (registers the permissions)
        from . import signals  # noqa: F401  (forgets the cached call pages on a change)
        from .views import home_section_context

        register(NavItem(_("Appels à projets"), "calls:call_index", order=10))
        register_home_section("calls/home_section.html", home_section_context)
