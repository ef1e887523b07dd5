"""``{% dsfr_form %}`` (portal/templatetags/portal_fields.py) writes a form as django-dsfr's
snippets do: compared here, element by element (django.test.html), with ``form.render()``
for every widget it writes itself and for the ones it hands back to the snippets."""

from datetime import date

import pytest
from django import forms
from django.http import QueryDict
from django.test.html import parse_html
from django.utils import translation
from django_scopes import scope

from portal.forms import DATE_WIDGET, PortalForm
from portal.templatetags.portal_fields import dsfr_form


class EveryWidget(PortalForm):
    name = forms.CharField(label="Nom <de> l'œuvre", max_length=80,
                           help_text="Ex. : « Suite <b>n° 1</b> »")
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    kind = forms.ChoiceField(label="Genre", choices=[("", "— à choisir —"), ("jazz", "Jazz"),
                                                     ("rock", "Rock & co")])
    grouped = forms.ChoiceField(label="Groupé", required=False, choices=[
        ("", "Aucun"), ("Cordes", [("violon", "Violon"), ("alto", "Alto")])])
    on = forms.BooleanField(label="J'accepte", required=False, help_text="Obligatoire")
    steps = forms.MultipleChoiceField(label="Étapes", required=False,
                                      widget=forms.CheckboxSelectMultiple,
                                      choices=[("a", "Projet"), ("b", "Budget <2>")],
                                      help_text="Plusieurs possibles")
    day = forms.DateField(label="Jour", widget=DATE_WIDGET, initial=date(2026, 3, 9))
    count = forms.IntegerField(label="Nombre", required=False, disabled=True, initial=3)
    secret = forms.CharField(widget=forms.HiddenInput, required=False, initial="x")
    choice = forms.ChoiceField(label="Radio", required=False, widget=forms.RadioSelect,
                               choices=[("1", "Un"), ("2", "Deux")])

    def clean(self):
        raise forms.ValidationError("Erreur <générale>")


def same(make_form):
    """The tag's markup and the snippets' are the same HTML (each from its own form: the
    snippets set attributes on the widgets as they render)."""
    ours, theirs = str(dsfr_form(make_form())), str(make_form().render())
    assert str(parse_html(ours)).splitlines() == str(parse_html(theirs)).splitlines()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_widget_unbound_and_bound_with_errors_is_written_as_the_snippets_do(language):
    data = QueryDict("name=&note=a%20%3Cb%3E&kind=blues&grouped=alto&on=on&steps=b&day=xx")
    with translation.override(language):
        same(EveryWidget)
        same(lambda: EveryWidget(data))
        same(lambda: EveryWidget(QueryDict("name=Ok&kind=jazz&day=2026-01-02")))


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_dashboard_batch_forms_are_written_as_the_snippets_do(tenant, language):
    from reviews.forms import (BatchAgendaForm, BatchAssignForm, BatchEligibilityForm,
                               batch_completion_form)
    from tests.factories.reviews import SessionFactory, officer

    from portal.enums import OrganizationKind as K

    officer(tenant, K.CNM)
    officer(tenant, K.DRAC)
    data = QueryDict("eligibility-comment=x&completion-steps=budget&completion-due_date=xx"
                     "&assign-officer=999&agenda-session=")
    with scope(tenant=tenant), translation.override(language):
        SessionFactory(tenant=tenant)
        for build in (BatchEligibilityForm, lambda d=None: BatchAssignForm(d, tenant=tenant),
                      batch_completion_form, lambda d=None: BatchAgendaForm(d, tenant=tenant)):
            same(build)
            same(lambda: build(data))


class RequiredRadio(PortalForm):
    link = forms.ChoiceField(label="Lien <avec>", widget=forms.RadioSelect,
                             help_text="L'un <b>des</b> deux",
                             choices=[("structure", "Structure « A & B »"), ("p-1", "Partenaire")])


@pytest.mark.parametrize("language", ["fr", "en"])
def test_radio_buttons_with_and_without_errors_are_written_as_the_snippets_do(tenant, language):
    """The radio list (the instruction page's recusal form) unbound, with a missing choice,
    with a wrong one; then the recusal form itself, unbound and with errors."""
    from reviews.forms import RecusalForm
    from tests.factories.reviews import FiledDossierFactory, PartnerFactory

    with scope(tenant=tenant), translation.override(language):
        same(RequiredRadio)
        same(lambda: RequiredRadio(QueryDict("")))
        same(lambda: RequiredRadio(QueryDict("link=nope")))
        same(lambda: RequiredRadio(QueryDict("link=p-1")))
        dossier = FiledDossierFactory(call__tenant=tenant)
        partners = [PartnerFactory(dossier=dossier, siret="12345678900017")]
        same(lambda: RecusalForm(dossier=dossier, partners=partners))
        same(lambda: RecusalForm(QueryDict("link=x"), dossier=dossier, partners=partners))
