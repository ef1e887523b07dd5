"""Form base classes (DSFR field rendering via django-dsfr) and the portal app's forms."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django_scopes.forms import SafeModelChoiceField
from dsfr.forms import DsfrBaseForm, DsfrBoundField
from dsfr.utils import dsfr_input_class_attr

from .amounts import french_number_field
from .form_labels import french_empty_labels
from .enums import Role
from .models import Organization, Signatory, Tenant, User
from .signup import PersonNamesMixin, clean_person_name
from .textlimits import name_length_limits
from .validators import REGION_NAME_CHOICES


def apply_validation_error(form, exc: ValidationError, aliases: dict | None = None) -> None:
    """Attach a service's ValidationError to the form: per field when it names one (through
    `aliases`, the service's names for the form's fields), else to the whole form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            name = (aliases or {}).get(name, name)
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _french_numbers(form) -> None:
    """Every decimal input of the portal reads French numbers the same way: the decimal fields
    a ModelForm builds from the model (money: max_digits=12, decimal_places=2) become the
    portal's `AmountField` / `NumberField` (portal/amounts.py)."""
    changed = False
    for name, field in form.fields.items():
        new = french_number_field(field)
        if new is not field:
            form.fields[name], changed = new, True
    if changed:
        form._bound_fields_cache.clear()
    return changed


class PortalModelForm(forms.ModelForm):
    """A ModelForm rendered with the DSFR field snippets (as `DsfrBaseForm` does for forms)."""

    template_name = "dsfr/form_snippet.html"
    bound_field_class = DsfrBoundField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        french_empty_labels(self)
        name_length_limits(self)
        if _french_numbers(self):
            for visible in self.visible_fields():
                dsfr_input_class_attr(visible)
        for visible in self.visible_fields():
            dsfr_input_class_attr(visible)

    def _update_errors(self, errors):
        """The model's validation runs after the form's: a field the form already refused
        (left empty, say) keeps the form's message alone, not a second one from the model."""
        if hasattr(errors, "error_dict"):
            kept = {name: messages for name, messages in errors.error_dict.items()
                    if name == NON_FIELD_ERRORS or name not in self._errors}
            if not kept:
                return
            errors = ValidationError(kept)
        super()._update_errors(errors)


class PortalForm(DsfrBaseForm):
    """A form rendered with the DSFR field snippets; decimal fields read French numbers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        french_empty_labels(self)
        name_length_limits(self)
        if _french_numbers(self):
            for visible in self.visible_fields():
                dsfr_input_class_attr(visible)


class ActionForm(forms.Form):
    """Which of a page's forms was sent, when several post to one URL: each carries a hidden
    ``action`` field, one of ``actions`` ({value: label}). The view dispatches on
    ``cleaned_data["action"]``; anything else fails ``is_valid()`` and ``reason()`` says why,
    for the 400 page (``portal.views.errors.refused``)."""

    action = forms.ChoiceField(label=_("Action demandée"))

    def __init__(self, data=None, *, actions: dict, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["action"].choices = list(actions.items())

    def reason(self) -> str:
        return " ".join(f"{self.fields['action'].label} : {error}"
                        for error in self.errors.get("action", []))


DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TenantForm(PortalModelForm):
    """The contract of a region. The region is chosen by name (its INSEE code is stored); the
    URL identifier is derived from the name when left empty (static/portal/slug.js fills it
    as the name is typed, and it stays editable)."""

    region_code = forms.ChoiceField(
        label=_("Région"), choices=[("", _("Sélectionnez la région"))] + REGION_NAME_CHOICES,
        error_messages={"required": _("Choisissez la région du contrat."),
                        "invalid_choice": _("Choisissez une région de la liste.")})

    class Meta:
        model = Tenant
        fields = ["name", "slug", "region_code", "reference_prefix", "contract_title",
                  "contract_start", "contract_end", "envelope", "description", "is_active",
                  "retention_years"]
        widgets = {"contract_start": DATE_WIDGET, "contract_end": DATE_WIDGET,
                   "description": forms.Textarea(attrs={"rows": 4}),
                   "name": forms.TextInput(attrs={"data-slug-source": "id_slug"}),
                   "reference_prefix": forms.TextInput(attrs={
                       "autocapitalize": "characters", "spellcheck": "false",
                       "class": "fr-input portal-prefix-input"})}
        help_texts = {"slug": _("Apparaît dans chaque adresse : /pays-de-la-loire/… Laissé "
                                "vide, il est tiré du nom.")}

    field_order = ["name", "slug", "region_code", "reference_prefix"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "retention_years" in self.fields:
            self.fields["retention_years"].required = False  # empty: keep the current one
        if "slug" in self.fields:
            self.fields["slug"].required = False
        if "reference_prefix" in self.fields:
            if self.instance.pk and not self.instance.reference_prefix:
                self.initial["reference_prefix"] = self.instance.dossier_prefix
            self.fields["reference_prefix"].required = True
            self.fields["reference_prefix"].error_messages["required"] = _(
                "Indiquez le préfixe des références des dossiers (ex. : PDL).")

    def clean_reference_prefix(self):
        return (self.cleaned_data.get("reference_prefix") or "").strip().upper()

    def clean(self):
        data = super().clean()
        if "slug" in self.fields and not data.get("slug") and self.instance.pk:
            data["slug"] = self.instance.slug  # emptied on an existing contract: kept
        if "slug" in self.fields and not data.get("slug") and data.get("name") \
                and "slug" not in self.errors:
            data["slug"] = slugify(data["name"])[:60].strip("-")
            if Tenant.objects.filter(slug=data["slug"]).exclude(pk=self.instance.pk).exists():
                self.add_error("slug", _("« %(slug)s » est déjà pris par un autre contrat : "
                                         "choisissez un autre identifiant.")
                               % {"slug": data["slug"]})
        return data

    def clean_retention_years(self):
        value = self.cleaned_data.get("retention_years")
        return value or self.instance.retention_years or 10


class TenantContractForm(TenantForm):
    """What the tenant admin may edit of the contract (not its slug or activation)."""

    class Meta(TenantForm.Meta):
        fields = ["name", "region_code", "reference_prefix", "contract_title", "contract_start",
                  "contract_end", "envelope", "description"]


class OrganizationForm(PortalModelForm):
    class Meta:
        model = Organization
        fields = ["kind", "name"]


class SignatoryForm(PortalModelForm):
    class Meta:
        model = Signatory
        fields = ["organization", "person_name", "title", "position"]
        field_classes = {"organization": SafeModelChoiceField}

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(tenant=tenant)
        # the decision letters are signed by name and title
        self.fields["person_name"].required = True
        self.fields["person_name"].help_text = _("Imprimé sous la qualité, au pied des courriers.")


TITLE_HELP = _("Ex. : conseillère musiques actuelles, chargé de mission aides territoriales.")


class InvitationForm(PortalForm):
    email = forms.EmailField(label=_("Adresse e-mail"))
    role = forms.ChoiceField(label=_("Rôle"), choices=Role.choices)
    organization = forms.ModelChoiceField(
        label=_("Organisme"), queryset=Organization.objects.none(), required=False,
        help_text=_("Obligatoire pour les instructeur·rices et membres du comité (DRAC, CNM, "
                    "Région) et pour l'équipe de la structure pilote."))
    title = forms.CharField(
        label=_("Fonction"), max_length=200, required=False,
        help_text=_("Proposée à la personne invitée, qui la confirme en acceptant. ")
        + TITLE_HELP)

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(tenant=tenant)


class TenantAdminInvitationForm(PortalForm):
    """The platform admin appoints a contract's administrator (they hold no role in it)."""

    email = forms.EmailField(label=_("Adresse e-mail de l'administrateur·rice"))
    title = forms.CharField(label=_("Fonction"), max_length=200, required=False,
                            help_text=TITLE_HELP)


class MembershipForm(PortalForm):
    role = forms.ChoiceField(label=_("Rôle"), choices=Role.choices)
    organization = forms.ModelChoiceField(
        label=_("Organisme"), queryset=Organization.objects.none(), required=False,
        help_text=_("Obligatoire pour les instructeur·rices et membres du comité (DRAC, CNM, "
                    "Région) et pour l'équipe de la structure pilote."))
    title = forms.CharField(label=_("Fonction"), max_length=200, required=False,
                            help_text=TITLE_HELP)

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = Organization.objects.filter(tenant=tenant)


class PersonNameForm(PersonNamesMixin, PortalForm):
    """First and last name, asked of the people who have none yet."""

    first_name = forms.CharField(label=_("Prénom"), max_length=150,
                                 error_messages={"required": _("Indiquez votre prénom.")},
                                 widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(label=_("Nom"), max_length=150,
                                error_messages={"required": _("Indiquez votre nom.")},
                                widget=forms.TextInput(attrs={"autocomplete": "family-name"}))


class InvitationAcceptForm(PersonNameForm):
    """What the invited person confirms: their name, and their function in the contract."""

    title = forms.CharField(label=_("Votre fonction"), max_length=200, help_text=TITLE_HELP,
                            error_messages={"required": _("Indiquez votre fonction.")})

    def clean_title(self):
        value = clean_person_name(self.cleaned_data.get("title"))
        if not value:
            raise forms.ValidationError(_("Indiquez votre fonction."))
        return value


class PreferencesForm(PortalModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "language", "reminders_opt_out"]
        help_texts = {"language": _("Langue de l'interface et des e-mails que vous recevez.")}
