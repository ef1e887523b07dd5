"""Decision letters (grant and refusal), as a French administration sends them.

Co-branded: the State's bloc-marque for the DRAC, each other funder's logo uploaded by the
tenant admin on its organisation (its name otherwise); place and date of signature, the
dossier reference, the structure with its SIRET and address, the service that follows the
dossier and its contact; a grant states its amount in figures and words, each funder's share
with its advance and balance, when the advance is paid, what releases the balance and the
final report's deadline — all from the call's rules as the dossier was filed under them
(`reviews.selectors.dossier_rules`), never from constants here; a refusal states its
motivation; every letter states the legal remedies (voies et délais de recours) and is
signed by the contract's signatories by name and title.

Stored privately with `document_generate` (re-rendered only when the data change), produced
when the session closes (task `reviews.decision_letter`, and again by the notification task
before it attaches the letter), downloadable by the applicant once the session is closed.
"""

from __future__ import annotations

from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext as _

from calls.enums import AdvanceTiming, BalanceTrigger, Funder
from portal.amounts import euros_in_words
from portal.documents import document_generate
from portal.formatting import format_date_fr, format_money, to_paris
from portal.models import Organization

from .enums import DecisionOutcome
from .envelope import money

from .enums import DecisionOutcome

LETTER_KIND = "reviews.decision_letter"

#: Order of the funders on the letterhead and in the tables: the State first.
FUNDER_ORDER = [Funder.DRAC, Funder.CNM, Funder.REGION]


def split_advance(shares: list[tuple[str, Decimal]], advance: Decimal | None
                  ) -> list[tuple[str, Decimal, Decimal, Decimal]]:
    """[(funder, share, advance part, balance part)]: the advance split pro rata between
    the funders, to the cent, the largest share taking the rounding remainder so that the
    parts add up to the decision's advance exactly."""
    total = sum((amount for _f, amount in shares), Decimal("0"))
    if not shares or not advance or not total:
        return [(f, a, Decimal("0.00"), money(a)) for f, a in shares]
    parts = [money(a * advance / total) for _f, a in shares]
    largest = max(range(len(shares)), key=lambda i: shares[i][1])
    parts[largest] += money(advance) - sum(parts, Decimal("0"))
    return [(f, money(a), parts[i], money(a) - parts[i]) for i, (f, a) in enumerate(shares)]


def report_due_date(*, dossier, rules: dict):
    """The final report's deadline: `report_due_months` after the end of the action (its end
    date, else the end of the eligible-expense period); None when the call sets no delay."""
    months = rules.get("report_due_months")
    end = dossier.end_date or dossier.call.expenses_end
    if months is None or end is None:
        return None
    return end + relativedelta(months=int(months))


def _funders(tenant, call, signatories) -> list[dict]:
    """The letterhead's blocks, one per funder of the call (State first)."""
    orgs = {o.kind: o for o in Organization.objects.filter(tenant=tenant,
                                                          kind__in=[f.value for f in FUNDER_ORDER])}
    by_org = {}
    for s in signatories:
        by_org.setdefault(s["organization_id"], s)
    blocks = []
    for funder in FUNDER_ORDER:
        if funder.value not in (call.funders or []) and funder.value not in orgs:
            continue
        org = orgs.get(funder.value)
        signatory = by_org.get(org.pk) if org else None
        block = {"kind": funder.value, "name": org.name if org else str(funder.label),
                 "logo": org.logo.name if org and org.logo else "",
                 "state": funder == Funder.DRAC}
        if block["state"]:
            # the bloc-marque names the authority: « Préfet de la région Occitanie »
            block["authority"] = (signatory["title"] if signatory else
                                  _("Préfet de la région %(region)s") % {"region": tenant.region_name})
        blocks.append(block)
    return blocks


def letter_source(decision) -> dict:
    """Everything the letter shows (JSON-serialisable; its hash decides re-rendering)."""
    from .selectors import dossier_rules

    dossier = decision.dossier
    call = dossier.call
    tenant = dossier.tenant
    structure = dossier.structure
    granted = decision.outcome == DecisionOutcome.GRANTED
    rules = dossier_rules(dossier)
    signatories = [{"organization": str(s.organization), "organization_id": s.organization_id,
                    "name": s.person_name, "title": s.title}
                   for s in tenant.signatories.select_related("organization")]
    shares = sorted(((s.funder, s.amount) for s in decision.shares.all()),
                    key=lambda fa: [f.value for f in FUNDER_ORDER].index(fa[0])
                    if fa[0] in Funder.values else 99)
    split = split_advance(shares, decision.advance_amount) if granted else []
    report_due = report_due_date(dossier=dossier, rules=rules) if granted else None
    signed_on = to_paris(decision.session.closed_at).date() if decision.session.closed_at \
        else decision.session.date
    advance_on = rules.get("advance_paid_on")
    balance_on = rules.get("balance_paid_on")
    return {
        "tenant": tenant.name, "contract": tenant.contract_title or tenant.name,
        "funders": _funders(tenant, call, signatories),
        "signatories": [{k: v for k, v in s.items() if k != "organization_id"}
                        for s in signatories],
        "place": tenant.letter_place, "signed_on": format_date_fr(signed_on),
        "service": {"name": tenant.service_name, "email": tenant.service_email,
                    "phone": tenant.service_phone},
        "reference": dossier.reference, "structure": structure.name,
        "address": structure.address, "postal_code": structure.postal_code,
        "city": structure.city, "siret": structure.siret,
        "title": dossier.title, "call": call.title,
        "track": str(dossier.track or ""), "category": str(dossier.category or ""),
        "session_date": format_date_fr(decision.session.date),
        "granted": granted,
        "amount": format_money(decision.amount) if granted else "",
        "amount_words": euros_in_words(decision.amount) if granted else "",
        "advance_percentage": (f"{decision.advance_percentage:.0f}"
                               if granted and decision.advance_percentage is not None else ""),
        "advance": format_money(decision.advance_amount) if granted else "",
        "balance": format_money(decision.balance_amount) if granted else "",
        "advance_on": str(AdvanceTiming(advance_on).label) if advance_on else "",
        "balance_on": str(BalanceTrigger(balance_on).label) if balance_on else "",
        "shares": [{"funder": str(Funder(f).label) if f in Funder.values else f,
                    "amount": format_money(a), "words": euros_in_words(a),
                    "advance": format_money(adv), "balance": format_money(bal)}
                   for f, a, adv, bal in split],
        "expenses_start": format_date_fr(call.expenses_start) if call.expenses_start else "",
        "expenses_end": format_date_fr(call.expenses_end) if call.expenses_end else "",
        "report_due": format_date_fr(report_due) if report_due else "",
        "report_due_months": rules.get("report_due_months"),
        "conditions": decision.conditions, "motivation": decision.motivation,
        "tribunal": tenant.tribunal_label, "tribunal_address": tenant.tribunal_address,
        "version": decision.version,
    }


def letter_context(decision, source: dict) -> dict:
    """The source plus what is only drawn (the logos' images, read through the storage)."""
    from portal.pdf import image_data_uri

    names = [block["logo"] for block in source["funders"] if block["logo"]]
    logos = {o.logo.name: image_data_uri(o.logo) for o in Organization.objects.filter(
        tenant=decision.dossier.tenant, logo__in=names)} if names else {}
    funders = [{**block, "logo_uri": logos.get(block["logo"], "")} for block in source["funders"]]
    return {"letter": {**source, "funders": funders}}


def decision_letter_generate(decision):
    source = letter_source(decision)
    return document_generate(
        tenant=decision.dossier.tenant, kind=LETTER_KIND, target=decision,
        template_name="pdf/decision_letter.html", context=letter_context(decision, source),
        source=source, filename=f"decision-{decision.dossier.reference}.pdf")


def stored_letter(decision):
    """The stored letter (GeneratedDocument) of a decision, or None."""
    from django.contrib.contenttypes.models import ContentType

    from portal.models import GeneratedDocument

    return GeneratedDocument.objects.filter(
        kind=LETTER_KIND, target_type=ContentType.objects.get_for_model(type(decision)),
        target_id=str(decision.pk)).first()


def letter_for_email(decision) -> tuple[str, bytes, str]:
    """The decision letter as an e-mail attachment, produced first if the letter task has not
    run yet (same data: the stored file, not rendered again)."""
    from portal.storage import read_private_file

    document, _rendered = decision_letter_generate(decision)
    return document.filename, read_private_file(document.file_path), "application/pdf"


def published_decision_section(dossier, user) -> dict | None:
    """What the dossier page shows of the decision once it is published (its session
    closed — never before): the figures of the letter and the letter itself. Registered as
    a section of the applications' dossier page (`applications.sections`)."""
    from .enums import SessionStatus
    from .models import Decision

    from django.db.models import prefetch_related_objects

    # The page's dossier comes with its structure, call, tenant, track and category, and its
    # decision with the session (applications' dossier page reads them in its one query): the
    # decision is taken from it rather than joining them all again (a fifth of the page's
    # CPU, on every dossier page, decided or not). One query when the dossier came without.
    try:
        decision = dossier.decision
    except Decision.DoesNotExist:
        return None
    if decision.session.status != SessionStatus.CLOSED:
        return None
    decision.dossier = dossier
    prefetch_related_objects([decision], "shares")
    return {"decision": decision, "letter": letter_source(decision),
            "document": stored_letter(decision)}
