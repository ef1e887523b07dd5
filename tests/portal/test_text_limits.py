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
