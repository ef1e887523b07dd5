from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _schedule_on_close(sender, *, session, decision_ids, now, **kwargs):
    """A committee session closed: each grant it published gets its payment schedule."""
    from reviews.models import Decision

    from .services import schedule_create

    for decision in (Decision.objects.filter(pk__in=decision_ids)
                     .select_related("dossier").prefetch_related("shares")):
        schedule_create(decision=decision, now=now)


class AwardsConfig(AppConfig):
    name = "awards"
    verbose_name = _("Suivi des aides")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from applications.sections import register_dossier_section
        from portal.navigation import NavItem, register
        from portal.notifications import register_attachment
        from portal.reminders import register_provider
        from reviews.selectors import register_released_amounts
        from reviews.services import session_closed

        from . import privacy, rules, workflow  # noqa: F401  (permissions)
        from .notifications import balance_letter_attachment
        from .reminders import report_due_reminders
        from .sections import followup_section
        from .selectors import released_amounts

        workflow.register()
        from applications.eligibility_facts import register_structure_facts

        from .facts import previous_reports_facts

        register_structure_facts(previous_reports_facts)
        session_closed.connect(_schedule_on_close, dispatch_uid="awards_schedule_on_close")
        register_attachment("awards.balance_letter", balance_letter_attachment)
        register_provider(report_due_reminders)
        register_released_amounts(released_amounts)
        register_dossier_section("awards/_applicant_followup.html", followup_section)
        privacy.register()
        register(
            NavItem(_("Versements"), "awards:payments", "awards.view_payments", order=45),
            NavItem(_("Enveloppes"), "awards:envelope", "awards.view_envelope", order=48),
        )
