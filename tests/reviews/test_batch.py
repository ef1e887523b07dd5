"""Batch actions on the dashboard's selection: each dossier goes through the single action's
service (permissions, states, audit), refusals are reported per dossier, the job is
idempotent, and nobody else reads it."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope

from applications.models import CompletionRequest
from portal.enums import OrganizationKind as K
from portal.enums import Role
from portal.models import AuditEvent, Membership
from reviews import batch
from reviews.models import AgendaItem, Assignment, BatchJob, ConflictDeclaration
from tests.factories import DocumentRequirementFactory
from tests.factories.reviews import FiledDossierFactory, SessionFactory, officer

D = Decimal
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]


def url(name, tenant, **kw):
    return reverse(f"reviews:{name}", kwargs={"tenant_slug": tenant.slug, **kw})


@pytest.fixture
def post_batch(django_capture_on_commit_callbacks):
    """Post the selection form; the batch's task runs after commit (eager Celery)."""
    def post(client, tenant, action, ids, **fields):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url("selection", tenant), {
                "action": action, "ids": [str(i) for i in ids], "list_query": "sort=reference",
                **fields})
    return post


def job_of(response, tenant):
    assert response.status_code == 302, response.content.decode()[:500]
    with scope(tenant=tenant):
        return BatchJob.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))


@pytest.fixture
def submitted(tenant, call, category):
    with scope(tenant=tenant):
        return [FiledDossierFactory(call=call, category=category, status="submitted",
                                    reference=f"HDF-2024-COOP-00{i}") for i in range(1, 4)]


def test_confirm_eligibility_for_the_selection(post_batch, client, tenant, call, officers, submitted):
    with scope(tenant=tenant):
        requirement = DocumentRequirementFactory(call=call, label="Budget prévisionnel")
        for d in submitted:  # filed under rules asking for the budget
            d.rules_snapshot = {**d.rules_snapshot, "document_requirements": [
                {"id": requirement.pk, "label": "Budget prévisionnel", "required": True}]}
            d.save(update_fields=["rules_snapshot"])
        from applications.models import Attachment

        for d in submitted[:2]:
            Attachment.objects.create(dossier=d, requirement=requirement, original_name="b.pdf",
                                      content_type="application/pdf", extension="pdf", size=10,
                                      sha256="0" * 64, file="x.pdf")
    client.force_login(officers["cnm"])
    response = post_batch(client, tenant, "eligibility_confirm", [d.pk for d in submitted],
                          **{"eligibility-documents_checked": "on",
                             "eligibility-comment": "Pièces vérifiées en réunion d'équipe"})
    job = job_of(response, tenant)
    assert job.is_finished and (job.succeeded, job.failed) == (2, 1)
    refused = job.results[2]
    assert refused["reference"] == "HDF-2024-COOP-003" and "incomplet" in refused["message"]
    with scope(tenant=tenant):
        statuses = [type(d).objects.get(pk=d.pk).status for d in submitted]
        actions = list(AuditEvent.objects.filter(action="reviews.dossier.eligible")
                       .values_list("target_id", flat=True))
    assert statuses == ["eligible", "eligible", "submitted"]
    assert sorted(actions) == sorted(str(d.pk) for d in submitted[:2])  # as the single action
    page = client.get(response["Location"])
    body = page.content.decode()
    assert "Terminé : 2 réussi(s), 1 refusé(s)." in body and "incomplet" in body


def test_confirmation_requires_the_documents_statement(post_batch, client, tenant, officers, submitted):
    client.force_login(officers["cnm"])
    response = post_batch(client, tenant, "eligibility_confirm", [submitted[0].pk])
    assert response.status_code == 400
    body = response.content.decode()
    assert "la recevabilité se confirme après vérification des pièces" in body
    assert f'value="{submitted[0].pk}" form="selection-form" data-select-row checked' in body
    with scope(tenant=tenant):
        assert not BatchJob.objects.exists()


def test_assign_a_rapporteur_to_the_selection_skips_conflicts(post_batch, client, tenant, call, category,
                                                              officers):
    with scope(tenant=tenant):
        dossiers = [FiledDossierFactory(call=call, category=category, status="eligible")
                    for _ in range(3)]
        ConflictDeclaration.objects.create(tenant=tenant, officer=officers["drac2"],
                                           siret=dossiers[1].structure.siret,
                                           structure_name="Liée", nature="Ancien salarié")
    client.force_login(officers["cnm"])
    job = job_of(post_batch(client, tenant, "assign", [d.pk for d in dossiers],
                            **{"assign-officer": officers["drac2"].pk}), tenant)
    assert [r["ok"] for r in job.results] == [True, False, True]
    assert "lien d'intérêts" in job.results[1]["message"]
    with scope(tenant=tenant):
        assert Assignment.objects.filter(officer=officers["drac2"]).count() == 2
        assert type(dossiers[0]).objects.get(pk=dossiers[0].pk).status == "in_review"


def test_request_completion_for_the_selection(post_batch, client, tenant, call, category, officers,
                                              submitted):
    with scope(tenant=tenant):
        reviewing = FiledDossierFactory(call=call, category=category, status="in_review")
    client.force_login(officers["cnm"])
    job = job_of(post_batch(client, tenant, "request_completion",
                            [submitted[0].pk, reviewing.pk], **{
                                "completion-message": "Merci de joindre l'attestation URSSAF à jour",
                                "completion-steps": ["documents"],
                                "completion-due_date": "2031-06-15"}), tenant)
    assert [r["ok"] for r in job.results] == [True, False]
    assert "en attente d'examen" in job.results[1]["message"]
    with scope(tenant=tenant):
        request = CompletionRequest.objects.get()
    assert request.dossier_id == submitted[0].pk and request.steps == ["documents"]
    assert request.due_at.isoformat() == "2031-06-15T21:59:59+00:00"  # 23:59:59 Paris (CEST)


def test_completion_form_errors_keep_what_was_typed(post_batch, client, tenant, officers, submitted):
    client.force_login(officers["cnm"])
    response = post_batch(client, tenant, "request_completion", [submitted[0].pk], **{
        "completion-message": "Budget détaillé — 12 000,50 €", "completion-due_date": ""})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Budget détaillé — 12 000,50 €" in body and 'id="batch-request_completion"' in body
    assert "fr-collapse--expanded" in body


def test_add_the_selection_to_a_committee_agenda(post_batch, client, tenant, call, category, officers):
    from tests.factories import CallFactory

    admin_officer = officers["cnm"]
    Membership.objects.create(tenant=tenant, user=admin_officer, role=Role.ADMIN)
    with scope(tenant=tenant):
        session = SessionFactory(tenant=tenant, title="Comité d'avril")
        session.calls.set([call])
        ready = [FiledDossierFactory(call=call, category=category, status="in_review")
                 for _ in range(2)]
        other_call = FiledDossierFactory(call=CallFactory(tenant=tenant), status="in_review")
    client.force_login(admin_officer)
    job = job_of(post_batch(client, tenant, "agenda_add", [d.pk for d in [*ready, other_call]],
                            **{"agenda-session": session.pk}), tenant)
    assert [r["ok"] for r in job.results] == [True, True, False]
    assert "n'examine pas l'appel" in job.results[2]["message"]
    with scope(tenant=tenant):
        items = list(AgendaItem.objects.filter(session=session).values_list("dossier_id",
                                                                            "position"))
        assert items == [(ready[0].pk, 1), (ready[1].pk, 2)]
        assert {type(d).objects.get(pk=d.pk).status for d in ready} == {"in_committee"}


def test_instructors_are_not_offered_the_agenda_and_cannot_post_it(post_batch, client, tenant, call,
                                                                   officers, submitted):
    client.force_login(officers["cnm"])
    actions = [b["action"] for b in client.get(url("dashboard", tenant)).context["batch"]]
    assert actions == ["eligibility_confirm", "assign", "request_completion"]
    with scope(tenant=tenant):
        session = SessionFactory(tenant=tenant)
    response = post_batch(client, tenant, "agenda_add", [submitted[0].pk],
                          **{"agenda-session": session.pk})
    assert response.status_code == 403


@pytest.mark.parametrize("role", [Role.COMMITTEE, Role.PILOT, Role.ADMIN])
def test_roles_without_the_dashboard_cannot_launch_a_batch(post_batch, client, tenant, make_member, role,
                                                           submitted):
    client.force_login(make_member(tenant, role))
    response = post_batch(client, tenant, "assign", [submitted[0].pk])
    assert response.status_code == 403


def test_foreign_and_conflicted_dossiers_are_dropped(post_batch, client, tenant, other_tenant, call,
                                                     officers, submitted):
    with scope(tenant=other_tenant):
        foreign = FiledDossierFactory(call__tenant=other_tenant, status="submitted")
    with scope(tenant=tenant):
        ConflictDeclaration.objects.create(tenant=tenant, officer=officers["cnm"],
                                           siret=submitted[1].structure.siret,
                                           structure_name="Liée", nature="Proche")
    client.force_login(officers["cnm"])
    job = job_of(post_batch(client, tenant, "eligibility_confirm",
                            [foreign.pk, submitted[1].pk, submitted[0].pk],
                            **{"eligibility-documents_checked": "on"}), tenant)
    assert job.dossier_ids == [submitted[0].pk]
    response = post_batch(client, tenant, "eligibility_confirm", [foreign.pk],
                          **{"eligibility-documents_checked": "on"})
    assert response.status_code == 400
    assert "Aucun des dossiers cochés n&#x27;est accessible." in response.content.decode()


def test_a_job_is_read_by_its_author_only(post_batch, client, tenant, other_tenant, officers, submitted):
    client.force_login(officers["cnm"])
    job = job_of(post_batch(client, tenant, "eligibility_confirm", [submitted[0].pk],
                            **{"eligibility-documents_checked": "on"}), tenant)
    assert client.get(url("batch_progress", tenant, job_pk=job.pk)).json() == {
        "total": 1, "done": 1, "succeeded": 1, "failed": 0, "finished": True}
    client.force_login(officers["drac1"])
    assert client.get(url("batch", tenant, job_pk=job.pk)).status_code == 404
    assert client.get(url("batch_progress", tenant, job_pk=job.pk)).status_code == 404
    client.force_login(officer(other_tenant, K.CNM))
    assert client.get(url("batch", other_tenant, job_pk=job.pk)).status_code == 404


def test_running_a_job_twice_does_nothing_more(tenant, officers, submitted):
    with scope(tenant=tenant):
        job = BatchJob.objects.create(tenant=tenant, user=officers["cnm"], action="assign",
                                      params={"officer": officers["drac1"].pk},
                                      dossier_ids=[d.pk for d in submitted])
        # one already done before an interruption: resumed after it
        job.results = [{"dossier": submitted[0].pk, "reference": "", "ok": True, "message": ""}]
        job.save()
        batch.batch_run(job_id=job.pk)
        batch.batch_run(job_id=job.pk)
        job.refresh_from_db()
    assert [r["dossier"] for r in job.results] == [d.pk for d in submitted]
    assert job.results[1]["message"] == "On n'affecte des rapporteur·rices qu'aux dossiers recevables."


def test_batch_start_refuses_without_permission(tenant, committee, submitted):
    from django.core.exceptions import PermissionDenied

    with scope(tenant=tenant), pytest.raises(PermissionDenied):
        batch.batch_start(user=committee["cnm"], tenant=tenant, action="assign",
                          dossier_ids=[submitted[0].pk], params={})
