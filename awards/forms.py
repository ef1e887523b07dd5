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

    def realised(self) -> dict:
        return {int(name[5:]): self.data.get(self.add_prefix(name), "")
                for _row, name in self.line_fields}

    def rows(self):
        """[(row, bound field)] for the side-by-side table."""
        return [(row, self[name]) for row, name in self.line_fields]


class ReportCompletionForm(PortalForm):
    message = forms.CharField(label=_("Éléments demandés"), max_length=COMMENT,
                              widget=forms.Textarea(attrs={"rows": 4}))
    due_on = forms.DateField(label=_("À compléter avant le (inclus)"), widget=DATE_WIDGET)


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
