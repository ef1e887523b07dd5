from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms import PortalForm


class NationalOfficerForm(PortalForm):
    email = forms.EmailField(label=_("Adresse électronique du compte"))
    organisation = forms.CharField(label=_("Organisme"), max_length=200,
                                   help_text=_("Ex. : CNM, ministère de la Culture (DGCA)."))
