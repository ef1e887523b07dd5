"""French sentences of instruction and committee audit actions (see portal/events.py).

No sentence shows a review's score or recommendation: histories are read by officers who may
not see the others' scores yet (blind review)."""

from django.utils.translation import gettext_lazy as _

from portal.events import Values, format_value, register_many


def _funder(v: Values, key="funder") -> str:
    from calls.enums import Funder

    return v.label(key, Funder)


def _shares(v: Values) -> str:
    from calls.enums import Funder

    labels = dict(Funder.choices)
    shares = v.raw("shares") or {}
    return " ; ".join(f"{labels.get(f, f)} {format_value('amount', a)}"
                      for f, a in sorted(shares.items()))


def _decision(v: Values, changed: bool) -> str:
    from .enums import DecisionOutcome

    outcome = v.raw("outcome")
    if outcome == DecisionOutcome.GRANTED:
        text = _("aide accordée de %(amount)s") % {"amount": v["amount"]}
        if v.raw("shares"):
            text += f" ({_shares(v)})"
    elif outcome == DecisionOutcome.REJECTED:
        text = _("aide refusée")
    else:
        text = v.label("outcome", DecisionOutcome)
    return (_("Décision modifiée : %(decision)s") if changed
            else _("Décision enregistrée : %(decision)s")) % {"decision": text}


def _eligibility_overridden(v: Values) -> str:
    from calls.eligibility import status_label

    return _("Critère « %(label)s » corrigé : %(before)s → %(after)s (« %(why)s »)") % {
        "label": v["label"], "before": status_label(v.raw("from")),
        "after": status_label(v.raw("to")), "why": v["justification"]}


def _session_updated(v: Values) -> str:
    from .models import CommitteeSession

    labels = {"calls": _("appels examinés")}
    names = []
    for key in v.data:
        if key in labels:
            names.append(str(labels[key]))
            continue
        try:
            names.append(str(CommitteeSession._meta.get_field(key).verbose_name))
        except Exception:  # noqa: BLE001
            names.append(key.replace("_", " "))
    return _("Séance modifiée : %(fields)s") % {"fields": ", ".join(names) or "—"}


def _vote(v: Values) -> str:
    from .enums import VoteChoice

    return _("Vote enregistré : %(choice)s") % {"choice": v.label("choice", VoteChoice)}


def _conduct(v: Values) -> str:
    chair = v.raw("chair_name") or _("l’administrateur·rice du contrat")
    votes = _("avec vote nominatif") if v.raw("votes_enabled") else _("sans vote nominatif")
    return _("Conduite de la séance : présidence %(chair)s, %(votes)s") % {"chair": chair,
                                                                        "votes": votes}


def _funder_envelope(v: Values) -> str:
    scope = v.raw("call_title") or _("le contrat")
    if v.raw("amount") is None:
        return _("Enveloppe de %(funder)s pour %(scope)s retirée") % {"funder": _funder(v),
                                                                    "scope": scope}
    return _("Enveloppe de %(funder)s pour %(scope)s fixée à %(amount)s") % {
        "funder": _funder(v), "scope": scope, "amount": v["amount"]}


def _batch(v: Values) -> str:
    from .enums import BatchAction

    return v.label("action", BatchAction)


def _exported(v: Values) -> str:
    fmt = str(v.raw("format") or "").upper() or "—"
    return _("Tableau d’instruction exporté (%(format)s, %(rows)s ligne(s))") % {
        "format": fmt, "rows": v["rows"]}


register_many({
    "reviews.dossier.eligible": _("Dossier déclaré recevable"),
    "reviews.dossier.ineligible": _("Dossier déclaré irrecevable"),
    "reviews.dossier.in_review": _("Dossier mis en instruction"),
    "reviews.dossier.in_committee": _("Dossier inscrit à l’ordre du jour du comité"),
    "reviews.decision.recorded": lambda v: _decision(v, changed=False),
    "reviews.decision.changed": lambda v: _decision(v, changed=True),
    "reviews.eligibility.overridden": _eligibility_overridden,
    "reviews.envelope.overridden": _("Dépassement d’enveloppe accepté pour %(amount)s : "
                                     "« %(justification)s »"),
    "reviews.assignment.added": lambda v: _("Rapporteur·rice affecté·e pour %(funder)s") % {
        "funder": _funder(v)},
    "reviews.assignment.removed": _("Rapporteur·rice retiré·e"),
    "reviews.assignment.auto": _("Affectation automatique : %(created)s affectation(s) "
                                 "créée(s), %(unassignable)s sans rapporteur·rice possible"),
    "reviews.conflict.declared": _("Lien d’intérêts déclaré avec %(structure)s "
                                   "(SIRET %(siret)s)"),
    "reviews.conflict.withdrawn": _("Déclaration de lien d’intérêts retirée (SIRET %(siret)s)"),
    "reviews.dashboard.exported": _exported,
    "reviews.recusal.declared": _("Un membre du comité se déporte sur ce dossier"),
    "reviews.review.started": _("Évaluation commencée"),
    "reviews.review.submitted": _("Évaluation soumise"),
    "reviews.session.created": _("Séance du comité créée pour le %(date)s"),
    "reviews.session.updated": _session_updated,
    "reviews.session.member_added": lambda v: _("Membre ajouté à la séance pour %(funder)s") % {
        "funder": _funder(v)},
    "reviews.session.member_removed": lambda v: _("Membre retiré de la séance (%(funder)s)") % {
        "funder": _funder(v)},
    "reviews.session.member_seated_for_another_funder": lambda v: _(
        "Membre délégué pour %(funder)s, hors de son financeur : « %(why)s »") % {
        "funder": _funder(v), "why": v["override"]},
    "reviews.session.agenda_added": _("Dossier ajouté à l’ordre du jour (position "
                                      "%(position)s)"),
    "reviews.saved_view.saved": _("Vue du tableau enregistrée : « %(name)s »"),
    "reviews.saved_view.deleted": _("Vue du tableau supprimée : « %(name)s »"),
    "reviews.batch.started": lambda v: _("Action groupée lancée : %(action)s sur %(n)s "
                                         "dossier(s)") % {"action": _batch(v), "n": v["dossiers"]},
    "reviews.batch.finished": lambda v: _("Action groupée terminée : %(action)s — %(ok)s "
                                          "réussie(s), %(ko)s en échec") % {
        "action": _batch(v), "ok": v["succeeded"], "ko": v["failed"]},
    "reviews.session.presence_recorded": _("Présences enregistrées : %(present)s membre(s) "
                                           "présent(s)"),
    "reviews.session.agenda_built": _("Ordre du jour complété : %(added)s dossier(s) ajouté(s)"),
    "reviews.session.agenda_reordered": _("Ordre du jour réordonné"),
    "reviews.session.closed": _("Séance clôturée : %(decisions)s décision(s) publiée(s)"),
    "reviews.session.closed_early": _("Séance clôturée avant sa date (%(session_date)s) : "
                                      "« %(reason)s »"),
    "reviews.session.letters_requested": _("Courriers de décision demandés "
                                           "(%(decisions)s décision(s))"),
    "reviews.session.conduct_set": _conduct,
    "reviews.session.opened": _("Séance ouverte : le comité siège"),
    "reviews.session.suspended": _("Séance suspendue : retour en préparation"),
    "reviews.session.current_set": _("Le comité examine le dossier en position %(position)s"),
    "reviews.session.split_proposed": lambda v: _("Répartition proposée au comité : %(amount)s "
                                                  "(%(shares)s)") % {"amount": v["amount"],
                                                                    "shares": _shares(v)},
    "reviews.session.member_arrived": lambda v: _("Arrivée de %(name)s (%(funder)s)") % {
        "name": v["name"], "funder": _funder(v)},
    "reviews.session.member_left": lambda v: _("Départ de %(name)s (%(funder)s)") % {
        "name": v["name"], "funder": _funder(v)},
    "reviews.vote.cast": _vote,
    "reviews.envelope.funder_set": _funder_envelope,
    "reviews.settings.threshold_set": _("Seuil de désaccord fixé à %(threshold)s points "
                                        "sur 20"),
})
