from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scope

from applications.models import Dossier
from portal.models import AuditEvent
from reviews import services
from reviews.models import (Assignment, ConflictDeclaration, Decision, DossierSummary,
                            EligibilityReview, Recusal, Review)
from tests.factories.applications import StructureFactory, make_siret
from tests.factories.reviews import (CommitteeMemberFactory, FiledDossierFactory,
                                     PartnerFactory, SessionFactory)

D = Decimal
pytestmark = pytest.mark.django_db


def _dossier(call, category=None, **kw):
    return FiledDossierFactory(call=call, category=category, **kw)


def _crit_ids(dossier):
    return [c["id"] for c in dossier.rules_snapshot["appraisal_criteria"]]


# --- conflicts ----------------------------------------------------------------------------

def test_officer_declares_a_link_matched_on_siret_and_audited(scoped, tenant, officers, call):
    structure = StructureFactory()
    declaration = services.conflict_declare(tenant=tenant, user=officers["cnm"],
                                            siret=structure.siret, nature="Ancien salarié")
    assert declaration.structure == structure and declaration.structure_name == structure.name
    assert AuditEvent.objects.filter(action="reviews.conflict.declared").count() == 1
    with pytest.raises(ValidationError):
        services.conflict_declare(tenant=tenant, user=officers["cnm"], siret=structure.siret,
                                  nature="Encore")


def test_invalid_siret_is_refused(scoped, tenant, officers):
    with pytest.raises(ValidationError) as exc:
        services.conflict_declare(tenant=tenant, user=officers["cnm"], siret="12345678901234",
                                  structure_name="X", nature="lien")
    assert "siret" in exc.value.message_dict


def test_partner_siret_counts_as_a_link(scoped, tenant, officers, call):
    dossier = _dossier(call, status="eligible")
    partner = PartnerFactory(dossier=dossier)
    services.conflict_declare(tenant=tenant, user=officers["cnm"], siret=partner.siret,
                              structure_name="Partenaire", nature="Bénévole")
    assert officers["cnm"].has_perm("reviews.instruct_dossier", dossier) is False
    with pytest.raises(ValidationError) as exc:
        services.assignment_add(user=officers["drac1"], dossier=dossier, officer=officers["cnm"])
    assert "lien d'intérêts" in str(exc.value)


# --- eligibility ------------------------------------------------------------------------------

RESULTS = [{"id": 1, "label": "Affiliation CNM", "status": "pass", "message": ""},
           {"id": 2, "label": "24 mois d'activité", "status": "fail", "message": "18 mois"},
           {"id": 3, "label": "Activité en région", "status": "unknown", "message": ""}]


def test_eligibility_needs_unknown_criteria_decided_and_overrides_justified(scoped, officers, call):
    dossier = _dossier(call, eligibility_results=RESULTS)
    with pytest.raises(ValidationError) as exc:
        services.eligibility_confirm(user=officers["cnm"], dossier=dossier,
                                     overrides={2: {"final": "pass", "justification": ""}})
    assert set(exc.value.message_dict) == {"criterion_2", "criterion_3"}
    review = services.eligibility_confirm(
        user=officers["cnm"], dossier=dossier,
        overrides={2: {"final": "pass", "justification": "Attestation URSSAF : 26 mois."},
                   3: {"final": "pass", "justification": "Siège à Lille."}})
    dossier.refresh_from_db()
    assert review.outcome == "eligible" and dossier.status == "eligible"
    overridden = AuditEvent.objects.filter(action="reviews.eligibility.overridden")
    assert overridden.count() == 2
    assert overridden.filter(data__justification="Attestation URSSAF : 26 mois.").exists()


def test_confirming_a_failed_criterion_makes_the_dossier_ineligible(scoped, officers, call):
    dossier = _dossier(call, eligibility_results=RESULTS[:2])
    services.eligibility_confirm(user=officers["cnm"], dossier=dossier)
    dossier.refresh_from_db()
    assert dossier.status == "ineligible"
    assert AuditEvent.objects.filter(action="reviews.dossier.ineligible").count() == 1


def test_missing_required_document_blocks_eligible(scoped, officers, call):
    from tests.factories import DocumentRequirementFactory
    from calls.versioning import rules_snapshot

    DocumentRequirementFactory(call=call, label="Budget de l'action")
    dossier = _dossier(call, eligibility_results=RESULTS[:1],
                       rules_snapshot=rules_snapshot(call))
    with pytest.raises(ValidationError) as exc:
        services.eligibility_confirm(user=officers["cnm"], dossier=dossier)
    assert "Budget de l'action" in str(exc.value)
    assert Dossier.objects.get(pk=dossier.pk).status == "submitted"


def test_eligibility_refused_outside_submitted_state(scoped, officers, call):
    dossier = _dossier(call, status="in_review")
    with pytest.raises(ValidationError):
        services.eligibility_confirm(user=officers["cnm"], dossier=dossier)


def test_applicant_cannot_confirm_eligibility(scoped, applicant, call):
    dossier = _dossier(call)
    with pytest.raises(PermissionDenied):
        services.eligibility_confirm(user=applicant, dossier=dossier)


# --- assignments ------------------------------------------------------------------------------

def test_auto_assignment_gives_one_officer_per_funder_balanced_and_never_conflicted(
        scoped, tenant, officers, call):
    dossiers = [_dossier(call, status="eligible") for _ in range(4)]
    ConflictDeclaration.objects.create(tenant=tenant, officer=officers["drac1"],
                                       siret=dossiers[0].structure.siret, structure_name="x",
                                       nature="y")
    plan = services.assignments_auto(user=officers["cnm"], tenant=tenant)
    assert len(plan.pairs) == 12 and plan.unassignable == []
    for d in dossiers:
        assert sorted(Assignment.objects.filter(dossier=d).values_list("funder", flat=True)) == [
            "cnm", "drac", "region"]
        d.refresh_from_db()
        assert d.status == "in_review"
    assert not Assignment.objects.filter(dossier=dossiers[0], officer=officers["drac1"]).exists()
    drac_loads = sorted(Assignment.objects.filter(funder="drac").values_list("officer", flat=True))
    assert sorted([drac_loads.count(officers["drac1"].pk),
                   drac_loads.count(officers["drac2"].pk)]) == [2, 2]
    # running it again creates nothing
    assert services.assignments_auto(user=officers["cnm"], tenant=tenant).pairs == []


# --- reviews ---------------------------------------------------------------------------------

@pytest.fixture
def reviewed(scoped, officers, call, category):
    dossier = _dossier(call, category, status="eligible")
    for key in ("drac1", "cnm"):
        services.assignment_add(user=officers["cnm"], dossier=dossier, officer=officers[key])
    return dossier


def test_draft_autosave_accepts_partial_scores_and_computes_the_total(reviewed, officers):
    q, t = _crit_ids(reviewed)
    review = services.review_save(user=officers["cnm"], dossier=reviewed, scores={str(q): "4"},
                                  version=0)
    assert review.status == "draft" and review.total == D("16.00") and review.version == 1
    review = services.review_save(user=officers["cnm"], dossier=reviewed,
                                  scores={str(q): "4", str(t): "5"}, version=1)
    # 20 × (2×4/5 + 1×5/10) / 3 = 20 × 2.1 / 3 = 14.00
    assert review.total == D("14.00")


def test_submit_requires_every_score_opinion_recommendation_and_amount(reviewed, officers):
    q, t = _crit_ids(reviewed)
    with pytest.raises(ValidationError) as exc:
        services.review_save(user=officers["cnm"], dossier=reviewed, scores={str(q): "4"},
                             recommendation="favourable", submit=True)
    assert {f"score_{t}", "opinion", "proposed_amount"} <= set(exc.value.message_dict)


def test_score_outside_the_scale_and_amount_beyond_category_max_are_refused(reviewed, officers):
    q, t = _crit_ids(reviewed)
    with pytest.raises(ValidationError) as exc:
        services.review_save(user=officers["cnm"], dossier=reviewed, scores={str(q): "6"})
    assert "entre 0 et 5" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.review_save(user=officers["cnm"], dossier=reviewed, scores={},
                             proposed_amount="15000,01")
    assert "maximum de la catégorie" in str(exc.value)


def test_submitted_review_is_locked_and_summary_updated(reviewed, officers):
    q, t = _crit_ids(reviewed)
    services.review_save(user=officers["cnm"], dossier=reviewed,
                         scores={str(q): "5", str(t): "10"}, opinion="Excellent.",
                         recommendation="favourable", proposed_amount="12 000,00", submit=True)
    services.review_save(user=officers["drac1"], dossier=reviewed,
                         scores={str(q): "2", str(t): "4"}, opinion="Fragile.",
                         recommendation="reserved", proposed_amount="6000", submit=True)
    summary = DossierSummary.objects.get(dossier=reviewed)
    # totals: 20.00 and 20×(0.8+0.4)/3 = 8.00
    assert (summary.review_count, summary.mean, summary.median, summary.spread) == (
        2, D("14.00"), D("14.00"), D("12.00"))
    assert summary.proposed_total == D("9000.00")
    with pytest.raises(ValidationError) as exc:
        services.review_save(user=officers["cnm"], dossier=reviewed, scores={str(q): "1"})
    assert exc.value.code == "locked"


def test_unassigned_or_conflicted_officer_cannot_review(reviewed, tenant, officers):
    with pytest.raises(ValidationError) as exc:
        services.review_save(user=officers["region"], dossier=reviewed, scores={})
    assert exc.value.code == "unassigned"
    ConflictDeclaration.objects.create(tenant=tenant, officer=officers["cnm"],
                                       siret=reviewed.structure.siret, structure_name="x",
                                       nature="y")
    with pytest.raises(ValidationError) as exc:
        services.review_save(user=officers["cnm"], dossier=reviewed, scores={})
    assert exc.value.code == "conflict"


def test_stale_version_is_refused(reviewed, officers):
    q, _t = _crit_ids(reviewed)
    services.review_save(user=officers["cnm"], dossier=reviewed, scores={str(q): "3"}, version=0)
    with pytest.raises(services.StaleError):
        services.review_save(user=officers["cnm"], dossier=reviewed, scores={str(q): "4"},
                             version=0)


def test_others_reviews_hidden_until_own_is_submitted(reviewed, officers, committee):
    from reviews.selectors import visible_reviews

    q, t = _crit_ids(reviewed)
    submit = dict(opinion="Avis", recommendation="favourable", proposed_amount="8000", submit=True)
    services.review_save(user=officers["drac1"], dossier=reviewed,
                         scores={str(q): "3", str(t): "6"}, **submit)
    mine, others, hidden = visible_reviews(reviewed, officers["cnm"])
    assert mine is None and others == [] and hidden is True
    services.review_save(user=officers["cnm"], dossier=reviewed, scores={str(q): "1"})
    assert visible_reviews(reviewed, officers["cnm"])[1] == []
    services.review_save(user=officers["cnm"], dossier=reviewed,
                         scores={str(q): "4", str(t): "6"}, version=1, **submit)
    mine, others, hidden = visible_reviews(reviewed, officers["cnm"])
    assert [r.officer for r in others] == [officers["drac1"]] and hidden is False
    # a committee member (not a rapporteur) reads submitted reviews only
    assert len(visible_reviews(reviewed, committee["cnm"])[1]) == 2


# --- committee ---------------------------------------------------------------------------------

@pytest.fixture
def session(scoped, tenant, call, committee):
    session = SessionFactory(tenant=tenant, quorum=2, quorum_each_funder=False)
    session.calls.set([call])
    for funder, user in committee.items():
        CommitteeMemberFactory(session=session, user=user, funder=funder, present=True)
    return session


def _on_agenda(session, admin, call, category, n=1, **kw):
    dossiers = [_dossier(call, category, status="in_review", **kw) for _ in range(n)]
    services.agenda_build(user=admin, session=session)
    return dossiers


def test_agenda_is_built_in_rank_order_and_reorderable(session, admin_user, call, category):
    low, high = _dossier(call, category, status="in_review"), _dossier(call, category, status="eligible")
    DossierSummary.objects.update_or_create(dossier=low, defaults={"tenant": session.tenant, "mean": D("9")})
    DossierSummary.objects.update_or_create(dossier=high, defaults={"tenant": session.tenant, "mean": D("17")})
    assert services.agenda_build(user=admin_user, session=session) == 2
    order = list(session.agenda.values_list("dossier_id", flat=True))
    assert order == [high.pk, low.pk]
    low.refresh_from_db()
    assert low.status == "in_committee"
    services.agenda_move(user=admin_user, session=session,
                         item=session.agenda.get(dossier=low), direction="up")
    assert list(session.agenda.values_list("dossier_id", flat=True)) == [low.pk, high.pk]


def test_grant_records_advance_shares_and_moves_the_dossier(session, admin_user, committee,
                                                            call, category):
    (dossier,) = _on_agenda(session, admin_user, call, category)
    decision = services.decision_record(user=committee["cnm"], session=session, dossier=dossier,
                                        outcome="granted", shares={"cnm": "6000", "region": "4000.50"},
                                        conditions="Bilan au 31/12/2025")
    assert decision.amount == D("10000.50") and decision.advance_amount == D("8000.40")
    assert decision.balance_amount == D("2000.10")
    assert dict(decision.shares.values_list("funder", "amount")) == {"cnm": D("6000.00"),
                                                                     "region": D("4000.50")}
    dossier.refresh_from_db()
    assert dossier.status == "granted"
    assert AuditEvent.objects.filter(action="reviews.decision.recorded").count() == 1


def test_rejection_needs_a_motivation(session, admin_user, committee, call, category):
    (dossier,) = _on_agenda(session, admin_user, call, category)
    with pytest.raises(ValidationError) as exc:
        services.decision_record(user=committee["cnm"], session=session, dossier=dossier,
                                 outcome="rejected", motivation="  ")
    assert "motivation" in exc.value.message_dict
    services.decision_record(user=committee["cnm"], session=session, dossier=dossier,
                             outcome="rejected", motivation="Projet hors du champ de l'appel.")
    assert Dossier.objects.get(pk=dossier.pk).status == "rejected"


def test_amount_beyond_category_max_or_requested_is_refused(session, admin_user, committee,
                                                            call, category):
    (dossier,) = _on_agenda(session, admin_user, call, category, requested_amount=D("20000"))
    with pytest.raises(ValidationError) as exc:
        services.decision_record(user=committee["cnm"], session=session, dossier=dossier,
                                 outcome="granted", shares={"cnm": "15000.01"})
    assert "maximum de la catégorie" in str(exc.value)
    (other,) = _on_agenda(session, admin_user, call, category, requested_amount=D("8000"))
    with pytest.raises(ValidationError) as exc:
        services.decision_record(user=committee["cnm"], session=session, dossier=other,
                                 outcome="granted", shares={"cnm": "9000"})
    assert "montant demandé" in str(exc.value)


def test_envelope_overrun_needs_an_audited_justification(session, admin_user, committee, call,
                                                         category):
    call.envelope = D("20000.00")
    call.save()
    first, second = _on_agenda(session, admin_user, call, category, n=2,
                               requested_amount=D("15000"))
    services.decision_record(user=committee["cnm"], session=session, dossier=first,
                             outcome="granted", shares={"cnm": "15000"})
    with pytest.raises(ValidationError) as exc:
        services.decision_record(user=committee["cnm"], session=session, dossier=second,
                                 outcome="granted", shares={"drac": "5000.01"})
    assert "reste -0,01" in str(exc.value).replace("\u00a0", " ")
    services.decision_record(user=committee["cnm"], session=session, dossier=second,
                             outcome="granted", shares={"drac": "5000"})
    # exactly at the envelope: accepted without justification
    assert AuditEvent.objects.filter(action="reviews.envelope.overridden").count() == 0


def test_envelope_override_is_recorded(session, admin_user, committee, call, category):
    call.envelope = D("10000.00")
    call.save()
    (dossier,) = _on_agenda(session, admin_user, call, category)
    decision = services.decision_record(user=committee["cnm"], session=session, dossier=dossier,
                                        outcome="granted", shares={"cnm": "12000"},
                                        envelope_override="Reliquat 2023 reporté.")
    assert decision.envelope_override == "Reliquat 2023 reporté."
    event = AuditEvent.objects.get(action="reviews.envelope.overridden")
    assert event.data["justification"] == "Reliquat 2023 reporté."


def test_contract_envelope_is_checked_across_calls(session, admin_user, committee, call, category,
                                                   tenant):
    tenant.envelope = D("11000.00")
    tenant.save()
    session.tenant.envelope = tenant.envelope
    (dossier,) = _on_agenda(session, admin_user, call, category)
    with pytest.raises(ValidationError) as exc:
        services.decision_record(user=committee["cnm"], session=session, dossier=dossier,
                                 outcome="granted", shares={"cnm": "11000.01"})
    assert "envelope_override" in exc.value.message_dict


def test_conflicted_member_is_recused_and_cannot_decide(session, admin_user, committee, tenant,
                                                        call, category):
    (dossier,) = _on_agenda(session, admin_user, call, category)
    ConflictDeclaration.objects.create(tenant=tenant, officer=committee["drac"],
                                       siret=dossier.structure.siret, structure_name="x",
                                       nature="y")
    with pytest.raises(ValidationError) as exc:
        services.decision_record(user=committee["drac"], session=session, dossier=dossier,
                                 outcome="rejected", motivation="Non")
    assert exc.value.code == "conflict"
    services.decision_record(user=committee["cnm"], session=session, dossier=dossier,
                             outcome="rejected", motivation="Non retenu.")
    assert list(Recusal.objects.filter(dossier=dossier).values_list("user", flat=True)) == [
        committee["drac"].pk]


def test_quorum_counts_present_members_not_recused(session, admin_user, committee, call, category):
    (dossier,) = _on_agenda(session, admin_user, call, category)
    session.members.exclude(user=committee["cnm"]).update(present=False)
    with pytest.raises(ValidationError) as exc:
        services.decision_record(user=committee["cnm"], session=session, dossier=dossier,
                                 outcome="rejected", motivation="Non")
    assert "Quorum non atteint" in str(exc.value)


def test_each_funder_must_be_represented_when_required(session, admin_user, committee, call,
                                                       category):
    session.quorum_each_funder = True
    session.save()
    session.members.filter(user=committee["region"]).update(present=False)
    (dossier,) = _on_agenda(session, admin_user, call, category)
    with pytest.raises(ValidationError) as exc:
        services.decision_record(user=committee["cnm"], session=session, dossier=dossier,
                                 outcome="rejected", motivation="Non")
    assert "Région" in str(exc.value)


def test_decision_changed_with_stale_version_is_refused(session, admin_user, committee, call,
                                                        category):
    (dossier,) = _on_agenda(session, admin_user, call, category)
    services.decision_record(user=committee["cnm"], session=session, dossier=dossier,
                             outcome="rejected", motivation="Non.", version=0)
    with pytest.raises(services.StaleError):
        services.decision_record(user=committee["drac"], session=session, dossier=dossier,
                                 outcome="granted", shares={"cnm": "5000"}, version=0)
    decision = services.decision_record(user=committee["drac"], session=session, dossier=dossier,
                                        outcome="granted", shares={"cnm": "5000"}, version=1)
    assert decision.version == 2 and Decision.objects.count() == 1


def test_closing_needs_every_decision_then_freezes_and_enqueues(session, admin_user, committee,
                                                                call, category):
    from portal.models import OutboxTask

    first, second = _on_agenda(session, admin_user, call, category, n=2)
    services.decision_record(user=committee["cnm"], session=session, dossier=first,
                             outcome="rejected", motivation="Non.")
    with pytest.raises(ValidationError) as exc:
        services.session_close(user=admin_user, session=session)
    assert second.reference in str(exc.value)
    services.decision_record(user=committee["cnm"], session=session, dossier=second,
                             outcome="granted", shares={"cnm": "5000"})
    services.session_close(user=admin_user, session=session)
    assert session.status == "closed"
    assert sorted(OutboxTask.objects.values_list("task_name", flat=True)) == [
        "reviews.decision_letter", "reviews.decision_letter", "reviews.decision_notify",
        "reviews.decision_notify", "reviews.session_minutes"]
    with pytest.raises(ValidationError) as exc:
        services.decision_record(user=committee["cnm"], session=session, dossier=second,
                                 outcome="rejected", motivation="x", version=1)
    assert exc.value.code == "closed"


def test_committee_member_cannot_create_sessions(scoped, tenant, committee, call):
    with pytest.raises(PermissionDenied):
        services.session_create(user=committee["cnm"], tenant=tenant, title="x", date="2024-04-30",
                                calls=[call])


def test_call_threshold_overrides_the_tenant_one(scoped, tenant, admin_user, call, officers):
    from reviews.selectors import disagreement_threshold

    assert disagreement_threshold(tenant, call) == D("4.00")
    services.review_settings_set(user=admin_user, tenant=tenant, threshold="3,5")
    assert disagreement_threshold(tenant, call) == D("3.50")
    services.review_settings_set(user=admin_user, tenant=tenant, call=call, threshold="6")
    assert disagreement_threshold(tenant, call) == D("6.00")
    assert disagreement_threshold(tenant) == D("3.50")
    with pytest.raises(ValidationError):
        services.review_settings_set(user=admin_user, tenant=tenant, threshold="21")
    with pytest.raises(PermissionDenied):
        services.review_settings_set(user=officers["cnm"], tenant=tenant, threshold="2")
