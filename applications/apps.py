from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def filed_dossier_count(call) -> int:
    """Dossiers already filed on `call` (for the calls admin's rule-change warning)."""
    from .enums import DossierStatus
    from .models import Dossier

    return Dossier.objects.filter(call=call).exclude(status=DossierStatus.DRAFT).count()


def _overview_pipeline(request) -> dict:
    from .selectors import pipeline

    return {"dossier_pipeline": pipeline(request.tenant)}


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("Candidatures")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from calls.versioning import register_filed_dossier_counter
        from portal.navigation import NavItem, register

        from . import rules  # noqa: F401  (registers the permissions)

        register_filed_dossier_counter(filed_dossier_count)
        from portal.views.manage import register_overview_section

        register_overview_section("applications/_overview_pipeline.html", _overview_pipeline)
        from .reminders import register as register_reminders

        register_reminders()
        from portal.notifications import register_attachment

        from .emails import receipt_attachment

        register_attachment("applications.receipt", receipt_attachment)
        from . import privacy

        privacy.register()
        from django.db.models.signals import post_delete

        from .exports import export_deleted
        from .models import DossierExport

        post_delete.connect(export_deleted, sender=DossierExport,
                            dispatch_uid="applications.export_deleted")
        register(NavItem(_("Mes dossiers"), "applications:dossier_list",
                         "applications.file_dossier", order=200))
