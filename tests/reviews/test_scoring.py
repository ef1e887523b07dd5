from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from reviews.scoring import (Criterion, aggregate, is_disagreement, parse_scores, rank,
                             weighted_total)

D = Decimal
GRID = [Criterion(1, "Qualité artistique", D("2"), 5),
        Criterion(2, "Ancrage territorial", D("1"), 10),
        Criterion(3, "Budget", D("1"), 5)]


def test_weighted_total_normalises_each_criterion_to_its_scale_and_is_out_of_20():
    # 20 × (2×4/5 + 1×5/10 + 1×3/5) / 4 = 20 × (1.6 + 0.5 + 0.6) / 4 = 13.50
    assert weighted_total(GRID, {"1": 4, "2": 5, "3": 3}) == D("13.50")


def test_weighted_total_full_marks_is_20_and_zero_is_0():
    assert weighted_total(GRID, {"1": 5, "2": 10, "3": 5}) == D("20.00")
    assert weighted_total(GRID, {"1": 0, "2": 0, "3": 0}) == D("0.00")


def test_weighted_total_of_a_partial_draft_counts_only_scored_criteria():
    assert weighted_total(GRID, {"2": 5}) == D("10.00")
    assert weighted_total(GRID, {}) is None


def test_weighted_total_rounds_half_up_to_the_cent():
    grid = [Criterion(1, "a", D("1"), 3)]
    assert weighted_total(grid, {"1": 1}) == D("6.67")
    assert weighted_total(grid, {"1": 2}) == D("13.33")


def test_score_above_the_scale_is_refused_with_the_reason():
    with pytest.raises(ValidationError) as exc:
        parse_scores(GRID, {"1": "6"}, complete=False)
    assert "entre 0 et 5" in str(exc.value.message_dict["score_1"])


@pytest.mark.parametrize("value", ["-1", "2.5", "abc", "NaN"])
def test_negative_decimal_or_non_numeric_scores_are_refused(value):
    with pytest.raises(ValidationError) as exc:
        parse_scores(GRID, {"1": value}, complete=False)
    assert "score_1" in exc.value.message_dict


def test_score_for_a_criterion_outside_the_grid_is_refused():
    with pytest.raises(ValidationError):
        parse_scores(GRID, {"99": "3"}, complete=False)


def test_submission_needs_every_criterion_but_a_draft_may_be_partial():
    assert parse_scores(GRID, {"1": "4", "2": ""}, complete=False) == {"1": 4}
    with pytest.raises(ValidationError) as exc:
        parse_scores(GRID, {"1": "4"}, complete=True)
    assert set(exc.value.message_dict) == {"score_2", "score_3"}


def test_aggregate_mean_median_spread():
    agg = aggregate([D("12.00"), D("16.50"), D("9.00")])
    assert (agg.count, agg.mean, agg.median, agg.spread) == (3, D("12.50"), D("12.00"),
                                                              D("7.50"))


def test_aggregate_of_even_count_median_is_the_middle_mean():
    assert aggregate([D("10"), D("12"), D("15"), D("20")]).median == D("13.50")


def test_aggregate_of_nothing_is_empty():
    agg = aggregate([])
    assert (agg.count, agg.mean, agg.median, agg.spread) == (0, None, None, None)


def test_disagreement_is_strictly_above_the_threshold_and_needs_two_reviews():
    assert aggregate([D("10"), D("14.01")]).disagree(D("4"))
    assert not aggregate([D("10"), D("14")]).disagree(D("4"))
    assert not aggregate([D("10")]).disagree(D("0"))
    assert is_disagreement(D("5"), D("4"), count=2)
    assert not is_disagreement(None, D("4"))


def test_rank_per_group_with_ties_sharing_a_rank():
    ranks = rank([("a", "cat1", D("15")), ("b", "cat1", D("17")), ("c", "cat1", D("15")),
                  ("d", "cat1", D("10")), ("e", "cat2", D("8")), ("f", "cat2", None)])
    assert ranks == {"b": 1, "a": 2, "c": 2, "d": 4, "e": 1}


@given(st.lists(st.integers(min_value=0, max_value=5), min_size=3, max_size=3))
def test_weighted_total_stays_within_0_and_20(values):
    total = weighted_total(GRID[:1] + [Criterion(2, "b", D("1"), 5), GRID[2]],
                           {str(i + 1): v for i, v in enumerate(values)})
    assert D("0") <= total <= D("20")


@given(st.lists(st.decimals(min_value=0, max_value=20, places=2), min_size=1, max_size=6))
def test_aggregate_mean_and_median_lie_between_min_and_max(values):
    agg = aggregate(values)
    assert agg.minimum <= agg.mean <= agg.maximum
    assert agg.minimum <= agg.median <= agg.maximum
    assert agg.spread == agg.maximum - agg.minimum
