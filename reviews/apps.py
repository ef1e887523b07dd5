from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = _("Instruction et comité")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from applications.sections import register_dossier_section
        from portal.navigation import NavItem, register
        from portal.reminders import register_provider

        from . import rules, signals  # noqa: F401  (permissions, summary upkeep)
        from . import workflow
        from .reminders import pending_reviews_provider

        workflow.register()
        from portal.notifications import register_attachment

        from .notifications import decision_letter_attachment

        register_attachment("reviews.decision_letter", decision_letter_attachment)
        from . import privacy

        privacy.register()
        from applications.rules import register_conflict_check

        register_conflict_check(rules.is_conflicted)
        from applications.workflow import register_applicant_view

        from .publication import applicant_history, applicant_status

        register_applicant_view(status=applicant_status, history=applicant_history)

        register(
            NavItem(_("Instruction"), "reviews:dashboard", "reviews.view_dashboard", order=40),
            NavItem(_("Rapporteur·rices"), "reviews:assignments", "reviews.assign_from_menu",
                    order=45),
            NavItem(_("Comités"), "reviews:session_list", "reviews.view_sessions", order=50),
            NavItem(_("Mes liens d'intérêts"), "reviews:conflicts",
                    "reviews.declare_conflicts_from_menu", order=55),
        )
        register_provider(pending_reviews_provider)
        from .letters import published_decision_section

        register_dossier_section("reviews/_applicant_decision.html", published_decision_section)
