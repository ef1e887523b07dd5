"""The committee minutes (procès-verbal), a private PDF regenerated only when its data change.

Members by name and funder with their presence, the quorum line counting those present, each
recusal named with its dossier, the decisions per call (a new page for each call) with their
amounts, shares, advance and motivation, and the signature blocks kept with the last
decision."""

from django.utils.translation import gettext as _

from calls.enums import Funder
from portal.documents import document_generate
from portal.enums import Role
from portal.formatting import format_date_fr, to_paris
from portal.models import Membership

from .enums import DecisionOutcome
from .models import AgendaItem, CommitteeMember, Recusal

MINUTES_KIND = "reviews.committee_minutes"


def _funder_label(value: str) -> str:
    return str(Funder(value).label) if value in Funder.values else value


def minutes_source(session) -> dict:
    items = list(AgendaItem.objects.filter(session=session)
                 .select_related("dossier__structure", "dossier__call", "dossier__category",
                                 "dossier__decision")
                 .prefetch_related("dossier__decision__shares"))
    members = list(CommitteeMember.objects.filter(session=session).select_related("user"))
    titles = dict(Membership.objects.filter(
        tenant=session.tenant, role=Role.COMMITTEE, user__in=[m.user_id for m in members])
        .exclude(title="").values_list("user_id", "title"))
    funder_of = {m.user_id: m.get_funder_display() for m in members}
    recusals = list(Recusal.objects.filter(session=session).select_related("user", "dossier"))
    from .enums import VoteChoice
    from .selectors import funder_envelope_lines, presence_events, votes_by_dossier

    votes = votes_by_dossier(session) if session.votes_enabled else {}
    vote_labels = [(value, str(label)) for value, label in VoteChoice.choices]
    calls: dict[int, dict] = {}
    for item in items:
        d = item.dossier
        decision = getattr(d, "decision", None)
        granted = decision is not None and decision.outcome == DecisionOutcome.GRANTED
        group = calls.setdefault(d.call_id, {"title": d.call.title, "rows": []})
        group["rows"].append({
            "position": item.position, "reference": d.reference, "structure": d.structure.name,
            "title": d.title, "category": str(d.category or ""),
            "requested": d.requested_amount,
            "outcome": decision.get_outcome_display() if decision else _("sans décision"),
            "granted": granted,
            "amount": decision.amount if decision else None,
            "advance": decision.advance_amount if granted else None,
            "balance": decision.balance_amount if granted else None,
            "shares": [(_funder_label(s.funder), s.amount) for s in decision.shares.all()]
            if decision else [],
            "conditions": decision.conditions if decision else "",
            "motivation": decision.motivation if decision else "",
            "override": decision.envelope_override if decision else "",
            "recused": [str(r.user) for r in recusals if r.dossier_id == d.pk],
            "votes": [{"label": label, "count": len(votes[d.pk][value]),
                       "names": ", ".join(votes[d.pk][value])}
                      for value, label in vote_labels] if session.votes_enabled else [],
        })
    present = [m for m in members if m.present]
    closed = to_paris(session.closed_at) if session.closed_at else None
    session_calls = list(session.calls.all())
    envelope_rows = [{"label": line.label,
                      "envelope": str(line.envelope) if line.envelope is not None else None,
                      "committed": str(line.committed),
                      "remaining": str(line.remaining) if line.remaining is not None else None,
                      "exceeded": line.exceeded}
                     for line in funder_envelope_lines(session.tenant, session_calls)]
    movements = [{"name": e.user.display_name, "funder": e.get_funder_display(),
                  "kind": e.get_kind_display(), "time": f"{to_paris(e.at):%H} h {to_paris(e.at):%M}"}
                 for e in presence_events(session)]
    return {"session": {"id": session.pk, "title": session.title,
                        "date": format_date_fr(session.date), "quorum": session.quorum,
                        "quorum_each_funder": session.quorum_each_funder,
                        "closed_on": format_date_fr(closed) if closed else "",
                        "closed_time": f"{closed:%H} h {closed:%M}" if closed else "",
                        "closed_by": str(session.closed_by) if session.closed_by_id else ""},
            "members": [{"name": ", ".join(filter(None, [m.user.display_name,
                                                         titles.get(m.user_id)])),
                         "funder": m.get_funder_display(),
                         "present": m.present} for m in members],
            "present_count": len(present), "member_count": len(members),
            "quorum_met": len(present) >= session.quorum,
            "present_funders": sorted({m.get_funder_display() for m in present}),
            "recusals": [{"name": r.user.display_name, "funder": funder_of.get(r.user_id, ""),
                          "reference": r.dossier.reference, "reason": r.reason} for r in recusals],
            "calls": list(calls.values()),
            "votes_enabled": session.votes_enabled,
            "movements": movements,
            "envelopes": envelope_rows,
            "granted_total": sum((row["amount"] for c in calls.values() for row in c["rows"]
                                  if row["granted"]), 0),
            "granted_count": sum(1 for c in calls.values() for row in c["rows"] if row["granted"]),
            "rejected_count": sum(1 for c in calls.values() for row in c["rows"]
                                  if row["outcome"] and not row["granted"]),
            "items": [row for c in calls.values() for row in c["rows"]]}


def _envelope_chart(rows) -> dict:
    """The minutes' envelope summary as the SVG geometry of portal.charts (from the JSON-safe
    rows of the source)."""
    from decimal import Decimal
    from types import SimpleNamespace

    from portal.charts import stacked

    return stacked([SimpleNamespace(label=r["label"], committed=Decimal(r["committed"]),
                                    proposed=Decimal(0),
                                    envelope=Decimal(r["envelope"]) if r["envelope"] else None)
                    for r in rows])


def _envelope_legend(rows) -> list[tuple[str, str]]:
    """The colours of the minutes' envelope chart and what they stand for (the table below
    gives the figures)."""
    from portal.charts import COLOURS

    legend = [(COLOURS["committed"], _("engagé"))]
    if any(r["envelope"] for r in rows):
        legend.append((COLOURS["remaining"], _("reste")))
    return legend


def minutes_generate(session):
    from .letters import FUNDER_ORDER
    from portal.models import Organization

    source = minutes_source(session)
    tenant = session.tenant
    orgs = {o.kind: o.name for o in Organization.objects.filter(
        tenant=tenant, kind__in=[f.value for f in FUNDER_ORDER])}
    signatories = list(tenant.signatories.select_related("organization"))
    return document_generate(
        tenant=tenant, kind=MINUTES_KIND, target=session,
        template_name="pdf/committee_minutes.html",
        context={**source, "tenant": tenant, "signatories": signatories,
                 "envelope_chart": _envelope_chart(source["envelopes"]),
                 "envelope_legend": _envelope_legend(source["envelopes"]),
                 "funder_orgs": orgs, "title": _("Procès-verbal du comité")},
        source={**source, "signatories": [str(s) for s in signatories]},
        filename=f"proces-verbal-comite-{session.date:%Y-%m-%d}.pdf")
