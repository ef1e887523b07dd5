"""The dossier summary (search document + review aggregate) is refreshed when what it holds
changes — filing, a new reference or title, a structure's name or SIRET, in every tenant —
and not on the other saves (a status change, a structure's licences): those used to cost
five queries per dossier, across tenants for a structure."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from applications.enums import DossierStatus
from reviews.models import DossierSummary
from reviews.services import summary_refresh
from tests.factories import TenantFactory
from tests.factories.applications import StructureFactory
from tests.factories.calls import CallFactory
from tests.factories.reviews import FiledDossierFactory

pytestmark = pytest.mark.django_db


def _summary_queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return sum('"reviews_dossiersummary"' in q["sql"] for q in ctx.captured_queries)


def _as_transition(dossier, status):
    """As applications.services.dossier_transition saves a state (its marker set)."""
    dossier.status = status
    dossier._status_transition = status


@pytest.fixture
def filed(tenant):
    with scope(tenant=tenant):
        dossier = FiledDossierFactory(call=CallFactory(tenant=tenant), title="Tournée Éléphant")
        summary_refresh(dossier=dossier)
        return dossier


def test_a_status_change_of_a_filed_dossier_leaves_the_summary_alone(tenant, filed):
    from applications.models import Dossier

    with scope(tenant=tenant):
        dossier = Dossier.objects.get(pk=filed.pk)
        _as_transition(dossier, DossierStatus.IN_REVIEW)
        assert _summary_queries(lambda: dossier.save(update_fields=["status"])) == 0
        _as_transition(dossier, DossierStatus.IN_COMMITTEE)
        assert _summary_queries(dossier.save) == 0


def test_a_new_title_or_a_filing_again_refreshes_the_search_document(tenant, filed):
    from applications.models import Dossier

    with scope(tenant=tenant):
        dossier = Dossier.objects.get(pk=filed.pk)
        dossier.title = "Résidence Hirondelle"
        assert _summary_queries(dossier.save) > 0
        assert "Résidence Hirondelle" in DossierSummary.objects.get(pk=filed.pk).search_text
        _as_transition(dossier, DossierStatus.COMPLETION_REQUESTED)
        assert _summary_queries(dossier.save) == 0
        _as_transition(dossier, DossierStatus.SUBMITTED)  # resubmitted: partners may change
        assert _summary_queries(lambda: dossier.save(update_fields=["status"])) > 0


def test_a_structure_save_refreshes_its_dossiers_only_when_name_or_siret_change(tenant, filed):
    other = TenantFactory(slug="occitanie", region_code="76")
    with scope(tenant=other):
        elsewhere = FiledDossierFactory(call=CallFactory(tenant=other), structure=filed.structure)
        summary_refresh(dossier=elsewhere)
    from applications.models import Structure

    with scopes_disabled():
        structure = Structure.objects.get(pk=filed.structure_id)
        structure.website = "https://label.example"
        assert _summary_queries(structure.save) == 0
        structure.name = "Collectif Écluse"
        assert _summary_queries(structure.save) > 0
        texts = dict(DossierSummary.objects.values_list("dossier_id", "search_text"))
    assert "Collectif Écluse" in texts[filed.pk] and "Collectif Écluse" in texts[elsewhere.pk]
