"""Every free text typed into the portal has a limit (issue 13, finding 5: 1.1 MB in two
fields of a draft made the dossier's PDF 520 pages long): the form refuses a longer text
naming the field and keeps it for the person to shorten, the model refuses it too, the page
carries the limit as `maxlength` for the on-screen counter (static/portal/textcount.js)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django_scopes import scope

from applications.forms import MessageForm, ProjectForm
from mentoring.forms import NeedForm
from reviews.forms import DecisionForm, ReviewForm
from portal.textlimits import COMMENT, KEPT_INPUT, MESSAGE, PRESENTATION
from tests.factories.applications import DossierFactory, StructureMemberFactory, balanced_budget
from tests.factories.calls import CallFactory

pytestmark = pytest.mark.django_db


def grouped(n):
    return number_format(n, force_grouping=True)


@pytest.fixture
def dossier(tenant, applicant):
    structure = StructureMemberFactory(user=applicant).structure
    with scope(tenant=tenant):
        call = CallFactory(tenant=tenant, slug="cooperation")
        return balanced_budget(DossierFactory(call=call, structure=structure))


def url(dossier, suffix=""):
    return f"/{dossier.tenant.slug}/dossiers/{dossier.pk}/{suffix}"


def test_a_presentation_over_its_limit_is_refused_naming_the_field_and_kept(client, dossier,
                                                                             applicant):
    client.force_login(applicant)
    too_long = "Une tournée coopérative à travers l'Occitanie. " * 110  # 5 170 characters
    assert len(too_long) > PRESENTATION
    response = client.post(url(dossier, "etapes/project/"), {
        "title": "Tournée", "summary": too_long, "objectives": "Des publics élargis.",
        "start_date": "2027-02-01", "end_date": "2027-12-31", "action": "save"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"summary"}
    assert errors["summary"] == [
        f"« Présentation du projet » : {grouped(PRESENTATION)} caractères au plus, le texte "
        f"en compte {grouped(len(too_long.strip()))}. Raccourcissez-le."]
    with scope(tenant=dossier.tenant):
        dossier.refresh_from_db()
    assert dossier.summary != too_long
    # the text is kept, whole, for the applicant to shorten, and the page carries the limit
    page = client.get(url(dossier, "etapes/project/")).content.decode()
    assert too_long.replace("'", "&#x27;") in page
    assert f'maxlength="{PRESENTATION}"' in page
    assert "portal/textcount.js" in page


def test_line_breaks_count_once_as_in_the_browser(client, dossier, applicant):
    client.force_login(applicant)
    # the browser sends CR LF; its maxlength, and the counter, count one character
    text = ("a" * 99 + "\r\n") * (PRESENTATION // 100)
    assert len(text.replace("\r\n", "\n")) == PRESENTATION < len(text)
    response = client.post(url(dossier, "etapes/project/"), {
        "title": "Tournée", "summary": text, "start_date": "2027-02-01",
        "end_date": "2027-12-31", "action": "save"})
    assert response.status_code == 302
    with scope(tenant=dossier.tenant):
        dossier.refresh_from_db()
    assert dossier.summary == text.strip()


def test_a_pasted_megabyte_is_not_stored_as_kept_input(client, dossier, applicant):
    client.force_login(applicant)
    client.post(url(dossier, "etapes/project/"), {
        "title": "Tournée", "summary": "x" * 1_000_000, "objectives": "y" * 200_000,
        "action": "save"})
    with scope(tenant=dossier.tenant):
        dossier.refresh_from_db()
    kept = dossier.draft_data["project"]
    assert [len(kept["summary"][0]), len(kept["objectives"][0])] == [KEPT_INPUT, KEPT_INPUT]


def test_the_model_refuses_a_longer_text_whatever_the_form(dossier):
    with scope(tenant=dossier.tenant):
        dossier.summary = "x" * (PRESENTATION + 1)
        with pytest.raises(ValidationError) as exc:
            dossier.full_clean()
    assert "summary" in exc.value.error_dict


def test_a_message_over_its_limit_is_shown_again_with_its_error(client, dossier, applicant):
    with scope(tenant=dossier.tenant):
        from applications import services
        services.dossier_submit(user=applicant, dossier=dossier)
    client.force_login(applicant)
    body = "Bonjour, une question sur l'échéancier. " * 200
    response = client.post(url(dossier, "messages/"), {"body": body})
    assert response.status_code == 400
    assert "« Votre message » : " in response.context["message_form"].errors["body"][0]
    assert body.replace("'", "&#x27;") in response.content.decode()
    with scope(tenant=dossier.tenant):
        assert not dossier.messages.exists()
    assert f'maxlength="{MESSAGE}"' in response.content.decode()


@pytest.mark.parametrize(("form_class", "field", "limit", "label", "extra"), [
    (DecisionForm, "motivation", COMMENT, "Motivation (obligatoire en cas de refus)",
     {"outcome": "rejected", "version": "0"}),
    (DecisionForm, "conditions", COMMENT, "Conditions (aide accordée)",
     {"outcome": "granted", "version": "0"}),
    (ReviewForm, "opinion", PRESENTATION, "Avis technique", {}),
    (MessageForm, "body", MESSAGE, "Votre message", {}),
])
def test_staff_and_applicant_forms_name_the_field_over_its_limit(form_class, field, limit,
                                                                 label, extra):
    kwargs = {DecisionForm: {"funders": ["drac"]}, ReviewForm: {"criteria": []}}.get(
        form_class, {})
    form = form_class(data={field: "é" * (limit + 1), **extra}, **kwargs)
    assert not form.is_valid()
    assert form.errors[field][0].startswith(f"« {label} » : {grouped(limit)} caractères")
    at_limit = form_class(data={field: "é" * limit, **extra}, **kwargs)
    at_limit.is_valid()
    assert field not in at_limit.errors


def test_every_dossier_text_field_has_a_limit():
    """The fields an applicant fills, in the form and in the model."""
    project = ProjectForm()
    assert [project.fields[f].max_length for f in ("summary", "objectives")] == [
        PRESENTATION, PRESENTATION]
    assert NeedForm.base_fields["description"].max_length == PRESENTATION
    from applications.models import CompletionRequest, DossierMessage, Partner
    from awards.models import FinalReport
    from mentoring.models import Diagnosis, NeedRequest, ResourcePerson
    from reviews.models import Decision, EligibilityReview, Review
    for model, name in [(DossierMessage, "body"), (CompletionRequest, "message"),
                        (Partner, "role"), (FinalReport, "activity_report"),
                        (FinalReport, "examination_comment"), (NeedRequest, "description"),
                        (Diagnosis, "comment"), (ResourcePerson, "bio"), (Review, "opinion"),
                        (Decision, "motivation"), (EligibilityReview, "comment")]:
        field = model._meta.get_field(name)
        assert field.max_length and any(
            getattr(v, "limit_value", None) == field.max_length for v in field.validators), \
            (model, name)


#: TextFields nobody types into: the portal writes them itself (a rendered e-mail, a search
#: document built from other fields, an error of the matchmaker). Every other TextField of the
#: project's models is bounded with portal.textlimits (model validator and form maxlength).
WRITTEN_BY_THE_PORTAL = {
    ("portal", "Notification", "subject"): "rendered from a template",
    ("portal", "Notification", "body_text"): "rendered from a template",
    ("portal", "Notification", "body_html"): "rendered from a template",
    ("reviews", "DossierSummary", "search_text"): "built from the bounded fields it indexes",
    ("mentoring", "AssignmentRun", "error"): "the matchmaker's own French sentence",
}

PROJECT_APPS = {"portal", "calls", "applications", "reviews", "mentoring", "awards", "national"}


def _text_fields():
    from django.apps import apps
    from django.db import models

    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        for field in model._meta.get_fields():
            if isinstance(field, models.TextField):
                yield model, field


def test_every_text_field_of_every_model_is_bounded_or_written_by_the_portal():
    """No TextField escapes: a new one without a limit (or a reason here) fails."""
    from portal.textlimits import TextLengthValidator

    unbounded, seen = [], set()
    for model, field in _text_fields():
        key = (model._meta.app_label, model.__name__, field.name)
        seen.add(key)
        if key in WRITTEN_BY_THE_PORTAL:
            continue
        limits = [v.limit_value for v in field.validators if isinstance(v, TextLengthValidator)]
        if not field.max_length or limits != [field.max_length]:
            unbounded.append(f"{model._meta.label}.{field.name}")
    assert unbounded == []
    assert set(WRITTEN_BY_THE_PORTAL) <= seen  # the list names real fields only
    assert len(seen) >= 30


def test_the_staff_texts_have_their_limits():
    from calls.models import AppraisalCriterion, Call, Category, DocumentRequirement, Track
    from portal.models import Organization, Tenant
    from portal.textlimits import ADDRESS, RICH_TEXT

    assert {f"{m.__name__}.{n}": m._meta.get_field(n).max_length for m, n in [
        (Tenant, "description"), (Organization, "address"), (Call, "description"),
        (Track, "description"), (Category, "description"), (AppraisalCriterion, "help_text"),
        (DocumentRequirement, "help_text")]} == {
        "Tenant.description": PRESENTATION, "Organization.address": ADDRESS,
        "Call.description": RICH_TEXT, "Track.description": PRESENTATION,
        "Category.description": PRESENTATION, "AppraisalCriterion.help_text": COMMENT,
        "DocumentRequirement.help_text": COMMENT}


def test_every_text_area_of_every_form_has_a_limit():
    """The forms' own text areas (not generated from a model field) carry a max_length too,
    so the browser bounds them and textcount.js counts them."""
    import importlib
    import inspect

    from django import forms

    missing = []
    for app in sorted(PROJECT_APPS):
        try:
            module = importlib.import_module(f"{app}.forms")
        except ModuleNotFoundError:
            continue
        for name, form in inspect.getmembers(module, inspect.isclass):
            if not issubclass(form, forms.BaseForm) or form.__module__ != module.__name__:
                continue
            for field_name, field in form.base_fields.items():
                if isinstance(field.widget, forms.Textarea) and not getattr(
                        field, "max_length", None):
                    missing.append(f"{app}.forms.{name}.{field_name}")
    assert missing == []


def _staff_forms():
    from calls.forms import AppraisalCriterionForm, CallForm, DocumentRequirementForm, TrackForm
    from portal.forms import TenantForm
    from portal.official import OrganizationIdentityForm

    return [(TenantForm, "description", PRESENTATION, "Présentation", {}),
            (OrganizationIdentityForm, "address", None, "Adresse", {}),
            (CallForm, "description", None, "Présentation", {}),
            (TrackForm, "description", PRESENTATION, "Présentation", {"call": True}),
            (AppraisalCriterionForm, "help_text", COMMENT, "Aide", {"call": True}),
            (DocumentRequirementForm, "help_text", COMMENT, "Aide", {"call": True})]


@pytest.mark.parametrize("index", range(6))
def test_staff_forms_name_the_field_over_its_limit_and_carry_maxlength(index, tenant):
    from portal.textlimits import ADDRESS, RICH_TEXT

    form_class, field, limit, label, extra = _staff_forms()[index]
    limit = limit or {"address": ADDRESS, "description": RICH_TEXT}[field]
    kwargs = {}
    with scope(tenant=tenant):
        if extra.get("call"):
            kwargs["call"] = CallFactory(tenant=tenant)
        form = form_class(data={field: "é" * (limit + 1)}, **kwargs)
        assert f'maxlength="{limit}"' in str(form[field])
        assert not form.is_valid()
        assert form.errors[field][0] == (
            f"« {label} » : {grouped(limit)} caractères au plus, le texte en compte "
            f"{grouped(limit + 1)}. Raccourcissez-le.")
        at_limit = form_class(data={field: "é" * limit}, **kwargs)
        at_limit.is_valid()
        assert field not in at_limit.errors


def test_a_call_presentation_over_its_limit_is_refused_and_kept_on_the_edit_page(
        client, tenant, admin_user, no_staff_2fa):
    from calls.models import Call
    from portal.textlimits import RICH_TEXT

    with scope(tenant=tenant):
        call = CallFactory(tenant=tenant, slug="cooperation", description="<p>Avant.</p>")
    client.force_login(admin_user)
    edit = f"/{tenant.slug}/gestion/appels/{call.slug}/modifier/"
    page = client.get(edit)
    assert page.status_code == 200
    form = page.context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    too_long = "<p>" + "Une coopération entre scènes d’Occitanie. " * 500 + "</p>"
    assert len(too_long) > RICH_TEXT
    response = client.post(edit, {**{k: v for k, v in data.items()
                                     if not isinstance(v, (list, dict))},
                                  "description": too_long})
    assert response.status_code == 200
    assert "description" in response.context["form"].errors
    assert "caractères au plus" in response.context["form"].errors["description"][0]
    assert "Une coopération entre scènes d’Occitanie." in response.content.decode()
    assert f'maxlength="{RICH_TEXT}"' in response.content.decode()
    with scope(tenant=tenant):
        assert Call.objects.get(pk=call.pk).description == "<p>Avant.</p>"
