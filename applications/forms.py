"""Forms of the applicant side (DSFR rendering through portal.forms)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.enums import Aesthetic
from portal.forms import DATE_WIDGET, PortalForm, PortalModelForm

from .enums import LicenceCategory
from .models import Structure
from .validators import normalize_siret


class StructureForm(PortalModelForm):
    aesthetics = forms.MultipleChoiceField(label=_("Esthétiques"), choices=Aesthetic.choices,
                                           required=False, widget=forms.CheckboxSelectMultiple)
    siret = forms.CharField(label=_("SIRET"), max_length=20)
    website = forms.URLField(label=_("Site web"), required=False, assume_scheme="https")

    class Meta:
        model = Structure
        fields = ["name", "siret", "legal_form", "address", "postal_code", "city",
                  "creation_date", "cnm_affiliation_number", "cnm_affiliation_date",
                  "fte_hours", "main_activity", "aesthetics", "artists_count",
                  "regional_artists_count", "website"]
        widgets = {"creation_date": DATE_WIDGET, "cnm_affiliation_date": DATE_WIDGET}
        help_texts = {
            "siret": _("14 chiffres, espaces acceptés (ex. : 123 456 789 00012). Le SIREN en "
                       "est déduit."),
            "postal_code": _("Le département et la région sont déduits du code postal."),
            "cnm_affiliation_number": _("Laisser vide si la structure n'est pas encore "
                                        "affiliée (délai d'environ trois semaines)."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["siret"].help_text = self.Meta.help_texts["siret"]

    def clean_siret(self):
        return normalize_siret(self.cleaned_data["siret"])


class LicenceForm(PortalForm):
    category = forms.ChoiceField(label=_("Catégorie"), choices=LicenceCategory.choices)
    number = forms.CharField(label=_("Numéro de licence"), max_length=64,
                             help_text=_("Ex. : PLATESV-R-2020-001234"))
    valid_until = forms.DateField(label=_("Valable jusqu'au"), required=False,
                                  widget=DATE_WIDGET)


class RevenueForm(PortalForm):
    year = forms.IntegerField(label=_("Année"), min_value=1950, max_value=2100)
    amount = forms.DecimalField(label=_("Chiffre d'affaires (€)"), min_value=0, max_digits=12,
                                decimal_places=2)


class StructureInvitationForm(PortalForm):
    email = forms.EmailField(label=_("Adresse e-mail de votre collègue"))
