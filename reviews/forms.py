"""Forms of instruction and committee (DSFR-rendered). Scoped choices get their queryset in
`__init__` from the request's tenant."""

from django import forms
from django.utils.translation import gettext_lazy as _

from applications.enums import DossierStatus
from calls.enums import Funder
from calls.models import Call
from portal.amounts import AmountField, NumberField
from portal.form_labels import mark_not_optional
from portal.forms import DATE_WIDGET, PortalForm
from portal.textlimits import COMMENT, PRESENTATION

from .enums import DecisionOutcome, Recommendation, VoteChoice

SORT_CHOICES = [
    ("", _("Date de dépôt (récents d'abord)")), ("-date", _("Date de dépôt (anciens d'abord)")),
    ("score", _("Note moyenne (meilleures)")), ("-score", _("Note moyenne (moins bonnes)")),
    ("median", _("Médiane (meilleures)")), ("-median", _("Médiane (moins bonnes)")),
    ("spread", _("Écart (plus grand)")), ("-spread", _("Écart (plus petit)")),
    ("amount", _("Montant demandé (plus élevé)")), ("-amount", _("Montant demandé (plus faible)")),
    ("reference", _("Référence (A → Z)")), ("-reference", _("Référence (Z → A)")),
    ("structure", _("Structure (A → Z)")), ("-structure", _("Structure (Z → A)")),
    ("call", _("Appel et catégorie (A → Z)")), ("-call", _("Appel et catégorie (Z → A)")),
    ("status", _("État")), ("-status", _("État (ordre inverse)")),
    ("reviews", _("Évaluations soumises (plus nombreuses)")),
    ("-reviews", _("Évaluations soumises (moins nombreuses)")),
    ("mine", _("Mes dossiers d'abord")), ("-mine", _("Mes dossiers en dernier")),
]


class DashboardFilterForm(PortalForm):
    q = forms.CharField(label=_("Rechercher (référence, structure, SIRET)"), required=False,
                        max_length=200)
    call = forms.TypedChoiceField(label=_("Appel"), coerce=int, required=False, empty_value=None)
    track = forms.TypedChoiceField(label=_("Volet"), coerce=int, required=False, empty_value=None)
    category = forms.TypedChoiceField(label=_("Catégorie"), coerce=int, required=False,
                                      empty_value=None)
    status = forms.ChoiceField(label=_("État"), required=False, choices=[("", _("Tous"))] + [
        c for c in DossierStatus.choices if c[0] != DossierStatus.DRAFT])
    eligibility = forms.ChoiceField(label=_("Recevabilité"), required=False, choices=[
        ("", _("Toutes")), ("pending", _("À examiner")), ("eligible", _("Recevables")),
        ("ineligible", _("Irrecevables"))])
    funder = forms.ChoiceField(label=_("Financeur"), required=False,
                               choices=[("", _("Tous"))] + list(Funder.choices))
    mine = forms.BooleanField(label=_("Seulement mes dossiers (rapporteur·rice)"), required=False)
    disagreement = forms.BooleanField(label=_("Seulement les désaccords"), required=False)
    score_min = NumberField(label=_("Note moyenne min. (/20)"), required=False,
                            min_value=0, max_value=20, decimal_places=2)
    score_max = NumberField(label=_("Note moyenne max. (/20)"), required=False,
                            min_value=0, max_value=20, decimal_places=2)
    submitted_from = forms.DateField(label=_("Déposé à partir du"), required=False,
                                     widget=DATE_WIDGET)
    submitted_to = forms.DateField(label=_("Déposé jusqu'au (inclus)"), required=False,
                                   widget=DATE_WIDGET)
    sort = forms.ChoiceField(label=_("Trier par"), required=False, choices=SORT_CHOICES)

    def clean(self):
        data = super().clean()
        start, end = data.get("submitted_from"), data.get("submitted_to")
        if start and end and end < start:
            self.add_error("submitted_to", _("La fin de la période précède son début."))
        low, high = data.get("score_min"), data.get("score_max")
        if low is not None and high is not None and high < low:
            self.add_error("score_max", _("La note maximale est inférieure à la note minimale."))
        return data

    def __init__(self, *args, tenant, calls=None, **kwargs):
        super().__init__(*args, **kwargs)
        # plain choices, ids only: the tenant's calls, tracks and categories (cached with the
        # tenant's calls, forgotten when one of them changes)
        from calls.selectors import choice_rows

        kinds = {"call": [], "track": [], "category": []}
        for kind, pk, title, call, position in choice_rows(tenant):
            label = title if kind == "call" else f"{title} ({call})"
            kinds[kind].append(((title, pk) if kind == "call" else (position, pk), pk, label))
        everything = [("", _("Tous"))]
        for kind in kinds:
            self.fields[kind].choices = everything + [
                (pk, label) for _key, pk, label in sorted(kinds[kind])]


class ConflictForm(PortalForm):
    siret = forms.CharField(label=_("SIRET de la structure"), max_length=20)
    structure_name = forms.CharField(label=_("Nom de la structure"), max_length=200,
                                     required=False,
                                     help_text=_("Facultatif si la structure a déjà un profil."))
    nature = forms.CharField(label=_("Nature du lien"), max_length=300,
                             help_text=_("Ex. : ancien·ne salarié·e, membre du bureau, proche."))


class SessionForm(PortalForm):
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    date = forms.DateField(label=_("Date du comité"), widget=DATE_WIDGET)
    calls = forms.ModelMultipleChoiceField(label=_("Appels examinés"),
                                           queryset=Call.objects.none(),
                                           widget=forms.CheckboxSelectMultiple)
    quorum = forms.IntegerField(label=_("Quorum (membres présents)"), min_value=1, initial=3)
    quorum_each_funder = forms.BooleanField(label=_("Chaque financeur doit être représenté"),
                                            required=False, initial=True)

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["calls"].queryset = Call.objects.filter(tenant=tenant).order_by("title")


class MemberForm(PortalForm):
    user = forms.ChoiceField(label=_("Membre"))
    funder = forms.ChoiceField(label=_("Financeur représenté"), choices=Funder.choices,
                               help_text=_("Un membre siège pour son propre financeur."))
    override = forms.CharField(
        label=_("Justification d'une délégation"), required=False, max_length=500,
        help_text=_("Seulement pour faire siéger un membre au titre d'un autre financeur que "
                    "le sien (délégation écrite) ; tracé dans l'historique."))

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = choices


class DecisionForm(PortalForm):
    outcome = forms.ChoiceField(label=_("Décision"), choices=DecisionOutcome.choices,
                                widget=forms.RadioSelect)
    conditions = forms.CharField(label=_("Conditions (aide accordée)"), required=False,
                                 max_length=COMMENT,
                                 widget=forms.Textarea(attrs={"rows": 2}))
    motivation = forms.CharField(label=_("Motivation (obligatoire en cas de refus)"),
                                 required=False, max_length=COMMENT, widget=forms.Textarea(attrs={"rows": 2}))
    envelope_override = forms.CharField(
        label=_("Justification d'un dépassement d'enveloppe"), required=False, max_length=COMMENT,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Seulement pour accorder au-delà de l'enveloppe ; tracé dans l'historique."))
    version = forms.IntegerField(widget=forms.HiddenInput, initial=0)

    def __init__(self, *args, funders, prefix_id="", **kwargs):
        super().__init__(*args, **kwargs)
        self.funders = list(funders)
        for funder in self.funders:
            self.fields[f"share_{funder}"] = AmountField(
                label=_("Montant versé par : %(f)s (€)") % {"f": Funder(funder).label},
                required=False)
        # required in some cases (a refusal's motivation, the amounts of a grant)
        mark_not_optional(self, "motivation", *(f"share_{f}" for f in self.funders))

    def shares(self) -> dict:
        return {f: self.cleaned_data.get(f"share_{f}") for f in self.funders}


RECOMMENDATION_CHOICES = [("", _("— à choisir —"))] + list(Recommendation.choices)


class SavedViewForm(PortalForm):
    name = forms.CharField(label=_("Nom de la vue"), max_length=80,
                           help_text=_("Ex. : Coopération — à examiner en priorité."))


class RecusalForm(PortalForm):
    """An officer steps back from a dossier: the link is declared with the structure or the
    partner it concerns (the conflict registry then hides every dossier it touches)."""

    link = forms.ChoiceField(label=_("Lien avec"), widget=forms.RadioSelect)
    nature = forms.CharField(label=_("Nature du lien"), max_length=300,
                             help_text=_("Ex. : ancien·ne salarié·e, membre du bureau, proche."))

    def __init__(self, *args, dossier, partners, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("structure", _("%(name)s (structure candidate, SIRET %(siret)s)")
                    % {"name": dossier.structure.name, "siret": dossier.structure.siret})]
        choices += [(f"partner-{p.pk}", _("%(name)s (partenaire, SIRET %(siret)s)")
                     % {"name": p.name, "siret": p.siret}) for p in partners if p.siret]
        self.fields["link"].choices = choices
        self.fields["link"].initial = "structure"
        self._targets = {"structure": (dossier.structure.siret, dossier.structure.name)}
        self._targets.update({f"partner-{p.pk}": (p.siret, p.name) for p in partners if p.siret})

    def target(self) -> tuple[str, str]:
        """(SIRET, name) of the structure the link is declared with."""
        return self._targets[self.cleaned_data["link"]]


# --- Batch actions on the dashboard's selection (one prefix each: they share one form) ------

class BatchEligibilityForm(PortalForm):
    prefix = "eligibility"
    use_required_attribute = False  # one form holds every action: only the one posted is checked
    documents_checked = forms.BooleanField(
        label=_("J'ai vérifié que les pièces fournies sont conformes"),
        error_messages={"required": _("Cochez cette case : la recevabilité se confirme après "
                                      "vérification des pièces.")})
    comment = forms.CharField(label=_("Commentaire"), required=False,
                              max_length=COMMENT, widget=forms.Textarea(attrs={"rows": 2}))

    def params(self) -> dict:
        return {"comment": self.cleaned_data["comment"].strip()}


class BatchAssignForm(PortalForm):
    prefix = "assign"
    use_required_attribute = False  # one form holds every action: only the one posted is checked
    officer = forms.TypedChoiceField(label=_("Rapporteur·rice"), coerce=int)

    def __init__(self, *args, tenant, **kwargs):
        from portal.enums import Role
        from portal.models import Membership

        super().__init__(*args, **kwargs)
        # the values the labels need, not three model instances per officer (str(user) is
        # its full name or its e-mail address, str(organization) its name)
        self.fields["officer"].choices = [("", _("— à choisir —"))] + [
            (user_id, f"{f'{first} {last}'.strip() or email} — {organization}")
            for user_id, first, last, email, organization in Membership.objects.filter(
                tenant=tenant, role=Role.INSTRUCTOR, organization__kind__in=Funder.values)
            .values_list("user_id", "user__first_name", "user__last_name", "user__email",
                         "organization__name")]

    def params(self) -> dict:
        return {"officer": self.cleaned_data["officer"]}


class BatchAgendaForm(PortalForm):
    prefix = "agenda"
    use_required_attribute = False  # one form holds every action: only the one posted is checked
    session = forms.TypedChoiceField(label=_("Séance du comité"), coerce=int)

    def __init__(self, *args, tenant, **kwargs):
        from .enums import SessionStatus
        from .models import CommitteeSession

        super().__init__(*args, **kwargs)
        self.fields["session"].choices = [("", _("— à choisir —"))] + [
            (pk, title) for pk, title in CommitteeSession.objects.filter(tenant=tenant).exclude(
                status=SessionStatus.CLOSED).order_by("date", "pk").values_list("pk", "title")]

    def params(self) -> dict:
        return {"session": self.cleaned_data["session"]}


def batch_completion_form(data=None):
    """The completion request form of the dossier page, for a selection."""
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from applications.forms import CompletionRequestForm

    class BatchCompletionForm(CompletionRequestForm):
        use_required_attribute = False  # shares the selection form with the other actions

        def params(self) -> dict:
            due = datetime.combine(self.cleaned_data["due_date"], time(23, 59, 59),
                                   tzinfo=ZoneInfo("Europe/Paris"))
            return {"message": self.cleaned_data["message"].strip(),
                    "steps": list(self.cleaned_data["steps"]), "due_at": due.isoformat()}

    return BatchCompletionForm(data, prefix="completion")


class CommitteeRecusalForm(PortalForm):
    """A committee member steps out of the deliberation on one agenda dossier."""

    reason = forms.CharField(label=_("Motif du déport"), required=False, max_length=300,
                             help_text=_("Ex. : lien personnel avec un partenaire du projet."))


class SessionCloseForm(PortalForm):
    """The reason asked on the confirmation step when a session is closed before its date."""

    early_reason = forms.CharField(
        label=_("Motif de la clôture avant la date de la séance"), max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Obligatoire pour clore la séance avant sa date ; conservé dans "
                    "l'historique."))


class PresenceForm(PortalForm):
    present = forms.TypedMultipleChoiceField(label=_("Présent·es"), coerce=int, required=False)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [(m.pk, str(m.user)) for m in members]


class AgendaMoveForm(PortalForm):
    item = forms.TypedChoiceField(label=_("Point de l'ordre du jour"), coerce=int)
    direction = forms.ChoiceField(label=_("Sens"), choices=[("up", _("Monter")),
                                                            ("down", _("Descendre"))])

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [(i.pk, str(i.pk)) for i in items]


class OfficerForm(PortalForm):
    officer = forms.TypedChoiceField(label=_("Rapporteur·rice"), coerce=int)

    def __init__(self, *args, officers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].choices = [(u.pk, str(u)) for u in officers]


class EligibilityConfirmForm(PortalForm):
    """The recevabilité step of the instruction page (its inputs are laid out by the page's
    table): per automatic result, `final_<id>` (the result kept: the automatic one when left
    as is) and `justification_<id>`; per required document, `doc_<id>` (ticked as
    conforming); a comment. The service checks the values and the justifications."""

    comment = forms.CharField(label=_("Commentaire"), required=False, max_length=COMMENT)

    def __init__(self, *args, results, documents, **kwargs):
        super().__init__(*args, **kwargs)
        self.results = [(str(r.get("id")), r.get("status")) for r in results]
        self.documents = [str(doc["id"]) for doc in documents]
        for key, _status in self.results:
            self.fields[f"final_{key}"] = forms.CharField(label=_("Résultat retenu"),
                                                          required=False, max_length=16)
            self.fields[f"justification_{key}"] = forms.CharField(
                label=_("Justification"), required=False, max_length=2000)
        for key in self.documents:
            self.fields[f"doc_{key}"] = forms.BooleanField(label=_("Pièce conforme"),
                                                           required=False)

    def overrides(self) -> dict:
        data = self.cleaned_data
        return {key: {"final": data[f"final_{key}"] or status,
                      "justification": data[f"justification_{key}"]}
                for key, status in self.results}

    def checklist(self) -> dict:
        return {key: self.cleaned_data[f"doc_{key}"] for key in self.documents}


class ReviewForm(PortalForm):
    """The scoring form of the instruction page (and its autosave): `score_<criterion id>`
    per criterion as typed (the service reads the scores and the amount the French way and
    says which one is wrong), the opinion, the recommendation, the proposed amount, the
    version the page was loaded with and the button pressed (`action=submit` submits)."""

    opinion = forms.CharField(label=_("Avis technique"), required=False, strip=False,
                              max_length=PRESENTATION)
    recommendation = forms.CharField(label=_("Recommandation"), required=False, max_length=32)
    proposed_amount = forms.CharField(label=_("Montant proposé (€)"), required=False,
                                      max_length=40)
    version = forms.IntegerField(label=_("Version"), required=False, min_value=0)
    action = forms.ChoiceField(label=_("Action"), required=False, choices=[
        ("draft", _("Enregistrer le brouillon")), ("submit", _("Soumettre (définitif)"))])

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criterion_ids = [str(c.id) for c in criteria]
        for key in self.criterion_ids:
            self.fields[f"score_{key}"] = forms.CharField(label=_("Note"), required=False,
                                                          max_length=20)

    @property
    def submits(self) -> bool:
        return self.cleaned_data.get("action") == "submit"

    def scores(self) -> dict:
        """The scores posted (a criterion left out of the post is left out here too)."""
        return {key: self.cleaned_data[f"score_{key}"] for key in self.criterion_ids
                if f"score_{key}" in self.data}


class ThresholdForm(PortalForm):
    """The disagreement threshold of the tenant, or of one of its calls."""

    call = forms.ModelChoiceField(label=_("Appel"), queryset=Call.objects.none(),
                                  required=False)
    threshold = forms.CharField(label=_("Seuil (points sur 20)"), required=False,
                                max_length=20)

    def __init__(self, *args, tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["call"].queryset = Call.objects.filter(tenant=tenant)


# --- The live meeting ---------------------------------------------------------------------

class ConductForm(PortalForm):
    chair = forms.TypedChoiceField(label=_("Présidence de la séance"), coerce=int, required=False,
                                   empty_value=None,
                                   help_text=_("Sans membre désigné, l'administrateur·rice du "
                                               "contrat conduit la séance."))
    votes_enabled = forms.BooleanField(label=_("Vote nominatif sur chaque dossier (pour, contre, "
                                               "abstention), inscrit au procès-verbal"),
                                       required=False)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chair"].choices = [("", _("L'administrateur·rice du contrat"))] + [
            (m.user_id, f"{m.user} ({m.get_funder_display()})") for m in members]


class MeetingMoveForm(PortalForm):
    item = forms.TypedChoiceField(label=_("Aller au dossier"), coerce=int)

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [(pk, f"{position}. {reference}")
                                       for pk, position, reference in items]


class MeetingPresenceForm(PortalForm):
    member = forms.TypedChoiceField(label=_("Membre"), coerce=int)
    present = forms.TypedChoiceField(label=_("Mouvement"), coerce=int,
                                     choices=[(1, _("Arrivée")), (0, _("Départ"))])

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(m.pk, str(m.user)) for m in members]


class VoteForm(PortalForm):
    choice = forms.ChoiceField(label=_("Mon vote"), choices=VoteChoice.choices,
                               widget=forms.RadioSelect)


class FunderEnvelopesForm(PortalForm):
    """One amount per funder of each call, and per funder for the whole contract."""

    def __init__(self, *args, calls, **kwargs):
        super().__init__(*args, **kwargs)
        self.slots = []
        for call in calls:
            for funder in call.funders or []:
                name = f"env_{call.pk}_{funder}"
                self.fields[name] = AmountField(
                    label=_("%(f)s — %(call)s (€)") % {"f": Funder(funder).label,
                                                       "call": call.title}, required=False)
                self.slots.append((name, call, funder))
        for funder in Funder.values:
            name = f"env_contract_{funder}"
            self.fields[name] = AmountField(
                label=_("%(f)s — tout le contrat (€)") % {"f": Funder(funder).label},
                required=False)
            self.slots.append((name, None, funder))
