"""French sentences of the calls' audit actions (see portal/events.py)."""

from django.utils.translation import gettext_lazy as _

from portal.events import Values, register_many

#: calls.<item>.<verb>: the item's name in a sentence (services.ITEM_ACTION values).
ITEM_NAMES = {
    "track": (_("Volet ajouté : %(name)s"), _("Volet modifié : %(fields)s"),
              _("Volet supprimé : %(name)s")),
    "category": (_("Catégorie ajoutée : %(name)s"),
                 _("Catégorie modifiée : %(fields)s"),
                 _("Catégorie supprimée : %(name)s")),
    "criterion": (_("Critère d’éligibilité ajouté : %(name)s"),
                  _("Critère d’éligibilité modifié : %(fields)s"),
                  _("Critère d’éligibilité supprimé : %(name)s")),
    "appraisal_criterion": (_("Critère d’appréciation ajouté : %(name)s"),
                            _("Critère d’appréciation modifié : %(fields)s"),
                            _("Critère d’appréciation supprimé : %(name)s")),
    "document_requirement": (_("Pièce demandée ajoutée : %(name)s"),
                             _("Pièce demandée modifiée : %(fields)s"),
                             _("Pièce demandée supprimée : %(name)s")),
}
VERBS = ("created", "updated", "deleted")


def _item(sentence):
    def render(v: Values) -> str:
        name = v.raw("title") or v.raw("label") or "—"
        return str(sentence) % {"name": name, "fields": v.changed_fields()}
    return render


def _published(v: Values) -> str:
    version = v.raw("rules_version")
    if version:
        return _("Appel publié (règles, version %(version)s)") % {"version": version}
    return _("Appel publié")


register_many({
    "calls.call.created": _("Appel créé : %(title)s"),
    "calls.call.updated": lambda v: _("Appel modifié : %(fields)s") % {
        "fields": v.changed_fields()},
    "calls.call.published": _published,
    "calls.call.closed": _("Appel clos aux candidatures"),
    "calls.call.archived": _("Appel archivé"),
    "calls.call.deleted": _("Appel supprimé : %(title)s"),
    "calls.call.cloned": _("Appel créé par copie de « %(from_slug)s »"),
    "calls.call.rules_version_bumped": _("Règles de l’appel modifiées (version "
                                         "%(rules_version)s)"),
    **{f"calls.{item}.{verb}": _item(sentences[VERBS.index(verb)])
       for item, sentences in ITEM_NAMES.items() for verb in VERBS},
})
