"""Mentoring pages: who may use them, another tenant's objects (404), bad input kept."""

from datetime import date
from decimal import Decimal

import pytest
from django_scopes import scope

from mentoring.models import (Engagement, EngagementSession, MatchProposal, NeedRequest,
                              ResourcePerson, Theme)
from portal.models import AuditEvent
from tests.factories import OrganizationFactory
from tests.factories.applications import StructureFactory, StructureMemberFactory
from tests.factories.mentoring import (DiagnosisFactory, EngagementFactory, NeedRequestFactory,
                                       ResourcePersonFactory, ThemeFactory)
from tests.mentoring.conftest import NEED_POST

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]

PILOT_PAGES = ["mentorat/pilotage/", "mentorat/pilotage/besoins/",
               "mentorat/pilotage/repartition/", "mentorat/pilotage/ressources/",
               "mentorat/pilotage/ressources/nouvelle/", "mentorat/pilotage/accompagnements/",
               "mentorat/pilotage/thematiques/", "mentorat/pilotage/ponderations/"]


def qualified(tenant, structure, themes):
    need = NeedRequestFactory(tenant=tenant, structure=structure, themes=themes,
                              state="qualified")
    DiagnosisFactory(need=need)
    return need


# --- Beneficiary side ---------------------------------------------------------------------

def test_questionnaire_creates_the_need(client, tenant, pilot_org, beneficiary,
                                        beneficiary_structure, themes):
    client.force_login(beneficiary)
    url = f"/{tenant.slug}/mentorat/besoin/"
    page = client.get(url)
    assert page.status_code == 200
    assert "Financement" in page.content.decode()
    response = client.post(url, {**NEED_POST, "structure": beneficiary_structure.pk,
                                 "themes": [themes[1].pk, themes[3].pk]})
    with scope(tenant=tenant):
        need = NeedRequest.objects.get()
        assert response.status_code == 302
        assert response.url == f"/{tenant.slug}/mentorat/mes-demandes/{need.pk}/"
        assert sorted(t.pk for t in need.themes.all()) == [themes[1].pk, themes[3].pk]
        assert (need.structure, need.person_status, need.remote_possible) == (
            beneficiary_structure, "employee", True)
    detail = client.get(response.url).content.decode()
    assert "Reçue, en attente de diagnostic" in detail
    assert "Demande envoyée" in detail


def test_questionnaire_without_theme_or_description_names_the_fields_and_keeps_input(
        client, tenant, pilot_org, beneficiary, beneficiary_structure, themes):
    client.force_login(beneficiary)
    response = client.post(f"/{tenant.slug}/mentorat/besoin/", {
        **NEED_POST, "structure": beneficiary_structure.pk, "description": ""})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["themes"] == ["Choisissez au moins une thématique."]
    assert errors["description"] == ["Décrivez votre besoin."]
    assert 'value="Camille Martin"' in response.content.decode()
    with scope(tenant=tenant):
        assert not NeedRequest.objects.exists()


def test_questionnaire_rejects_a_structure_of_someone_else(client, tenant, pilot_org,
                                                           beneficiary, themes):
    other = StructureFactory()
    client.force_login(beneficiary)
    response = client.post(f"/{tenant.slug}/mentorat/besoin/", {
        **NEED_POST, "structure": other.pk, "themes": [themes[0].pk]})
    assert response.status_code == 200
    assert "structure" in response.context["form"].errors


def test_questionnaire_without_structure_explains_what_to_do(client, tenant, pilot_org,
                                                             applicant, themes):
    client.force_login(applicant)
    response = client.get(f"/{tenant.slug}/mentorat/besoin/")
    assert response.status_code == 200
    assert "Un profil de structure est nécessaire" in response.content.decode()


def test_questionnaire_asks_anonymous_to_sign_in(client, tenant, pilot_org):
    response = client.get(f"/{tenant.slug}/mentorat/besoin/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


def test_no_questionnaire_where_there_is_no_pilot_structure(client, tenant, beneficiary):
    client.force_login(beneficiary)
    assert client.get(f"/{tenant.slug}/mentorat/besoin/").status_code == 404
    assert "aucune structure pilote" in client.get(f"/{tenant.slug}/mentorat/").content.decode()


def test_beneficiaries_see_only_their_own_requests(client, tenant, pilot_org, beneficiary,
                                                   beneficiary_structure, themes):
    mine = NeedRequestFactory(tenant=tenant, structure=beneficiary_structure, themes=themes[:1])
    theirs = NeedRequestFactory(tenant=tenant, themes=themes[:1])
    client.force_login(beneficiary)
    listing = client.get(f"/{tenant.slug}/mentorat/mes-demandes/").content.decode()
    assert mine.reference in listing and theirs.reference not in listing
    assert client.get(f"/{tenant.slug}/mentorat/mes-demandes/{mine.pk}/").status_code == 200
    assert client.get(f"/{tenant.slug}/mentorat/mes-demandes/{theirs.pk}/").status_code == 404
    assert client.post(
        f"/{tenant.slug}/mentorat/mes-demandes/{theirs.pk}/retirer/").status_code == 404


def test_request_of_another_tenant_answers_404(client, tenant, other_tenant, pilot_org,
                                               beneficiary, beneficiary_structure):
    OrganizationFactory(tenant=other_tenant, kind="pilot")
    foreign = NeedRequestFactory(tenant=other_tenant, structure=beneficiary_structure)
    client.force_login(beneficiary)
    assert client.get(f"/{tenant.slug}/mentorat/mes-demandes/{foreign.pk}/").status_code == 404
    assert client.get(
        f"/{other_tenant.slug}/mentorat/mes-demandes/{foreign.pk}/").status_code == 200


def test_redirection_is_shown_to_the_beneficiary(client, tenant, pilot_org, beneficiary,
                                                 beneficiary_structure, themes):
    need = NeedRequestFactory(tenant=tenant, structure=beneficiary_structure, themes=themes[:1],
                              state="redirected")
    DiagnosisFactory(need=need, outcome="training", days=None, comment="Une formation.",
                     redirect_to="AFDAS, formation « Financer son projet »")
    client.force_login(beneficiary)
    page = client.get(f"/{tenant.slug}/mentorat/mes-demandes/{need.pk}/").content.decode()
    assert "Où vous adresser" in page
    assert "AFDAS, formation « Financer son projet »" in page


def test_my_needs_list_has_bounded_queries(client, tenant, pilot_org, beneficiary,
                                           beneficiary_structure, themes,
                                           django_assert_max_num_queries):
    for _ in range(8):
        NeedRequestFactory(tenant=tenant, structure=beneficiary_structure, themes=themes[:2])
    client.force_login(beneficiary)
    with django_assert_max_num_queries(14):
        assert client.get(f"/{tenant.slug}/mentorat/mes-demandes/").status_code == 200


# --- Pilot side ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", PILOT_PAGES)
def test_pilot_sees_pilot_pages(client, tenant, pilot, path):
    client.force_login(pilot)
    assert client.get(f"/{tenant.slug}/{path}").status_code == 200


@pytest.mark.parametrize("path", PILOT_PAGES)
@pytest.mark.parametrize("role", ["instructor", "committee"])
def test_other_staff_are_refused_pilot_pages(client, tenant, make_member, role, path):
    client.force_login(make_member(tenant, role))
    assert client.get(f"/{tenant.slug}/{path}").status_code == 403


@pytest.mark.parametrize("path", PILOT_PAGES)
def test_beneficiary_and_pilot_of_another_tenant_are_refused(client, tenant, other_tenant,
                                                             make_member, beneficiary, path):
    client.force_login(beneficiary)  # no role in the tenant: 404, the page is not revealed
    assert client.get(f"/{tenant.slug}/{path}").status_code == 404
    client.force_login(make_member(other_tenant, "pilot"))
    assert client.get(f"/{tenant.slug}/{path}").status_code == 404
    client.force_login(make_member(tenant, "instructor"))  # a role here, not this one: 403
    assert client.get(f"/{tenant.slug}/{path}").status_code == 403


@pytest.mark.parametrize("path", PILOT_PAGES)
def test_anonymous_is_sent_to_login_from_pilot_pages(client, tenant, path):
    response = client.get(f"/{tenant.slug}/{path}")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


def test_tenant_admin_configures_themes_and_weights_but_not_the_pool(client, tenant,
                                                                      admin_user):
    client.force_login(admin_user)
    assert client.get(f"/{tenant.slug}/mentorat/pilotage/thematiques/").status_code == 200
    assert client.get(f"/{tenant.slug}/mentorat/pilotage/ponderations/").status_code == 200
    assert client.get(f"/{tenant.slug}/mentorat/pilotage/ressources/").status_code == 403


def test_objects_of_another_tenant_answer_404_to_the_pilot(client, tenant, other_tenant, pilot,
                                                           beneficiary_structure):
    need = NeedRequestFactory(tenant=other_tenant, structure=beneficiary_structure)
    resource = ResourcePersonFactory(tenant=other_tenant)
    engagement = EngagementFactory(need=need, resource=resource)
    theme = ThemeFactory(tenant=other_tenant)
    client.force_login(pilot)
    base = f"/{tenant.slug}/mentorat"
    assert client.get(f"{base}/pilotage/besoins/{need.pk}/").status_code == 404
    assert client.post(f"{base}/pilotage/besoins/{need.pk}/diagnostic/",
                       {"outcome": "tsf", "days": "1", "comment": "x"}).status_code == 404
    assert client.post(f"{base}/pilotage/besoins/{need.pk}/choisir/",
                       {"resource": resource.pk}).status_code == 404
    assert client.get(f"{base}/pilotage/ressources/{resource.pk}/").status_code == 404
    assert client.get(f"{base}/pilotage/accompagnements/{engagement.pk}/").status_code == 404
    assert client.post(f"{base}/pilotage/accompagnements/{engagement.pk}/etat/",
                       {"to": "signed"}).status_code == 404
    assert client.get(f"{base}/accompagnements/{engagement.pk}/convention.pdf").status_code \
        == 404
    assert client.get(f"{base}/pilotage/thematiques/{theme.pk}/").status_code == 404
    with scope(tenant=other_tenant):
        proposal = MatchProposal.objects.create(need=need, resource=resource, source="global")
        session = EngagementSession.objects.create(engagement=engagement, date=date(2026, 12, 1),
                                                   days=Decimal("1.0"))
    assert client.post(f"{base}/pilotage/propositions/{proposal.pk}/accepter/").status_code \
        == 404
    assert client.post(f"{base}/pilotage/accompagnements/{engagement.pk}/journees/",
                       {"date": "2026-12-02", "days": "1.0"}).status_code == 404
    assert client.post(f"{base}/pilotage/journees/{session.pk}/realisee/").status_code == 404
    assert client.post(f"{base}/accompagnements/{engagement.pk}/retour/",
                       {"side": "resource", "rating": "5"}).status_code == 404
    with scope(tenant=other_tenant):
        assert Engagement.objects.get(pk=engagement.pk).state == "proposed"


def test_diagnosis_beyond_the_format_limit_is_refused_on_the_page(client, tenant, pilot,
                                                                  beneficiary_structure,
                                                                  themes):
    need = NeedRequestFactory(tenant=tenant, structure=beneficiary_structure, themes=themes[:1])
    client.force_login(pilot)
    response = client.post(f"/{tenant.slug}/mentorat/pilotage/besoins/{need.pk}/diagnostic/",
                           {"outcome": "tsf", "days": "3", "comment": "Ciblé."})
    assert response.status_code == 200
    assert response.context["diagnosis_form"].errors["days"] == [
        "Transfert de savoir-faire (1 à 2 jours) : de 1 à 2 jours, pas 3."]
    assert 'value="3"' in response.content.decode()


def test_need_page_shows_ranked_candidates_with_breakdown_and_exclusions(
        client, tenant, pilot, beneficiary_structure, themes, resource):
    ResourcePersonFactory(tenant=tenant, first_name="Sam", last_name="Même-Maison",
                          structure=beneficiary_structure, themes={themes[1]: 3})
    need = qualified(tenant, beneficiary_structure, [themes[1]])
    client.force_login(pilot)
    response = client.get(f"/{tenant.slug}/mentorat/pilotage/besoins/{need.pk}/")
    assert response.status_code == 200
    (candidate,) = response.context["candidates"]
    assert candidate["resource"] == resource
    assert candidate["score"] == Decimal("91.25")
    assert [(f["key"], str(f["points"])) for f in candidate["factors"]] == [
        ("theme", "40"), ("sector", "11.25"), ("proximity", "20"), ("load", "15"),
        ("feedback", "5")]
    assert sum(f["points"] for f in candidate["factors"]) == candidate["score"]
    assert candidate["factors"][0]["evidence"] == ["Financement : niveau 3/3"]
    page = response.content.decode()
    assert "Sam Même-Maison" in page
    assert "Même structure que le ou la bénéficiaire" in page


def test_pilot_override_requires_a_reason_on_the_page(client, tenant, pilot,
                                                      beneficiary_structure, themes, resource):
    need = qualified(tenant, beneficiary_structure, [themes[4]])
    client.force_login(pilot)
    url = f"/{tenant.slug}/mentorat/pilotage/besoins/{need.pk}/choisir/"
    response = client.post(url, {"resource": resource.pk, "mode": "override"})
    assert response.status_code == 200
    assert response.context["choice_form"].errors["reason"] == ["Justifiez le choix manuel."]
    response = client.post(url, {"resource": resource.pk, "mode": "override",
                                 "reason": "Expérience RSE reconnue."})
    assert response.status_code == 302
    with scope(tenant=tenant):
        engagement = Engagement.objects.get(need=need)
        assert response.url == f"/{tenant.slug}/mentorat/pilotage/accompagnements/{engagement.pk}/"


def test_assignment_page_lists_proposals_and_the_manual_queue(
        client, tenant, pilot, beneficiary_structure, themes, resource,
        django_assert_max_num_queries, django_capture_on_commit_callbacks):
    served = qualified(tenant, beneficiary_structure, [themes[1]])
    orphan = qualified(tenant, StructureFactory(), [themes[4]])
    client.force_login(pilot)
    with django_capture_on_commit_callbacks(execute=True):  # the task runs (eagerly) after commit
        assert client.post(f"/{tenant.slug}/mentorat/pilotage/repartition/").status_code == 302
    with django_assert_max_num_queries(20):
        response = client.get(f"/{tenant.slug}/mentorat/pilotage/repartition/")
    assert [p.need for p in response.context["proposals"]] == [served]
    (manual,) = response.context["manual"]
    assert manual["need"] == orphan
    assert manual["reason"] == ("Aucune personne-ressource ne peut répondre (sur 1 : ne couvre "
                                "aucune thématique du besoin (1))")
    assert response.context["quality"] == ("Répartition optimale : aucune autre ne donne un "
                                           "score total plus élevé.")
    assert response.context["quality"] in response.content.decode()


def test_recompute_is_queued_and_its_page_follows_the_computation(
        client, tenant, pilot, beneficiary_structure, themes, resource,
        django_capture_on_commit_callbacks):
    """The POST only records the request and queues the task (no integer program in the
    request); the run's page says where it stands, then what it found."""
    from mentoring.models import AssignmentRun
    from portal.models import OutboxTask

    served = qualified(tenant, beneficiary_structure, [themes[1]])
    qualified(tenant, StructureFactory(), [themes[4]])
    client.force_login(pilot)
    base = f"/{tenant.slug}/mentorat/pilotage/repartition/"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(base)
    with scope(tenant=tenant):
        run = AssignmentRun.objects.get()
        assert (run.state, run.computed_by, run.assigned) == ("queued", pilot, 0)
        assert not MatchProposal.objects.exists()
        (task,) = OutboxTask.objects.filter(task_name="mentoring.assignment_recompute")
        assert task.kwargs == {"tenant_id": tenant.pk, "run_id": run.pk}
    # the task's enqueue (beside the kept pages' at-commit forgetting, portal.page_generations)
    callbacks = [c for c in callbacks if not hasattr(c, "page_generation")]
    assert len(callbacks) == 1
    assert response.url == f"{base}calculs/{run.pk}/"

    page = client.get(response.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "État : En attente." in html
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in html
    assert "portal/progress.js" in html
    assert client.get(f"{response.url}progression/").json() == {
        "state": "queued", "label": "En attente", "finished": False, "failed": False,
        "summary": "", "error": ""}
    # Asking again while it is queued follows the same computation.
    assert client.post(base).url == response.url
    listing = client.get(base).content.decode()
    assert "Un calcul de la répartition est en cours (En attente)." in listing

    callbacks[0]()  # the outbox sends the task (eager here): the worker computes
    with scope(tenant=tenant):
        run.refresh_from_db()
        assert (run.state, run.assigned, len(run.manual)) == ("finished", 1, 1)
        assert MatchProposal.objects.get().need == served
    assert client.get(f"{response.url}progression/").json() == {
        "state": "finished", "label": "Terminé", "finished": True, "failed": False,
        "summary": "Répartition recalculée : 1 proposition(s), 1 besoin(s) à traiter à la "
                   "main.", "error": ""}
    html = client.get(response.url).content.decode()
    assert "Répartition recalculée : 1 proposition(s), 1 besoin(s) à traiter à la main." in html
    assert "http-equiv" not in html
    assert "Un calcul de la répartition est en cours" not in client.get(base).content.decode()


def test_a_run_of_another_tenant_answers_404_and_other_roles_are_refused(
        client, tenant, other_tenant, pilot, make_member, beneficiary):
    from mentoring.models import AssignmentRun

    with scope(tenant=other_tenant):
        foreign = AssignmentRun.objects.create(tenant=other_tenant)
    with scope(tenant=tenant):
        own = AssignmentRun.objects.create(tenant=tenant)
    base = f"/{tenant.slug}/mentorat/pilotage/repartition/calculs"
    client.force_login(pilot)
    assert client.get(f"{base}/{foreign.pk}/").status_code == 404
    assert client.get(f"{base}/{foreign.pk}/progression/").status_code == 404
    assert client.get(f"{base}/{own.pk}/").status_code == 200
    for user, status in ((make_member(tenant, "instructor"), 403), (beneficiary, 404),
                         (make_member(other_tenant, "pilot"), 404)):
        client.force_login(user)
        assert client.get(f"{base}/{own.pk}/").status_code == status
        assert client.get(f"{base}/{own.pk}/progression/").status_code == status
        assert client.post(f"/{tenant.slug}/mentorat/pilotage/repartition/").status_code \
            == status
    with scope(tenant=tenant):
        assert AssignmentRun.objects.count() == 1


def test_a_failed_run_says_so_and_offers_to_start_again(client, tenant, pilot, monkeypatch):
    from mentoring import matchmaker, services
    from mentoring.models import AssignmentRun

    def broken(*args, **kwargs):
        raise RuntimeError("solver crashed")

    monkeypatch.setattr(matchmaker, "assign", broken)
    with scope(tenant=tenant):
        run = AssignmentRun.objects.create(tenant=tenant, computed_by=pilot)
        assert services.assignment_run(run_id=run.pk).state == "failed"
        run.refresh_from_db()
        assert run.error.startswith("Le calcul n'a pas abouti. Relancez-le")
        # run again (the task delivered twice): a failed run is left as it is
        assert services.assignment_run(run_id=run.pk).error == run.error
    client.force_login(pilot)
    html = client.get(f"/{tenant.slug}/mentorat/pilotage/repartition/calculs/{run.pk}/"
                      ).content.decode()
    assert "Le calcul a échoué" in html and "Relancer le calcul" in html
    assert client.get(f"/{tenant.slug}/mentorat/pilotage/repartition/calculs/{run.pk}/"
                      "progression/").json()["failed"] is True


def test_a_run_whose_requester_lost_the_role_fails_with_the_reason(tenant, pilot):
    from mentoring import services
    from mentoring.models import AssignmentRun
    from portal.models import Membership

    with scope(tenant=tenant):
        run = AssignmentRun.objects.create(tenant=tenant, computed_by=pilot)
        Membership.objects.filter(user=pilot, tenant=tenant).delete()
        run = services.assignment_run(run_id=run.pk)
    assert (run.state, run.error) == ("failed", "La personne qui a lancé le calcul n'a plus le "
                                                "droit de piloter le mentorat dans ce contrat.")


def test_a_lost_computation_does_not_hold_back_a_new_one(tenant, pilot):
    from datetime import timedelta

    from django.utils import timezone

    from mentoring import services
    from mentoring.models import AssignmentRun

    with scope(tenant=tenant):
        lost = AssignmentRun.objects.create(
            tenant=tenant, computed_by=pilot, state="running",
            created_at=timezone.now() - services.ASSIGNMENT_RUN_STALE - timedelta(seconds=1))
        fresh = services.assignment_request(tenant=tenant, user=pilot)
        assert fresh.pk != lost.pk and fresh.state == "queued"
        assert services.assignment_request(tenant=tenant, user=pilot) == fresh


def test_pilot_lists_and_dashboard_have_bounded_queries(client, tenant, pilot, themes,
                                                        django_assert_max_num_queries):
    for i in range(6):
        r = ResourcePersonFactory(tenant=tenant, themes={themes[0]: 2})
        need = qualified(tenant, StructureFactory(), themes[:2])
        EngagementFactory(need=need, resource=r)
    client.force_login(pilot)
    for path in ("mentorat/pilotage/", "mentorat/pilotage/besoins/",
                 "mentorat/pilotage/ressources/", "mentorat/pilotage/accompagnements/"):
        with django_assert_max_num_queries(16):
            assert client.get(f"/{tenant.slug}/{path}").status_code == 200


def test_dashboard_counts_needs_per_state_and_time_to_start(client, tenant, pilot, themes):
    from datetime import timedelta

    from django.utils import timezone

    need = qualified(tenant, StructureFactory(), themes[:1])
    NeedRequestFactory(tenant=tenant, state="submitted")
    with scope(tenant=tenant):
        NeedRequest.objects.filter(pk=need.pk).update(
            created_at=timezone.now() - timedelta(days=10))
    resource = ResourcePersonFactory(tenant=tenant, max_engagements_per_year=2,
                                     max_days_per_year=8)
    idle = ResourcePersonFactory(tenant=tenant, max_engagements_per_year=2, max_days_per_year=8)
    EngagementFactory(need=need, resource=resource, state="in_progress",
                      started_at=timezone.now(), planned_days=Decimal("2"))
    client.force_login(pilot)
    response = client.get(f"/{tenant.slug}/mentorat/pilotage/")
    counts = {row["state"]: row["count"] for row in response.context["per_state"]}
    assert (counts["submitted"], counts["qualified"], counts["done"]) == (1, 1, 0)
    assert response.context["avg_days_to_start"] == 10.0
    assert response.context["started_count"] == 1
    pool = {r.pk: (r.used, r.max_engagements_per_year, r.days_used, r.max_days_per_year)
            for r in response.context["pool"]}
    assert pool == {resource.pk: (1, 2, Decimal("2"), 8), idle.pk: (0, 2, Decimal("0"), 8)}
    page = response.content.decode()
    assert "<td>1 / 2</td><td>2 / 8</td>" in page and "<td>0 / 2</td><td>0 / 8</td>" in page


def test_resource_form_saves_theme_levels_and_refuses_bad_capacity(client, tenant, pilot,
                                                                   themes):
    client.force_login(pilot)
    data = {"first_name": "Lou", "last_name": "Martin", "departement": "31",
            "max_engagements_per_year": "2", "max_days_per_year": "8", "active": "on",
            "remote_possible": "on", f"theme_{themes[0].pk}": "3", f"theme_{themes[2].pk}": "1"}
    response = client.post(f"/{tenant.slug}/mentorat/pilotage/ressources/nouvelle/", data)
    assert response.status_code == 302
    with scope(tenant=tenant):
        person = ResourcePerson.objects.get(last_name="Martin")
        assert dict(person.theme_levels.values_list("theme_id", "level")) == {
            themes[0].pk: 3, themes[2].pk: 1}
        assert AuditEvent.objects.filter(action="mentoring.resource.created").count() == 1
    response = client.post(f"/{tenant.slug}/mentorat/pilotage/ressources/{person.pk}/",
                           {**data, "max_engagements_per_year": "-1",
                            "available_from": "2026-06-01", "available_until": "2026-01-01"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "max_engagements_per_year" in errors
    assert errors["available_until"] == ["La fin de la disponibilité doit suivre son début."]


def test_engagement_page_refuses_sessions_beyond_the_limit(client, tenant, pilot, themes):
    need = qualified(tenant, StructureFactory(), themes[:1])
    engagement = EngagementFactory(need=need, resource=ResourcePersonFactory(tenant=tenant),
                                   planned_days=Decimal("1"))
    client.force_login(pilot)
    url = f"/{tenant.slug}/mentorat/pilotage/accompagnements/{engagement.pk}/journees/"
    assert client.post(url, {"date": "2026-12-01", "days": "1.0"}).status_code == 302
    response = client.post(url, {"date": "2026-12-02", "days": "0.5", "notes": "Bilan"})
    assert response.status_code == 200
    assert response.context["session_form"].errors["days"] == [
        "1,5 jours au total dépasseraient les 1 jours prévus (Transfert de savoir-faire "
        "(1 à 2 jours) : 2 jours au plus)."]
    assert 'value="Bilan"' in response.content.decode()


def test_convention_is_an_attachment_for_the_three_parties_only(
        client, tenant, pilot, beneficiary, beneficiary_structure, themes, make_member):
    from tests.factories import UserFactory

    resource_user = UserFactory()
    need = qualified(tenant, beneficiary_structure, themes[:1])
    engagement = EngagementFactory(need=need, resource=ResourcePersonFactory(
        tenant=tenant, user=resource_user))
    url = f"/{tenant.slug}/mentorat/accompagnements/{engagement.pk}/convention.pdf"
    for user in (pilot, beneficiary, resource_user):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            f'attachment; filename="convention-{need.reference.lower()}.pdf"')
    stranger = UserFactory()
    StructureMemberFactory(user=stranger)
    for user in (stranger, make_member(tenant, "instructor")):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_feedback_form_of_the_beneficiary(client, tenant, pilot_org, beneficiary,
                                          beneficiary_structure, themes):
    need = qualified(tenant, beneficiary_structure, themes[:1])
    engagement = EngagementFactory(need=need, resource=ResourcePersonFactory(tenant=tenant),
                                   state="done")
    client.force_login(beneficiary)
    page = client.get(f"/{tenant.slug}/mentorat/mes-demandes/{need.pk}/").content.decode()
    assert "Votre retour sur l'accompagnement" in page
    response = client.post(f"/{tenant.slug}/mentorat/accompagnements/{engagement.pk}/retour/",
                           {"side": "beneficiary", "rating": "4", "comment": "Bien."})
    assert response.status_code == 302
    with scope(tenant=tenant):
        fb = engagement.feedbacks.get()
        assert (fb.side, fb.rating, fb.author) == ("beneficiary", 4, beneficiary)
    # The beneficiary may not speak for the resource person.
    response = client.post(f"/{tenant.slug}/mentorat/accompagnements/{engagement.pk}/retour/",
                           {"side": "resource", "rating": "5"})
    assert response.status_code == 404


def test_themes_page_seeds_the_five_themes(client, tenant, pilot):
    client.force_login(pilot)
    response = client.post(f"/{tenant.slug}/mentorat/pilotage/thematiques/",
                           {"action": "defaults"})
    assert response.status_code == 302
    page = client.get(f"/{tenant.slug}/mentorat/pilotage/thematiques/").content.decode()
    assert "Actions responsables, locales et/ou solidaires" in page
    response = client.post(f"/{tenant.slug}/mentorat/pilotage/thematiques/",
                           {"action": "add", "label": "Financement", "position": "9",
                            "active": "on"})
    assert response.status_code == 200
    assert response.context["form"].errors


@pytest.mark.parametrize("data", [{"label": "Financement", "position": "9"},
                                  {"action": "purge"}])
def test_themes_page_refuses_an_unknown_action_with_a_400(client, tenant, pilot, data):
    """The page's two forms (add a theme, create the five) are told apart by their hidden
    `action`; anything else is a 400 that names the field, and nothing is created."""
    client.force_login(pilot)
    client.raise_request_exception = False
    response = client.post(f"/{tenant.slug}/mentorat/pilotage/thematiques/", data)
    assert response.status_code == 400
    assert "Action demandée : " in response.content.decode()
    with scope(tenant=tenant):
        assert not Theme.objects.filter(tenant=tenant).exists()
    page = client.get(f"/{tenant.slug}/mentorat/pilotage/thematiques/").content.decode()
    assert page.count('<input type="hidden" name="action" value=') == 2


def test_mentoring_nav_entries_follow_the_roles(client, tenant, pilot, beneficiary):
    client.force_login(pilot)
    page = client.get(f"/{tenant.slug}/").content.decode()
    assert "Pilotage du mentorat" in page and f"/{tenant.slug}/mentorat/" in page
    client.force_login(beneficiary)
    page = client.get(f"/{tenant.slug}/").content.decode()
    assert "Pilotage du mentorat" not in page and ">Mentorat<" in page


def test_resource_is_linked_to_an_existing_account_by_email(client, tenant, pilot, themes):
    from tests.factories import UserFactory

    account = UserFactory(email="lou.martin@example.org")
    client.force_login(pilot)
    data = {"first_name": "Lou", "last_name": "Martin", "departement": "31",
            "max_engagements_per_year": "2", "max_days_per_year": "8", "active": "on",
            f"theme_{themes[0].pk}": "2", "user_email": "nobody@example.org"}
    response = client.post(f"/{tenant.slug}/mentorat/pilotage/ressources/nouvelle/", data)
    assert response.context["form"].errors["user_email"] == [
        "Aucun compte n'existe avec cette adresse."]
    response = client.post(f"/{tenant.slug}/mentorat/pilotage/ressources/nouvelle/",
                           {**data, "user_email": "Lou.Martin@example.org"})
    assert response.status_code == 302
    with scope(tenant=tenant):
        assert ResourcePerson.objects.get(last_name="Martin").user == account


def test_resource_person_with_an_account_sees_their_engagements_and_gives_feedback(
        client, tenant, pilot_org, themes):
    from tests.factories import UserFactory

    account = UserFactory()
    mine = EngagementFactory(need=qualified(tenant, StructureFactory(), themes[:1]),
                             resource=ResourcePersonFactory(tenant=tenant, user=account),
                             state="done")
    other = EngagementFactory(need=qualified(tenant, StructureFactory(), themes[:1]),
                              resource=ResourcePersonFactory(tenant=tenant), state="done")
    client.force_login(account)
    page = client.get(f"/{tenant.slug}/mentorat/mes-accompagnements/").content.decode()
    assert mine.need.reference in page and other.need.reference not in page
    response = client.post(f"/{tenant.slug}/mentorat/accompagnements/{mine.pk}/retour/",
                           {"side": "resource", "rating": "5"})
    assert response.url == f"/{tenant.slug}/mentorat/mes-accompagnements/"
    assert client.post(f"/{tenant.slug}/mentorat/accompagnements/{other.pk}/retour/",
                       {"side": "resource", "rating": "5"}).status_code == 404
    with scope(tenant=tenant):
        assert list(mine.feedbacks.values_list("side", "rating", "author")) == [
            ("resource", 5, account.pk)]


def test_assignment_page_swaps_two_proposals(client, tenant, other_tenant, pilot, themes):
    r1 = ResourcePersonFactory(tenant=tenant, themes={themes[1]: 3})
    r2 = ResourcePersonFactory(tenant=tenant, themes={themes[1]: 2})
    a = qualified(tenant, StructureFactory(), [themes[1]])
    b = qualified(tenant, StructureFactory(), [themes[1]])
    with scope(tenant=tenant):
        pa = MatchProposal.objects.create(need=a, resource=r1, source="global")
        pb = MatchProposal.objects.create(need=b, resource=r2, source="global")
    foreign_need = NeedRequestFactory(tenant=other_tenant)
    with scope(tenant=other_tenant):
        foreign = MatchProposal.objects.create(
            need=foreign_need, resource=ResourcePersonFactory(tenant=other_tenant),
            source="global")
    client.force_login(pilot)
    url = f"/{tenant.slug}/mentorat/pilotage/propositions/{pa.pk}/echanger/"
    assert client.post(f"/{tenant.slug}/mentorat/pilotage/propositions/{foreign.pk}/echanger/",
                       {"other": pb.pk}).status_code == 404
    for garbage in (foreign.pk, pa.pk, "abc", ""):  # another tenant's, itself, not an id
        response = client.post(url, {"other": garbage}, follow=True)
        assert "Choisissez la proposition avec laquelle échanger." in response.content.decode()
    response = client.post(url, {"other": pb.pk})
    assert response.status_code == 302
    with scope(tenant=tenant):
        pa.refresh_from_db()
        pb.refresh_from_db()
        assert (pa.resource, pb.resource) == (r2, r1)


def test_convention_download_serves_the_stored_document_and_produces_it_if_missing(
        client, tenant, pilot, beneficiary_structure, themes, settings, tmp_path):
    from portal.models import GeneratedDocument

    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    need = qualified(tenant, beneficiary_structure, themes[:1])
    engagement = EngagementFactory(need=need, resource=ResourcePersonFactory(tenant=tenant))
    url = f"/{tenant.slug}/mentorat/accompagnements/{engagement.pk}/convention.pdf"
    client.force_login(pilot)
    with scope(tenant=tenant):
        assert not GeneratedDocument.objects.filter(kind="mentoring.convention").exists()
    response = client.get(url)  # the task has not run (worker down): produced now
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF")
    assert response["Cache-Control"] == "private, no-store"
    with scope(tenant=tenant):
        stored = GeneratedDocument.objects.get(kind="mentoring.convention")
    assert stored.size == len(body)
    again = client.get(url)
    assert b"".join(again.streaming_content) == body  # served as stored, not re-rendered
    with scope(tenant=tenant):
        assert GeneratedDocument.objects.get(kind="mentoring.convention").sha256 == stored.sha256


@pytest.mark.parametrize("other", ["²", "١", "abc", "-1", "9" * 30, ""])
def test_swap_with_a_hand_made_other_is_refused_calmly(client, tenant, pilot, themes, other):
    """Issue 13 finding 7: « ² ».isdigit() is true and int() refused it (500)."""
    r1 = ResourcePersonFactory(tenant=tenant, themes={themes[1]: 3})
    a = qualified(tenant, StructureFactory(), [themes[1]])
    with scope(tenant=tenant):
        pa = MatchProposal.objects.create(need=a, resource=r1, source="global")
    client.force_login(pilot)
    response = client.post(f"/{tenant.slug}/mentorat/pilotage/propositions/{pa.pk}/echanger/",
                           {"other": other}, follow=True)
    assert response.status_code == 200
    assert "Choisissez la proposition avec laquelle échanger." in response.content.decode()
    with scope(tenant=tenant):
        pa.refresh_from_db()
        assert pa.resource == r1
