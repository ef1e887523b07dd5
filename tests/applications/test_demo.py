import pytest
from django_scopes import scopes_disabled

from applications import demo
from applications.models import Dossier, Structure

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent_and_files_dossiers():
    from calls import demo as calls_demo
    from portal import demo as portal_demo

    portal_demo.seed()
    calls_demo.seed()
    first = demo.seed()
    counts = (Structure.objects.count(), Dossier.objects.with_scopes_disabled().count())
    assert demo.seed() == first
    assert (Structure.objects.count(), Dossier.objects.with_scopes_disabled().count()) == counts
    with scopes_disabled():
        filed = Dossier.objects.exclude(status="draft")
        assert filed.exists()
        assert all(d.reference for d in filed)
        assert len({(d.tenant_id, d.reference) for d in filed}) == filed.count()
