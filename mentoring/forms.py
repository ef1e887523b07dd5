"""Forms of the mentoring scheme (DSFR-rendered). Choice fields on scoped models get their
queryset in ``__init__`` from the current tenant."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _
from django_scopes.forms import SafeModelChoiceField, SafeModelMultipleChoiceField

from applications.models import Structure
from portal.amounts import NumberField
from portal.enums import Aesthetic
from portal.forms import DATE_WIDGET, PortalForm, PortalModelForm
from portal.textlimits import COMMENT, LONG_TEXT, PRESENTATION

from .enums import DiagnosisOutcome, EngagementState, FeedbackSide, HopedFormat, PersonStatus
from .models import MatchingWeights, MatchProposal, ResourcePerson, ResourceTheme, Theme


class NeedForm(PortalForm):
    structure = forms.ModelChoiceField(label=_("Structure bénéficiaire"),
                                       queryset=Structure.objects.none())
    person_name = forms.CharField(label=_("Personne à accompagner (prénom et nom)"),
                                  max_length=200)
    person_status = forms.ChoiceField(label=_("Statut de la personne"),
                                      choices=PersonStatus.choices, widget=forms.RadioSelect)
    person_role = forms.CharField(label=_("Sa mission ou sa fonction dans la structure"),
                                  max_length=200)
    themes = SafeModelMultipleChoiceField(
        label=_("Thématiques"), queryset=Theme.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choisissez au moins une thématique.")})
    description = forms.CharField(
        label=_("Description du besoin"), widget=forms.Textarea(attrs={"rows": 6}),
        max_length=PRESENTATION,
        help_text=_("Le contexte, ce que vous attendez de l'échange, les compétences visées."),
        error_messages={"required": _("Décrivez votre besoin.")})
    hoped_format = forms.ChoiceField(label=_("Format souhaité"), choices=HopedFormat.choices,
                                     initial=HopedFormat.UNKNOWN, widget=forms.RadioSelect)
    available_from = forms.DateField(label=_("Disponible à partir du"), widget=DATE_WIDGET)
    available_until = forms.DateField(label=_("Disponible jusqu'au"), widget=DATE_WIDGET)
    place = forms.CharField(label=_("Lieu souhaité"), max_length=200, required=False)
    place_postal_code = forms.CharField(
        label=_("Code postal du lieu"), max_length=5, required=False,
        help_text=_("Laisser vide : le lieu de la structure."))
    remote_possible = forms.BooleanField(label=_("Un accompagnement à distance est possible"),
                                         required=False)

    def __init__(self, *args, tenant, user, **kwargs):
        super().__init__(*args, **kwargs)
        from .selectors import structures_of, tenant_themes

        self.fields["structure"].queryset = structures_of(user)
        self.fields["themes"].queryset = tenant_themes(tenant, active_only=True)

    def clean_place_postal_code(self):
        from applications.validators import validate_postal_code

        value = (self.cleaned_data.get("place_postal_code") or "").strip()
        if value:
            validate_postal_code(value)
        return value

    def clean(self):
        data = super().clean()
        start, end = data.get("available_from"), data.get("available_until")
        if start and end and end < start:
            self.add_error("available_until",
                           _("La fin de la période de disponibilité doit suivre son début."))
        return data


class DiagnosisForm(PortalForm):
    outcome = forms.ChoiceField(label=_("Conclusion du diagnostic"),
                                choices=DiagnosisOutcome.choices, widget=forms.RadioSelect)
    days = NumberField(label=_("Nombre de jours prévus"), required=False,
                       max_digits=3, decimal_places=1, min_value=Decimal("0.5"),
                       help_text=_("TSF : 1 à 2 jours ; mentorat : jusqu'à 4 jours."))
    comment = forms.CharField(label=_("Commentaire"), max_length=COMMENT,
                              widget=forms.Textarea(attrs={"rows": 4}))
    redirect_to = forms.CharField(
        label=_("Où s'adresser (réorientation)"), required=False, max_length=COMMENT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Pour un DLA ou une formation : l'organisme, le dispositif, le contact."))


class ResourceForm(PortalModelForm):
    class Meta:
        model = ResourcePerson
        fields = ["first_name", "last_name", "email", "job_title", "structure", "structure_name",
                  "main_activity", "aesthetics", "departement", "remote_possible",
                  "max_engagements_per_year", "max_days_per_year", "available_from",
                  "available_until", "active", "bio", "conflict_structures"]
        widgets = {"available_from": DATE_WIDGET, "available_until": DATE_WIDGET,
                   "bio": forms.Textarea(attrs={"rows": 3})}

    aesthetics = forms.MultipleChoiceField(label=_("Esthétiques"), choices=Aesthetic.choices,
                                           required=False, widget=forms.CheckboxSelectMultiple)
    user_email = forms.EmailField(
        label=_("Compte sur le portail (adresse e-mail)"), required=False,
        help_text=_("Facultatif : la personne pourra télécharger ses conventions et donner son "
                    "retour."))

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = Structure.objects.order_by("name")
        self.fields["conflict_structures"].queryset = Structure.objects.order_by("name")
        self.fields["conflict_structures"].required = False
        if self.instance.pk and self.instance.user_id:
            self.fields["user_email"].initial = self.instance.user.email
        self.theme_fields = []
        current = {}
        if self.instance.pk:
            current = dict(ResourceTheme.objects.filter(resource=self.instance)
                           .values_list("theme_id", "level"))
        for theme in Theme.objects.filter(tenant=tenant):
            name = f"theme_{theme.pk}"
            self.fields[name] = forms.TypedChoiceField(
                label=theme.label, required=False, coerce=int, empty_value=0,
                choices=[("", _("non couverte"))] + list(ResourceTheme.Level.choices),
                initial=current.get(theme.pk, ""))
            self.theme_fields.append((name, theme))

    def theme_levels(self) -> dict:
        return {theme: self.cleaned_data.get(name) or 0 for name, theme in self.theme_fields}

    def clean_user_email(self):
        from portal.models import User

        email = (self.cleaned_data.get("user_email") or "").strip().lower()
        if not email:
            return None
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise forms.ValidationError(_("Aucun compte n'existe avec cette adresse."))
        return user

    def model_fields(self) -> dict:
        fields = {name: self.cleaned_data[name] for name in self.Meta.fields
                  if name != "conflict_structures"}
        fields["user"] = self.cleaned_data.get("user_email")
        return fields


class ProposalChoiceForm(PortalForm):
    """Swap: choose another ranked candidate; override: any resource, with a reason."""

    resource = SafeModelChoiceField(label=_("Personne-ressource"),
                                    queryset=ResourcePerson.objects.none())
    reason = forms.CharField(label=_("Justification"), required=False, max_length=COMMENT,
                             widget=forms.Textarea(attrs={"rows": 2}))
    #: which of the need page's two forms was posted: another ranked candidate, or a manual
    #: choice (override) that needs the justification
    mode = forms.ChoiceField(required=False, widget=forms.HiddenInput, choices=[
        ("swap", _("Autre candidat·e")), ("override", _("Choix manuel"))])

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = ResourcePerson.objects.filter(tenant=tenant)

    @property
    def overrides(self) -> bool:
        return self.cleaned_data.get("mode") == "override"


class ProposalSwapForm(PortalForm):
    """The open proposal of the global assignment to swap resource people with."""

    other = SafeModelChoiceField(label=_("Échanger avec"), queryset=MatchProposal.objects.none(),
                                 error_messages={"required": _("Choisissez la proposition avec "
                                                               "laquelle échanger."),
                                                 "invalid_choice": _("Choisissez la proposition "
                                                                     "avec laquelle échanger.")})

    def __init__(self, *args, proposals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other"].queryset = proposals


class EngagementForm(PortalForm):
    terms = forms.CharField(label=_("Cahier des charges"), max_length=LONG_TEXT,
                            widget=forms.Textarea(attrs={"rows": 12}))
    planned_days = NumberField(label=_("Jours prévus"), max_digits=3, decimal_places=1,
                               min_value=Decimal("0"))
    start_date = forms.DateField(label=_("Début prévu"), required=False, widget=DATE_WIDGET)
    end_date = forms.DateField(label=_("Fin prévue"), required=False, widget=DATE_WIDGET)


class TransitionForm(PortalForm):
    to = forms.ChoiceField(choices=EngagementState.choices, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Motif"), required=False, max_length=COMMENT,
                             widget=forms.Textarea(attrs={"rows": 2}))


class SessionForm(PortalForm):
    date = forms.DateField(label=_("Date"), widget=DATE_WIDGET)
    days = forms.TypedChoiceField(label=_("Durée"), coerce=Decimal,
                                  choices=[("1.0", _("une journée")),
                                           ("0.5", _("une demi-journée"))])
    done = forms.BooleanField(label=_("Déjà réalisée"), required=False)
    notes = forms.CharField(label=_("Contenu"), max_length=300, required=False)


class FeedbackForm(PortalForm):
    rating = forms.TypedChoiceField(
        label=_("Appréciation"), coerce=int, widget=forms.RadioSelect,
        choices=[(5, _("5 — excellent")), (4, _("4 — très bien")), (3, _("3 — bien")),
                 (2, _("2 — insuffisant")), (1, _("1 — décevant"))])
    comment = forms.CharField(label=_("Commentaire"), required=False, max_length=COMMENT,
                              widget=forms.Textarea(attrs={"rows": 3}))
    side = forms.ChoiceField(choices=FeedbackSide.choices, widget=forms.HiddenInput)


class ThemeForm(PortalModelForm):
    class Meta:
        model = Theme
        fields = ["label", "position", "active"]


class WeightsForm(PortalModelForm):
    class Meta:
        model = MatchingWeights
        fields = list(MatchingWeights.FACTORS)

    def clean(self):
        data = super().clean()
        if not any(data.get(f) for f in MatchingWeights.FACTORS):
            raise forms.ValidationError(_("Au moins un critère doit avoir un poids non nul."))
        return data
