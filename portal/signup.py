"""The sign-up form's own fields (django-allauth's ACCOUNT_SIGNUP_FORM_CLASS): the person's
first and last name, so that staff and applicants appear by name in member lists, minutes,
decisions and histories rather than as e-mail addresses. Kept apart from portal.forms:
allauth imports this class while building its own forms."""

from django import forms
from django.utils.translation import gettext_lazy as _

NAME_MAX_LENGTH = 150


def clean_person_name(value: str) -> str:
    """Trim and collapse the spaces of a typed name ("  Marie-Hélène   d'Arc " → "Marie-Hélène
    d'Arc"); a name made of spaces only is empty."""
    return " ".join((value or "").split())


class PersonNamesMixin:
    """A person's first and last name, both required and trimmed (the sign-up form and the
    form asking people who have none yet)."""

    def clean_first_name(self):
        value = clean_person_name(self.cleaned_data.get("first_name"))
        if not value:
            raise forms.ValidationError(_("Indiquez votre prénom."))
        return value

    def clean_last_name(self):
        value = clean_person_name(self.cleaned_data.get("last_name"))
        if not value:
            raise forms.ValidationError(_("Indiquez votre nom."))
        return value


class SignupNamesForm(PersonNamesMixin, forms.Form):
    first_name = forms.CharField(label=_("Prénom"), max_length=NAME_MAX_LENGTH,
                                 error_messages={"required": _("Indiquez votre prénom.")},
                                 widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(label=_("Nom"), max_length=NAME_MAX_LENGTH,
                                error_messages={"required": _("Indiquez votre nom.")},
                                widget=forms.TextInput(attrs={"autocomplete": "family-name"}))

    field_order = ["first_name", "last_name", "email", "password1", "password2"]

    def signup(self, request, user) -> None:
        user.first_name = self.cleaned_data["first_name"]
        user.last_name = self.cleaned_data["last_name"]
        user.save(update_fields=["first_name", "last_name"])
