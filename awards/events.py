"""French sentences of the follow-up's audit actions (see portal/events.py)."""

from django.utils.translation import gettext_lazy as _

from portal.events import Values, format_value, register_many


def _eur(v: Values, key: str) -> str:
    return format_value("amount", v.raw(key))


def _funder(v: Values) -> str:
    from calls.enums import Funder

    return v.label("funder", Funder)


def _kind(v: Values) -> str:
    from .enums import PaymentKind

    return v.label("kind", PaymentKind).lower()


def _recover(v: Values) -> str:
    from calls.enums import Funder

    labels = dict(Funder.choices)
    recover = v.raw("recover") or {}
    if not recover:
        return ""
    return " " + str(_("À reverser : %(list)s.")) % {"list": " ; ".join(
        f"{labels.get(f, f)} {format_value('amount', a)}" for f, a in sorted(recover.items()))}


def _documents_again(v: Values) -> str:
    labels = v.raw("documents") or []
    if not labels:
        return ""
    return " " + str(_("Pièces à fournir de nouveau : %(list)s.")) % {
        "list": ", ".join(f"« {label} »" for label in labels)}


register_many({
    "awards.dossier.advance_due": lambda v: _("Décision publiée : avance de %(a)s à verser "
                                              "par les financeurs") % {
        "a": _eur(v, "advance_amount")},
    "awards.dossier.advance_paid": lambda v: _("Avance versée (%(a)s au total)") % {
        "a": _eur(v, "amount")},
    "awards.dossier.report_due": _("Bilan final attendu"),
    "awards.dossier.report_overdue": _("Bilan final en retard : il était attendu au plus tard "
                                       "le %(due_date)s"),
    "awards.dossier.report_filed": lambda v: _("Bilan final déposé : dépenses éligibles "
                                               "réalisées %(r)s pour %(p)s prévues") % {
        "r": _eur(v, "realised_eligible"), "p": _eur(v, "planned_eligible")},
    "awards.dossier.report_completion_requested": lambda v: (
        _("Compléments demandés sur le bilan final, à apporter avant le %(due_date)s : "
          "« %(message)s »") % {"due_date": v["due_date"], "message": v["message"]}
        + _documents_again(v)),
    "awards.dossier.report_accepted": lambda v: _("Bilan final accepté : aide de %(a)s "
                                                  "maintenue, solde de %(b)s") % {
        "a": _eur(v, "amount"), "b": _eur(v, "balance")},
    "awards.dossier.reevaluated": lambda v: (_("Aide réévaluée au vu du bilan : %(g)s → "
                                               "%(a)s (%(r)s libérés).") % {
        "g": _eur(v, "granted"), "a": _eur(v, "amount"), "r": _eur(v, "released")}
        + _recover(v)),
    "awards.dossier.balance_paid": lambda v: _("Solde réglé (%(a)s versés)") % {
        "a": _eur(v, "amount")},
    "awards.dossier.closed": _("Dossier soldé et clos"),
    "awards.payment.sent": lambda v: _("%(kind)s de %(a)s (%(f)s) transmis au service "
                                       "financier") % {
        "kind": _kind(v).capitalize(), "a": _eur(v, "amount"), "f": _funder(v)},
    "awards.payment.paid": lambda v: _("%(kind)s de %(a)s versé par %(f)s le %(d)s "
                                       "(référence %(ref)s)") % {
        "kind": _kind(v).capitalize(), "a": _eur(v, "amount"), "f": _funder(v),
        "d": v["paid_on"], "ref": v["reference"]},
    "awards.payment.recovered": lambda v: _("Reversement de %(a)s recouvré par %(f)s le %(d)s "
                                            "(titre %(ref)s)") % {
        "a": _eur(v, "amount"), "f": _funder(v), "d": v["paid_on"], "ref": v["reference"]},
    "awards.convention.received": _("Convention signée reçue le %(received_on)s : avance de "
                                    "%(amount)s à mettre en paiement"),
    "awards.start.attested": lambda v: (
        _("Démarrage de l'action attesté par la structure (au %(started_on)s) : avance de "
          "%(amount)s à mettre en paiement") % {"started_on": v["started_on"],
                                                "amount": _eur(v, "amount")}
        + (" " + str(_("Pièce jointe : %(name)s.")) % {"name": v.raw("document")}
           if v.raw("document") else "")),
    "awards.funder_account.saved": lambda v: _("Compte payeur de %(f)s enregistré (IBAN se "
                                               "terminant par %(end)s)") % {
        "f": _funder(v), "end": v["iban_end"]},
    "awards.bank_account.saved": _("Coordonnées bancaires de %(structure)s enregistrées "
                                   "(IBAN se terminant par %(iban_end)s)"),
    "awards.payments.exported": lambda v: _("Fichier de paiement exporté pour %(f)s "
                                            "(%(n)s ligne(s), format %(fmt)s)") % {
        "f": _funder(v), "n": v["count"], "fmt": str(v["format"]).upper()},
})
