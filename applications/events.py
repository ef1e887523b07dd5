"""French sentences of the applicant side's audit actions (see portal/events.py)."""

from django.utils.translation import gettext_lazy as _

from portal.events import Values, register_many


def _step(v: Values) -> str:
    from .enums import DossierStep

    return v.label("step", DossierStep)


def _structure_updated(v: Values) -> str:
    from .models import Structure

    names = []
    for name in v.raw("fields") or []:
        try:
            names.append(str(Structure._meta.get_field(name).verbose_name))
        except Exception:  # noqa: BLE001 - a former field name
            names.append(name.replace("_", " "))
    return _("Profil de la structure modifié : %(fields)s") % {"fields": ", ".join(names) or "—"}


def _completion_requested(v: Values) -> str:
    from .enums import DossierStep

    labels = dict(DossierStep.choices)
    steps = ", ".join(str(labels.get(s, s)) for s in v.raw("steps") or [])
    text = str(_("Compléments demandés par l’instruction"))
    if steps:
        text += _(" (étapes : %(steps)s)") % {"steps": steps}
    if v.raw("due_at"):
        text += _(", à fournir avant le %(due)s") % {"due": v["due_at"]}
    return text


def _withdrawn(v: Values) -> str:
    reason = (v.raw("reason") or "").strip()
    return _("Dossier retiré : « %(reason)s »") % {"reason": reason} if reason else \
        _("Dossier retiré")


register_many({
    "applications.dossier.created": _("Dossier créé (brouillon)"),
    "applications.dossier.submitted": _("Dossier déposé sous la référence %(reference)s"),
    "applications.dossier.resubmitted": _("Dossier complété et déposé à nouveau"),
    "applications.dossier.completion_requested": _completion_requested,
    "applications.dossier.completed": lambda v: _("Étape « %(step)s » complétée") % {
        "step": _step(v)},
    "applications.dossier.withdrawn": _withdrawn,
    "applications.dossier.message_posted": lambda v: _("Message de l’instruction")
    if v.raw("from_instructor") else _("Message de la structure"),
    "applications.dossier.notified": _("Courriel envoyé à la structure"),
    "applications.structure.created": _("Profil de la structure créé (SIRET %(siret)s)"),
    "applications.structure.updated": _structure_updated,
    "applications.structure.licence_saved": _("Licence d’entrepreneur de spectacles de "
                                              "catégorie %(category)s enregistrée "
                                              "(n° %(number)s)"),
    "applications.structure.licence_deleted": _("Licence de catégorie %(category)s retirée"),
    "applications.structure.revenue_saved": _("Chiffre d’affaires %(year)s enregistré : "
                                              "%(amount)s"),
    "applications.structure.revenue_deleted": _("Chiffre d’affaires %(year)s retiré"),
    "applications.structure.member_invited": _("%(email)s invité·e à rejoindre la structure"),
    "applications.structure.member_joined": _("%(email)s a rejoint la structure"),
})
