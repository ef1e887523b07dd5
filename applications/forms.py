"""Forms of the applicant side (DSFR rendering through portal.forms)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from calls.enums import ExpenseKind
from portal.amounts import AmountField
from portal.form_labels import mark_not_optional
from portal.enums import Aesthetic
from portal.forms import DATE_WIDGET, PortalForm, PortalModelForm
from portal.textlimits import COMMENT, MESSAGE

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
    amount = AmountField(label=_("Chiffre d'affaires (€)"))


class StructureInvitationForm(PortalForm):
    email = forms.EmailField(label=_("Adresse e-mail de votre collègue"))


# --- Dossiers ------------------------------------------------------------------------------

from django.forms import formset_factory  # noqa: E402

from .enums import IncomeSource  # noqa: E402
from .models import Dossier  # noqa: E402
from .validators import validate_siret  # noqa: E402


class DossierStartForm(PortalForm):
    """Scoped choices: the querysets are set in __init__ from the call (tenant scope). A call
    without tracks (or categories) has no such field; where the call has some, choosing one
    is required, and the field says so (no "(optionnel)")."""

    structure = forms.ModelChoiceField(label=_("Structure qui dépose"),
                                       queryset=Structure.objects.none())
    track = forms.ModelChoiceField(label=_("Volet"), queryset=None, required=False,
                                   error_messages={"required": _("Choisissez un volet.")})
    category = forms.ModelChoiceField(label=_("Catégorie"), queryset=None, required=False,
                                      error_messages={"required": _("Choisissez une catégorie.")})

    def __init__(self, *args, user, call, **kwargs):
        super().__init__(*args, **kwargs)
        structures = Structure.objects.filter(members__user=user)
        self.fields["structure"].queryset = structures
        self.fields["structure"].empty_label = _("Sélectionnez la structure")
        self.fields["track"].empty_label = _("Sélectionnez un volet")
        self.fields["category"].empty_label = _("Sélectionnez une catégorie")
        if len(structures) == 1:
            self.fields["structure"].initial = structures[0].pk
        tracks = list(call.tracks.all())
        categories = list(call.categories.select_related("track").all())
        self.fields["track"].queryset = call.tracks.all()
        self.fields["category"].queryset = call.categories.select_related("track").all()
        self.fields["category"].label_from_instance = (
            lambda c: f"{c.title} ({c.track.title})" if c.track_id else c.title)
        if not tracks:
            del self.fields["track"]
        else:
            self.fields["track"].required = True
        if not categories:
            del self.fields["category"]
        else:
            # Required when every choice of track leads to a category (shared categories, or
            # one under each track); otherwise the service asks for one where it applies.
            shared = any(c.track_id is None for c in categories)
            with_own = {c.track_id for c in categories}
            self.fields["category"].required = shared or not tracks or all(
                t.pk in with_own for t in tracks)


class ProjectForm(PortalModelForm):
    """Every field optional: a draft may be saved at any time; completeness is checked on
    the pre-check page and at submission."""

    class Meta:
        model = Dossier
        fields = ["title", "summary", "objectives", "start_date", "end_date"]
        widgets = {"start_date": DATE_WIDGET, "end_date": DATE_WIDGET,
                   "summary": forms.Textarea(attrs={"rows": 6}),
                   "objectives": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # needed to file the dossier (applications.checks), not to save the draft
        mark_not_optional(self, "title", "summary", "start_date", "end_date")

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("La date de fin doit suivre la date de début."))
        return data


class RequestedAmountForm(PortalForm):
    requested_amount = AmountField(label=_("Montant demandé à l'appel (€)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requested_amount"].widget.attrs["data-budget"] = "requested"


def _money_field(label):
    return AmountField(label=label, required=False)


class _BudgetLineForm(PortalForm):
    label = forms.CharField(label=_("Poste de dépense"), max_length=200, required=False)
    amount = _money_field(_("Montant (€)"))

    def __init__(self, *args, expense_rules=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.expense_rules = expense_rules
        self.fields["amount"].widget.attrs["data-budget"] = "expense"

    def clean(self):
        data = super().clean()
        if data.get("label") and data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", _("Indiquez le montant de « %(label)s ».")
                           % {"label": data["label"]})
        if data.get("amount") is not None and not data.get("label"):
            self.add_error("label", _("Nommez cette ligne."))
        return data


class ExpenseLineForm(_BudgetLineForm):
    """An expense: its nature (eligible or not by the call's rules) and when it is made
    (refused outside the call's eligible period, which the message names)."""

    expense_kind = forms.ChoiceField(label=_("Nature"), required=False,
                                     choices=[("", _("Choisissez la nature"))]
                                     + list(ExpenseKind.choices))
    spent_from = forms.DateField(label=_("Date de la dépense (ou début)"), required=False,
                                 widget=DATE_WIDGET)
    spent_until = forms.DateField(label=_("Fin, si elle s'étale"), required=False,
                                  widget=DATE_WIDGET)
    field_order = ["label", "expense_kind", "amount", "spent_from", "spent_until"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expense_kind"].widget.attrs["data-budget-kind"] = "1"

    def clean(self):
        data = super().clean()
        label = data.get("label")
        restricted = self.expense_rules is not None and self.expense_rules.kinds is not None
        if label and restricted and not data.get("expense_kind"):
            self.add_error("expense_kind", _("Indiquez la nature de « %(label)s ».")
                           % {"label": label})
        first, last = data.get("spent_from"), data.get("spent_until")
        if first and last and last < first:
            self.add_error("spent_until", _("La fin de la dépense doit suivre son début."))
        elif label and self.expense_rules is not None:
            problem = self.expense_rules.period_problem(label, first, last)
            if problem:
                outside_first = (first and ((self.expense_rules.start
                                             and first < self.expense_rules.start)
                                            or (self.expense_rules.end
                                                and first > self.expense_rules.end)))
                self.add_error("spent_from" if outside_first or not last else "spent_until",
                               problem)
        return data


class IncomeLineForm(_BudgetLineForm):
    # A blank line starts with no origin chosen: a preselected « Autofinancement » counted
    # the line as self-financing as soon as an amount was typed, whatever it was.
    source = forms.ChoiceField(label=_("Origine"), required=False,
                               choices=[("", _("Choisissez l'origine"))]
                               + list(IncomeSource.choices))
    label = forms.CharField(label=_("Financeur ou recette"), max_length=200, required=False)
    field_order = ["source", "label", "amount"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].widget.attrs["data-budget"] = "income"
        self.fields["source"].widget.attrs["data-budget-source"] = "1"

    def clean(self):
        data = super().clean()
        if data.get("label") and not data.get("source") and "source" not in self.errors:
            self.add_error("source", _("Indiquez l'origine de « %(label)s ».")
                           % {"label": data["label"]})
        return data


ExpenseFormSet = formset_factory(ExpenseLineForm, extra=2, max_num=60, validate_max=True)
IncomeFormSet = formset_factory(IncomeLineForm, extra=2, max_num=60, validate_max=True)


class PartnerForm(PortalForm):
    name = forms.CharField(label=_("Nom de la structure partenaire"), max_length=200,
                           required=False)
    siret = forms.CharField(label=_("SIRET"), max_length=20, required=False)
    role = forms.CharField(label=_("Rôle dans le projet"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        mark_not_optional(self, "name", "role")  # needed on every line that is filled in

    def clean_siret(self):
        value = normalize_siret(self.cleaned_data.get("siret"))
        if value:
            validate_siret(value)
        return value

    def clean(self):
        data = super().clean()
        if (data.get("siret") or data.get("role")) and not data.get("name"):
            self.add_error("name", _("Indiquez le nom du partenaire."))
        if data.get("name") and not data.get("role"):
            self.add_error("role", _("Décrivez le rôle de %(name)s.") % {"name": data["name"]})
        return data


PartnerFormSet = formset_factory(PartnerForm, extra=2, max_num=40, validate_max=True)


class DeclarationsForm(PortalForm):
    declarations = forms.TypedMultipleChoiceField(
        label=_("Je déclare sur l'honneur :"), coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["declarations"].choices = [(c.pk, c.label) for c in criteria]


class AttachmentForm(PortalForm):
    file = forms.FileField(label=_("Fichier"))

    @classmethod
    def posted(cls, request, requirement) -> tuple["AttachmentForm", bool]:
        """The file posted for `requirement` (the dossier's documents step, the final report's
        pieces), with the upload's refusal (size, type) already on its field: (form, valid)."""
        from .uploads import refused_upload, refused_upload_message

        form = cls(request.POST, request.FILES, prefix=f"req{requirement.pk}")
        refused = refused_upload(request)
        if refused is None:
            return form, form.is_valid()
        form.is_valid()
        form.errors.pop("file", None)
        form.add_error("file", refused_upload_message(*refused))
        return form, False


class MessageForm(PortalForm):
    body = forms.CharField(label=_("Votre message"), max_length=MESSAGE,
                           widget=forms.Textarea(attrs={"rows": 4}))


class WithdrawForm(PortalForm):
    reason = forms.CharField(label=_("Motif"), max_length=500, required=False)
    confirm = forms.BooleanField(label=_("Je confirme retirer ce dossier : ce retrait est "
                                         "définitif."))


class CompletionRequestForm(PortalForm):
    message = forms.CharField(label=_("Éléments demandés"), max_length=COMMENT,
                              widget=forms.Textarea(attrs={"rows": 4}))
    steps = forms.MultipleChoiceField(label=_("Étapes que le ou la candidat·e pourra modifier"),
                                      widget=forms.CheckboxSelectMultiple)
    due_date = forms.DateField(label=_("À compléter avant le (inclus)"), widget=DATE_WIDGET)

    def __init__(self, *args, **kwargs):
        from .enums import EDITABLE_STEPS

        super().__init__(*args, **kwargs)
        self.fields["steps"].choices = [(s.value, s.label) for s in EDITABLE_STEPS]
