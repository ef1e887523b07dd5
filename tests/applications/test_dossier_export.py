"""The dossier's PDF export is laid out by a worker, never inside the request (issue 13,
finding 5): asked by a POST, followed on its page, downloaded by the user who asked while
they may still see the dossier; an unchanged dossier reuses the file already laid out."""

import pytest
from django.conf import settings
from django_scopes import scope

from applications.models import DossierExport
from portal.enums import OrganizationKind as K
from portal.models import OutboxTask
from tests.factories.applications import DossierFactory, StructureMemberFactory, balanced_budget
from tests.factories.reviews import ConflictFactory, FiledDossierFactory, officer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]


@pytest.fixture
def dossier(tenant, call, structure):
    with scope(tenant=tenant):
        return balanced_budget(DossierFactory(call=call, structure=structure,
                                              title="Tournée mutualisée des labels"))


def url(dossier, suffix=""):
    return f"/{dossier.tenant.slug}/dossiers/{dossier.pk}/{suffix}"


def _exports_on_disk() -> list:
    root = settings.PRIVATE_MEDIA_ROOT
    from pathlib import Path

    return sorted(p for p in (Path(root) / "exports").rglob("*.pdf")) if (
        Path(root) / "exports").exists() else []


def _ask(client, dossier, capture):
    with capture(execute=True):
        response = client.post(url(dossier, "export/"))
    assert response.status_code == 302
    with scope(tenant=dossier.tenant):
        export = DossierExport.objects.latest("pk")
    assert response.url == url(dossier, f"export/{export.pk}/")
    return export


def test_asking_queues_a_task_and_the_request_renders_no_pdf(client, dossier, applicant):
    client.force_login(applicant)
    response = client.post(url(dossier, "export/"))  # on_commit not run: the worker has not
    assert response.status_code == 302               # started, and the request is over
    assert response["Content-Type"] != "application/pdf"
    with scope(tenant=dossier.tenant):
        export = DossierExport.objects.get()
    assert (export.state, export.requested_by, export.file_path) == ("queued", applicant, "")
    assert list(OutboxTask.objects.filter(task_name="applications.dossier_export")
                .values_list("kwargs", flat=True)) == [{"export_id": export.pk}]
    page = client.get(response.url)
    body = page.content.decode()
    assert "État : En attente." in body
    assert 'data-progress-pending' in body and "portal/progress.js" in body
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in body
    assert client.get(url(dossier, f"export/{export.pk}/progression/")).json() == {
        "state": "queued", "label": "En attente", "finished": False, "failed": False,
        "error": ""}
    # the file is not there yet: its link leads back to the page
    download = client.get(url(dossier, f"export/{export.pk}/dossier.pdf"))
    assert (download.status_code, download.url) == (302, url(dossier, f"export/{export.pk}/"))
    # asking again while it is queued does not queue a second one
    assert client.post(url(dossier, "export/")).url == response.url
    with scope(tenant=dossier.tenant):
        assert DossierExport.objects.count() == 1


def test_the_worker_lays_it_out_into_private_storage_and_the_page_offers_it(
        client, dossier, applicant, django_capture_on_commit_callbacks):
    client.force_login(applicant)
    export = _ask(client, dossier, django_capture_on_commit_callbacks)
    with scope(tenant=dossier.tenant):
        export.refresh_from_db()
    assert export.state == "finished"
    assert export.file_path.startswith(f"exports/{dossier.tenant.slug}/")
    assert client.get(url(dossier, f"export/{export.pk}/progression/")).json()["finished"]
    body = client.get(url(dossier, f"export/{export.pk}/")).content.decode()
    assert "Le PDF est prêt" in body and "data-progress-pending" not in body
    response = client.get(url(dossier, f"export/{export.pk}/dossier.pdf"))
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF") and len(content) == export.size
    assert response["Content-Disposition"] == f'attachment; filename="dossier-{dossier.pk}.pdf"'
    assert (response["X-Content-Type-Options"], response["Cache-Control"]) == (
        "nosniff", "private, no-store")


def test_an_unchanged_dossier_reuses_the_file_a_changed_one_is_laid_out_again(
        client, dossier, applicant, django_capture_on_commit_callbacks):
    client.force_login(applicant)
    before = set(_exports_on_disk())
    first = _ask(client, dossier, django_capture_on_commit_callbacks)
    second = _ask(client, dossier, django_capture_on_commit_callbacks)
    with scope(tenant=dossier.tenant):
        first.refresh_from_db()
        second.refresh_from_db()
        assert second.pk != first.pk
        assert (second.state, second.file_path, second.sha256) == (
            "finished", first.file_path, first.sha256)
        assert len(set(_exports_on_disk()) - before) == 1
        dossier.title = "Tournée mutualisée des labels, saison 2"
        dossier.save()
    third = _ask(client, dossier, django_capture_on_commit_callbacks)
    with scope(tenant=dossier.tenant):
        third.refresh_from_db()
    assert third.state == "finished" and third.file_path != first.file_path
    assert third.source_hash != first.source_hash
    assert len(set(_exports_on_disk()) - before) == 2


def test_nobody_else_reaches_a_users_export(client, tenant, call, dossier, applicant,
                                            django_capture_on_commit_callbacks):
    client.force_login(applicant)
    export = _ask(client, dossier, django_capture_on_commit_callbacks)
    pages = [f"export/{export.pk}/", f"export/{export.pk}/progression/",
             f"export/{export.pk}/dossier.pdf"]
    # another member of the same structure sees the dossier, not the other member's export
    colleague = StructureMemberFactory(structure=dossier.structure).user
    client.force_login(colleague)
    assert client.get(url(dossier)).status_code == 200
    assert [client.get(url(dossier, p)).status_code for p in pages] == [404, 404, 404]
    # the export under another dossier's URL does not resolve either
    with scope(tenant=tenant):
        own = balanced_budget(DossierFactory(call=call, structure=StructureMemberFactory(
            user=colleague).structure))
    assert [client.get(url(own, p)).status_code for p in pages] == [404, 404, 404]
    # a stranger to the dossier gets nothing, and cannot ask for it
    client.force_login(StructureMemberFactory().user)
    assert [client.get(url(dossier, p)).status_code for p in pages] == [404, 404, 404]
    assert client.post(url(dossier, "export/")).status_code == 404
    with scope(tenant=tenant):
        assert DossierExport.objects.count() == 1


def test_staff_export_per_role_and_a_conflicted_officer_is_refused(
        client, tenant, call, applicant, django_capture_on_commit_callbacks):
    with scope(tenant=tenant):
        filed = FiledDossierFactory(call=call, status="in_review")
    cnm = officer(tenant, K.CNM)
    client.force_login(cnm)
    export = _ask(client, filed, django_capture_on_commit_callbacks)
    response = client.get(url(filed, f"export/{export.pk}/dossier.pdf"))
    assert b"".join(response.streaming_content).startswith(b"%PDF")

    conflicted = officer(tenant, K.DRAC)
    with scope(tenant=tenant):
        ConflictFactory(tenant=tenant, officer=conflicted, siret=filed.structure.siret,
                        structure=filed.structure)
    client.force_login(conflicted)
    assert client.post(url(filed, "export/")).status_code == 404
    with scope(tenant=tenant):
        assert DossierExport.objects.count() == 1

    # an officer who declares a conflict after asking: the export is never laid out, and the
    # one laid out before is no longer served
    client.force_login(cnm)
    with scope(tenant=tenant):
        filed.title = "Un autre intitulé"
        filed.save()
    response = client.post(url(filed, "export/"))  # queued; the worker runs after the conflict
    with scope(tenant=tenant):
        pending = DossierExport.objects.latest("pk")
        ConflictFactory(tenant=tenant, officer=cnm, siret=filed.structure.siret,
                        structure=filed.structure)
        from applications.exports import export_run

        export_run(export_id=pending.pk)
        pending.refresh_from_db()
    assert (pending.state, pending.file_path) == ("failed", "")
    assert pending.error == "Vous n’avez plus accès à ce dossier."
    assert client.get(url(filed, f"export/{export.pk}/dossier.pdf")).status_code == 404
    assert client.get(response.url).status_code == 404


def test_another_tenants_slug_does_not_resolve_the_export(client, dossier, applicant,
                                                          other_tenant,
                                                          django_capture_on_commit_callbacks):
    client.force_login(applicant)
    export = _ask(client, dossier, django_capture_on_commit_callbacks)
    base = f"/{other_tenant.slug}/dossiers/{dossier.pk}/export/"
    assert [client.get(f"{base}{export.pk}/{p}").status_code
            for p in ("", "progression/", "dossier.pdf")] == [404, 404, 404]
    assert client.post(base).status_code == 404


def test_a_get_on_the_asking_url_does_nothing(client, dossier, applicant):
    client.force_login(applicant)
    assert client.get(url(dossier, "export/")).status_code == 405
    with scope(tenant=dossier.tenant):
        assert not DossierExport.objects.exists()


def test_a_failed_layout_says_so_and_offers_to_try_again(client, dossier, applicant,
                                                         django_capture_on_commit_callbacks,
                                                         monkeypatch):
    import portal.pdf

    def broken(html):
        raise RuntimeError("WeasyPrint crashed")

    monkeypatch.setattr(portal.pdf, "layout_pdf", broken)
    client.force_login(applicant)
    export = _ask(client, dossier, django_capture_on_commit_callbacks)
    body = client.get(url(dossier, f"export/{export.pk}/")).content.decode()
    assert "L’export a échoué" in body and "Relancer l’export" in body
    assert client.get(url(dossier, f"export/{export.pk}/progression/")).json()["failed"] is True


def test_exports_go_after_a_week_and_their_files_once_no_export_names_them(
        client, dossier, applicant, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from applications.tasks import dossier_exports_expire_task
    from portal.storage import private_file_exists

    client.force_login(applicant)
    first = _ask(client, dossier, django_capture_on_commit_callbacks)
    second = _ask(client, dossier, django_capture_on_commit_callbacks)  # the same file
    with scope(tenant=dossier.tenant):
        first.refresh_from_db()
        assert "Il reste disponible ici pendant 7 jours." in client.get(
            url(dossier, f"export/{first.pk}/")).content.decode()
        DossierExport.objects.filter(pk=first.pk).update(
            created_at=timezone.now() - timedelta(days=8))
    with django_capture_on_commit_callbacks(execute=True):
        assert dossier_exports_expire_task.apply().get() == 1
    with scope(tenant=dossier.tenant):
        assert list(DossierExport.objects.values_list("pk", flat=True)) == [second.pk]
    assert private_file_exists(first.file_path)  # the later export still names it
    assert client.get(url(dossier, f"export/{first.pk}/")).status_code == 404
    # the dossier goes (retention purge, cascade): its exports' files go with it
    with django_capture_on_commit_callbacks(execute=True), scope(tenant=dossier.tenant):
        dossier.delete()
    assert not private_file_exists(first.file_path)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_lays_the_export_out_and_the_page_follows_it(client, tenant, call,
                                                                   applicant, celery_worker):
    structure = StructureMemberFactory(user=applicant).structure
    with scope(tenant=tenant):
        dossier = balanced_budget(DossierFactory(call=call, structure=structure))
    client.force_login(applicant)
    asked = client.post(url(dossier, "export/"))
    progress = f"{asked.url}progression/"
    final = celery_worker.wait_for(lambda: (lambda p: p if p["finished"] else None)(
        client.get(progress).json()), timeout=60)
    assert final == {"state": "finished", "label": "Prêt", "finished": True, "failed": False,
                     "error": ""}
    response = client.get(f"{asked.url}dossier.pdf")
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "applications.dossier_export" in celery_worker.log.read_text()
