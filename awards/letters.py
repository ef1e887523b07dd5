"""The balance or re-evaluation letter (PDF), co-branded like the decision letter: the
grant as decided, what the final report showed (planned and realised eligible expenses), the
grant as it stands after the report, each funder's share, advance paid and balance — or the
amount it recovers — the instructor's motivation, the signatories and the legal remedies.
Produced by the task `awards.balance_letter` when the report is examined, stored with
`document_generate`, attached to the e-mail and downloadable from the dossier."""

from __future__ import annotations

from portal.amounts import euros_in_words
from portal.documents import document_generate
from portal.formatting import format_date_fr, format_money, to_paris

from .arithmetic import ZERO, money
from .enums import AwardStatus, PaymentKind, PaymentStatus

LETTER_KIND = "awards.balance_letter"


def letter_source(report) -> dict:
    """What the letter shows (JSON-serialisable; its hash decides re-rendering)."""
    from reviews.letters import FUNDER_ORDER, _funders
    from reviews.letters import letter_source as decision_source

    from .models import Payment
    from .services import funder_label, report_figures

    dossier = report.dossier
    decision = dossier.decision
    base = decision_source(decision)
    figures = report_figures(dossier, report)
    order = [f.value for f in FUNDER_ORDER]
    payments = list(Payment.objects.filter(dossier=dossier))
    paid_advance = {p.funder: p.paid_amount or ZERO for p in payments
                    if p.kind == PaymentKind.ADVANCE and p.status == PaymentStatus.PAID}
    reevaluation = report.reevaluation
    rows = []
    for share in sorted(decision.shares.all(), key=lambda s: order.index(s.funder)
                        if s.funder in order else 99):
        f = share.funder
        new_share = (money((reevaluation["funders"].get(f) or {}).get("new_share"))
                     if reevaluation else share.amount)
        balance = new_share - paid_advance.get(f, ZERO)
        rows.append({"funder": funder_label(f), "share": format_money(share.amount),
                     "new_share": format_money(new_share),
                     "advance": format_money(paid_advance.get(f, ZERO)),
                     "balance": format_money(max(balance, ZERO)),
                     "recover": format_money(-balance) if balance < 0 else "",
                     "recover_words": euros_in_words(-balance) if balance < 0 else ""})
    amount = report.reevaluated_amount if reevaluation else decision.amount
    advance_total = sum(paid_advance.values(), ZERO)
    balance_total = amount - advance_total
    examined = to_paris(report.examined_at).date() if report.examined_at else None
    return {
        **{k: base[k] for k in ("tenant", "contract", "funders", "signatories", "place",
                                "service", "reference", "structure", "address", "postal_code",
                                "city", "siret", "title", "call", "track", "category",
                                "session_date", "tribunal", "tribunal_address")},
        "signed_on": format_date_fr(examined) if examined else base["signed_on"],
        "reevaluated": bool(reevaluation),
        "granted": format_money(decision.amount),
        "granted_words": euros_in_words(decision.amount),
        "amount": format_money(amount), "amount_words": euros_in_words(amount),
        "released": format_money(decision.amount - amount),
        "planned_eligible": format_money(figures["planned_eligible"]),
        "realised_eligible": format_money(figures["realised_eligible"]),
        "cap": format_money(money(reevaluation["cap"]))
        if reevaluation and reevaluation.get("cap") else "",
        "capped": bool(reevaluation and reevaluation.get("cap")
                       and money(reevaluation["cap"]) < money(reevaluation["pro_rata"])),
        "max_share": (f"{figures['rules'].get('max_share_of_budget'):.0f}"
                      if figures["rules"].get("max_share_of_budget") is not None else ""),
        "advance": format_money(advance_total),
        "balance": format_money(max(balance_total, ZERO)),
        "has_balance": balance_total > 0,
        "recover_total": format_money(-balance_total) if balance_total < 0 else "",
        "shares": rows,
        "comment": report.examination_comment,
        "filed_on": format_date_fr(to_paris(report.filed_at).date()) if report.filed_at else "",
    }


def letter_context(report, source: dict) -> dict:
    from reviews.letters import letter_context as decision_context

    return {"letter": {**source, **decision_context(report.dossier.decision, source)["letter"]}}


def balance_letter_generate(report):
    source = letter_source(report)
    return document_generate(
        tenant=report.dossier.tenant, kind=LETTER_KIND, target=report,
        template_name="pdf/balance_letter.html", context=letter_context(report, source),
        source=source, filename=f"solde-{report.dossier.reference}.pdf")


def stored_letter(report):
    from django.contrib.contenttypes.models import ContentType

    from portal.models import GeneratedDocument

    if report is None or report.pk is None:
        return None
    return GeneratedDocument.objects.filter(
        kind=LETTER_KIND, target_type=ContentType.objects.get_for_model(type(report)),
        target_id=str(report.pk)).first()


def letter_for_email(report) -> tuple[str, bytes, str]:
    from portal.storage import read_private_file

    document, _rendered = balance_letter_generate(report)
    return document.filename, read_private_file(document.file_path), "application/pdf"


def letter_is_due(dossier) -> bool:
    """The report was examined: the letter exists (or is being produced)."""
    return dossier.status in (AwardStatus.REPORT_ACCEPTED, AwardStatus.REEVALUATED,
                              AwardStatus.BALANCE_PAID, AwardStatus.CLOSED)


