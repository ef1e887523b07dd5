"""The forms of the dossier page (completion request, withdrawal): an error names its field
and the page is shown again with what was typed."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from applications import services
from applications.models import Dossier
from tests.factories.applications import DossierFactory, balanced_budget

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(tenant, call, structure, applicant):
    with scope(tenant=tenant):
        dossier = balanced_budget(DossierFactory(call=call, structure=structure))
        services.dossier_submit(user=applicant, dossier=dossier)
    return dossier


def url(dossier, suffix=""):
    return f"/{dossier.tenant.slug}/dossiers/{dossier.pk}/{suffix}"


def _textarea(html: str, name: str) -> str:
    return re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', html, re.S).group(1)


def test_completion_request_due_in_the_past_names_the_date_and_keeps_the_message(
        client, filed, instructor, no_staff_2fa):
    client.force_login(instructor)
    yesterday = (timezone.now() - timedelta(days=1)).date().isoformat()
    response = client.post(url(filed, "complements/"), {
        "message": "Joignez le budget prévisionnel signé.", "steps": ["budget"],
        "due_date": yesterday})
    assert response.status_code == 400
    form = response.context["completion_form"]
    assert form.errors == {"due_date": ["La date limite doit être dans le futur."]}
    html = response.content.decode()
    assert _textarea(html, "message").strip() == "Joignez le budget prévisionnel signé."
    assert f'value="{yesterday}"' in html
    with scope(tenant=filed.tenant):
        assert Dossier.objects.get(pk=filed.pk).status == "submitted"


def test_completion_request_without_step_names_the_steps_and_keeps_the_message(
        client, filed, instructor, no_staff_2fa):
    client.force_login(instructor)
    due = (timezone.now() + timedelta(days=10)).date().isoformat()
    response = client.post(url(filed, "complements/"), {
        "message": "Précisez les partenaires.", "due_date": due})
    assert response.status_code == 400
    assert list(response.context["completion_form"].errors) == ["steps"]
    assert _textarea(response.content.decode(), "message").strip() == "Précisez les partenaires."


def test_completion_request_is_refused_to_the_applicant_and_another_tenant(
        client, filed, applicant, other_tenant, make_member, no_staff_2fa):
    due = (timezone.now() + timedelta(days=10)).date().isoformat()
    data = {"message": "x", "steps": ["project"], "due_date": due}
    client.force_login(applicant)
    assert client.post(url(filed, "complements/"), data).status_code == 404
    client.force_login(make_member(other_tenant, "instructor"))
    assert client.post(f"/{other_tenant.slug}/dossiers/{filed.pk}/complements/",
                       data).status_code == 404


def test_withdraw_without_confirmation_names_the_box_and_keeps_the_reason(client, filed,
                                                                        applicant):
    client.force_login(applicant)
    response = client.post(url(filed, "retirer/"), {"reason": "Tournée reportée en 2027"})
    assert response.status_code == 400
    assert list(response.context["withdraw_form"].errors) == ["confirm"]
    assert 'value="Tournée reportée en 2027"' in response.content.decode()
    with scope(tenant=filed.tenant):
        assert Dossier.objects.get(pk=filed.pk).status == "submitted"


def test_withdraw_is_refused_to_an_instructor(client, filed, instructor, no_staff_2fa):
    client.force_login(instructor)
    response = client.post(url(filed, "retirer/"), {"reason": "x", "confirm": "on"})
    assert response.status_code == 404
    with scope(tenant=filed.tenant):
        assert Dossier.objects.get(pk=filed.pk).status == "submitted"


def test_a_blank_income_line_has_no_origin_chosen_and_a_named_line_needs_one():
    """A new income line used to start on « Autofinancement »: an amount typed there counted
    as self-financing whatever the line was. It starts unchosen; a line named without an
    origin is refused by its name, what was typed kept."""
    from applications.forms import IncomeLineForm

    blank = IncomeLineForm(prefix="income-0")
    html = str(blank["source"])
    assert re.search(r'<option value="" selected>Choisissez l(&#x27;|\')origine</option>', html)

    typed = IncomeLineForm({"income-0-source": "", "income-0-label": "Mécène local",
                            "income-0-amount": "2 500,50"}, prefix="income-0")
    assert not typed.is_valid()
    assert typed.errors["source"] == ["Indiquez l'origine de « Mécène local »."]
    assert 'value="2 500,50"' in str(typed["amount"]) or "2 500,50" in str(typed["amount"])

    untouched = IncomeLineForm({"income-0-source": "", "income-0-label": "",
                                "income-0-amount": ""}, prefix="income-0")
    assert untouched.is_valid()
