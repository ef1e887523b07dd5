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

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    call_command("seed_demo", stdout=open("/dev/null", "w"))


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
