"""``{% dsfr_form form %}``: a form as django-dsfr renders it (``dsfr/form_snippet.html`` and
its field snippets), written out in Python for the common widgets — text and date inputs,
text areas, selects, a checkbox, a list of checkboxes, radio buttons. Through the templates
each field is a dozen template renders (the snippet, the widget, ``attrs.html`` per option…): the
dashboard's four batch-action forms took 2.5 ms a page that way. The widget's attributes,
value and options come from Django itself (``BoundField.build_widget_attrs``,
``Widget.get_context``), so the markup is the snippets' (tests/portal/test_portal_fields.py
compares the two); any other widget, a hidden field or a field with its own template goes
through the snippets as before."""

from html import escape as _escape

from django import forms
from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from ..form_labels import optional_marker

register = template.Library()

_SNIPPET = "dsfr/form_snippet.html"
#: Widgets drawn by the generic input snippet whose own template is Django's input.html (or
#: select.html, textarea.html) and nothing more.
_GROUPED = {forms.Select, forms.Textarea, forms.TextInput, forms.NumberInput, forms.EmailInput,
            forms.URLInput, forms.DateInput, forms.DateTimeInput, forms.TimeInput}


def escape(value) -> str:
    """As ``{{ value }}`` prints it: safe strings as they are, anything else escaped."""
    if isinstance(value, SafeString):
        return value
    return _escape(str(value))


def _attrs(attrs: dict) -> str:
    """As django/forms/widgets/attrs.html writes them."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {escape(name)}" if value is True else f' {escape(name)}="{_escape(str(value))}"')
    return "".join(out)


def _widget_context(bf) -> dict:
    """What `BoundField.as_widget()` gives the widget's template."""
    widget = bf.field.widget
    if bf.field.localize:
        widget.is_localized = True
    attrs = bf.build_widget_attrs({}, widget)
    if bf.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bf.auto_id)
    return widget.get_context(bf.html_name, bf.value(), attrs)["widget"]


def _input(w: dict) -> str:
    value = "" if w["value"] is None else f' value="{_escape(str(w["value"]))}"'
    return f'<input type="{escape(w["type"])}" name="{escape(w["name"])}"{value}{_attrs(w["attrs"])}>'


def _select(w: dict) -> str:
    out = [f'<select name="{escape(w["name"])}"{_attrs(w["attrs"])}>']
    for group_name, options, _index in w["optgroups"]:
        if group_name:
            out.append(f'<optgroup label="{escape(group_name)}">')
        for o in options:  # "selected" is one of the option's attributes
            out.append(f'<option value="{_escape(str(o["value"]))}"{_attrs(o["attrs"])}>'
                       f'{escape(o["label"])}</option>')
        if group_name:
            out.append("</optgroup>")
    out.append("</select>")
    return "".join(out)


def _textarea(w: dict) -> str:
    value = escape(w["value"]) if w["value"] else ""
    return f'<textarea name="{escape(w["name"])}"{_attrs(w["attrs"])}>\n{value}</textarea>'


def _label_text(bf) -> str:
    """The label, its « (optionnel) » mark and its hint, as the snippets write them."""
    # the snippets' tag `dsfr_mark_optionnal_fields` is ours (portal.form_labels.install)
    return f"{escape(bf.label)}{conditional_escape(optional_marker(bf))}"


def _hint(bf, id_: str) -> str:
    if not bf.help_text:
        return ""
    return f'<span class="fr-hint-text" id="{escape(id_)}_helptext">{bf.help_text}</span>'


def _errors(bf) -> str:
    return f'<div id="{escape(bf.auto_id)}-desc-error">{bf.errors}</div>' if bf.errors else ""


def _input_group(bf, widget_html: str) -> str:
    """dsfr/form_field_snippets/input_snippet.html"""
    group = getattr(bf.field.widget, "group_class", "") or "fr-input-group"
    classes = group + (f" {group}--error" if bf.errors else "") + (
        " fr-input-group--disabled" if bf.field.disabled else "")
    id_ = bf.id_for_label
    return (f'<div class="{escape(classes)}"><label for="{escape(id_)}" class="fr-label">'
            f'{_label_text(bf)}{_hint(bf, id_)}</label>{widget_html}{_errors(bf)}</div>')


def _checkbox(bf) -> str:
    """dsfr/form_field_snippets/checkbox_snippet.html"""
    classes = "fr-checkbox-group" + (" fr-checkbox-group--error" if bf.errors else "") + (
        " fr-input-group--disabled" if bf.field.disabled else "") + " fr-mb-2w"
    return (f'<div class="{classes}">{_input(_widget_context(bf))}'
            f'<label for="{escape(bf.id_for_label)}" class="fr-label">{_label_text(bf)}'
            f'{_hint(bf, bf.auto_id)}</label>{_errors(bf)}</div>')


def _fieldset_start(bf, *, extra_class: str, id_prefix: str, errors_suffix: str) -> str:
    """The opening fieldset and legend of a group of choices, as DSFR's checkbox and radio
    snippets write them (they differ by a class, the id's prefix and the errors' id)."""
    auto_id = escape(bf.auto_id)
    errors = bf.errors
    described = f" {auto_id}-{errors_suffix}" if errors else ""
    return (f'<fieldset class="fr-fieldset{" fr-fieldset--error" if errors else ""}{extra_class}" '
            f'id="{id_prefix}-{auto_id}" aria-labelledby="{auto_id}-legend{described}">'
            f'<legend class="fr-fieldset__legend fr-fieldset__legend--regular" '
            f'id="{auto_id}-legend">{_label_text(bf)}{_hint(bf, bf.auto_id)}</legend>')


def _checkboxes(bf) -> str:
    """dsfr/form_field_snippets/checkboxselectmultiple_snippet.html, each box as DSFR's
    django/forms/widgets/checkbox_option.html writes it."""
    out = [_fieldset_start(bf, extra_class=" fr-fieldsets", id_prefix="checkboxes",
                           errors_suffix="messages")]
    element = "fr-fieldset__element" + (
        " fr-fieldset__element--inline" if getattr(bf.field.widget, "inline", False) else "")
    for option in bf.subwidgets:
        w = option.data
        box = _option(w)
        if w["attrs"].get("dsfr") == "dsfr":
            box = f'<div class="fr-checkbox-group">{box}</div>'
        out.append(f'<div class="{element}">{box}</div>')
    out.append(f"{_errors(bf)}</fieldset>")
    return "".join(out)


def _option(w: dict) -> str:
    """One choice's input and label, as DSFR's checkbox_option.html and radio_option.html
    write them inside their group."""
    attrs = w["attrs"]
    box = _input(w)
    if w.get("wrap_label", True):  # BoundWidget.__str__ wraps the label
        label = w["label"]
        rich = label.get("label") if isinstance(label, dict) else getattr(label, "label", "")
        for_ = f' for="{escape(attrs["id"])}"' if attrs.get("id") else ""
        if rich:
            help_text = (label.get("help_text") if isinstance(label, dict)
                         else getattr(label, "help_text", ""))
            text = (f'{escape(rich)}<span class="fr-hint-text" '
                    f'id="{escape(attrs.get("id", ""))}_helptext">{escape(help_text)}</span>')
        else:
            text = escape(label)
        box += f'<label class="fr-label"{for_}>{text}</label>'
    return box


def _radios(bf) -> str:
    """dsfr/form_field_snippets/radioselect_snippet.html, each choice as DSFR's
    django/forms/widgets/radio_option.html writes it."""
    out = [_fieldset_start(bf, extra_class="", id_prefix="radio", errors_suffix="desc-error")]
    for option in bf.subwidgets:
        out.append(f'<div class="fr-fieldset__element"><div class="fr-radio-group">'
                   f'{_option(option.data)}</div></div>')
    if bf.errors:
        out.append(f'<div class="fr-messages-group" id="{escape(bf.auto_id)}-desc-error">'
                   f'{bf.errors}</div>')
    out.append("</fieldset>")
    return "".join(out)


def _field(bf) -> str:
    from dsfr.utils import dsfr_input_class_attr

    widget = bf.field.widget
    if (bf.is_hidden or bf.field.template_name
            or getattr(type(bf.field), "template_name", None)):
        return str(bf.as_hidden() if bf.is_hidden else bf.as_field_group())
    kind = type(widget)
    if kind is forms.CheckboxInput:
        dsfr_input_class_attr(bf)  # what the snippet's filter does first (aria on errors)
        return _checkbox(bf)
    if kind is forms.CheckboxSelectMultiple:
        dsfr_input_class_attr(bf)
        return _checkboxes(bf)
    if kind is forms.RadioSelect and widget.option_template_name == kind.option_template_name:
        dsfr_input_class_attr(bf)
        return _radios(bf)
    if kind in _GROUPED and widget.template_name == kind.template_name:
        dsfr_input_class_attr(bf)
        w = _widget_context(bf)
        html = _select(w) if kind is forms.Select else _textarea(w) if kind is forms.Textarea \
            else _input(w)
        return _input_group(bf, html)
    return str(bf.as_field_group())


@register.simple_tag
def dsfr_form(form):
    """``{{ form }}`` of a django-dsfr form (`portal.forms.PortalForm`), the same markup."""
    if form.template_name != _SNIPPET:
        return str(form)
    out = []
    if form.non_field_errors():
        out.append(f'<section class="fr-my-4v fr-input-group fr-input-group--error">'
                   f'{form.non_field_errors()}</section>')
    out.extend(_field(bf) for bf in form)
    return mark_safe("".join(out))
