"""The committee minutes (procès-verbal), a private PDF regenerated only when its data change."""

from django.utils.translation import gettext as _

from portal.documents import document_generate
from portal.enums import Role
from portal.formatting import format_date_fr
from portal.models import Membership

from .enums import DecisionOutcome
from .models import AgendaItem, CommitteeMember, Recusal

MINUTES_KIND = "reviews.committee_minutes"


def minutes_source(session) -> dict:
    items = list(AgendaItem.objects.filter(session=session)
                 .select_related("dossier__structure", "dossier__call", "dossier__category",
                                 "dossier__decision")
                 .prefetch_related("dossier__decision__shares"))
    members = list(CommitteeMember.objects.filter(session=session).select_related("user"))
    titles = dict(Membership.objects.filter(
        tenant=session.tenant, role=Role.COMMITTEE, user__in=[m.user_id for m in members])
        .exclude(title="").values_list("user_id", "title"))
    recusals = list(Recusal.objects.filter(session=session).select_related("user"))
    rows = []
    for item in items:
        d = item.dossier
        decision = getattr(d, "decision", None)
        rows.append({
            "position": item.position, "reference": d.reference, "structure": d.structure.name,
            "call": str(d.call), "category": str(d.category or ""),
            "requested": d.requested_amount,
            "outcome": decision.get_outcome_display() if decision else "",
            "granted": decision is not None and decision.outcome == DecisionOutcome.GRANTED,
            "amount": decision.amount if decision else None,
            "advance": decision.advance_amount if decision else None,
            "shares": [(s.get_funder_display(), s.amount) for s in decision.shares.all()]
            if decision else [],
            "conditions": decision.conditions if decision else "",
            "motivation": decision.motivation if decision else "",
            "override": decision.envelope_override if decision else "",
            "recused": [str(r.user) for r in recusals if r.dossier_id == d.pk],
        })
    return {"session": {"id": session.pk, "title": session.title,
                        "date": format_date_fr(session.date), "quorum": session.quorum,
                        "closed_at": session.closed_at},
            "members": [{"name": ", ".join(filter(None, [m.user.display_name,
                                                         titles.get(m.user_id)])),
                         "funder": m.get_funder_display(),
                         "present": m.present} for m in members],
            "items": rows}


def minutes_generate(session):
    source = minutes_source(session)
    return document_generate(
        tenant=session.tenant, kind=MINUTES_KIND, target=session,
        template_name="pdf/committee_minutes.html",
        context={**source, "tenant": session.tenant,
                 "signatories": list(session.tenant.signatories.select_related("organization")),
                 "title": _("Procès-verbal du comité")},
        source=source, filename=f"proces-verbal-comite-{session.date:%Y-%m-%d}.pdf")
