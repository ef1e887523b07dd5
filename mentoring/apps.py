from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MentoringConfig(AppConfig):
    name = "mentoring"
    verbose_name = _("Mentorat")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from portal.navigation import NavItem, register

        from . import privacy, rules  # noqa: F401  (registers the permissions)

        privacy.register()

        register(
            NavItem(_("Mentorat"), "mentoring:home", "mentoring.view_scheme", order=50),
            NavItem(_("Pilotage du mentorat"), "mentoring:dashboard", "mentoring.manage",
                    order=60),
        )
