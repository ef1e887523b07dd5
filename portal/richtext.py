"""The rich-text editor of the portal's formatted texts (a call's presentation): ProseMirror,
as shipped built by django-prose-editor (no CDN, no build step), started by our own static
module `static/portal/richtext.js` so that the strict CSP holds: no import map or inline
script (the module imports the editor by its static URL), no injected <style> (the editor's
stylesheets are files). The editor only produces the tags its extensions know (paragraphs,
bold, italic, lists, level 2-3 headings, quotations, links); whatever is posted is still
cleaned on the server with nh3 (`calls.sanitize.sanitize_html`), the one authority on what is
kept. Without JavaScript the textarea stays a plain field (simple HTML accepted)."""

import json

from django import forms
from django.utils.translation import gettext as _


def toolbar_labels() -> dict:
    """The toolbar's names in the reader's language, by the editor's command names (the
    bundle names its buttons in English; its dialogs are translated by its own catalogue)."""
    return {"bold": _("Gras"), "italic": _("Italique"), "bulletList": _("Liste à puces"),
            "orderedList": _("Liste numérotée"),
            "orderedListProperties": _("Propriétés de la liste"),
            "blockquote": _("Citation"), "link": _("Insérer ou modifier un lien"),
            "unlink": _("Retirer le lien"), "history:undo": _("Annuler la modification"),
            "history:redo": _("Rétablir la modification"), "heading2": _("Intertitre"),
            "heading3": _("Sous-intertitre"), "paragraph": _("Paragraphe"),
            "blockType": _("Type de paragraphe")}


class RichTextWidget(forms.Textarea):
    template_name = "django/forms/widgets/textarea.html"

    def __init__(self, attrs=None):
        attrs = {"rows": 10, "data-rich-text": "", **(attrs or {})}
        super().__init__(attrs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"]["data-rich-text-labels"] = json.dumps(
            toolbar_labels(), ensure_ascii=False)
        return context

    class Media:
        css = {"all": ["django_prose_editor/material-icons.css",
                       "django_prose_editor/editor.css", "portal/richtext.css"]}
        # The editor's labels in the page's language (window.gettext), then the editor.
        js = ["/jsi18n/", forms.Script("portal/richtext.js", type="module")]
