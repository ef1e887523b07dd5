"""System checks of the portal's own settings (run by `manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

LEGAL_NOTICE_SETTINGS = ("PORTAL_OPERATOR_NAME", "PORTAL_OPERATOR_ADDRESS",
                         "PORTAL_PUBLICATION_DIRECTOR", "PORTAL_HOST", "PORTAL_CONTACT_EMAIL",
                         "PORTAL_DPO_EMAIL")


@register(Tags.security, deploy=True)
def legal_notice_is_complete(app_configs, **kwargs):
    """The legal notice and the personal-data page must name the publisher, the host and
    whom to write to (French law: LCEN art. 6, GDPR art. 13)."""
    missing = [name for name in LEGAL_NOTICE_SETTINGS if not getattr(settings, name, "")]
    if not missing:
        return []
    return [Warning(f"{', '.join(missing)} not set: the legal notice (/mentions-legales/) and "
                    "the personal-data page would name no publisher, host or contact.",
                    hint="Set them in the environment (see deploy.env.example).",
                    id="portal.W001")]
