"""Forms of the follow-up: parse what people type (French amounts, dates), nothing more; the
services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.amounts import AmountField
from portal.forms import PortalForm
from portal.textlimits import COMMENT, LONG_TEXT

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PaymentPaidForm(PortalForm):
    paid_on = forms.DateField(label=_("Date du versement"), widget=DATE_WIDGET)
    amount = AmountField(label=_("Montant versé (€)"), required=True,
                         help_text=_("Le montant à verser, au centime près, par exemple "
                                     "5 600,40."))
    reference = forms.CharField(label=_("Référence du mandat ou du titre de recettes"),
                                max_length=64)

    def __init__(self, *args, prefix_pk=None, **kwargs):
        super().__init__(*args, prefix=f"p{prefix_pk}" if prefix_pk else None, **kwargs)


class ReportForm(PortalForm):
    """The final report: the activity report and a realised amount per planned line (kept as a
    draft: nothing is required until it is filed)."""

    activity_report = forms.CharField(
        label=_("Bilan d'activité"), required=False, widget=forms.Textarea(attrs={"rows": 8}),
        max_length=LONG_TEXT,
        help_text=_("Ce qui a été réalisé (dates, lieux, artistes, publics, partenaires), les "
                    "écarts avec le projet présenté et leurs raisons."))

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.line_fields = []
        for row in lines:
            line = row["line"]
            name = f"line_{line.pk}"
            self.fields[name] = AmountField(
                label=_("Réalisé — %(label)s") % {"label": line.label}, required=False,
                initial=row["realised"])
            self.line_fields.append((row, name))
            if line.kind == "expense":
                # when it was spent: the report's own dates, else the planned line's
                own = row.get("spent_from") or row.get("spent_until")
                self.fields[f"from_{line.pk}"] = forms.DateField(
                    label=_("Dépensé le (ou du) — %(label)s") % {"label": line.label},
                    required=False, widget=DATE_WIDGET,
                    initial=row.get("spent_from") if own else line.spent_from)
                self.fields[f"until_{line.pk}"] = forms.DateField(
                    label=_("au (si la dépense s'étale) — %(label)s") % {"label": line.label},
                    required=False, widget=DATE_WIDGET,
                    initial=row.get("spent_until") if own else line.spent_until)

    def clean(self):
        data = super().clean()
        for row, _name in self.line_fields:
            pk = row["line"].pk
            first, last = data.get(f"from_{pk}"), data.get(f"until_{pk}")
            if first and last and last < first:
                self.add_error(f"until_{pk}", _("La fin de la dépense « %(label)s » précède "
                                                "son début.") % {"label": row["line"].label})
        return data

    def dates(self) -> dict:
        """{budget line id: (from, until)} of the expense lines whose dates were sent
        (cleaned); a line whose dates were not sent keeps its own."""
        out = {}
        for row, _name in self.line_fields:
            pk = row["line"].pk
            if f"from_{pk}" in self.fields and (self.add_prefix(f"from_{pk}") in self.data
                                                or self.add_prefix(f"until_{pk}") in self.data):
                out[pk] = (self.cleaned_data.get(f"from_{pk}"),
                           self.cleaned_data.get(f"until_{pk}"))
        return out

    def realised(self) -> dict:
        return {int(name[5:]): self.data.get(self.add_prefix(name), "")
                for _row, name in self.line_fields}

    def rows(self):
        """[(row, bound amount field, bound from field, bound until field)] for the
        side-by-side table (no date fields on an income line)."""
        out = []
        for row, name in self.line_fields:
            pk = row["line"].pk
            dated = f"from_{pk}" in self.fields
            out.append((row, self[name], self[f"from_{pk}"] if dated else None,
                        self[f"until_{pk}"] if dated else None))
        return out


class ReportCompletionForm(PortalForm):
    message = forms.CharField(label=_("Éléments demandés"), max_length=COMMENT,
                              widget=forms.Textarea(attrs={"rows": 4}))
    due_on = forms.DateField(label=_("À compléter avant le (inclus)"), widget=DATE_WIDGET)
    documents = forms.TypedMultipleChoiceField(
        label=_("Pièces à fournir de nouveau"), required=False, coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Une pièce cochée devra être déposée de nouveau (manquante, non signée, "
                    "illisible…) avant que le bilan puisse être redéposé."))

    def __init__(self, *args, requirements=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["documents"].choices = [(r.pk, r.label) for r in requirements]
        if not requirements:
            del self.fields["documents"]


class ReportExamineForm(PortalForm):
    comment = forms.CharField(
        label=_("Motivation"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        max_length=COMMENT,
        help_text=_("Reprise dans le courrier de solde ou de réévaluation."))


class BankAccountForm(PortalForm):
    holder = forms.CharField(label=_("Titulaire du compte"), max_length=200)
    iban = forms.CharField(label=_("IBAN"), max_length=42,
                           help_text=_("Par exemple FR76 3000 6000 0112 3456 7890 189."))
    bic = forms.CharField(label=_("BIC"), max_length=14, required=False,
                          help_text=_("8 ou 11 caractères, par exemple BNPAFRPP."))


class ConventionForm(PortalForm):
    received_on = forms.DateField(label=_("Convention signée reçue le"), widget=DATE_WIDGET)


class StartAttestationForm(PortalForm):
    """The structure attests that the action started (the advance is paid on it)."""

    declared = forms.BooleanField(label=_("Je certifie que l'action a démarré à la date "
                                          "indiquée."), required=False)
    started_on = forms.DateField(label=_("Date de démarrage de l'action"), required=False,
                                 widget=DATE_WIDGET)
    document = forms.FileField(
        label=_("Pièce justificative (facultative)"), required=False,
        help_text=_("Par exemple l'attestation signée, le programme ou la feuille de route. "
                    "Formats acceptés : PDF, JPG, PNG. Taille maximale : 10 Mo."))


class FunderAccountForm(PortalForm):
    name = forms.CharField(label=_("Nom du donneur d'ordre"), max_length=70,
                           help_text=_("Tel que la banque le connaît (ex. : DRAC OCCITANIE)."))
    iban = forms.CharField(label=_("IBAN du compte payeur"), max_length=42,
                           help_text=_("Par exemple FR76 3000 6000 0112 3456 7890 189."))
    bic = forms.CharField(label=_("BIC"), max_length=14, required=False,
                          help_text=_("8 ou 11 caractères, par exemple BDFEFRPPCCT."))

    def __init__(self, *args, funder: str, **kwargs):
        super().__init__(*args, prefix=funder, **kwargs)
