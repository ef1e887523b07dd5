"""The dossier's transition table and the one service that applies it: the diagram derived
from the table, nothing else assigns a status (code and save path), who may, what each row
writes, logs and queues, bulk moves audited per dossier, and an app above adding its rows."""

import copy
import re
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.db import models
from django_scopes import scope

from applications import workflow
from applications.enums import DossierStatus as S
from applications.models import Dossier, StatusChangeError
from applications.services import dossier_transition, dossiers_transition
from applications.workflow import Transition, TransitionError
from portal.enums import OrganizationKind as K
from portal.enums import Role
from portal.models import AuditEvent, OutboxTask
from tests import status_lint
from tests.factories import UserFactory
from tests.factories.reviews import FiledDossierFactory, officer

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[2] / "README.md"

DIAGRAM = """\
stateDiagram-v2
    [*] --> draft
    draft --> submitted: applications.dossier.submitted [applications.submit_dossier]
    draft --> withdrawn: applications.dossier.withdrawn [applications.withdraw_dossier]
    submitted --> completion_requested: applications.dossier.completion_requested [applications.request_completion]
    submitted --> eligible: reviews.dossier.eligible [reviews.instruct_dossier]
    submitted --> ineligible: reviews.dossier.ineligible [reviews.instruct_dossier]
    submitted --> withdrawn: applications.dossier.withdrawn [applications.withdraw_dossier]
    completion_requested --> submitted: applications.dossier.resubmitted [applications.submit_dossier]
    completion_requested --> withdrawn: applications.dossier.withdrawn [applications.withdraw_dossier]
    eligible --> in_review: reviews.dossier.in_review [reviews.assign_dossier]
    eligible --> in_committee: reviews.dossier.in_committee [reviews.schedule_dossier]
    eligible --> withdrawn: applications.dossier.withdrawn [applications.withdraw_dossier]
    in_review --> in_committee: reviews.dossier.in_committee [reviews.schedule_dossier]
    in_review --> withdrawn: applications.dossier.withdrawn [applications.withdraw_dossier]
    in_committee --> granted: reviews.decision.recorded [reviews.decide_dossier]
    in_committee --> rejected: reviews.decision.recorded [reviews.decide_dossier]
    granted --> rejected: reviews.decision.changed [reviews.decide_dossier]
    granted --> advance_due: awards.dossier.advance_due [platform]
    granted --> report_due: awards.dossier.report_due [platform]
    rejected --> granted: reviews.decision.changed [reviews.decide_dossier]
    advance_due --> advance_paid: awards.dossier.advance_paid [awards.pay_dossier]
    advance_paid --> report_due: awards.dossier.report_due [platform]
    advance_paid --> report_overdue: awards.dossier.report_overdue [platform]
    advance_paid --> report_filed: awards.dossier.report_filed [awards.file_report]
    report_due --> report_overdue: awards.dossier.report_overdue [platform]
    report_due --> report_filed: awards.dossier.report_filed [awards.file_report]
    report_overdue --> report_filed: awards.dossier.report_filed [awards.file_report]
    report_filed --> report_due: awards.dossier.report_completion_requested [awards.examine_report]
    report_filed --> report_accepted: awards.dossier.report_accepted [awards.examine_report]
    report_filed --> reevaluated: awards.dossier.reevaluated [awards.examine_report]
    report_accepted --> balance_paid: awards.dossier.balance_paid [awards.pay_dossier]
    reevaluated --> balance_paid: awards.dossier.balance_paid [awards.pay_dossier]
    balance_paid --> closed: awards.dossier.closed [awards.examine_report]
"""


@pytest.fixture
def scoped(tenant):
    with scope(tenant=tenant):
        yield tenant


# --- The table ------------------------------------------------------------------------------

def test_the_diagram_is_derived_from_the_table():
    assert workflow.mermaid() == DIAGRAM


def test_the_readme_shows_the_diagram_of_the_table():
    block = re.search(r"```mermaid\n(.*?)```", README.read_text(), re.S)
    assert block is not None and block.group(1) == workflow.mermaid()


def test_valid_next_states_read_from_the_table():
    assert workflow.next_states(S.SUBMITTED) == [S.COMPLETION_REQUESTED, S.WITHDRAWN,
                                                 S.ELIGIBLE, S.INELIGIBLE]
    # the follow-up of a grant (awards) continues from granted
    assert workflow.next_states(S.GRANTED) == [S.REJECTED, "advance_due", "report_due"]
    assert workflow.next_states(S.INELIGIBLE) == []
    # not from in_committee: the applicant would read the unpublished decision from it
    assert workflow.sources_of(S.WITHDRAWN) == {S.DRAFT, S.SUBMITTED, S.COMPLETION_REQUESTED,
                                                S.ELIGIBLE, S.IN_REVIEW}


def test_every_state_of_the_enum_is_reachable_from_draft():
    reached, todo = {S.DRAFT.value}, [S.DRAFT.value]
    while todo:
        for target in workflow.next_states(todo.pop()):
            if target not in reached:
                reached.add(target)
                todo.append(target)
    assert reached == set(workflow.states())  # the post-award states (awards) included
    assert set(S.values) <= reached


def test_a_pair_belongs_to_one_row_only():
    with pytest.raises(ValueError, match="registered twice"):
        workflow.register_transitions(Transition(sources={S.DRAFT}, target=S.SUBMITTED,
                                                 action="other.dossier.filed"))


# --- Nothing else assigns a status ------------------------------------------------------------

def test_no_product_code_assigns_a_status_outside_the_transition_service():
    assert status_lint.problems_in_product_code() == []


def test_no_template_compares_a_dossier_or_call_status_with_a_string():
    assert status_lint.template_problems() == []


@pytest.mark.parametrize("snippet", [
    "dossier.status = 'granted'",
    "dossier.status, dossier.reference = DossierStatus.SUBMITTED, ref",
    "Dossier.objects.filter(pk=1).update(status=DossierStatus.IN_REVIEW)",
    "Dossier.objects.bulk_update(rows, ['status'])",
    "setattr(dossier, 'status', value)",
    "Dossier.objects.filter(status='draft')",
    "if dossier.status != 'draft': pass",
])
def test_the_lint_catches_each_way_of_setting_or_spelling_a_status(snippet):
    assert status_lint.problems_in_source(f"def f():\n    {snippet}\n",
                                          "reviews/services.py") != []


def test_saving_a_changed_status_outside_the_service_raises(scoped, tenant):
    dossier = FiledDossierFactory(tenant=tenant, call__tenant=tenant, status=S.SUBMITTED)
    dossier = Dossier.objects.get(pk=dossier.pk)
    dossier.status = S.GRANTED
    with pytest.raises(StatusChangeError):
        dossier.save()
    dossier.status = S.SUBMITTED
    dossier.title = "Renommé"
    dossier.save()  # other fields save as before
    assert Dossier.objects.get(pk=dossier.pk).status == S.SUBMITTED


# --- The service ------------------------------------------------------------------------------

@pytest.fixture
def filed(scoped, tenant):
    return FiledDossierFactory(tenant=tenant, call__tenant=tenant, status=S.SUBMITTED)


def test_a_move_the_table_does_not_have_is_refused(filed, tenant):
    admin = UserFactory()
    with pytest.raises(TransitionError):
        dossier_transition(dossier=filed, to=S.GRANTED, user=admin)
    assert Dossier.objects.get(pk=filed.pk).status == S.SUBMITTED


def test_who_may_is_the_rows_permission(filed, tenant, make_member):
    stranger = make_member(tenant, Role.COMMITTEE)
    with pytest.raises(PermissionDenied):
        dossier_transition(dossier=filed, to=S.ELIGIBLE, user=stranger)
    instructor = officer(tenant, K.DRAC)
    dossier_transition(dossier=filed, to=S.ELIGIBLE, user=instructor)
    assert Dossier.objects.get(pk=filed.pk).status == S.ELIGIBLE


def test_a_row_writes_its_stamps_logs_its_action_and_queues_its_tasks(filed, tenant):
    member = filed.structure.members.create(user=UserFactory(), role="manager").user
    dossier_transition(dossier=filed, to=S.WITHDRAWN, user=member, data={"reason": "Reporté"})
    filed.refresh_from_db()
    assert filed.status == S.WITHDRAWN and filed.withdrawn_at is not None
    event = AuditEvent.objects.get(action="applications.dossier.withdrawn")
    assert (event.actor, event.data) == (member, {"from": "submitted", "to": "withdrawn",
                                                  "reason": "Reporté"})
    assert list(OutboxTask.objects.values_list("task_name", "kwargs")) == [
        ("applications.dossier_withdrawn_email", {"dossier_id": filed.pk})]


def test_a_quiet_move_queues_nothing(filed):
    dossier_transition(dossier=filed, to=S.ELIGIBLE, quiet=True)
    assert OutboxTask.objects.count() == 0
    assert AuditEvent.objects.get(action="reviews.dossier.eligible").actor is None


def test_a_bulk_move_audits_each_dossier(scoped, tenant):
    dossiers = [FiledDossierFactory(tenant=tenant, call__tenant=tenant, status=S.ELIGIBLE)
                for _ in range(3)]
    moved = dossiers_transition(dossiers=dossiers, to=S.IN_COMMITTEE, data={"session": 7})
    assert [d.status for d in moved] == [S.IN_COMMITTEE] * 3
    events = AuditEvent.objects.filter(action="reviews.dossier.in_committee")
    assert sorted(int(e.target_id) for e in events) == sorted(d.pk for d in dossiers)
    assert {e.data["session"] for e in events} == {7}


def test_a_bulk_move_is_all_or_nothing(scoped, tenant):
    ok = FiledDossierFactory(tenant=tenant, call__tenant=tenant, status=S.ELIGIBLE)
    late = FiledDossierFactory(tenant=tenant, call__tenant=tenant, status=S.GRANTED)
    with pytest.raises(TransitionError):
        dossiers_transition(dossiers=[ok, late], to=S.IN_COMMITTEE)
    assert Dossier.objects.get(pk=ok.pk).status == S.ELIGIBLE


# --- An app above adds its states and rows ----------------------------------------------------

class AwardStatus(models.TextChoices):
    """A state an imaginary app above adds (the real awards app has registered its own)."""

    ADVANCE_DUE = "paid_at_once", "Versée en une fois"


@pytest.fixture
def registry():
    saved = copy.deepcopy(workflow._REGISTRY)
    yield workflow
    workflow._REGISTRY.states, workflow._REGISTRY.transitions = saved.states, saved.transitions


def test_an_app_above_adds_states_and_transitions_without_this_app_knowing_it(registry, filed):
    registry.register_states(AwardStatus)
    registry.register_transitions(Transition(
        sources={S.GRANTED}, target=AwardStatus.ADVANCE_DUE, action="other.dossier.paid_at_once",
        enqueue=("other.advance_notice",)))
    assert ("paid_at_once", "Versée en une fois") in Dossier._meta.get_field("status").choices
    assert ("granted --> paid_at_once: other.dossier.paid_at_once [platform]"
            in registry.mermaid())
    Dossier.objects.filter(pk=filed.pk).update(status=S.GRANTED)
    dossier = dossier_transition(dossier=filed, to=AwardStatus.ADVANCE_DUE)
    assert (dossier.status, dossier.get_status_display()) == ("paid_at_once",
                                                              "Versée en une fois")
    assert OutboxTask.objects.get().task_name == "other.advance_notice"


def test_a_row_naming_an_unregistered_state_is_refused(registry):
    with pytest.raises(ValueError, match="unknown dossier state"):
        registry.register_transitions(Transition(sources={S.GRANTED}, target="paid",
                                                 action="awards.dossier.paid"))
