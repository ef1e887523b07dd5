"""Mentoring services on PostgreSQL: the questionnaire, the diagnosis, the matchmaker's
proposals, engagements with their day limits, feedback feeding the score."""

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from mentoring import selectors, services
from mentoring.models import AssignmentRun, Engagement, MatchProposal, NeedRequest
from portal.models import AuditEvent
from tests.factories.applications import StructureFactory
from tests.factories.mentoring import (DiagnosisFactory, EngagementFactory, NeedRequestFactory,
                                       ResourcePersonFactory)

pytestmark = pytest.mark.django_db

NEED = dict(person_name="Camille Martin", person_status="employee",
            person_role="chargée de production", hoped_format="tsf",
            available_from=date(2026, 1, 1), available_until=date(2027, 12, 31),
            place="Montpellier", remote_possible=True)


def submit(tenant, user, structure, themes, description="Plan de financement."):
    return services.need_submit(tenant=tenant, user=user, structure=structure, themes=themes,
                                description=description, **NEED)


def qualified_need(tenant, structure, themes, days=Decimal("2"), outcome="tsf"):
    need = NeedRequestFactory(tenant=tenant, structure=structure, themes=themes,
                              state="qualified")
    DiagnosisFactory(need=need, outcome=outcome, days=days)
    return need


# --- Questionnaire ------------------------------------------------------------------------

def test_beneficiary_submits_a_need_and_is_notified(scoped, beneficiary, beneficiary_structure,
                                                    themes, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        need = submit(scoped, beneficiary, beneficiary_structure, themes[:2])
    need.refresh_from_db()
    assert need.state == "submitted"
    assert list(need.themes.order_by("position")) == themes[:2]
    assert need.submitted_by == beneficiary
    event = AuditEvent.objects.get(action="mentoring.need.submitted")
    assert event.data == {"structure": beneficiary_structure.pk,
                          "themes": sorted(t.pk for t in themes[:2]), "hoped_format": "tsf"}
    assert [m.to for m in mail.outbox] == [[beneficiary.email]]
    assert "Reçue, en attente de diagnostic" in mail.outbox[0].subject
    assert f"/mentorat/mes-demandes/{need.pk}/" in mail.outbox[0].body


def test_questionnaire_without_theme_or_description_is_refused_with_the_reason(
        scoped, beneficiary, beneficiary_structure, themes):
    with pytest.raises(ValidationError) as exc:
        submit(scoped, beneficiary, beneficiary_structure, [], description="  ")
    assert exc.value.message_dict == {"themes": ["Choisissez au moins une thématique."],
                                      "description": ["Décrivez votre besoin."]}
    assert NeedRequest.objects.count() == 0


def test_questionnaire_for_a_structure_one_does_not_act_for_is_refused(scoped, beneficiary,
                                                                       themes):
    other = StructureFactory()
    with pytest.raises(ValidationError) as exc:
        submit(scoped, beneficiary, other, themes[:1])
    assert exc.value.message_dict == {"structure": ["Vous n'agissez pas pour cette structure."]}


def test_questionnaire_with_a_theme_of_another_tenant_is_refused(
        scoped, other_tenant, beneficiary, beneficiary_structure, themes):
    from tests.factories.mentoring import ThemeFactory

    foreign = ThemeFactory(tenant=other_tenant, label="Financement")
    with pytest.raises(ValidationError) as exc:
        submit(scoped, beneficiary, beneficiary_structure, [foreign])
    assert exc.value.message_dict == {"themes": ["Thématique inconnue pour ce dispositif."]}


# --- Diagnosis ----------------------------------------------------------------------------

def test_tsf_beyond_two_days_is_refused(scoped, pilot, beneficiary_structure, themes):
    need = NeedRequestFactory(tenant=scoped, structure=beneficiary_structure, themes=themes[:1])
    with pytest.raises(ValidationError) as exc:
        services.need_diagnose(need=need, user=pilot, outcome="tsf", days=Decimal("3"),
                               comment="Besoin ciblé.")
    assert exc.value.message_dict == {"days": [
        "Transfert de savoir-faire (1 à 2 jours) : de 1 à 2 jours, pas 3."]}
    with pytest.raises(ValidationError) as exc:
        services.need_diagnose(need=need, user=pilot, outcome="mentoring", days=Decimal("4.5"),
                               comment="Besoin large.")
    assert exc.value.message_dict == {"days": [
        "Mentorat (jusqu'à 4 jours) : de 1 à 4 jours, pas 4,5."]}


def test_mentoring_diagnosis_qualifies_the_need_and_notifies(
        scoped, pilot, beneficiary, beneficiary_structure, themes,
        django_capture_on_commit_callbacks):
    need = NeedRequestFactory(tenant=scoped, structure=beneficiary_structure, themes=themes[:1],
                              submitted_by=beneficiary)
    with django_capture_on_commit_callbacks(execute=True):
        diagnosis = services.need_diagnose(need=need, user=pilot, outcome="mentoring",
                                           days=Decimal("4"), comment="Accompagnement long.")
    need.refresh_from_db()
    assert (need.state, diagnosis.days, diagnosis.diagnosed_by) == ("qualified", Decimal("4"),
                                                                    pilot)
    assert AuditEvent.objects.get(action="mentoring.need.diagnosed").data == {
        "outcome": "mentoring", "days": "4", "state": "qualified"}
    assert "Diagnostic : Mentorat (jusqu'à 4 jours), 4 jour(s)." in mail.outbox[-1].body


def test_redirection_needs_where_to_go_and_tells_the_beneficiary(
        scoped, pilot, beneficiary, beneficiary_structure, themes,
        django_capture_on_commit_callbacks):
    need = NeedRequestFactory(tenant=scoped, structure=beneficiary_structure, themes=themes[:1],
                              submitted_by=beneficiary)
    with pytest.raises(ValidationError) as exc:
        services.need_diagnose(need=need, user=pilot, outcome="dla", comment="Relève du DLA.")
    assert exc.value.message_dict == {"redirect_to": [
        "Indiquez au ou à la bénéficiaire où s'adresser."]}
    with django_capture_on_commit_callbacks(execute=True):
        services.need_diagnose(need=need, user=pilot, outcome="dla", comment="Relève du DLA.",
                               redirect_to="DLA de l'Hérault, dla34@example.org")
    need.refresh_from_db()
    assert need.state == "redirected"
    assert "DLA de l'Hérault, dla34@example.org" in mail.outbox[-1].body
    assert "Réorientée" in mail.outbox[-1].subject


def test_not_eligible_diagnosis(scoped, pilot, beneficiary_structure, themes):
    need = NeedRequestFactory(tenant=scoped, structure=beneficiary_structure, themes=themes[:1])
    services.need_diagnose(need=need, user=pilot, outcome="not_eligible",
                           comment="Structure hors région.")
    need.refresh_from_db()
    assert need.state == "not_eligible"


def test_only_pilot_staff_diagnose(scoped, make_member, beneficiary, beneficiary_structure,
                                   themes, pilot_org):
    need = NeedRequestFactory(tenant=scoped, structure=beneficiary_structure, themes=themes[:1])
    for user in (beneficiary, make_member(scoped, "instructor"), make_member(scoped, "admin")):
        with pytest.raises(PermissionDenied):
            services.need_diagnose(need=need, user=user, outcome="tsf", days=Decimal("1"),
                                   comment="x")


# --- Matching and engagements -------------------------------------------------------------

def test_global_proposals_are_recomputed_when_data_change(
        scoped, pilot, beneficiary_structure, themes, resource,
        django_capture_on_commit_callbacks):
    need = NeedRequestFactory(tenant=scoped, structure=beneficiary_structure, themes=[themes[1]])
    with django_capture_on_commit_callbacks(execute=True):
        services.need_diagnose(need=need, user=pilot, outcome="tsf", days=Decimal("2"),
                               comment="TSF financement.")
    proposal = MatchProposal.objects.get(need=need, status="proposed")
    assert (proposal.resource, proposal.source) == (resource, "global")
    # theme 40 + sector (same activity, 1 of 2 aesthetics) 11.25 + same département 20
    # + load 15 + neutral feedback 5
    assert proposal.score == Decimal("91.25")
    assert sum(Decimal(f["points"]) for f in proposal.breakdown["factors"]) == proposal.score
    # The resource leaves the pool: the proposal disappears, the need goes to the manual queue.
    with django_capture_on_commit_callbacks(execute=True):
        services.resource_save(tenant=scoped, user=pilot, resource=resource,
                               fields={"active": False}, theme_levels={themes[1]: 3})
    assert not MatchProposal.objects.filter(need=need, status="proposed").exists()
    run = AssignmentRun.objects.first()  # the latest computation, stored as such
    assert run.manual[str(need.pk)]["code"] == "no_candidate"
    assert AuditEvent.objects.filter(action="mentoring.assignment.computed").first().target_id \
        == str(run.pk)


def test_accepting_a_proposal_creates_the_engagement_with_a_drafted_cahier_des_charges(
        scoped, pilot, beneficiary_structure, themes, resource):
    need = qualified_need(scoped, beneficiary_structure, [themes[1]])
    services.assignment_recompute(tenant=scoped, user=pilot)
    proposal = MatchProposal.objects.get(need=need)
    engagement = services.proposal_accept(proposal=proposal, user=pilot)
    need.refresh_from_db()
    proposal.refresh_from_db()
    assert (need.state, proposal.status, engagement.state) == ("matched", "accepted", "proposed")
    assert (engagement.format, engagement.planned_days, engagement.resource) == (
        "tsf", Decimal("2"), resource)
    assert "Personne-ressource : Alex Ressource (Le Rockstore)." in engagement.terms
    assert f"Besoin exprimé : {need.description}" in engagement.terms
    assert AuditEvent.objects.filter(action="mentoring.proposal.accepted",
                                     target_id=str(need.pk)).count() == 1


def test_resource_at_capacity_is_refused_with_the_reason(scoped, pilot, beneficiary_structure,
                                                         themes, resource):
    for _ in range(2):
        EngagementFactory(need=NeedRequestFactory(tenant=scoped), resource=resource)
    need = qualified_need(scoped, beneficiary_structure, [themes[1]])
    with pytest.raises(ValidationError) as exc:
        services.engagement_propose(need=need, resource=resource, user=pilot)
    assert exc.value.message_dict == {"resource": [
        "Alex Ressource ne peut pas accompagner ce besoin : Capacité atteinte : "
        "2 accompagnement(s) sur 2 cette année."]}
    assert not Engagement.objects.filter(need=need).exists()


def test_resource_matched_to_its_own_structure_is_refused_even_as_override(
        scoped, pilot, themes, resource):
    need = qualified_need(scoped, resource.structure, [themes[1]])
    with pytest.raises(ValidationError) as exc:
        services.engagement_propose(need=need, resource=resource, user=pilot,
                                    source="override", reason="On se connaît bien.")
    assert exc.value.message_dict == {"resource": [
        "Alex Ressource ne peut pas accompagner ce besoin : Même structure que le ou la "
        "bénéficiaire."]}


def test_override_needs_a_reason_and_may_bypass_the_theme_filter(
        scoped, pilot, beneficiary_structure, themes, resource):
    need = qualified_need(scoped, beneficiary_structure, [themes[4]])  # not covered
    with pytest.raises(ValidationError) as exc:
        services.engagement_propose(need=need, resource=resource, user=pilot)
    assert "Ne couvre aucune des thématiques demandées" in exc.value.message_dict["resource"][0]
    with pytest.raises(ValidationError) as exc:
        services.engagement_propose(need=need, resource=resource, user=pilot, source="override")
    assert exc.value.message_dict == {"reason": ["Justifiez le choix manuel."]}
    engagement = services.engagement_propose(need=need, resource=resource, user=pilot,
                                             source="override",
                                             reason="Compétence RSE attestée hors grille.")
    assert engagement.proposal.source == "override"
    event = AuditEvent.objects.get(action="mentoring.proposal.overridden")
    assert event.data["bypassed_filters"] == ["no_theme"]
    assert event.data["reason"] == "Compétence RSE attestée hors grille."


def test_swapping_supersedes_the_global_proposal(scoped, pilot, beneficiary_structure, themes,
                                                 resource):
    other = ResourcePersonFactory(tenant=scoped, departement="31", themes={themes[1]: 2})
    need = qualified_need(scoped, beneficiary_structure, [themes[1]])
    services.assignment_recompute(tenant=scoped, user=pilot)
    proposal = MatchProposal.objects.get(need=need, status="proposed")
    assert proposal.resource == resource
    engagement = services.engagement_propose(need=need, resource=other, user=pilot)
    proposal.refresh_from_db()
    assert proposal.status == "superseded"
    assert engagement.resource == other
    assert AuditEvent.objects.get(action="mentoring.proposal.swapped").data[
        "replaced_resources"] == [resource.pk]


def test_days_beyond_the_format_limit_are_refused(scoped, pilot, beneficiary_structure, themes,
                                                  resource):
    need = qualified_need(scoped, beneficiary_structure, [themes[1]])
    engagement = services.engagement_propose(need=need, resource=resource, user=pilot)
    with pytest.raises(ValidationError) as exc:
        services.engagement_update(engagement=engagement, user=pilot, terms="CdC",
                                   planned_days=Decimal("3"))
    assert exc.value.message_dict == {"planned_days": [
        "Transfert de savoir-faire (1 à 2 jours) : au plus 2 jours."]}
    services.session_add(engagement=engagement, user=pilot, date=date(2026, 12, 1),
                         days=Decimal("1.0"))
    services.session_add(engagement=engagement, user=pilot, date=date(2026, 12, 2),
                         days=Decimal("1.0"))
    with pytest.raises(ValidationError) as exc:
        services.session_add(engagement=engagement, user=pilot, date=date(2026, 12, 3),
                             days=Decimal("0.5"))
    assert exc.value.message_dict == {"days": [
        "2,5 jours au total dépasseraient les 2 jours prévus (Transfert de savoir-faire "
        "(1 à 2 jours) : 2 jours au plus)."]}
    assert engagement.sessions.count() == 2


def test_a_tsf_cannot_be_planned_below_one_day(scoped, pilot, beneficiary_structure, themes,
                                               resource):
    need = qualified_need(scoped, beneficiary_structure, [themes[1]])
    engagement = services.engagement_propose(need=need, resource=resource, user=pilot)
    with pytest.raises(ValidationError) as exc:
        services.engagement_update(engagement=engagement, user=pilot, terms="CdC",
                                   planned_days=Decimal("0.5"))
    assert exc.value.message_dict == {"planned_days": [
        "Transfert de savoir-faire (1 à 2 jours) : au moins 1 jour(s)."]}
    engagement.refresh_from_db()
    assert engagement.planned_days == Decimal("2")


def test_raising_planned_days_beyond_the_resource_yearly_days_is_refused(
        scoped, pilot, beneficiary_structure, themes, resource):
    # 6 days a year; another live engagement this year holds 3: this one (2 days) may go up
    # to 3, not 3.5 (its own 2 days are not counted twice).
    resource.max_days_per_year = 6
    resource.save()
    EngagementFactory(need=qualified_need(scoped, StructureFactory(), [themes[1]]),
                      resource=resource, format="mentoring", planned_days=Decimal("3"),
                      year=selectors.current_year())
    need = qualified_need(scoped, beneficiary_structure, [themes[1]], days=Decimal("1"),
                          outcome="mentoring")
    engagement = services.engagement_propose(need=need, resource=resource, user=pilot)
    with pytest.raises(ValidationError) as exc:
        services.engagement_update(engagement=engagement, user=pilot, terms="CdC",
                                   planned_days=Decimal("3.5"))
    assert exc.value.message_dict == {"planned_days": [
        f"Alex Ressource n'a plus que 3 jour(s) disponible(s) en {selectors.current_year()} "
        "pour cet accompagnement (6 jours par an)."]}
    engagement.refresh_from_db()
    assert engagement.planned_days == Decimal("1")
    updated = services.engagement_update(engagement=engagement, user=pilot, terms="CdC",
                                         planned_days=Decimal("3"))
    assert updated.planned_days == Decimal("3")


def test_engagement_lifecycle_and_feedback_feed_the_score(
        scoped, pilot, beneficiary, beneficiary_structure, themes, resource,
        django_capture_on_commit_callbacks):
    need = qualified_need(scoped, beneficiary_structure, [themes[1]])
    need.submitted_by = beneficiary
    need.save()
    engagement = services.engagement_propose(need=need, resource=resource, user=pilot)
    with pytest.raises(ValidationError):
        services.engagement_transition(engagement=engagement, user=pilot, to="done")
    services.engagement_transition(engagement=engagement, user=pilot, to="signed")
    services.engagement_transition(engagement=engagement, user=pilot, to="in_progress")
    need.refresh_from_db()
    assert need.state == "in_progress"
    with pytest.raises(ValidationError) as exc:
        services.engagement_transition(engagement=engagement, user=pilot, to="done")
    assert exc.value.messages == ["Inscrivez au moins une journée réalisée avant de clore."]
    services.session_add(engagement=engagement, user=pilot, date=date(2026, 11, 2),
                         days=Decimal("1.0"), done=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.engagement_transition(engagement=engagement, user=pilot, to="done")
    need.refresh_from_db()
    engagement.refresh_from_db()
    assert (need.state, engagement.state) == ("done", "done")
    assert "Votre accompagnement est terminé" in mail.outbox[-1].body
    with pytest.raises(PermissionDenied):
        services.feedback_give(engagement=engagement, user=pilot, side="beneficiary", rating=5)
    services.feedback_give(engagement=engagement, user=beneficiary, side="beneficiary",
                           rating=5, comment="Très utile.")
    services.feedback_give(engagement=engagement, user=pilot, side="resource", rating=4)
    with pytest.raises(ValidationError):
        services.feedback_give(engagement=engagement, user=beneficiary, side="beneficiary",
                               rating=3)
    facts = {f.id: f for f in selectors.resource_facts(scoped)}[resource.pk]
    assert (facts.feedback_sum, facts.feedback_count, facts.used, facts.days_used) == (
        5, 1, 1, 2.0)
    new_need = qualified_need(scoped, StructureFactory(postal_code="34000",
                                                       main_activity="venue"), [themes[1]])
    result, _pool = selectors.suggestions_for(new_need)
    fb = result.candidates[0].factor("feedback")
    assert (fb.points_centi, fb.evidence) == (1000, (("feedback", {"average": 5.0,
                                                                   "count": 1}),))


def test_cancelling_an_engagement_frees_the_need_for_another_match(
        scoped, pilot, beneficiary_structure, themes, resource):
    need = qualified_need(scoped, beneficiary_structure, [themes[1]])
    engagement = services.engagement_propose(need=need, resource=resource, user=pilot)
    with pytest.raises(ValidationError) as exc:
        services.engagement_transition(engagement=engagement, user=pilot, to="cancelled")
    assert exc.value.message_dict == {"reason": ["Indiquez le motif de l'annulation."]}
    services.engagement_transition(engagement=engagement, user=pilot, to="cancelled",
                                   reason="Indisponibilité de la personne-ressource.")
    need.refresh_from_db()
    assert need.state == "qualified"
    facts = {f.id: f for f in selectors.resource_facts(scoped)}[resource.pk]
    assert facts.used == 0
    again = services.engagement_propose(need=need, resource=resource, user=pilot)
    assert again.state == "proposed"


def test_beneficiary_withdraws_an_open_request(scoped, beneficiary, beneficiary_structure,
                                               themes):
    need = submit(scoped, beneficiary, beneficiary_structure, themes[:1])
    services.need_withdraw(need=need, user=beneficiary)
    need.refresh_from_db()
    assert need.state == "cancelled"
    with pytest.raises(ValidationError):
        services.need_withdraw(need=need, user=beneficiary)


def test_facts_load_in_a_constant_number_of_queries(scoped, themes, django_assert_num_queries):
    for i in range(3):
        ResourcePersonFactory(tenant=scoped, themes={themes[0]: 2, themes[1]: 1})
    with django_assert_num_queries(3):
        small = selectors.resource_facts(scoped)
    for i in range(12):
        r = ResourcePersonFactory(tenant=scoped, themes={themes[2]: 3})
        r.conflict_structures.add(StructureFactory())
    with django_assert_num_queries(3):
        large = selectors.resource_facts(scoped)
    assert (len(small), len(large)) == (3, 15)
    for i in range(5):
        qualified_need(scoped, StructureFactory(), themes[:2])
    with django_assert_num_queries(2):
        needs = selectors.open_need_facts(scoped)
    assert len(needs) == 5
    assert all(n.theme_ids == {themes[0].pk, themes[1].pk} for n in needs)


def test_themes_seed_defaults_is_idempotent(scoped, pilot):
    first = services.themes_seed_defaults(tenant=scoped, user=pilot)
    second = services.themes_seed_defaults(tenant=scoped, user=pilot)
    assert [t.label for t in first] == [
        "Pilotage des projets et des organisations", "Financement",
        "Mise en œuvre et gestion des organisations", "Visibilité des projets",
        "Actions responsables, locales et/ou solidaires"]
    assert [t.pk for t in first] == [t.pk for t in second]


def test_weights_per_tenant_change_the_score(scoped, pilot, beneficiary_structure, themes,
                                             resource):
    need = qualified_need(scoped, beneficiary_structure, [themes[1]])
    services.weights_update(tenant=scoped, user=pilot, theme=100, sector=0, proximity=0,
                            load=0, feedback=0)
    result, _pool = selectors.suggestions_for(need)
    assert result.candidates[0].total_centi == 10000
    with pytest.raises(ValidationError):
        services.weights_update(tenant=scoped, user=pilot, theme=0, sector=0, proximity=0,
                                load=0, feedback=0)


def test_pilot_swaps_two_global_proposals_and_the_swap_is_kept(
        scoped, pilot, themes, django_capture_on_commit_callbacks):
    near = ResourcePersonFactory(tenant=scoped, first_name="Près", departement="34",
                                 themes={themes[1]: 3}, max_engagements_per_year=1)
    far = ResourcePersonFactory(tenant=scoped, first_name="Loin", departement="31",
                                themes={themes[1]: 3}, max_engagements_per_year=1)
    a = qualified_need(scoped, StructureFactory(postal_code="34000"), [themes[1]])
    b = qualified_need(scoped, StructureFactory(postal_code="31000"), [themes[1]])
    services.assignment_recompute(tenant=scoped, user=pilot)
    pa = MatchProposal.objects.get(need=a, status="proposed")
    pb = MatchProposal.objects.get(need=b, status="proposed")
    assert (pa.resource, pb.resource) == (near, far)
    with django_capture_on_commit_callbacks(execute=True):
        services.proposals_swap(first=pa, second=pb, user=pilot)
    pa.refresh_from_db()
    pb.refresh_from_db()
    assert (pa.resource, pb.resource, pa.source, pb.source) == (far, near, "chosen", "chosen")
    # theme 40 + sector 15 + same region only (10 instead of 20) + load 15 + feedback 5
    assert pa.score == Decimal("85.00")
    assert sum(Decimal(f["points"]) for f in pa.breakdown["factors"]) == pa.score
    assert AuditEvent.objects.filter(action="mentoring.proposal.swapped").count() == 2
    # The recomputation (run after commit) kept the swap and did not double-book anybody.
    assert list(MatchProposal.objects.filter(status="proposed").order_by("need_id")
                .values_list("need_id", "resource_id", "source")) == [
        (a.pk, far.pk, "chosen"), (b.pk, near.pk, "chosen")]
    engagement = services.proposal_accept(proposal=pa, user=pilot)
    assert engagement.resource == far


def test_swap_is_refused_when_a_crossed_pair_fails_a_filter(scoped, pilot, themes):
    home = StructureFactory(postal_code="34000")
    own = ResourcePersonFactory(tenant=scoped, structure=home, themes={themes[1]: 3})
    other = ResourcePersonFactory(tenant=scoped, themes={themes[1]: 3})
    a = qualified_need(scoped, StructureFactory(), [themes[1]])
    b = qualified_need(scoped, home, [themes[1]])
    pa = MatchProposal.objects.create(need=a, resource=own, source="global")
    pb = MatchProposal.objects.create(need=b, resource=other, source="global")
    with pytest.raises(ValidationError) as exc:
        services.proposals_swap(first=pa, second=pb, user=pilot)
    assert "Même structure que le ou la bénéficiaire" in exc.value.messages[0]
    pa.refresh_from_db()
    assert pa.resource == own


# --- The stored tripartite convention -------------------------------------------------------

def test_the_convention_is_stored_when_proposed_and_again_only_when_it_changes(
        scoped, pilot, beneficiary_structure, themes, resource, settings, tmp_path,
        django_capture_on_commit_callbacks):
    from portal.documents import private_path
    from portal.models import GeneratedDocument

    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    need = qualified_need(scoped, beneficiary_structure, [themes[1]])
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends the task
        engagement = services.engagement_propose(need=need, resource=resource, user=pilot)
    first = GeneratedDocument.objects.get(kind="mentoring.convention",
                                          target_id=str(engagement.pk))
    assert private_path(first.file_path).read_bytes().startswith(b"%PDF")
    assert first.filename == f"convention-{need.reference.lower()}.pdf"

    # The form saved with nothing changed: nothing rendered.
    with django_capture_on_commit_callbacks(execute=True):
        services.engagement_update(engagement=engagement, user=pilot, terms=engagement.terms,
                                   planned_days=engagement.planned_days,
                                   start_date=engagement.start_date, end_date=engagement.end_date)
    assert GeneratedDocument.objects.get(pk=first.pk).sha256 == first.sha256

    with django_capture_on_commit_callbacks(execute=True):
        services.engagement_update(engagement=engagement, user=pilot,
                                   terms="Objectif : un plan de financement 2027.",
                                   planned_days=Decimal("2"), start_date=date(2027, 1, 11),
                                   end_date=date(2027, 2, 26))
    second = GeneratedDocument.objects.get(pk=first.pk)
    assert second.sha256 != first.sha256 and second.source_hash != first.source_hash
    assert GeneratedDocument.objects.filter(kind="mentoring.convention").count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        services.session_add(engagement=engagement, user=pilot, date=date(2027, 1, 11),
                             days=Decimal("1"), notes="Plan de trésorerie")
    assert GeneratedDocument.objects.get(pk=first.pk).sha256 != second.sha256


def test_convention_task_for_a_deleted_engagement_ends_quietly(caplog):
    from mentoring.tasks import convention_task

    with caplog.at_level("INFO"):
        convention_task(engagement_id=424242)
    assert "mentoring.convention: engagement_id=424242 no longer exists" in caplog.text


def test_outbid_reasons_say_whether_slots_or_days_are_missing():
    from mentoring import matchmaker as mm
    from mentoring.explain import assignment_quality_text, exclusion_text

    assert exclusion_text(mm.Exclusion("outbid_days", {"eligible": 3, "by_days": 2})) == (
        "3 personnes-ressources éligibles : les jours qui leur restent cette année sont pris "
        "par des besoins mieux appariés (2 n'ont plus assez de jours, les autres plus de place)")
    assert exclusion_text(mm.Exclusion("outbid", {"eligible": 1})) == (
        "1 personne-ressource éligible, déjà retenue pour des besoins mieux appariés")
    assert assignment_quality_text(optimal=False, gap_percent=Decimal("1.25")) == (
        "Meilleure répartition trouvée dans le temps imparti : au plus 1,25 % sous l'optimum.")
