"""How the portal's forms mark their fields (DSFR: mark the optional fields, not the required
ones) and what their drop-downs say before a choice is made.

* A field is marked « (Optionnel) » only when the user may really leave it empty. Draft forms
  (the guided dossier form saves a draft at every step, so its fields are not `required` for
  Django) and fields required only in some cases (the motivation of a refusal) are marked
  ``field.not_optional = True`` (`mark_not_optional`): those carry no marker.
* Drop-downs start with « Sélectionnez une option », not Django's
  « --------- ».

django-dsfr's field snippets call its template tag ``dsfr_mark_optionnal_fields``; `install`
(PortalConfig.ready) registers ours under that name, so every snippet follows this rule."""

from django import forms
from django.utils.translation import gettext_lazy as _

EMPTY_LABEL = _("Sélectionnez une option")
DJANGO_EMPTY_LABEL = "---------"


def is_optional(field: forms.Field) -> bool:
    return not field.required and not getattr(field, "not_optional", False)


def optional_marker(bound_field) -> str:
    return " " + _("(Optionnel)") if is_optional(bound_field.field) else ""


def mark_not_optional(form, *names) -> None:
    """The fields `names` of `form` are needed (to file the dossier, or in some cases) although
    the form accepts them empty: no « (Optionnel) »."""
    for name in names:
        if name in form.fields:
            form.fields[name].not_optional = True


def french_empty_labels(form) -> None:
    """« --------- » → « Sélectionnez une option » in `form`'s drop-downs."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            if field.empty_label == DJANGO_EMPTY_LABEL:
                field.empty_label = EMPTY_LABEL
        elif isinstance(field, forms.ChoiceField) and not isinstance(
                field.widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
            choices = list(field.choices)
            if any(value == "" and label == DJANGO_EMPTY_LABEL for value, label in choices):
                field.choices = [(value, EMPTY_LABEL if value == "" and label ==
                                  DJANGO_EMPTY_LABEL else label) for value, label in choices]
        if isinstance(field.widget, (forms.RadioSelect,)) and isinstance(
                field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            # a radio list offers no « --------- » choice at all
            field.choices = [(v, lbl) for v, lbl in field.choices
                             if not (v == "" and lbl == DJANGO_EMPTY_LABEL)]


def install() -> None:
    from dsfr.templatetags import dsfr_tags

    dsfr_tags.register.simple_tag(optional_marker, name="dsfr_mark_optionnal_fields")
