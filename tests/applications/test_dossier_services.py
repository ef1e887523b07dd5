"""Dossier services: start, budget rules, eligibility, submission, references, deadline,
freezing, completion requests, withdrawal."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django_scopes import scope

from applications import services
from applications.checks import check_dossier
from applications.models import BudgetLine, Dossier
from calls.enums import CriterionKind, Severity
from portal.models import AuditEvent
from tests.factories import UserFactory
from tests.factories.applications import (AnnualRevenueFactory, DossierFactory, PartnerFactory,
                                          StructureMemberFactory, balanced_budget)
from tests.factories.calls import CategoryFactory, CriterionFactory, DocumentRequirementFactory
from tests.factories.calls import TrackFactory, paris

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("scoped")]


@pytest.fixture
def dossier(call, structure):
    return balanced_budget(DossierFactory(call=call, structure=structure))


# --- start ------------------------------------------------------------------------------------

def test_start_requires_track_and_category_when_the_call_has_them(applicant, call, structure):
    track = TrackFactory(call=call, title="Spectacle vivant")
    category = CategoryFactory(call=call, title="Expérimentation")
    with pytest.raises(services.DossierError) as exc:
        services.dossier_start(user=applicant, call=call, structure=structure)
    assert exc.value.message_dict == {"track": ["Choisissez un volet."],
                                      "category": ["Choisissez une catégorie."]}
    dossier = services.dossier_start(user=applicant, call=call, structure=structure,
                                     track=track, category=category)
    assert (dossier.status, dossier.tenant, dossier.reference) == ("draft", call.tenant, "")


def test_start_for_a_structure_one_is_not_member_of_is_refused(call, structure):
    with pytest.raises(PermissionDenied):
        services.dossier_start(user=UserFactory(), call=call, structure=structure)


def test_start_on_a_closed_call_is_refused(applicant, call, structure):
    call.closes_at = timezone.now() - timedelta(seconds=1)
    call.opens_at = call.closes_at - timedelta(days=30)
    call.save()
    with pytest.raises(services.DossierError):
        services.dossier_start(user=applicant, call=call, structure=structure)


# --- budget -----------------------------------------------------------------------------------

def test_balanced_budget_within_category_rules_passes(dossier):
    category = CategoryFactory(call=dossier.call, amount_min=Decimal("5000"),
                               amount_max=Decimal("15000"), max_share_of_budget=Decimal("50"),
                               min_self_financing_share=Decimal("30"))
    dossier.category = category
    dossier.save()
    check = check_dossier(dossier)
    assert check.budget.total_expenses == Decimal("30000.00")
    assert check.budget.total_income == Decimal("30000.00")
    assert check.budget.requested_share == Decimal("33.33")
    assert check.budget.self_financing_share == Decimal("40.00")
    assert check.field_problems == {}
    assert check.can_submit


def test_unbalanced_budget_is_reported_with_the_gap(dossier):
    BudgetLine.objects.filter(dossier=dossier, source="public").update(amount=Decimal("7000"))
    check = check_dossier(dossier)
    assert check.field_problems["balance"] == [
        "Le budget n'est pas équilibré : les recettes (29\u00a0000,00\u00a0€) doivent être égales "
        "aux dépenses (30\u00a0000,00\u00a0€), écart de -1\u00a0000,00\u00a0€."]
    assert not check.can_submit


def test_amount_share_and_self_financing_rules_name_the_reason(dossier):
    dossier.category = CategoryFactory(call=dossier.call, amount_min=Decimal("5000"),
                                       amount_max=Decimal("8000"),
                                       max_share_of_budget=Decimal("30"),
                                       min_self_financing_share=Decimal("45"))
    dossier.save()
    problems = check_dossier(dossier).field_problems
    assert problems["requested_amount"] == [
        "Le montant demandé (10\u00a0000,00\u00a0€) dépasse le maximum de la catégorie "
        "(8\u00a0000,00\u00a0€).",
        "L'aide demandée représente 33,33\u00a0% du budget ; la catégorie la limite à 30\u00a0%."]
    assert problems["self_financing"] == [
        "L'autofinancement représente 40\u00a0% du budget ; la catégorie exige au moins 45\u00a0%."]


def test_minimum_partner_count_of_the_category(dossier):
    dossier.category = CategoryFactory(call=dossier.call, min_partners=2)
    dossier.save()
    PartnerFactory(dossier=dossier)
    assert check_dossier(dossier).field_problems["partners"] == [
        "La catégorie demande au moins 2 structures partenaires (1 indiquée(s))."]
    PartnerFactory(dossier=dossier)
    assert "partners" not in check_dossier(dossier).field_problems


def test_set_budget_replaces_lines(applicant, dossier):
    services.dossier_set_budget(user=applicant, dossier=dossier,
                                requested_amount=Decimal("5000"), lines=[
                                    {"kind": "expense", "label": "Location", "amount": Decimal("8000")},
                                    {"kind": "income", "source": "private", "label": "Mécénat",
                                     "amount": Decimal("3000")}])
    assert list(BudgetLine.objects.filter(dossier=dossier).values_list(
        "kind", "source", "amount")) == [("expense", "", Decimal("8000.00")),
                                         ("income", "private", Decimal("3000.00"))]
    assert check_dossier(dossier).budget.is_balanced is True


# --- eligibility ------------------------------------------------------------------------------

def test_eligibility_uses_structure_facts_and_declarations(applicant, dossier):
    CriterionFactory(call=dossier.call, label="24 mois", field="structure.months_of_activity",
                     operator="gte", value=24)
    revenue = CriterionFactory(call=dossier.call, label="CA 2022", field="structure.revenue",
                               parameter="2022", operator="lt", value="100000",
                               severity=Severity.WARNING)
    declaration = CriterionFactory(call=dossier.call, kind=CriterionKind.DECLARATION,
                                   label="Je certifie être à jour des taxes", field="",
                                   operator="", value=None)
    check = check_dossier(dossier)
    statuses = {r.criterion["label"]: r.status for r in check.criteria}
    assert statuses == {"24 mois": "pass", "CA 2022": "unknown",
                        "Je certifie être à jour des taxes": "fail"}
    assert not check.can_submit
    AnnualRevenueFactory(structure=dossier.structure, year=2022, amount=Decimal("150000"))
    services.dossier_set_declarations(user=applicant, dossier=dossier,
                                      declarations=[declaration.pk])
    statuses = {r.criterion["label"]: r.status for r in check_dossier(dossier).criteria}
    assert statuses == {"24 mois": "pass", "CA 2022": "warning",
                        "Je certifie être à jour des taxes": "pass"}
    assert revenue.pk


def test_blocking_failure_prevents_submission_and_says_why(applicant, dossier):
    CriterionFactory(call=dossier.call, label="Affiliation CNM", field="structure.cnm_affiliated",
                     operator="is_true", value=None, message="Affiliez-vous au CNM d'abord.")
    dossier.structure.cnm_affiliation_number = ""
    dossier.structure.save()
    with pytest.raises(services.DossierError) as exc:
        services.dossier_submit(user=applicant, dossier=dossier)
    assert exc.value.messages == ["Affiliation CNM : Affiliez-vous au CNM d'abord."]
    dossier.refresh_from_db()
    assert (dossier.status, dossier.reference) == ("draft", "")


# --- submission -------------------------------------------------------------------------------

def test_submit_gives_reference_snapshot_audit_and_email(applicant, dossier,
                                                         django_capture_on_commit_callbacks):
    CriterionFactory(call=dossier.call, label="24 mois")
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_submit(user=applicant, dossier=dossier)
    year = timezone.now().astimezone(paris(2024, 1, 1).tzinfo).year
    assert dossier.status == "submitted"
    assert dossier.reference == f"HAU-{year}-COOP-0001"
    assert dossier.rules_snapshot["call"]["reference_code"] == "COOP"
    assert dossier.eligibility_results == [
        {"id": dossier.rules_snapshot["eligibility_criteria"][0]["id"], "label": "24 mois",
         "status": "pass", "message": ""}]
    assert AuditEvent.objects.filter(action="applications.dossier.submitted",
                                     target_id=str(dossier.pk)).count() == 1
    assert [m.to for m in mail.outbox] == [[applicant.email]]
    assert mail.outbox[0].subject == f"Accusé de réception de votre dossier HAU-{year}-COOP-0001"
    second = balanced_budget(DossierFactory(call=dossier.call, structure=dossier.structure))
    services.dossier_submit(user=applicant, dossier=second)
    assert second.reference == f"HAU-{year}-COOP-0002"


def test_submitting_twice_files_once(applicant, dossier):
    services.dossier_submit(user=applicant, dossier=dossier)
    stale = Dossier.objects.get(pk=dossier.pk)
    with pytest.raises(services.DossierError) as exc:
        services.dossier_submit(user=applicant, dossier=stale)
    assert exc.value.code == "already_submitted"
    assert Dossier.objects.get(pk=dossier.pk).reference.endswith("-0001")
    assert AuditEvent.objects.filter(action="applications.dossier.submitted").count() == 1


@pytest.mark.parametrize(("moment", "accepted"), [
    ((2024, 3, 7, 23, 59, 59), True),
    ((2024, 3, 7, 23, 59, 59, 999999), True),
    ((2024, 3, 8, 0, 0, 0), False),
])
def test_deadline_is_inclusive_to_23_59_59_paris(applicant, dossier, moment, accepted):
    call = dossier.call
    call.opens_at = paris(2024, 1, 15, 9, 0)
    call.closes_at = paris(2024, 3, 7, 23, 59, 59)
    call.save()
    now = paris(*moment)
    if accepted:
        services.dossier_submit(user=applicant, dossier=dossier, now=now)
        assert dossier.reference == "HAU-2024-COOP-0001"
    else:
        with pytest.raises(services.DossierError) as exc:
            services.dossier_submit(user=applicant, dossier=dossier, now=now)
        assert exc.value.messages == [
            "L'appel à projets est clos depuis le 7 mars 2024 à 23:59:59 (heure de Paris) : "
            "aucun dossier ne peut plus être déposé."]
        assert Dossier.objects.get(pk=dossier.pk).status == "draft"


def test_reference_year_is_the_paris_year(applicant, dossier):
    call = dossier.call
    call.opens_at = paris(2023, 12, 1)
    call.closes_at = paris(2024, 1, 31)
    call.save()
    # 31 December 23:30 UTC is already 1 January in Paris.
    services.dossier_submit(user=applicant, dossier=dossier, now=paris(2024, 1, 1, 0, 30))
    assert dossier.reference == "HAU-2024-COOP-0001"


def test_submitted_dossier_is_frozen(applicant, dossier):
    services.dossier_submit(user=applicant, dossier=dossier)
    with pytest.raises(PermissionDenied):
        services.dossier_update_project(user=applicant, dossier=dossier, title="Changé")
    with pytest.raises(PermissionDenied):
        services.dossier_set_budget(user=applicant, dossier=dossier, requested_amount=None,
                                    lines=[])
    assert Dossier.objects.get(pk=dossier.pk).title == "Tournée coopérative en Occitanie"
    assert BudgetLine.objects.filter(dossier=dossier).count() == 3


def test_another_structure_member_cannot_touch_the_dossier(dossier):
    other = StructureMemberFactory().user
    with pytest.raises(PermissionDenied):
        services.dossier_update_project(user=other, dossier=dossier, title="Piraté")
    with pytest.raises(PermissionDenied):
        services.dossier_submit(user=other, dossier=dossier)


# --- completion requests, withdrawal ------------------------------------------------------------

def test_completion_request_opens_only_the_asked_steps_until_the_date(
        applicant, instructor, dossier, django_capture_on_commit_callbacks):
    services.dossier_submit(user=applicant, dossier=dossier)
    with pytest.raises(PermissionDenied):
        services.dossier_request_completion(user=applicant, dossier=dossier, message="x",
                                            steps=["budget"],
                                            due_at=timezone.now() + timedelta(days=7))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        request = services.dossier_request_completion(
            user=instructor, dossier=dossier, message="Précisez le budget.", steps=["budget"],
            due_at=timezone.now() + timedelta(days=7))
    assert dossier.status == "completion_requested"
    assert mail.outbox[0].to == [applicant.email]
    with pytest.raises(PermissionDenied):
        services.dossier_update_project(user=applicant, dossier=dossier, title="Changé")
    services.dossier_set_budget(user=applicant, dossier=dossier,
                                requested_amount=Decimal("9000"), lines=[
                                    {"kind": "expense", "label": "Dépenses", "amount": Decimal("30000")},
                                    {"kind": "income", "source": "self_financing",
                                     "label": "Fonds propres", "amount": Decimal("21000")}])
    reference = dossier.reference
    services.dossier_submit(user=applicant, dossier=dossier)
    request.refresh_from_db()
    assert (dossier.status, dossier.reference) == ("submitted", reference)
    assert request.answered_at is not None
    assert dossier.requested_amount == Decimal("9000.00")


def test_completion_after_the_due_date_is_refused(applicant, instructor, dossier):
    services.dossier_submit(user=applicant, dossier=dossier)
    services.dossier_request_completion(user=instructor, dossier=dossier, message="Budget",
                                        steps=["budget"],
                                        due_at=timezone.now() + timedelta(hours=1))
    later = timezone.now() + timedelta(hours=2)
    assert services.editable_steps(dossier, now=later) == set()
    with pytest.raises(services.DossierError):
        services.dossier_submit(user=applicant, dossier=dossier, now=later)


def test_instructor_of_another_tenant_cannot_request_completion(applicant, dossier, other_tenant,
                                                                make_member):
    services.dossier_submit(user=applicant, dossier=dossier)
    with pytest.raises(PermissionDenied):
        services.dossier_request_completion(
            user=make_member(other_tenant, "instructor"), dossier=dossier, message="x",
            steps=["budget"], due_at=timezone.now() + timedelta(days=1))


def test_withdraw_before_decision_only(applicant, dossier):
    services.dossier_submit(user=applicant, dossier=dossier)
    services.dossier_withdraw(user=applicant, dossier=dossier, reason="Projet reporté")
    assert dossier.status == "withdrawn"
    granted = DossierFactory(call=dossier.call, structure=dossier.structure, status="granted",
                             reference="HAU-2024-COOP-0099")
    with pytest.raises(services.DossierError):
        services.dossier_withdraw(user=applicant, dossier=granted)


def test_required_document_missing_blocks_submission(applicant, dossier):
    DocumentRequirementFactory(call=dossier.call, label="Budget prévisionnel")
    with pytest.raises(services.DossierError) as exc:
        services.dossier_submit(user=applicant, dossier=dossier)
    assert exc.value.messages == ["Pièce manquante : Budget prévisionnel."]


def test_filed_dossier_counter_is_registered(applicant, dossier):
    from calls.versioning import filed_dossier_count

    assert filed_dossier_count(dossier.call) == 0
    services.dossier_submit(user=applicant, dossier=dossier)
    assert filed_dossier_count(dossier.call) == 1


def test_main_activity_rule_compares_the_structure_profile_values(applicant, dossier):
    CriterionFactory(call=dossier.call, label="Activité principale : production de spectacles",
                     field="structure.main_activity", operator="eq", value="live_production")
    assert [r.status for r in check_dossier(dossier).criteria] == ["fail"]
    dossier.structure.main_activity = "live_production"
    dossier.structure.save()
    assert [r.status for r in check_dossier(dossier).criteria] == ["pass"]


def test_licences_and_fte_hours_feed_the_rules(dossier):
    from tests.factories.applications import PerformerLicenceFactory

    CriterionFactory(call=dossier.call, label="Licences 2 et 3",
                     field="structure.licence_categories", operator="contains_all",
                     value=["2", "3"])
    CriterionFactory(call=dossier.call, label="0,20 ETP", field="structure.fte_hours",
                     operator="gte", value="320")
    PerformerLicenceFactory(structure=dossier.structure, category="2")
    assert [r.status for r in check_dossier(dossier).criteria] == ["fail", "pass"]
    PerformerLicenceFactory(structure=dossier.structure, category="3")
    assert [r.status for r in check_dossier(dossier).criteria] == ["pass", "pass"]


def test_months_of_activity_counts_whole_months():
    from datetime import date

    from applications.eligibility_facts import months_between

    assert months_between(date(2022, 3, 1), date(2024, 2, 29)) == 23
    assert months_between(date(2022, 3, 1), date(2024, 3, 1)) == 24
    assert months_between(date(2024, 3, 1), date(2022, 3, 1)) == 0


def test_notification_tasks_send_once(applicant, dossier, django_capture_on_commit_callbacks):
    from applications.tasks import dossier_submitted_email_task

    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_submit(user=applicant, dossier=dossier)
    assert len(mail.outbox) == 1
    dossier_submitted_email_task(dossier_id=dossier.pk)  # redelivered
    assert len(mail.outbox) == 1


def test_two_calls_sharing_a_code_never_share_a_reference(applicant, dossier):
    from tests.factories.calls import CallFactory

    twin = DossierFactory(call=CallFactory(tenant=dossier.tenant, reference_code="COOP"),
                          structure=dossier.structure)
    balanced_budget(twin)
    services.dossier_submit(user=applicant, dossier=dossier)
    services.dossier_submit(user=applicant, dossier=twin)
    assert [dossier.reference[-4:], twin.reference[-4:]] == ["0001", "0002"]


def test_submission_succeeds_with_the_broker_down_and_the_receipt_is_sent_when_it_is_back(
        applicant, dossier, django_capture_on_commit_callbacks):
    from portal import outbox
    from portal.celery import app
    from portal.models import OutboxTask
    from tests.worker import use_broker

    use_broker(app, url="redis://127.0.0.1:1/0", eager=False)  # nothing listens there
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.dossier_submit(user=applicant, dossier=dossier)
        assert dossier.status == "submitted" and dossier.reference
        pending = OutboxTask.objects.get(task_name="applications.dossier_submitted_email")
        assert pending.dispatched_at is None and pending.attempts == 1
        assert mail.outbox == []
    finally:
        use_broker(app, url="memory://", eager=True)
    assert outbox.flush() == 1  # the broker is back (eager here): the receipt goes out
    assert [m.to for m in mail.outbox] == [[applicant.email]]
    assert "Accusé de réception" in mail.outbox[0].subject
