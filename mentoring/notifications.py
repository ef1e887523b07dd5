"""E-mails to the beneficiary at each step of their request (in their language)."""

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from portal.emails import absolute_url
from portal.notifications import notify

from .explain import fmt_days

from .enums import DiagnosisOutcome


def _message(need, event: str) -> str:
    diagnosis = getattr(need, "diagnosis", None)
    if event == "submitted":
        return _("Votre demande a bien été reçue. La structure pilote va l'étudier et vous "
                 "tiendra informé·e du diagnostic.")
    if event == "diagnosed" and diagnosis is not None:
        if diagnosis.outcome in (DiagnosisOutcome.TSF, DiagnosisOutcome.MENTORING):
            return _("Diagnostic : %(outcome)s, %(days)s jour(s). La structure pilote recherche "
                     "maintenant une personne-ressource.") % {
                "outcome": diagnosis.get_outcome_display(),
                "days": fmt_days(diagnosis.days)}
        if diagnosis.outcome == DiagnosisOutcome.NOT_ELIGIBLE:
            return _("Votre demande n'est pas éligible au dispositif : %(comment)s") % {
                "comment": diagnosis.comment}
        return _("Votre besoin relève plutôt d'un autre dispositif (%(outcome)s). Où vous "
                 "adresser : %(where)s") % {"outcome": diagnosis.get_outcome_display(),
                                            "where": diagnosis.redirect_to}
    return {
        "matched": _("Une personne-ressource a été identifiée. La structure pilote vous "
                     "transmet le cahier des charges et la convention tripartite."),
        "engagement_signed": _("La convention tripartite est signée."),
        "engagement_in_progress": _("Votre accompagnement a démarré."),
        "engagement_done": _("Votre accompagnement est terminé. Donnez-nous votre retour : il "
                             "aide la structure pilote à proposer les bonnes personnes."),
        "engagement_cancelled": _("La mise en relation a été annulée ; la structure pilote "
                                  "recherche une autre personne-ressource."),
        "withdrawn": _("Votre demande a été retirée."),
    }.get(event, "")


def send_need_notification(need, event: str, *, key: str = "") -> None:
    """One message in the ledger, keyed by the occasion (the audit event of the change)."""
    user = need.submitted_by
    if user is None or not user.email:
        return
    language = getattr(user, "language", "fr") or "fr"
    with translation.override(language):
        message = _message(need, event)
        state = need.get_state_display()
    url = absolute_url(reverse("mentoring:my_need", kwargs={"tenant_slug": need.tenant.slug,
                                                            "pk": need.pk}))
    notify(kind=f"mentoring.need_{event}", target=need, key=key or event, recipients=[user],
           template="mentoring_need_update", tenant=need.tenant,
           context={"need": need, "tenant": need.tenant, "state": state, "message": message,
                    "url": url, "event": event})
