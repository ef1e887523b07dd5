"""French sentences of the mentoring scheme's audit actions (see portal/events.py)."""

from django.utils.translation import gettext_lazy as _

from portal.events import Values, register_many

from .enums import DiagnosisOutcome, EngagementState, FeedbackSide


def _engagement_state(state):
    def render(v: Values) -> str:
        label = EngagementState(state).label
        reason = (v.raw("reason") or "").strip()
        text = _("Accompagnement : %(state)s") % {"state": label}
        return f"{text} (« {reason} »)" if reason else text
    return render


def _assignment(v: Values) -> str:
    return _("Répartition globale calculée : %(assigned)s besoin(s) pourvu(s) sur %(needs)s, "
             "%(resources)s personne(s)-ressources") % {
        "assigned": v["assigned"], "needs": v["needs"], "resources": v["resources"]}


def _proposal(sentence):
    def render(v: Values) -> str:
        reason = (v.raw("reason") or "").strip()
        return f"{sentence} (« {reason} »)" if reason else str(sentence)
    return render


register_many({
    "mentoring.need.submitted": _("Besoin d’accompagnement exprimé"),
    "mentoring.need.diagnosed": lambda v: _("Besoin diagnostiqué : %(outcome)s") % {
        "outcome": v.label("outcome", DiagnosisOutcome)},
    "mentoring.need.withdrawn": _("Besoin retiré par la structure"),
    "mentoring.assignment.computed": _assignment,
    "mentoring.proposal.accepted": _proposal(_("Proposition de la répartition acceptée")),
    "mentoring.proposal.swapped": _proposal(_("Personne-ressource choisie dans la liste")),
    "mentoring.proposal.overridden": _proposal(_("Personne-ressource imposée hors critères")),
    "mentoring.engagement.proposed": lambda v: _(
        "Accompagnement proposé : %(format)s, %(days)s jour(s)") % {
        "format": v.label("format", DiagnosisOutcome), "days": v["planned_days"]},
    "mentoring.engagement.updated": lambda v: _("Accompagnement modifié : %(fields)s") % {
        "fields": v.changed_fields()},
    **{f"mentoring.engagement.{state}": _engagement_state(state)
       for state in EngagementState.values},
    "mentoring.session.added": _("Séance ajoutée le %(date)s (%(days)s jour)"),
    "mentoring.session.done": _("Séance du %(date)s réalisée"),
    "mentoring.feedback.given": lambda v: _("Retour d’expérience donné (%(side)s, note "
                                            "%(rating)s)") % {
        "side": v.label("side", FeedbackSide), "rating": v["rating"]},
    "mentoring.resource.created": _("Personne-ressource ajoutée : %(name)s"),
    "mentoring.resource.updated": _("Personne-ressource modifiée : %(name)s"),
    "mentoring.theme.created": _("Thématique ajoutée : %(label)s"),
    "mentoring.theme.updated": _("Thématique modifiée : %(label)s"),
    "mentoring.weights.updated": _("Pondérations du rapprochement modifiées"),
})
