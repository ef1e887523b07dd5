"""References under concurrent submissions, on real PostgreSQL with threads."""

import threading

import pytest
from django.db import connection
from django_scopes import scope

from applications import services
from applications.models import Dossier
from tests.factories import TenantFactory
from tests.factories.applications import (DossierFactory, StructureMemberFactory,
                                          balanced_budget)
from tests.factories.calls import CallFactory

pytestmark = pytest.mark.server


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_get_distinct_gapless_references():
    tenant = TenantFactory(slug="occitanie", name="Occitanie", region_code="76")
    workers = 8
    with scope(tenant=tenant):
        call = CallFactory(tenant=tenant, reference_code="COOP")
        members = [StructureMemberFactory() for _ in range(workers)]
        dossiers = [balanced_budget(DossierFactory(call=call, structure=m.structure))
                    for m in members]
    barrier = threading.Barrier(workers)
    errors = []

    def submit(dossier, user):
        try:
            with scope(tenant=tenant):
                barrier.wait(timeout=10)
                services.dossier_submit(user=user, dossier=dossier)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(d, m.user))
               for d, m in zip(dossiers, members)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    with scope(tenant=tenant):
        references = sorted(Dossier.objects.values_list("reference", flat=True))
    year = references[0].split("-")[1]
    assert references == [f"OCC-{year}-COOP-{n:04d}" for n in range(1, workers + 1)]


@pytest.mark.django_db(transaction=True)
def test_double_submission_in_parallel_files_once():
    tenant = TenantFactory(slug="occitanie", name="Occitanie", region_code="76")
    with scope(tenant=tenant):
        member = StructureMemberFactory()
        dossier = balanced_budget(DossierFactory(call=CallFactory(tenant=tenant),
                                                 structure=member.structure))
    barrier = threading.Barrier(2)
    outcomes = []

    def submit():
        try:
            with scope(tenant=tenant):
                barrier.wait(timeout=10)
                services.dossier_submit(user=member.user,
                                        dossier=Dossier.objects.get(pk=dossier.pk))
            outcomes.append("filed")
        except services.DossierError as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["already_submitted", "filed"]
    with scope(tenant=tenant):
        assert Dossier.objects.get(pk=dossier.pk).reference.endswith("-0001")
