"""The tripartite convention (PDF), stored privately with a checksum by `document_generate`.

A task produces it as soon as the engagement is proposed and again whenever what it shows
changes (cahier des charges, calendar, sessions, parties); the download serves the stored
file, producing it first if the task has not run yet (worker down), so it is never stale."""

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal.documents import document_generate

from portal.enums import OrganizationKind
from portal.formatting import format_date_fr
from portal.models import Organization

from .explain import fmt_days


def _num(value) -> str:
    return fmt_days(value)


def pilot_organization(tenant):
    return Organization.objects.filter(tenant=tenant, kind=OrganizationKind.PILOT).first()


def pilot_name(tenant) -> str:
    org = pilot_organization(tenant)
    return org.name if org else _("Structure pilote du dispositif")


def pilot_identity(tenant) -> dict:
    """The pilot structure as its organisation record names it: name, SIRET, address lines,
    representative (set by the tenant admin on « Identité sur les documents »)."""
    org = pilot_organization(tenant)
    if org is None:
        return {"name": str(_("Structure pilote du dispositif")), "siret": "", "address": [],
                "representative": "", "representative_title": ""}
    return {"name": org.name, "siret": org.siret, "address": org.address_lines,
            "representative": org.representative_name,
            "representative_title": org.representative_title}


def convention_context(engagement) -> dict:
    return {
        "engagement": engagement,
        "need": engagement.need,
        "resource": engagement.resource,
        "tenant": engagement.tenant,
        "pilot_name": pilot_name(engagement.tenant),
        "pilot": pilot_identity(engagement.tenant),
        "terms_lines": [line for line in engagement.terms.splitlines() if line.strip()],
        "planned_days": _num(engagement.planned_days),
        "day_limit": _num(engagement.day_limit),
        "start_date": format_date_fr(engagement.start_date) if engagement.start_date else "",
        "end_date": format_date_fr(engagement.end_date) if engagement.end_date else "",
        "sessions": [{"date_text": format_date_fr(s.date), "days_text": _num(s.days),
                      "notes": s.notes} for s in engagement.sessions.all()],
        "today": format_date_fr(timezone.localdate()),
    }


CONVENTION_KIND = "mentoring.convention"
CONVENTION_TEMPLATE = "pdf/mentoring_convention.html"


def convention_source(context: dict) -> dict:
    """Everything the convention shows except its date of issue: the stored document is
    produced again only when this changes (and then carries the new date)."""
    with translation.override("fr"):
        html = render_to_string(CONVENTION_TEMPLATE,
                                {**context, "today": "", "LANGUAGE_CODE": "fr"})
    return {"html": html}


def convention_generate(engagement):
    """(GeneratedDocument, rendered?) — the stored convention, produced if its data changed."""
    context = convention_context(engagement)
    return document_generate(tenant=engagement.tenant, kind=CONVENTION_KIND, target=engagement,
                             template_name=CONVENTION_TEMPLATE, context=context,
                             source=convention_source(context),
                             filename=convention_filename(engagement))


def convention_filename(engagement) -> str:
    return f"convention-{engagement.need.reference.lower()}.pdf"
