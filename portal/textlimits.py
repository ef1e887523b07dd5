"""Bounds on the free text people type into the portal.

A dossier, an opinion or a message is read by people and printed in the dossier's PDF: one
applicant typing (or pasting) a megabyte into two fields tied a worker up for 20 s on the
export. Every free-text field therefore has a limit, enforced by the form (the browser's
`maxlength`, counted on screen by static/portal/textcount.js) and by the model (a
`MaxLengthValidator` on the `TextField`, so the column stays `text` and no data moves).

The limits are named here so that a form field and the model field it fills agree.
"""

from django.core.validators import MaxLengthValidator
from django.utils.deconstruct import deconstructible
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

PRESENTATION = 5000   # a project's presentation, objectives, a need, a technical opinion
LONG_TEXT = 10000     # an activity report, the terms of a mentoring engagement
MESSAGE = 5000        # a message between the applicant and the instructors
COMMENT = 2000        # a comment, a motivation, conditions, a justification; a help text
RICH_TEXT = 20000     # a call's presentation, formatted: its HTML markup counts
ADDRESS = 500         # a postal address, one line per line
#: what is kept of one value typed on a dossier step that does not validate yet (shown again
#: for the applicant to shorten): twice the longest limit
KEPT_INPUT = 2 * LONG_TEXT


def bounded(limit: int) -> list:
    """The validators of a model `TextField` holding at most `limit` characters."""
    return [TextLengthValidator(limit)]


@deconstructible
class TextLengthValidator(MaxLengthValidator):
    """At most `limit_value` characters, a line break counting as one (the browser sends
    CR LF and its `maxlength` counts one), with a message in French giving both counts and,
    when known, the field (« Présentation du projet » : 5 000 caractères au plus, le texte en
    compte 6 012.)."""

    message = _("%(limit)s caractères au plus, le texte en compte %(count)s. Raccourcissez-le.")
    named_message = _("« %(label)s » : %(limit)s caractères au plus, le texte en compte "
                      "%(count)s. Raccourcissez-le.")

    def __init__(self, limit_value, label=None):
        super().__init__(limit_value)
        self.label = label

    def clean(self, x):
        return len(x.replace("\r\n", "\n"))

    def __call__(self, value):
        from django.core.exceptions import ValidationError

        count = self.clean(value)
        if self.compare(count, self.limit_value):
            raise ValidationError(
                self.named_message if self.label else self.message, code=self.code, params={
                    "label": self.label, "count": number_format(count, force_grouping=True),
                    "limit": number_format(self.limit_value, force_grouping=True),
                    "limit_value": self.limit_value, "show_value": count, "value": value})

    def deconstruct(self):
        path, args, kwargs = super().deconstruct()
        return path, (self.limit_value,), {}

    def __eq__(self, other):
        return (isinstance(other, TextLengthValidator)
                and (self.limit_value, str(self.label)) == (other.limit_value, str(other.label)))

    __hash__ = MaxLengthValidator.__hash__


def name_length_limits(form) -> None:
    """Every text field of `form` with a `max_length` says which field is too long (Django's
    message does not name it: in the error summary of a long form it points nowhere), and
    counts a line break as one character, as the browser does."""
    from django import forms

    for name, field in form.fields.items():
        if not isinstance(field, forms.CharField) or not field.max_length:
            continue
        label = field.label or name
        field.validators = [
            TextLengthValidator(v.limit_value, label)
            if isinstance(v, MaxLengthValidator) else v for v in field.validators]
