"""The pure matchmaker: hard filters with reasons, the score factor by factor, the global
assignment (optimal, capacities respected, manual queue). No database."""

import itertools
from datetime import date
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentoring import matchmaker as mm
from mentoring.matchmaker import NeedFacts, ResourceFacts, Weights

W = Weights()  # theme 40, sector 15, proximity 20, load 15, feedback 10


def need(**kw):
    base = dict(id=1, structure_id=100, theme_ids=frozenset({1}), main_activity="venue",
                aesthetics=frozenset({"jazz"}), departement="34", region="76", remote_ok=False,
                available_from=date(2026, 1, 1), available_until=date(2026, 6, 30), days=2.0)
    base.update(kw)
    return NeedFacts(**base)


def res(**kw):
    base = dict(id=10, structure_id=200, theme_levels={1: 3}, main_activity="venue",
                aesthetics=frozenset({"jazz"}), departement="34", region="76", remote_ok=False,
                capacity=2, used=0, capacity_days=8.0, days_used=0.0)
    base.update(kw)
    return ResourceFacts(**base)


def codes(n, r):
    return [e.code for e in mm.exclusions(n, r)]


# --- Filters ----------------------------------------------------------------------------

def test_a_perfect_resource_passes_every_filter():
    assert mm.exclusions(need(), res()) == ()


def test_theme_not_covered_is_excluded_with_the_themes_asked():
    ex = mm.exclusions(need(theme_ids=frozenset({1, 2})), res(theme_levels={3: 2}))
    assert ex == (mm.Exclusion("no_theme", {"theme_ids": [1, 2]}),)


def test_same_structure_is_excluded():
    assert codes(need(structure_id=7), res(structure_id=7)) == ["same_structure"]


def test_declared_conflict_is_excluded():
    assert codes(need(structure_id=7), res(conflict_structure_ids=frozenset({7}))) == ["conflict"]


def test_resource_at_capacity_is_excluded_with_its_load():
    ex = mm.exclusions(need(), res(capacity=2, used=2))
    assert ex == (mm.Exclusion("capacity", {"used": 2, "capacity": 2}),)


def test_not_enough_days_left_is_excluded():
    ex = mm.exclusions(need(days=3.0), res(capacity_days=8.0, days_used=6.0))
    assert ex == (mm.Exclusion("days", {"days_used": 6.0, "days": 3.0, "capacity_days": 8.0}),)


def test_availability_without_overlap_is_excluded_and_touching_periods_overlap():
    assert codes(need(), res(available_from=date(2026, 7, 1))) == ["availability"]
    assert codes(need(), res(available_from=date(2026, 6, 30))) == []
    assert codes(need(), res(available_until=date(2025, 12, 31))) == ["availability"]
    assert codes(need(available_from=None, available_until=None),
                 res(available_from=date(2030, 1, 1))) == []


def test_inactive_resource_is_excluded():
    assert codes(need(), res(active=False)) == ["inactive"]


def test_every_failed_filter_is_reported():
    assert codes(need(structure_id=7), res(structure_id=7, theme_levels={}, used=2,
                                           active=False)) == [
        "inactive", "same_structure", "no_theme", "capacity"]


# --- Score ------------------------------------------------------------------------------

def test_perfect_match_scores_the_sum_of_weights_minus_neutral_feedback():
    c = mm.candidate(need(), res(), W)
    assert [(f.key, f.points_centi) for f in c.factors] == [
        ("theme", 4000), ("sector", 1500), ("proximity", 2000), ("load", 1500),
        ("feedback", 500)]
    assert c.total_centi == 9500
    assert c.score == Decimal("95")


def test_theme_factor_is_the_level_out_of_three_averaged_over_the_need_themes():
    c = mm.candidate(need(theme_ids=frozenset({1, 2, 3})), res(theme_levels={1: 2, 2: 1}), W)
    f = c.factor("theme")
    assert (f.numerator, f.denominator, f.points_centi) == (3, 9, 1333)
    assert f.evidence == (("theme_level", {"theme_id": 1, "level": 2}),
                          ("theme_level", {"theme_id": 2, "level": 1}),
                          ("theme_missing", {"theme_id": 3}))


def test_sector_factor_halves_activity_and_shared_aesthetics():
    n = need(main_activity="venue", aesthetics=frozenset({"jazz", "rock_pop"}))
    f = mm.candidate(n, res(main_activity="festival", aesthetics=frozenset({"jazz"})),
                     W).factor("sector")
    assert (f.numerator, f.denominator, f.points_centi) == (1, 4, 375)
    assert f.evidence == (("other_activity", {"activity": "festival"}),
                          ("shared_aesthetics", {"aesthetics": ["jazz"]}))
    f = mm.candidate(need(aesthetics=frozenset()), res(), W).factor("sector")
    assert (f.numerator, f.denominator, f.points_centi) == (1, 2, 750)


@pytest.mark.parametrize("rdep,rreg,nremote,rremote,num,evidence", [
    ("34", "76", False, False, 4, "same_departement"),
    ("31", "76", False, False, 2, "same_region"),
    ("75", "11", True, True, 1, "remote"),
    ("75", "11", True, False, 0, "far"),
])
def test_proximity_by_departement_then_region_then_remote(rdep, rreg, nremote, rremote, num,
                                                          evidence):
    f = mm.candidate(need(remote_ok=nremote), res(departement=rdep, region=rreg,
                                                  remote_ok=rremote), W).factor("proximity")
    assert (f.numerator, f.points_centi, f.evidence[0][0]) == (num, 500 * num, evidence)


def test_load_factor_rewards_free_capacity():
    f = mm.candidate(need(), res(capacity=3, used=1), W).factor("load")
    assert (f.numerator, f.denominator, f.points_centi) == (2, 3, 1000)
    assert f.evidence == (("load", {"used": 1, "capacity": 3}),)


def test_feedback_factor_uses_the_average_rating_and_is_neutral_without_feedback():
    f = mm.candidate(need(), res(feedback_sum=9, feedback_count=2), W).factor("feedback")
    assert (f.numerator, f.denominator, f.points_centi) == (7, 8, 875)
    assert f.evidence == (("feedback", {"average": 4.5, "count": 2}),)
    f = mm.candidate(need(), res(), W).factor("feedback")
    assert (f.points_centi, f.evidence) == (500, (("no_feedback", {}),))


def test_weights_are_applied_per_tenant():
    c = mm.candidate(need(), res(), Weights(theme=100, sector=0, proximity=0, load=0,
                                            feedback=0))
    assert c.total_centi == 10000


facts_need = st.builds(
    NeedFacts, id=st.integers(1, 5), structure_id=st.sampled_from([None, 1, 2]),
    theme_ids=st.frozensets(st.integers(1, 4), min_size=1, max_size=3),
    main_activity=st.sampled_from(["", "venue", "festival"]),
    aesthetics=st.frozensets(st.sampled_from(["jazz", "electro", "metal"]), max_size=3),
    departement=st.sampled_from(["", "34", "31", "75"]),
    region=st.sampled_from(["", "76", "11"]), remote_ok=st.booleans(),
    available_from=st.one_of(st.none(), st.dates(date(2026, 1, 1), date(2026, 12, 31))),
    available_until=st.one_of(st.none(), st.dates(date(2027, 1, 1), date(2027, 12, 31))),
    days=st.sampled_from([1.0, 1.5, 2.0, 4.0]))
facts_res = st.builds(
    ResourceFacts, id=st.integers(10, 20), structure_id=st.sampled_from([None, 1, 2, 3]),
    theme_levels=st.dictionaries(st.integers(1, 4), st.integers(1, 3), max_size=4),
    main_activity=st.sampled_from(["", "venue", "festival"]),
    aesthetics=st.frozensets(st.sampled_from(["jazz", "electro", "metal"]), max_size=3),
    departement=st.sampled_from(["", "34", "31", "75"]),
    region=st.sampled_from(["", "76", "11"]), remote_ok=st.booleans(),
    capacity=st.integers(0, 3), used=st.integers(0, 3),
    capacity_days=st.sampled_from([0.0, 2.0, 8.0]), days_used=st.sampled_from([0.0, 1.0, 4.0]),
    available_from=st.one_of(st.none(), st.dates(date(2025, 1, 1), date(2028, 1, 1))),
    available_until=st.one_of(st.none(), st.dates(date(2025, 1, 1), date(2028, 1, 1))),
    active=st.booleans(), conflict_structure_ids=st.frozensets(st.integers(1, 3), max_size=2),
    feedback_sum=st.integers(0, 0), feedback_count=st.just(0))
facts_weights = st.builds(Weights, theme=st.integers(0, 100), sector=st.integers(0, 100),
                          proximity=st.integers(0, 100), load=st.integers(0, 100),
                          feedback=st.integers(0, 100))


@settings(max_examples=200, deadline=None)
@given(n=facts_need, r=facts_res, w=facts_weights)
def test_explanations_add_up_to_the_total_and_match_the_matrix(n, r, w):
    c = mm.candidate(n, r, w)
    assert sum(f.points_centi for f in c.factors) == c.total_centi
    assert sum(f.points for f in c.factors) == c.score
    for f in c.factors:
        assert 0 <= f.points_centi <= f.weight * 100
    m = mm.score_matrix([n], [r], w)
    assert int(m.scores[0, 0]) == c.total_centi
    assert bool(m.eligible[0, 0]) == (mm.exclusions(n, r) == ())
    failing = {code for code, fail in m.failures.items() if fail[0, 0]}
    assert failing == {e.code for e in mm.exclusions(n, r)}


def test_suggestions_are_ranked_and_exclusions_carry_reasons():
    n = need()
    rs = [res(id=1, departement="31"), res(id=2), res(id=3, structure_id=100),
          res(id=4, theme_levels={1: 1})]
    s = mm.suggest(n, rs, W)
    assert [c.resource_id for c in s.candidates] == [2, 1, 4]
    assert [c.total_centi for c in s.candidates] == [9500, 8500, 6833]
    assert s.excluded == ((3, (mm.Exclusion("same_structure", {"structure_id": 100}),)),)


# --- Global assignment --------------------------------------------------------------------

def brute_force(needs, resources, weights):
    """Best total over every assignment (need → one resource or none) within capacities."""
    options = []
    for n in needs:
        opts = [None] + [r for r in resources if not mm.exclusions(n, r)]
        options.append(opts)
    best = 0
    for combo in itertools.product(*options):
        load, days = {}, {}
        ok = True
        total = 0
        for n, r in zip(needs, combo):
            if r is None:
                continue
            load[r.id] = load.get(r.id, 0) + 1
            days[r.id] = days.get(r.id, 0) + n.days
            if load[r.id] > r.remaining or days[r.id] > r.remaining_days:
                ok = False
                break
            total += mm.candidate(n, r, weights).total_centi
        if ok:
            best = max(best, total)
    return best


small_need = st.builds(
    NeedFacts, id=st.just(0), structure_id=st.sampled_from([1, 2, 3]),
    theme_ids=st.frozensets(st.integers(1, 3), min_size=1, max_size=2),
    main_activity=st.sampled_from(["venue", "festival"]),
    aesthetics=st.frozensets(st.sampled_from(["jazz", "electro"]), max_size=2),
    departement=st.sampled_from(["34", "31", "75"]), region=st.sampled_from(["76", "11"]),
    remote_ok=st.booleans(), days=st.sampled_from([1.0, 2.0, 4.0]))
small_res = st.builds(
    ResourceFacts, id=st.just(0), structure_id=st.sampled_from([1, 2, 4]),
    theme_levels=st.dictionaries(st.integers(1, 3), st.integers(1, 3), min_size=1, max_size=3),
    main_activity=st.sampled_from(["venue", "festival"]),
    aesthetics=st.frozensets(st.sampled_from(["jazz", "electro"]), max_size=2),
    departement=st.sampled_from(["34", "31", "75"]), region=st.sampled_from(["76", "11"]),
    remote_ok=st.booleans(), capacity=st.integers(1, 2), used=st.integers(0, 1),
    capacity_days=st.sampled_from([2.0, 3.0, 4.0, 20.0]), feedback_sum=st.integers(0, 10),
    feedback_count=st.integers(0, 2))


@settings(max_examples=120, deadline=None)
@given(ns=st.lists(small_need, min_size=1, max_size=5),
       rs=st.lists(small_res, min_size=1, max_size=3))
def test_global_assignment_is_optimal_against_brute_force(ns, rs):
    ns = [NeedFacts(**{**n.__dict__, "id": i + 1}) for i, n in enumerate(ns)]
    rs = [ResourceFacts(**{**r.__dict__, "id": 100 + j}) for j, r in enumerate(rs)]
    result = mm.assign(ns, rs, W)
    assert result.total_centi == brute_force(ns, rs, W)
    # capacities respected, every pair eligible, every need either assigned or queued
    per_res = {}
    for need_id, (res_id, score) in result.pairs.items():
        per_res[res_id] = per_res.get(res_id, 0) + 1
        n = next(x for x in ns if x.id == need_id)
        r = next(x for x in rs if x.id == res_id)
        assert mm.exclusions(n, r) == ()
        assert score == mm.candidate(n, r, W).total_centi
    days = {}
    for need_id, (res_id, _score) in result.pairs.items():
        days[res_id] = days.get(res_id, 0) + next(x.days for x in ns if x.id == need_id)
    for r in rs:
        assert per_res.get(r.id, 0) <= r.remaining
        assert days.get(r.id, 0) <= r.remaining_days
    assert result.optimal and result.gap_percent == 0
    assert set(result.pairs) | set(result.manual) == {n.id for n in ns}
    assert not set(result.pairs) & set(result.manual)


def test_capacity_is_respected_and_the_better_pair_wins():
    # One resource with one slot left; two needs: the closer one gets it, the other is queued.
    n1 = need(id=1, departement="34")
    n2 = need(id=2, departement="31", structure_id=101)
    r = res(id=10, capacity=2, used=1)
    result = mm.assign([n1, n2], [r], W)
    assert result.pairs == {1: (10, mm.candidate(n1, r, W).total_centi)}
    assert result.manual == {2: mm.Exclusion("outbid", {"eligible": 1})}


def test_needs_nobody_can_serve_go_to_the_manual_queue_with_the_reason():
    n = need(id=1, theme_ids=frozenset({9}))
    result = mm.assign([n], [res(id=10), res(id=11, used=2)], W)
    assert result.pairs == {}
    assert result.manual == {1: mm.Exclusion("no_candidate", {
        "counts": {"no_theme": 2, "capacity": 1}, "resources": 2})}


def test_day_capacity_is_respected_and_the_queue_says_days_are_what_is_missing():
    # Two slots but only 3 days left: two 2-day needs cannot both go to this resource; it
    # still has a slot, so the reason is its days, not its slots.
    ns = [need(id=1), need(id=2, structure_id=101)]
    r = res(id=10, capacity=2, capacity_days=3.0)
    result = mm.assign(ns, [r], W)
    assert result.pairs == {1: (10, 9500)}
    assert result.manual == {2: mm.Exclusion("outbid_days", {"eligible": 1, "by_days": 1})}
    assert result.optimal


def test_two_short_needs_beat_one_long_one_when_days_bind():
    # One resource, 2 slots and 4 days; needs of 4, 2 and 2 days. The 4-day need scores best
    # alone (87.50) but the two 2-day needs together score more (2 × 60.00 = 120.00).
    long_need = NeedFacts(id=1, structure_id=1, theme_ids=frozenset({1}), departement="34",
                          days=4.0, main_activity="venue")
    short = [NeedFacts(id=k, structure_id=k, theme_ids=frozenset({1}), departement="31",
                       days=2.0) for k in (2, 3)]
    r = ResourceFacts(id=10, structure_id=9, theme_levels={1: 3}, departement="34",
                      main_activity="venue", capacity=2, capacity_days=4.0)
    assert mm.candidate(long_need, r, W).total_centi == 8750
    result = mm.assign([long_need, *short], [r], W)
    assert result.pairs == {2: (10, 6000), 3: (10, 6000)}
    assert result.total == Decimal("120")
    assert result.manual == {1: mm.Exclusion("outbid", {"eligible": 1})}  # both slots taken
    assert (result.optimal, result.gap_percent) == (True, Decimal(0))


def test_a_resource_full_in_slots_makes_the_need_outbid():
    ns = [need(id=1), need(id=2, structure_id=101, departement="31")]
    result = mm.assign(ns, [res(id=10, capacity=1)], W)
    assert result.manual == {2: mm.Exclusion("outbid", {"eligible": 1})}


def test_gap_is_reported_when_the_optimum_is_not_proven():
    a = mm.Assignment({1: (10, 9000)}, {}, 9000, optimal=False, bound_centi=9100)
    assert a.gap_percent == Decimal("1.10")
    assert mm.Assignment({}, {}, 0).gap_percent == 0


def test_global_assignment_spreads_load_across_resources():
    ns = [need(id=i, structure_id=100 + i) for i in range(1, 5)]
    rs = [res(id=10, capacity=2), res(id=11, capacity=2)]
    result = mm.assign(ns, rs, W)
    assert len(result.pairs) == 4
    assert sorted(r for r, _ in result.pairs.values()) == [10, 10, 11, 11]


def test_empty_inputs():
    assert mm.assign([], [res()], W) == mm.Assignment({}, {}, 0)
    result = mm.assign([need()], [], W)
    assert result.manual[1].code == "no_candidate"
    assert isinstance(mm.score_matrix([need()], [res()], W).scores, np.ndarray)
