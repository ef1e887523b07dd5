"""Step pages of the guided form: the pre-check page says why the dossier cannot be filed
(eligibility criteria included, with a link to where each is fixed), the project step shows
the duration rule, the budget step hands its translated texts to the live script."""

import pytest
from django_scopes import scope

from calls.enums import Severity
from tests.factories.applications import DossierFactory, balanced_budget
from tests.factories.calls import CriterionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(tenant, call, structure):
    with scope(tenant=tenant):
        return balanced_budget(DossierFactory(call=call, structure=structure))


def summary(client, dossier):
    return client.get(f"/{dossier.tenant.slug}/dossiers/{dossier.pk}/etapes/summary/")


def test_a_failing_criterion_alone_shows_the_alert_with_a_link_to_the_structure(
        client, tenant, call, dossier, applicant):
    with scope(tenant=tenant):
        CriterionFactory(call=call, label="100 ans d'activité", value=1200,
                         severity=Severity.BLOCKING)
    client.force_login(applicant)
    response = summary(client, dossier)
    html = response.content.decode()
    assert response.context["check"].problems == {}
    assert response.context["can_submit"] is False
    assert "Le dossier ne peut pas encore être déposé" in html
    assert "Critère d’éligibilité non rempli : 100 ans d&#x27;activité" in html
    assert f'href="/structures/{dossier.structure.pk}/">Mettre à jour le profil' in html
    assert "Déposer le dossier</button>" not in html


def test_a_warning_criterion_does_not_block_and_is_shown_as_a_point_of_attention(
        client, tenant, call, dossier, applicant):
    with scope(tenant=tenant):
        CriterionFactory(call=call, label="100 ans d'activité", value=1200,
                         severity=Severity.WARNING)
    client.force_login(applicant)
    response = summary(client, dossier)
    html = response.content.decode()
    assert response.context["can_submit"] is True
    assert "Le dossier ne peut pas encore être déposé" not in html
    assert "Points d’attention" in html
    assert "100 ans d&#x27;activité" in html
    assert "Déposer le dossier</button>" in html


def test_summary_of_another_tenants_dossier_answers_404(client, other_tenant, dossier,
                                                        applicant):
    client.force_login(applicant)
    response = client.get(f"/{other_tenant.slug}/dossiers/{dossier.pk}/etapes/summary/")
    assert response.status_code == 404


def test_project_step_shows_the_duration_rule_next_to_the_end_date(client, tenant, call,
                                                                    structure, applicant):
    from calls.models import Call

    with scope(tenant=tenant):
        Call.objects.filter(pk=call.pk).update(duration_months_max=6)
        dossier = balanced_budget(DossierFactory(call=call, structure=structure))
    client.force_login(applicant)
    response = client.get(f"/{tenant.slug}/dossiers/{dossier.pk}/etapes/project/")
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["duration_reasons"] == [
        "Le projet dure 12 mois ; la catégorie permet au plus 6 mois."]
    end_field = html.index('name="end_date"')
    reason = html.index("Le projet dure 12 mois ; la catégorie permet au plus 6 mois.")
    assert end_field < reason < html.index("</fieldset>")


def test_budget_step_gives_the_live_balance_texts_to_the_script(client, dossier, applicant):
    client.force_login(applicant)
    html = client.get(f"/{dossier.tenant.slug}/dossiers/{dossier.pk}/etapes/budget/"
                      ).content.decode()
    assert ('data-budget-balance data-msg-balanced="Le budget est équilibré." '
            'data-msg-gap="Écart entre recettes et dépenses : {gap}" data-locale="fr"') in html


def _labels(html: str) -> dict[str, str]:
    """{input id: label text} of the page's DSFR labels."""
    import re

    return {m.group(1): " ".join(re.sub(r"<[^>]+>", " ", m.group(2)).split())
            for m in re.finditer(r'<label for="([^"]+)" class="fr-label">(.*?)</label>', html,
                                 re.S)}


def test_guided_form_marks_optional_only_what_may_stay_empty_to_file(client, dossier, applicant):
    client.force_login(applicant)
    base = f"/{dossier.tenant.slug}/dossiers/{dossier.pk}/etapes"
    labels = _labels(client.get(f"{base}/project/").content.decode())
    assert labels["id_title"] == "Intitulé du projet"
    assert labels["id_summary"].startswith("Présentation") and "Optionnel" not in labels[
        "id_summary"]
    assert "(Optionnel)" not in labels["id_start_date"] + labels["id_end_date"]
    assert labels["id_objectives"].endswith("(Optionnel)")
    labels = _labels(client.get(f"{base}/partners/").content.decode())
    assert labels["id_partner-0-name"] == "Nom de la structure partenaire"
    assert labels["id_partner-0-role"] == "Rôle dans le projet"
    assert labels["id_partner-0-siret"] == "SIRET (Optionnel)"


def test_withdrawal_reason_is_marked_optional_once(client, dossier, applicant):
    from applications.forms import WithdrawForm

    assert str(WithdrawForm()["reason"].label) == "Motif"
    assert "Motif (Optionnel)" in " ".join(WithdrawForm().as_div().split())
