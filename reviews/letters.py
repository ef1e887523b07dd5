"""Decision letters: co-branded with the contract's signatories, the amount in figures and in
words, advance and balance, eligible-expense window, conditions and report due; a refusal
states its motivation. Stored privately with `document_generate` (re-rendered only when the
data change), downloadable by the applicant once the session is closed."""

from datetime import timedelta

from portal.amounts import euros_in_words
from portal.documents import document_generate
from portal.formatting import format_date_fr, format_money

from .enums import DecisionOutcome

LETTER_KIND = "reviews.decision_letter"
#: The final report is due this long after the end of the eligible-expense period.
REPORT_DELAY = timedelta(days=90)


def letter_source(decision) -> dict:
    dossier = decision.dossier
    call = dossier.call
    tenant = dossier.tenant
    granted = decision.outcome == DecisionOutcome.GRANTED
    report_due = (call.expenses_end + REPORT_DELAY) if call.expenses_end else None
    return {
        "tenant": tenant.name, "contract": tenant.contract_title or tenant.name,
        "signatories": [{"organization": str(s.organization), "name": s.person_name,
                         "title": s.title} for s in tenant.signatories.select_related("organization")],
        "reference": dossier.reference, "structure": dossier.structure.name,
        "address": f"{dossier.structure.address}, {dossier.structure.postal_code} "
                   f"{dossier.structure.city}",
        "siret": dossier.structure.siret, "title": dossier.title, "call": call.title,
        "category": str(dossier.category or ""),
        "session_date": format_date_fr(decision.session.date),
        "granted": granted,
        "amount": format_money(decision.amount) if granted else "",
        "amount_words": euros_in_words(decision.amount) if granted else "",
        "advance_percentage": (f"{decision.advance_percentage:.0f}"
                               if decision.advance_percentage is not None else ""),
        "advance": format_money(decision.advance_amount) if granted else "",
        "balance": format_money(decision.balance_amount) if granted else "",
        "shares": [(s.get_funder_display(), format_money(s.amount))
                   for s in decision.shares.all()],
        "expenses_start": format_date_fr(call.expenses_start) if call.expenses_start else "",
        "expenses_end": format_date_fr(call.expenses_end) if call.expenses_end else "",
        "report_due": format_date_fr(report_due) if report_due else "",
        "conditions": decision.conditions, "motivation": decision.motivation,
        "version": decision.version,
    }


def decision_letter_generate(decision):
    source = letter_source(decision)
    return document_generate(
        tenant=decision.dossier.tenant, kind=LETTER_KIND, target=decision,
        template_name="pdf/decision_letter.html", context={"letter": source}, source=source,
        filename=f"decision-{decision.dossier.reference}.pdf")
