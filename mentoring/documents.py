"""The tripartite convention, rendered on demand as PDF (never stored: it always reflects
the current cahier des charges and calendar; the served response is an attachment)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.enums import OrganizationKind
from portal.formatting import format_date_fr
from portal.models import Organization
from portal.pdf import render_pdf

from .explain import fmt_days


def _num(value) -> str:
    return fmt_days(value)


def pilot_name(tenant) -> str:
    org = Organization.objects.filter(tenant=tenant, kind=OrganizationKind.PILOT).first()
    return org.name if org else _("Structure pilote du dispositif")


def convention_context(engagement) -> dict:
    return {
        "engagement": engagement,
        "need": engagement.need,
        "resource": engagement.resource,
        "tenant": engagement.tenant,
        "pilot_name": pilot_name(engagement.tenant),
        "terms_lines": [line for line in engagement.terms.splitlines() if line.strip()],
        "planned_days": _num(engagement.planned_days),
        "day_limit": _num(engagement.day_limit),
        "start_date": format_date_fr(engagement.start_date) if engagement.start_date else "",
        "end_date": format_date_fr(engagement.end_date) if engagement.end_date else "",
        "sessions": [{"date_text": format_date_fr(s.date), "days_text": _num(s.days),
                      "notes": s.notes} for s in engagement.sessions.all()],
        "today": format_date_fr(timezone.localdate()),
    }


def convention_pdf(engagement) -> bytes:
    return render_pdf(template_name="pdf/mentoring_convention.html",
                      context=convention_context(engagement))


def convention_filename(engagement) -> str:
    return f"convention-{engagement.need.reference.lower()}.pdf"
