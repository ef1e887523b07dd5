"""The demo tells one coherent story every role can work through: each filed demo dossier
carries its required documents and declarations and its instructor can make it recevable;
the demo session sits on (not before) the committee date the calls announce; the demo staff
appear by name and function."""

import pytest
from django.core.management import call_command
from django_scopes import scope, scopes_disabled

from applications.models import Dossier
from portal.models import Membership, Tenant, User
from reviews import services as review_services
from reviews.models import CommitteeSession

#: The module's tests run in a row on one xdist worker, so the demo is seeded once.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-story")]


@pytest.fixture(scope="module")
def _seeded(django_db_setup, django_db_blocker):
    """The demo, loaded once for this module (each test runs in a transaction rolled back
    after it), then emptied as a transactional test leaves the database."""
    with django_db_blocker.unblock():
        call_command("seed_demo", stdout=open("/dev/null", "w"))
        yield
        call_command("flush", "--noinput", verbosity=0)


@pytest.fixture
def demo(_seeded, db):
    return None


def test_every_filed_demo_dossier_can_be_made_recevable_by_its_instructor(demo):
    with scopes_disabled():
        tenants = list(Tenant.objects.filter(dossiers__status="submitted").distinct())
    assert [t.slug for t in tenants] != []
    made = 0
    for tenant in tenants:
        with scope(tenant=tenant):
            instructor = User.objects.get(email=f"instructor-cnm@{tenant.slug}.demo")
            for dossier in Dossier.objects.filter(tenant=tenant, status="submitted"):
                checklist = {str(row["id"]): True
                             for row in review_services.required_documents(dossier)
                             if row["attachment"] is not None}
                assert all(row["attachment"] is not None
                           for row in review_services.required_documents(dossier)
                           if row["required"]), dossier.title
                assert all(r["status"] != "fail" for r in dossier.eligibility_results), (
                    dossier.title, dossier.eligibility_results)
                review_services.eligibility_confirm(user=instructor, dossier=dossier,
                                                    checklist=checklist)
                dossier.refresh_from_db()
                assert dossier.status == "eligible"
                made += 1
    assert made >= 3


def test_the_demo_session_is_not_dated_before_the_committee_the_calls_announce(demo):
    with scopes_disabled():
        for session in CommitteeSession.objects.all():
            announced = [c.committee_date for c in session.calls.all()
                         if c.committee_date and c.committee_date >= session.date]
            dated = [c.committee_date for c in session.calls.all() if c.committee_date]
            if dated:
                assert session.date in dated or announced == [], (session, dated)


def test_demo_staff_appear_by_name_and_function(demo):
    with scopes_disabled():
        memberships = list(Membership.objects.select_related("user", "organization"))
    assert memberships
    assert all(m.user.has_name for m in memberships)
    assert all(m.title for m in memberships)
    labels = {m.person_label for m in memberships}
    assert "Nadia Benali, Chargée des aides territoriales (Centre national de la musique)" in labels


def test_seeding_twice_changes_nothing_in_the_story(demo):
    with scopes_disabled():
        before = sorted(Dossier.objects.values_list("reference", "status", "declarations"))
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    with scopes_disabled():
        assert sorted(Dossier.objects.values_list("reference", "status", "declarations")) == before


def test_each_region_has_dossiers_at_every_stage_of_the_procedure(demo):
    from awards.enums import AwardStatus

    expected = {"draft", "submitted", "eligible", "in_review", "in_committee", "rejected"}
    with scopes_disabled():
        for slug in ("hauts-de-france", "occitanie"):
            states = set(Dossier.objects.filter(tenant__slug=slug)
                         .values_list("status", flat=True))
            # a grant published by a closed session is in its follow-up (awards) at once
            followup = states - expected
            assert expected <= states and followup, (slug, states)
            assert followup <= set(AwardStatus.values), (slug, states)
            prefix = {"hauts-de-france": "HDF-", "occitanie": "OCC-"}[slug]
            references = Dossier.objects.filter(tenant__slug=slug).exclude(reference="")
            assert all(r.startswith(prefix) for r in references.values_list("reference",
                                                                             flat=True))
            # The history says the reference it was filed under, on the day it was filed.
            from portal.models import AuditEvent

            for dossier in references:
                event = AuditEvent.objects.get(target_id=str(dossier.pk),
                                               action="applications.dossier.submitted")
                assert event.data["reference"] == dossier.reference
                assert event.created_at == dossier.first_submitted_at
        # Occitanie's 2024 grant: advance paid by two funders, final report filed
        assert "report_filed" in set(Dossier.objects.filter(tenant__slug="occitanie")
                                     .values_list("status", flat=True))


def test_every_demo_call_has_an_envelope_within_its_contract(demo):
    from calls.models import Call
    from calls.selectors import envelope_overcommitment

    with scopes_disabled():
        for tenant in Tenant.objects.filter(slug__in=["hauts-de-france", "occitanie"]):
            calls = list(Call.objects.filter(tenant=tenant))
            assert calls and all(c.envelope for c in calls), [(c.slug, c.envelope) for c in calls]
            assert tenant.envelope is not None
            assert envelope_overcommitment(tenant) is None
        hdf = Tenant.objects.get(slug="hauts-de-france")
        assert hdf.envelope == 210000  # the seed's figure


def test_the_previous_edition_was_decided_by_a_closed_session_with_funder_shares(demo):
    from reviews.models import Decision

    with scopes_disabled():
        for slug in ("hauts-de-france", "occitanie"):
            session = CommitteeSession.objects.get(
                tenant__slug=slug, title="Comité de sélection de l'édition précédente")
            assert session.status == "closed"
            decisions = list(Decision.objects.filter(session=session).order_by("dossier__pk"))
            assert [d.outcome for d in decisions] == ["granted", "granted", "rejected"]
            for decision in decisions[:2]:
                shares = {s.funder: s.amount for s in decision.shares.all()}
                assert set(shares) == {"drac", "cnm", "region"}
                assert sum(shares.values()) == decision.amount == decision.dossier.requested_amount
            assert decisions[2].motivation
            # Its history is dated when it happened, not when the demo was loaded.
            assert session.closed_at.date() == session.date
            open_session = CommitteeSession.objects.get(tenant__slug=slug,
                                                        title="Comité de sélection")
            assert open_session.status == "planned"
            assert open_session.date > session.date


def test_each_demo_instructor_has_a_review_to_write_and_each_member_a_dossier_to_decide(demo):
    from reviews.models import AgendaItem, Assignment, Review

    with scopes_disabled():
        for slug in ("hauts-de-france", "occitanie"):
            # The DRAC's review of the dossier in instruction is in; the CNM's is a draft and
            # the Région's is to write (the DRAC officer's day is the recevabilité).
            for funder in ("cnm", "region"):
                officer = User.objects.get(email=f"instructor-{funder}@{slug}.demo")
                submitted = set(Review.objects.filter(officer=officer, status="submitted")
                                .values_list("dossier_id", flat=True))
                pending = [a.dossier_id for a in Assignment.objects.filter(
                    officer=officer, dossier__status="in_review")
                    if a.dossier_id not in submitted]
                assert pending, (slug, funder)
            drafts = Review.objects.filter(dossier__tenant__slug=slug, status="draft")
            assert drafts.count() == 1
            items = AgendaItem.objects.filter(session__tenant__slug=slug,
                                              session__status="planned")
            assert items.count() == 2
            assert all(not hasattr(i.dossier, "decision") for i in items)
