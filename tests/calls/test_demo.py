"""Demo calls: the numbers of the seed documents, idempotent seeding, one call open now."""

from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from calls import demo as calls_demo
from calls.enums import CallStatus
from calls.models import Call, Category, EligibilityCriterion, RulesVersion, Track
from portal import demo as portal_demo
from tests.factories.calls import paris

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded():
    portal_demo.seed()
    assert calls_demo.seed() == []
    with scopes_disabled():
        yield


def test_seeding_twice_changes_nothing(seeded):
    counts = (Call.objects.count(), Track.objects.count(), Category.objects.count(),
              EligibilityCriterion.objects.count(), RulesVersion.objects.count())
    ids = sorted(EligibilityCriterion.objects.values_list("pk", flat=True))
    calls_demo.seed()
    assert (Call.objects.count(), Track.objects.count(), Category.objects.count(),
            EligibilityCriterion.objects.count(), RulesVersion.objects.count()) == counts
    assert sorted(EligibilityCriterion.objects.values_list("pk", flat=True)) == ids
    assert counts[0] == 6


def test_occitanie_cooperation_2024_has_the_seed_numbers(seeded):
    call = Call.objects.get(tenant__slug="occitanie", slug="cooperation-professionnelle-2024")
    assert call.closes_at == paris(2024, 3, 7, 23, 59, 59)
    assert (call.expenses_start.isoformat(), call.expenses_end.isoformat()) == (
        "2024-01-01", "2025-12-31")
    assert call.min_self_financing_share == Decimal("30.00")
    assert call.advance_percentage == Decimal("80.00")
    assert [t.title for t in call.tracks.all()] == [
        "Volet spectacle vivant", "Volet musiques enregistrées", "Volet musique à l'image"]
    cats = list(call.categories.order_by("position"))
    assert [(c.amount_min, c.amount_max, c.min_partners) for c in cats] == [
        (Decimal("5000.00"), Decimal("15000.00"), 2), (Decimal("15000.00"), Decimal("25000.00"), 3)]
    assert call.status == CallStatus.CLOSED


def test_occitanie_structuration_has_per_track_criteria(seeded):
    call = Call.objects.get(tenant__slug="occitanie", slug="structuration-production-2024")
    assert (call.amount_min, call.amount_max, call.max_share_of_budget,
            call.advance_percentage) == (Decimal("10000.00"), Decimal("20000.00"),
                                         Decimal("50.00"), Decimal("70.00"))
    assert call.categories.count() == 0
    revenue = call.eligibility_criteria.filter(field="structure.revenue", track=None)
    assert sorted(revenue.values_list("parameter", flat=True)) == ["2021", "2022"]
    assert {c.value for c in revenue} == {"100000"}
    assert call.eligibility_criteria.get(field="structure.fte_hours").value == "320"
    live = call.tracks.get(title="Volet spectacle vivant")
    assert live.eligibility_criteria.get(field="structure.licence_categories").value == ["2", "3"]
    for track in call.tracks.all():
        assert track.eligibility_criteria.exists()
    assert call.document_requirements.count() == 4


def test_hauts_de_france_calls_close_18_september_2023_inclusive(seeded):
    calls = Call.objects.filter(tenant__slug="hauts-de-france",
                                slug__endswith="-2023").order_by("slug")
    assert [c.slug for c in calls] == ["cooperation-professionnelle-2023",
                                      "developpement-carrieres-2023"]
    for call in calls:
        assert call.closes_at == paris(2023, 9, 18, 23, 59, 59)
        assert call.funders == ["drac", "cnm", "region"]


def test_one_demo_call_is_open_now_in_each_region(seeded):
    open_calls = [c for c in Call.objects.order_by("tenant__slug") if c.is_open(timezone.now())]
    assert [(c.tenant.slug, c.slug) for c in open_calls] == [
        ("hauts-de-france", "cooperation-professionnelle-demo"),
        ("occitanie", "cooperation-professionnelle-demo")]
    assert [c.tracks.count() for c in open_calls] == [1, 3]


def test_every_demo_call_has_its_envelope_and_hauts_de_france_shares_the_seed_210_000(seeded):
    envelopes = {(c.tenant.slug, c.slug): c.envelope
                 for c in Call.objects.select_related("tenant")}
    assert all(envelopes.values()), envelopes
    hdf = sum(v for (t, _s), v in envelopes.items() if t == "hauts-de-france")
    assert hdf <= Decimal("210000") == Call.objects.filter(
        tenant__slug="hauts-de-france").first().tenant.envelope
