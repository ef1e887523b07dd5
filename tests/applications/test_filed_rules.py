"""A filed dossier is judged against the rules it was filed under (its snapshot): a change of
the call's rules after filing neither refuses its resubmission nor blocks its summary."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scope

from applications import services
from applications.checks import check_dossier, filed_snapshot
from applications.models import Dossier
from calls import services as call_services
from calls.funding import rules_from_snapshot
from calls.models import Call, DocumentRequirement
from tests.factories.applications import DossierFactory, balanced_budget
from tests.factories.calls import CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(tenant, call, structure):
    with scope(tenant=tenant):
        return balanced_budget(DossierFactory(call=call, structure=structure))


def _file_then_request_completion(tenant, applicant, instructor, dossier, change):
    with scope(tenant=tenant):
        services.dossier_submit(user=applicant, dossier=dossier)
        change()
        services.dossier_request_completion(
            user=instructor, dossier=dossier, message="Précisez le calendrier.",
            steps=["project"], due_at=timezone.now() + timedelta(days=3))
        return Dossier.objects.get(pk=dossier.pk)


def test_rules_from_snapshot_types_amounts_and_shares_as_decimals():
    rules = rules_from_snapshot({"rules": {"amount_max": "10000.00", "min_partners": 2,
                                           "max_share_of_budget": "50.00", "amount_min": None}})
    assert rules == {"amount_min": None, "amount_max": Decimal("10000.00"),
                     "max_share_of_budget": Decimal("50.00"),
                     "min_self_financing_share": None, "advance_percentage": None,
                     "min_partners": 2, "duration_months_min": None,
                     "duration_months_max": None, "advance_paid_on": None,
                     "balance_paid_on": None, "report_due_months": None, "share_base": None}
    assert rules_from_snapshot(None) is None
    assert rules_from_snapshot({"rules_version": 1}) is None


def test_resubmission_is_judged_against_the_amount_max_in_force_at_filing(
        tenant, call, applicant, instructor, admin_user, structure):
    with scope(tenant=tenant):
        category = CategoryFactory(call=call, title="Tournées", amount_max=Decimal("20000"))
        dossier = balanced_budget(DossierFactory(call=call, structure=structure,
                                                 category=category))

    def lower_the_maximum():
        call_services.item_update(user=admin_user, item=category, amount_max=Decimal("5000"))

    filed = _file_then_request_completion(tenant, applicant, instructor, dossier,
                                          lower_the_maximum)
    with scope(tenant=tenant):
        category.refresh_from_db()
        assert category.amount_max == Decimal("5000.00")
        check = check_dossier(filed, snapshot=filed_snapshot(filed))
        assert check.rules["amount_max"] == Decimal("20000")
        assert check.can_submit is True
        services.dossier_submit(user=applicant, dossier=filed)
        filed.refresh_from_db()
        assert filed.status == "submitted"


def test_a_draft_is_checked_against_the_live_rules(tenant, call, admin_user, dossier):
    with scope(tenant=tenant):
        call_services.call_update(user=admin_user, call=Call.objects.get(pk=call.pk),
                                  amount_max=Decimal("5000"))
        draft = Dossier.objects.get(pk=dossier.pk)
        check = check_dossier(draft, snapshot=filed_snapshot(draft))
    assert filed_snapshot(draft) is None
    assert check.rules["amount_max"] == Decimal("5000.00")
    assert check.problems["budget"][0].startswith("Le montant demandé")


def test_summary_during_completion_ignores_a_document_required_after_filing(
        client, tenant, call, applicant, instructor, admin_user, dossier):
    def add_required_document():
        call_services.item_create(
            model=DocumentRequirement, user=admin_user, call=Call.objects.get(pk=call.pk),
            label="Nouvelle pièce", allowed_formats=["pdf"], required=True, max_size_mb=5)

    filed = _file_then_request_completion(tenant, applicant, instructor, dossier,
                                          add_required_document)
    client.force_login(applicant)
    response = client.get(f"/{tenant.slug}/dossiers/{filed.pk}/etapes/summary/")
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["check"].problems == {}
    assert response.context["can_submit"] is True
    assert "Pièce manquante" not in html
    assert "Déposer à nouveau le dossier complété" in html
    documents = client.get(f"/{tenant.slug}/dossiers/{filed.pk}/etapes/documents/")
    assert "Nouvelle pièce" not in documents.content.decode()


def test_budget_step_during_completion_shows_the_rules_of_filing(
        client, tenant, call, applicant, instructor, admin_user, dossier):
    with scope(tenant=tenant):
        call_services.call_update(user=admin_user, call=Call.objects.get(pk=call.pk),
                                  amount_max=Decimal("20000"))

    def lower_the_maximum():
        call_services.call_update(user=admin_user, call=Call.objects.get(pk=call.pk),
                                  amount_max=Decimal("5000"))

    filed = _file_then_request_completion(tenant, applicant, instructor, dossier,
                                          lower_the_maximum)
    client.force_login(applicant)
    response = client.get(f"/{tenant.slug}/dossiers/{filed.pk}/etapes/budget/")
    assert response.status_code == 200
    assert response.context["rules"]["amount_max"] == Decimal("20000")
    assert response.context["check"].problems == {}


def test_upload_to_a_document_added_after_filing_answers_404(
        client, tenant, call, applicant, instructor, admin_user, dossier):
    created = {}

    def add_required_document():
        created["req"] = call_services.item_create(
            model=DocumentRequirement, user=admin_user, call=Call.objects.get(pk=call.pk),
            label="Nouvelle pièce", allowed_formats=["pdf"], required=True, max_size_mb=5)

    filed = _file_then_request_completion(tenant, applicant, instructor, dossier,
                                          add_required_document)
    client.force_login(applicant)
    response = client.post(
        f"/{tenant.slug}/dossiers/{filed.pk}/pieces/{created['req'].pk}/")
    assert response.status_code == 404
