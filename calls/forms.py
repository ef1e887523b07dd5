"""Forms of the tenant admin pages. They parse input only; the services validate the models
(full_clean) and the views attach the services' errors to the named fields, input kept."""

from datetime import datetime, time
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_scopes.forms import SafeModelChoiceField

from portal.formatting import PARIS
from portal.forms import DATE_WIDGET, PortalForm, PortalModelForm, apply_validation_error
from portal.richtext import RichTextWidget

from .eligibility import (FIELDS, NO_VALUE_OPERATORS, OPERATOR_CHOICES, describe,
                          format_number, validate_criterion)
from .enums import CriterionKind, DocumentStage, ExpenseKind, Funder, Severity
from .models import (RULE_FIELDS, AppraisalCriterion, Call, Category, DocumentRequirement,
                     EligibilityCriterion, Track)
from .validators import (validate_call_slug, validate_document_formats,
                         validate_reference_code)

END_OF_DAY = time(23, 59, 59)
TIME_WIDGET = forms.TimeInput(attrs={"type": "time", "step": 60}, format="%H:%M")

#: Model error keys → form field names (the form splits the date-times in date + time).
FIELD_ALIASES = {"opens_at": "opens_on", "closes_at": "closes_on"}


def attach_errors(form, exc: ValidationError) -> None:
    """Attach a service's ValidationError to `form` (the services' field names aliased)."""
    apply_validation_error(form, exc, FIELD_ALIASES)


class ServiceModelForm(PortalModelForm):
    """A ModelForm that reads the input for a service (`service_data()`): the model's own
    validation runs as in any ModelForm (its errors land on the fields), and the service,
    which writes, validates again with what the form does not show."""

    service_fields: tuple[str, ...] = ()

    def service_data(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.service_fields}


def paris_datetime(day, at) -> datetime:
    """The aware datetime of `day` at `at`, Paris wall clock; an hour skipped by the spring
    DST change is refused."""
    naive = datetime.combine(day, at)
    aware = naive.replace(tzinfo=PARIS)
    if aware.astimezone(PARIS).replace(tzinfo=None) != naive or \
            datetime.fromtimestamp(aware.timestamp(), PARIS).replace(tzinfo=None) != naive:
        raise ValidationError(_("Cette heure n'existe pas à Paris ce jour-là (changement "
                                "d'heure)."))
    return aware


def _check_min_max(form, low, high, message):
    data = form.cleaned_data
    if data.get(low) is not None and data.get(high) is not None and data[low] > data[high]:
        form.add_error(high, message)


class FundingRulesMixin:
    def clean_funding_rules(self):
        _check_min_max(self, "amount_min", "amount_max",
                       _("Le montant maximum doit être supérieur ou égal au minimum."))
        _check_min_max(self, "duration_months_min", "duration_months_max",
                       _("La durée maximale doit être supérieure ou égale à la durée "
                         "minimale."))
        for name in ("max_share_of_budget", "min_self_financing_share", "advance_percentage"):
            value = self.cleaned_data.get(name)
            if value is not None and not (Decimal("0") <= value <= Decimal("100")):
                self.add_error(name, _("Un pourcentage est compris entre 0 et 100."))


class CheckboxesField(forms.MultipleChoiceField):
    """Ticked boxes; an empty value (a client posting the group with nothing ticked) means
    none."""

    def to_python(self, value):
        return [v for v in super().to_python(value) if v]


class CallForm(FundingRulesMixin, ServiceModelForm):
    opens_on = forms.DateField(label=_("Ouverture des candidatures (date)"), required=False,
                               widget=DATE_WIDGET)
    opens_time = forms.TimeField(label=_("Heure d'ouverture (heure de Paris)"), required=False,
                                 widget=TIME_WIDGET,
                                 help_text=_("Vide : 0 h 00."))
    closes_on = forms.DateField(label=_("Clôture des candidatures (date)"), required=False,
                                widget=DATE_WIDGET)
    closes_end_of_day = forms.BooleanField(
        label=_("Jusqu'à ce jour inclus (clôture à 23 h 59 min 59 s, heure de Paris)"),
        required=False, initial=True)
    closes_time = forms.TimeField(label=_("Sinon, heure de clôture (heure de Paris)"),
                                  required=False, widget=TIME_WIDGET)
    funders = forms.MultipleChoiceField(label=_("Financeurs"), choices=Funder.choices,
                                        required=False, widget=forms.CheckboxSelectMultiple)
    eligible_expense_kinds = CheckboxesField(
        label=_("Natures de dépenses éligibles"), choices=ExpenseKind.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Aucune cochée : toutes les natures de dépenses sont éligibles. Chaque "
                    "ligne de dépense du budget indique sa nature ; les autres lignes restent "
                    "au budget, sans être éligibles."))

    service_fields = ("title", "slug", "reference_code", "summary", "description", "opens_at",
                      "closes_at", "committee_date", "committee_label", "expenses_start",
                      "expenses_end", "eligible_expense_kinds", "envelope", "funders",
                      *RULE_FIELDS)

    class Meta:
        model = Call
        fields = ["title", "slug", "reference_code", "summary", "description", "committee_date",
                  "committee_label", "expenses_start", "expenses_end", "envelope",
                  *RULE_FIELDS]
        widgets = {"committee_date": DATE_WIDGET, "expenses_start": DATE_WIDGET,
                   "expenses_end": DATE_WIDGET, "description": RichTextWidget()}
        help_texts = {"slug": _("Apparaît dans l'adresse de la page publique, "
                                "ex. : …/appels/cooperation-2025/"),
                      "description": _("Mettez en forme avec la barre d'outils : intertitres, "
                                       "gras, italique, listes, citations, liens.")}

    field_order = ["title", "slug", "reference_code", "summary", "description", "opens_on",
                   "opens_time", "closes_on", "closes_end_of_day", "closes_time",
                   "committee_date", "committee_label", "expenses_start", "expenses_end",
                   "eligible_expense_kinds", "envelope", "funders", *RULE_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        call = self.instance
        if call.pk:
            self.initial["funders"] = list(call.funders or [])
            self.initial["eligible_expense_kinds"] = list(call.eligible_expense_kinds or [])
            if call.opens_at:
                local = call.opens_at.astimezone(PARIS)
                self.initial.update(opens_on=local.date(), opens_time=local.time())
            if call.closes_at:
                local = call.closes_at.astimezone(PARIS)
                end_of_day = local.time().replace(microsecond=0) == END_OF_DAY
                self.initial.update(closes_on=local.date(), closes_end_of_day=end_of_day,
                                    closes_time=None if end_of_day else local.time())

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        validate_call_slug(slug)
        return slug

    def clean_reference_code(self):
        code = (self.cleaned_data.get("reference_code") or "").strip().upper()
        validate_reference_code(code)
        return code

    def clean(self):
        data = super().clean()
        self.clean_funding_rules()
        opens_at = closes_at = None
        if data.get("opens_on"):
            try:
                opens_at = paris_datetime(data["opens_on"], data.get("opens_time") or time(0))
            except ValidationError as exc:
                self.add_error("opens_time", exc)
        elif data.get("opens_time"):
            self.add_error("opens_on", _("Indiquez aussi la date d'ouverture."))
        if data.get("closes_on"):
            if data.get("closes_end_of_day") or not data.get("closes_time"):
                at = END_OF_DAY
            else:
                at = data["closes_time"]
            try:
                closes_at = paris_datetime(data["closes_on"], at)
            except ValidationError as exc:
                self.add_error("closes_time", exc)
        if opens_at and closes_at and closes_at <= opens_at:
            self.add_error("closes_on", _("La clôture doit suivre l'ouverture des candidatures."))
        _check_min_max(self, "expenses_start", "expenses_end",
                       _("La fin de la période des dépenses éligibles doit suivre son début."))
        data["opens_at"], data["closes_at"] = opens_at, closes_at
        return data


class TrackForm(FundingRulesMixin, ServiceModelForm):
    service_fields = ("title", "description", "position", *RULE_FIELDS)

    class Meta:
        model = Track
        fields = ["title", "description", "position", *RULE_FIELDS]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.call_id is None:
            self.instance.call = call  # the model's checks (a title once per call) need it

    def clean(self):
        data = super().clean()
        self.clean_funding_rules()
        return data


class _ScopedItemForm(ServiceModelForm):
    """Track / category choices limited to the call's own."""

    def __init__(self, *args, call, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.call_id is None:
            self.instance.call = call
        if "track" in self.fields:
            self.fields["track"].queryset = Track.objects.filter(call=call)
            self.fields["track"].empty_label = _("Tous les volets")
        if "category" in self.fields:
            self.fields["category"].queryset = Category.objects.filter(call=call)
            self.fields["category"].empty_label = _("Toutes les catégories")


class CategoryForm(FundingRulesMixin, _ScopedItemForm):
    service_fields = ("track", "title", "description", "position", *RULE_FIELDS)

    class Meta:
        model = Category
        fields = ["track", "title", "description", "position", *RULE_FIELDS]
        field_classes = {"track": SafeModelChoiceField}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        data = super().clean()
        self.clean_funding_rules()
        return data


def value_to_text(value, spec=None) -> str:
    """The stored criterion value, as the admin types it (names, not codes, for a datum with
    a list of values: "Pays de la Loire", not "52")."""
    if value is None:
        return ""
    if spec is not None and spec.choices:
        items = value if isinstance(value, list) else [value]
        return ", ".join(spec.choice_label(str(v)) for v in items)
    if isinstance(value, list):
        if len(value) == 2 and all(isinstance(v, (int, str)) and _is_number(v) for v in value):
            return " ; ".join(format_number(v).replace("\u00a0", " ") for v in value)
        return ", ".join(str(v) for v in value)
    if _is_number(value):
        return format_number(value).replace("\u00a0", " ")
    return str(value)


def _is_number(value) -> bool:
    if isinstance(value, bool):
        return False
    try:
        Decimal(str(value))
        return True
    except Exception:  # noqa: BLE001
        return False


def _field_choices():
    """The verifiable data, grouped: the structure's profile, then the dossier."""
    structure = [(f.key, f.label) for f in FIELDS.values() if f.key.startswith("structure.")]
    dossier = [(f.key, f.label) for f in FIELDS.values() if f.key.startswith("dossier.")]
    return [("", _("Sélectionnez la donnée")), (_("Le profil de la structure"), structure),
            (_("Le dossier"), dossier)]


def datalist_id(key: str) -> str:
    return "values-" + key.replace(".", "-").replace("_", "-")


def criterion_field_specs() -> dict:
    """What the criterion form's script needs of each field: its operators (in French), its
    possible values by name, whether it takes a year. Rendered in a data- attribute."""
    return {f.key: {"operators": list(f.operators),
                    "parameter": bool(f.parameter),
                    "list": datalist_id(f.key) if f.choices else "",
                    "no_value": sorted(NO_VALUE_OPERATORS & set(f.operators))}
            for f in FIELDS.values()}


class CriterionForm(_ScopedItemForm):
    """A criterion as the admin thinks of it: a declaration to tick, or a check of one datum
    of the structure or the dossier; the sentence the applicant will read is shown as it is
    built (`preview`)."""

    kind = forms.ChoiceField(label=_("Type de critère"), choices=CriterionKind.choices,
                             initial=CriterionKind.CHECK, widget=forms.RadioSelect)
    field = forms.ChoiceField(label=_("Donnée vérifiée"), required=False,
                              choices=_field_choices,
                              error_messages={"required": _("Choisissez la donnée vérifiée.")},
                              help_text=_("Une donnée du profil de la structure ou du dossier."))
    operator = forms.ChoiceField(label=_("Condition"), required=False,
                                 choices=[("", _("Sélectionnez la condition"))]
                                 + OPERATOR_CHOICES,
                                 error_messages={"required": _("Choisissez la condition.")})
    value = forms.CharField(
        label=_("Valeur"), required=False,
        help_text=_("Un nombre (100 000 ou 100 000,50), un nom de la liste (ex. : Pays de la "
                    "Loire), plusieurs noms séparés par des virgules, ou deux nombres séparés "
                    "par « ; » pour « compris entre »."))
    severity = forms.ChoiceField(label=_("Effet"), choices=[
        (Severity.BLOCKING, _("Bloquant : le dossier ne peut pas être déposé s'il n'est pas "
                              "rempli")),
        (Severity.WARNING, _("Point d'attention : signalé, sans empêcher le dépôt"))],
        initial=Severity.BLOCKING, widget=forms.RadioSelect)

    service_fields = ("track", "category", "kind", "label", "field", "parameter", "operator",
                      "value", "severity", "message", "position")

    class Meta:
        model = EligibilityCriterion
        fields = ["kind", "label", "field", "parameter", "operator", "value", "severity",
                  "message", "track", "category", "position"]
        field_classes = {"track": SafeModelChoiceField, "category": SafeModelChoiceField}
        help_texts = {
            "label": _("Le titre du critère, tel que les candidat·es le verront (ex. : « Siège "
                       "social en Pays de la Loire »). Pour une déclaration, la phrase à "
                       "cocher (ex. : « Je certifie être à jour du paiement des taxes »)."),
            "parameter": _("Seulement pour le chiffre d'affaires : l'année de l'exercice "
                           "(ex. : 2022)."),
            "message": _("Vide : « Critère non rempli : » suivi de la règle."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            spec = FIELDS.get(self.instance.field)
            self.initial["value"] = value_to_text(self.instance.value, spec)
        kind = (self.data.get(self.add_prefix("kind")) if self.is_bound
                else self.initial.get("kind", self.instance.kind or CriterionKind.CHECK))
        if kind != CriterionKind.DECLARATION:
            # A check needs its datum, its condition and (unless the condition takes none)
            # its value: required, so marked as such.
            self.fields["field"].required = True
            self.fields["operator"].required = True
            operator = (self.data.get(self.add_prefix("operator")) if self.is_bound
                        else self.instance.operator)
            if operator not in NO_VALUE_OPERATORS:
                self.fields["value"].required = True
                self.fields["value"].error_messages["required"] = _(
                    "Indiquez la valeur attendue.")
        self.fields["value"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})
        chosen = FIELDS.get((self.data.get(self.add_prefix("field")) if self.is_bound
                             else self.instance.field) or "")
        if chosen is not None and chosen.choices:
            # The names the value may take, suggested as one types (a <datalist>).
            self.fields["value"].widget.attrs["list"] = datalist_id(chosen.key)

    def clean_value(self):
        return (self.cleaned_data.get("value") or "").strip()

    def preview(self) -> dict:
        """The sentence the applicant will read, and what they are told when it fails, for
        the (valid) input; the rule's own errors are added to the form."""
        data = self.cleaned_data
        kind = data.get("kind") or CriterionKind.CHECK
        blocking = data.get("severity") != Severity.WARNING
        if kind == CriterionKind.DECLARATION:
            label = data.get("label") or ""
            return {"sentence": label, "failure": data.get("message") or (
                _("Déclaration non cochée : %(label)s") % {"label": label} if label else ""),
                "declaration": True, "blocking": blocking}
        try:
            value = validate_criterion(kind=kind, field=data.get("field"),
                                       parameter=data.get("parameter") or "",
                                       operator=data.get("operator"), value=data.get("value"))
        except ValidationError as exc:
            attach_errors(self, exc)
            return {}
        criterion = {"kind": kind, "label": data.get("label") or "", "field": data["field"],
                     "parameter": data.get("parameter") or "", "operator": data["operator"],
                     "value": value}
        sentence = describe(criterion)
        return {"sentence": sentence, "declaration": False, "blocking": blocking,
                "failure": data.get("message") or (_("Critère non rempli : %(rule)s.")
                                                   % {"rule": sentence})}


class AppraisalCriterionForm(_ScopedItemForm):
    service_fields = ("track", "category", "label", "help_text", "weight", "scale_max",
                      "position")

    class Meta:
        model = AppraisalCriterion
        fields = ["label", "help_text", "weight", "scale_max", "track", "category", "position"]
        field_classes = {"track": SafeModelChoiceField, "category": SafeModelChoiceField}
        widgets = {"help_text": forms.Textarea(attrs={"rows": 3})}


class DocumentRequirementForm(_ScopedItemForm):
    allowed_formats = forms.CharField(
        label=_("Formats acceptés"), initial="pdf",
        help_text=_("Extensions séparées par des virgules (ex. : pdf, xlsx, ods)."))

    service_fields = ("track", "category", "label", "help_text", "required", "allowed_formats",
                      "max_size_mb", "stage", "position")

    class Meta:
        model = DocumentRequirement
        fields = ["label", "stage", "help_text", "required", "allowed_formats", "max_size_mb",
                  "track", "category", "position"]
        field_classes = {"track": SafeModelChoiceField, "category": SafeModelChoiceField}
        widgets = {"help_text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["allowed_formats"] = ", ".join(self.instance.allowed_formats or [])
        # not sent (an older page, a script): a document of the application, as before
        self.fields["stage"].required = False

    def clean_stage(self):
        return self.cleaned_data.get("stage") or DocumentStage.FILING

    def clean_max_size_mb(self):
        from django.conf import settings

        size = self.cleaned_data.get("max_size_mb")
        ceiling = settings.PORTAL_UPLOAD_MAX_BYTES // (1024 * 1024)
        if size is not None and size > ceiling:
            raise ValidationError(_("Au plus %(max)s Mo : le portail refuse tout fichier plus "
                                    "lourd.") % {"max": ceiling})
        return size

    def clean_allowed_formats(self):
        raw = self.cleaned_data.get("allowed_formats") or ""
        formats = []
        for part in raw.replace(";", ",").split(","):
            ext = part.strip().lower().lstrip(".")
            if ext and ext not in formats:
                formats.append(ext)
        if not formats:
            raise ValidationError(_("Indiquez au moins un format."))
        validate_document_formats(formats)
        return formats


class CloneForm(PortalForm):
    title = forms.CharField(label=_("Intitulé du nouvel appel"), max_length=255)
    slug = forms.SlugField(label=_("Identifiant d'URL"), max_length=80,
                           validators=[validate_call_slug])
    reference_code = forms.CharField(label=_("Code de référence"), max_length=12,
                                     required=False,
                                     help_text=_("Vide : le même code que l'appel d'origine."))
    shift_years = forms.IntegerField(label=_("Décaler les dates de (années)"), min_value=0,
                                     max_value=5, initial=1)

    def clean_reference_code(self):
        code = (self.cleaned_data.get("reference_code") or "").strip().upper()
        if code:
            validate_reference_code(code)
        return code or None
