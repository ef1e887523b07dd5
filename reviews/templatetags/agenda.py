"""``{% agenda_cards rows %}``: the committee page's agenda, one card per item, written out in
Python. At 342 items the template loop's sixty-odd nodes per item (each variable resolved,
localised and escaped in turn) were two thirds of the page's time; here each item is one
string built from the row's values (`reviews.selectors.AgendaRow`, whose amounts and scores
are already written out), every value escaped, the labels translated once per page."""

from html import escape as _escape

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


def escape(value) -> str:
    """As ``{{ value }}`` escapes it (django.utils.html.escape is this same call), without the
    lazy-string wrapper it carries: it ran a thousand times per page."""
    return _escape(str(value))


def _labels() -> dict[str, str]:
    """The cards' fixed words, translated once for the page and escaped."""
    return {key: escape(text) for key, text in {
        "requested": _("demandé"), "up": _("Monter"), "down": _("Descendre"),
        "recused": _("Déporté·es :"), "advance": _("avance"), "balance": _("solde"),
        "change": _("Lire le dossier et modifier la décision"),
        "decide": _("Lire le dossier et décider"), "read": _("Lire le dossier"),
        "no_review": _("Aucune évaluation soumise."),
        "conflicted": _("Vous êtes déporté·e sur ce dossier (lien d'intérêts) : évaluations "
                        "masquées."),
        "blind": _("Évaluations masquées : elles s'affichent une fois votre propre évaluation "
                   "du dossier soumise (évaluation à l'aveugle)."),
        "letter": _("Courrier de notification (PDF)"),
        "disagree": _("désaccord entre évaluateur·rices"),
        "optional": _("(Optionnel)"), "recuse": _("Me déporter sur ce dossier"),
        "empty": _("L'ordre du jour est vide."),
    }.items()}


@register.simple_tag(takes_context=True)
def agenda_cards(context, rows, *, recusal_form, dossier_base: str, agenda_url: str,
                 can_manage: bool):
    """The cards of `rows`; ``dossier_base`` is …/dossiers (each card links to
    ``<base>/<pk>/decision/`` and posts its recusal to ``<base>/<pk>/deport/``), ``agenda_url``
    the move buttons' form (shown when ``can_manage``)."""
    t = _labels()
    if not rows:
        return mark_safe(f"<p>{t['empty']}</p>")
    csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(context.get("csrf_token", ""))}">'
    reason = recusal_form["reason"]
    reason_label = f"{escape(reason.label)} {t['optional']}"
    reason_help = escape(reason.help_text)
    base, agenda_url = escape(dossier_base), escape(agenda_url)
    tenant = context.get("tenant")
    out = []
    add = out.append
    for row in rows:
        pk = row.dossier_pk
        ref = escape(row.reference)
        add(f'<section class="fr-card fr-p-3w fr-mt-3w" id="dossier-{pk}" '
            f'aria-labelledby="title-{pk}">\n'
            f'  <h3 id="title-{pk}">{row.position}. {ref} — {escape(row.structure_name)}</h3>\n')
        if row.title:
            add(f'  <p class="fr-text--lead fr-mb-1w">« {escape(row.title)} »</p>\n')
        category = f" · {escape(row.category_title)}" if row.category_title else ""
        add(f"  <p>{escape(row.call_title)}{category} — {t['requested']} "
            f"{escape(row.requested_text or '—')} — "
            f'<span class="fr-badge fr-badge--sm">{escape(row.status_label)}</span></p>\n')
        if can_manage:
            add(f'  <form method="post" class="fr-displayed-inline" action="{agenda_url}">{csrf}'
                f'<input type="hidden" name="action" value="move">'
                f'<input type="hidden" name="item" value="{row.item_pk}">\n'
                f'    <button class="fr-btn fr-btn--sm fr-btn--tertiary" name="direction" '
                f'value="up" type="submit">{t["up"]}<span class="fr-sr-only"> {ref}</span>'
                f'</button>\n'
                f'    <button class="fr-btn fr-btn--sm fr-btn--tertiary" name="direction" '
                f'value="down" type="submit">{t["down"]}<span class="fr-sr-only"> {ref}</span>'
                f'</button></form>\n')
        if row.recused:
            add(f'  <p class="fr-text--sm">{t["recused"]} '
                f'{escape(", ".join(row.recused))}</p>\n')
        if row.conflicted:
            add(f'  <p class="fr-badge fr-badge--warning">{t["conflicted"]}</p>\n')
        elif row.scores_hidden:
            add(f'  <p class="fr-text--sm">{t["blind"]}</p>\n')
        else:
            if row.scores_text:
                disagree = (f' <span class="fr-badge fr-badge--warning fr-badge--sm">'
                            f'{t["disagree"]}</span>' if row.disagreement else "")
                add(f"  <p>{escape(row.scores_text)}{disagree}</p>\n")
            reviews = "".join(
                f"<li>{escape(r.officer)} ({escape(r.funder)}) : {escape(r.total_text)}/20, "
                f"{escape(r.recommendation)}, {escape(r.proposed_text or '—')}</li>"
                for r in row.reviews) or f"<li>{t['no_review']}</li>"
            add(f"  <ul>{reviews}</ul>\n")
        if row.decision_outcome:
            amounts = (f" : {escape(row.decision_amount_text)} ({t['advance']} "
                       f"{escape(row.decision_advance_text)}, {t['balance']} "
                       f"{escape(row.decision_balance_text)})" if row.decision_amount else "")
            motivation = (f" — {escape(row.decision_motivation)}"
                          if row.decision_motivation else "")
            add(f"  <p><strong>{escape(row.decision_label)}</strong>{amounts}{motivation}\n"
                f'    <span class="fr-text--xs">— {escape(row.decided_by)}</span></p>\n')
            if row.letter and not row.conflicted:
                letter = escape(reverse("reviews:decision_letter", kwargs={
                    "tenant_slug": tenant.slug, "decision_pk": row.decision_pk}))
                add(f'    <p><a class="fr-link fr-icon-download-line fr-link--icon-left" '
                    f'href="{letter}">{t["letter"]}<span class="fr-sr-only"> — {ref}</span>'
                    f'</a></p>\n')
        if row.can_recuse:
            add(f'  <form method="post" class="fr-mt-2w" action="{base}/{pk}/deport/">{csrf}\n'
                f'    <div class="fr-input-group"><label class="fr-label" '
                f'for="recusal-reason-{pk}">{reason_label}<span class="fr-hint-text">'
                f'{reason_help}</span></label>\n'
                f'      <input class="fr-input" type="text" id="recusal-reason-{pk}" '
                f'name="reason" maxlength="300"></div>\n'
                f'    <button class="fr-btn fr-btn--sm fr-btn--tertiary" type="submit">'
                f'{t["recuse"]}<span class="fr-sr-only"> — {ref}</span></button>\n'
                f"  </form>\n")
        if row.can_decide:
            label = t["change"] if row.decision_outcome else t["decide"]
            add(f'  <p><a class="fr-btn fr-btn--sm" href="{base}/{pk}/decision/">{label}'
                f'<span class="fr-sr-only"> — {ref}</span></a></p>\n')
        elif row.can_read:
            add(f'  <p><a class="fr-btn fr-btn--sm fr-btn--secondary" '
                f'href="{base}/{pk}/decision/">{t["read"]}'
                f'<span class="fr-sr-only"> — {ref}</span></a></p>\n')
        add("</section>\n")
    return mark_safe("".join(out))
