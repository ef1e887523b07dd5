"""The mentoring matchmaker, pure: plain dataclasses in, explained results out (no ORM).

* ``exclusions(need, resource)``: the hard filters, each failed one with its reason;
* ``factors(need, resource, weights)``: the weighted score, factor by factor, with evidence;
  every factor is an exact fraction ``numerator / denominator`` of its weight and its points
  are rounded once, to the hundredth, so the parts add up exactly to the total;
* ``suggest(need, resources, weights)``: ranked candidates and excluded resources;
* ``score_matrix(...)``: the same filters and scores for all pairs at once (numpy, integer
  arithmetic, so it agrees exactly with the scalar path);
* ``assign(needs, resources, weights)``: the global assignment maximising the total score
  under engagement and day capacities (Lagrangian heuristic over capacity slots, then the
  exact integer program with HiGHS within a time budget; says whether it is proven optimal,
  else how far from the optimum it can be); needs nobody can serve go to a manual queue
  with the reason.

Scores are in hundredths of a point ("centi-points", integers); the total is out of the sum
of the weights (100 with the default weights).
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, Decimal

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linear_sum_assignment, milp
from scipy.sparse import coo_matrix

# --- Facts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NeedFacts:
    id: int
    structure_id: int | None
    theme_ids: frozenset[int]
    main_activity: str = ""
    aesthetics: frozenset[str] = frozenset()
    departement: str = ""
    region: str = ""
    remote_ok: bool = False
    available_from: date | None = None
    available_until: date | None = None
    days: float = 2.0


@dataclass(frozen=True)
class ResourceFacts:
    id: int
    structure_id: int | None
    theme_levels: Mapping[int, int] = field(default_factory=dict)
    main_activity: str = ""
    aesthetics: frozenset[str] = frozenset()
    departement: str = ""
    region: str = ""
    remote_ok: bool = False
    capacity: int = 2
    used: int = 0
    capacity_days: float = 8.0
    days_used: float = 0.0
    available_from: date | None = None
    available_until: date | None = None
    active: bool = True
    conflict_structure_ids: frozenset[int] = frozenset()
    feedback_sum: int = 0
    feedback_count: int = 0

    @property
    def remaining(self) -> int:
        return max(self.capacity - self.used, 0)

    @property
    def remaining_days(self) -> float:
        return max(self.capacity_days - self.days_used, 0.0)


@dataclass(frozen=True)
class Weights:
    theme: int = 40
    sector: int = 15
    proximity: int = 20
    load: int = 15
    feedback: int = 10

    FACTORS = ("theme", "sector", "proximity", "load", "feedback")

    @property
    def total(self) -> int:
        return sum(getattr(self, f) for f in self.FACTORS)


# --- Results -------------------------------------------------------------------------------

# Hard filters, in the order they are reported.
INACTIVE = "inactive"
SAME_STRUCTURE = "same_structure"
CONFLICT = "conflict"
NO_THEME = "no_theme"
CAPACITY = "capacity"
DAYS = "days"
AVAILABILITY = "availability"
FILTERS = (INACTIVE, SAME_STRUCTURE, CONFLICT, NO_THEME, CAPACITY, DAYS, AVAILABILITY)

# Manual-queue reasons of the global assignment.
NO_CANDIDATE = "no_candidate"
OUTBID = "outbid"            # every eligible resource's slots are taken
OUTBID_DAYS = "outbid_days"  # some have a slot left but not the days this need asks


@dataclass(frozen=True)
class Exclusion:
    code: str
    detail: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Factor:
    key: str
    weight: int
    numerator: int
    denominator: int
    points_centi: int
    evidence: tuple = ()

    @property
    def points(self) -> Decimal:
        return Decimal(self.points_centi) / 100

    @property
    def ratio(self) -> float:
        return self.numerator / self.denominator


@dataclass(frozen=True)
class Candidate:
    resource_id: int
    total_centi: int
    factors: tuple[Factor, ...]

    @property
    def score(self) -> Decimal:
        return Decimal(self.total_centi) / 100

    def factor(self, key: str) -> Factor:
        return next(f for f in self.factors if f.key == key)


@dataclass(frozen=True)
class Suggestions:
    need_id: int
    candidates: tuple[Candidate, ...]
    excluded: tuple[tuple[int, tuple[Exclusion, ...]], ...]


@dataclass(frozen=True)
class Assignment:
    pairs: dict[int, tuple[int, int]]          # need id -> (resource id, score centi)
    manual: dict[int, Exclusion]               # need id -> reason
    total_centi: int
    optimal: bool = True                       # proven optimal
    bound_centi: int | None = None             # else: proven upper bound of the optimum

    @property
    def total(self) -> Decimal:
        return Decimal(self.total_centi) / 100

    @property
    def gap_percent(self) -> Decimal:
        """At most how far (in % of the optimum) the total can be below the optimum."""
        if self.optimal or not self.bound_centi:
            return Decimal(0)
        gap = Decimal(self.bound_centi - self.total_centi) * 100 / self.bound_centi
        return gap.quantize(Decimal("0.01"), rounding=ROUND_CEILING)


# --- Scalar path (explained) ---------------------------------------------------------------

def _points(weight: int, num: int, den: int) -> int:
    """weight × num / den in hundredths, rounded half up, exactly (integers only)."""
    return (2 * weight * 100 * num + den) // (2 * den)


def _overlaps(a_from, a_until, b_from, b_until) -> bool:
    lo = max(d for d in (a_from, b_from, date.min) if d is not None)
    hi = min(d for d in (a_until, b_until, date.max) if d is not None)
    return lo <= hi


def exclusions(need: NeedFacts, res: ResourceFacts) -> tuple[Exclusion, ...]:
    """Every hard filter `res` fails for `need`, with its evidence (empty: eligible)."""
    out = []
    if not res.active:
        out.append(Exclusion(INACTIVE))
    if need.structure_id is not None and need.structure_id == res.structure_id:
        out.append(Exclusion(SAME_STRUCTURE, {"structure_id": need.structure_id}))
    if need.structure_id is not None and need.structure_id in res.conflict_structure_ids:
        out.append(Exclusion(CONFLICT, {"structure_id": need.structure_id}))
    if not any(t in res.theme_levels for t in need.theme_ids):
        out.append(Exclusion(NO_THEME, {"theme_ids": sorted(need.theme_ids)}))
    if res.used >= res.capacity:
        out.append(Exclusion(CAPACITY, {"used": res.used, "capacity": res.capacity}))
    elif res.days_used + need.days > res.capacity_days:
        out.append(Exclusion(DAYS, {"days_used": res.days_used, "days": need.days,
                                    "capacity_days": res.capacity_days}))
    if not _overlaps(need.available_from, need.available_until, res.available_from,
                     res.available_until):
        out.append(Exclusion(AVAILABILITY, {
            "need": [need.available_from, need.available_until],
            "resource": [res.available_from, res.available_until]}))
    return tuple(out)


def factors(need: NeedFacts, res: ResourceFacts, weights: Weights) -> tuple[Factor, ...]:
    out = []
    # Theme fit and level: the resource's level (1–3) on each theme of the need, out of 3.
    covered = sorted(t for t in need.theme_ids if t in res.theme_levels)
    missing = sorted(t for t in need.theme_ids if t not in res.theme_levels)
    num = sum(res.theme_levels[t] for t in covered)
    den = 3 * len(need.theme_ids) or 1
    out.append(Factor("theme", weights.theme, num, den, _points(weights.theme, num, den),
                      tuple(("theme_level", {"theme_id": t, "level": res.theme_levels[t]})
                            for t in covered)
                      + tuple(("theme_missing", {"theme_id": t}) for t in missing)))
    # Sector: same main activity (half), shared aesthetics (half, share of the need's).
    same = int(bool(need.main_activity) and need.main_activity == res.main_activity)
    shared = sorted(need.aesthetics & res.aesthetics)
    n_aes = len(need.aesthetics)
    num, den = (same * n_aes + len(shared), 2 * n_aes) if n_aes else (same, 2)
    evidence = []
    if same:
        evidence.append(("same_activity", {"activity": need.main_activity}))
    elif need.main_activity:
        evidence.append(("other_activity", {"activity": res.main_activity}))
    if shared:
        evidence.append(("shared_aesthetics", {"aesthetics": shared}))
    elif n_aes:
        evidence.append(("no_shared_aesthetics", {}))
    out.append(Factor("sector", weights.sector, num, den, _points(weights.sector, num, den),
                      tuple(evidence)))
    # Proximity: same département 4/4, same region 2/4, both accept remote work 1/4.
    if need.departement and need.departement == res.departement:
        num, evidence = 4, (("same_departement", {"departement": need.departement}),)
    elif need.region and need.region == res.region:
        num, evidence = 2, (("same_region", {"region": need.region,
                                              "departement": res.departement}),)
    elif need.remote_ok and res.remote_ok:
        num, evidence = 1, (("remote", {"departement": res.departement}),)
    else:
        num, evidence = 0, (("far", {"departement": res.departement}),)
    out.append(Factor("proximity", weights.proximity, num, 4,
                      _points(weights.proximity, num, 4), evidence))
    # Balance of load: the share of this year's capacity still free.
    if res.capacity > 0:
        num, den = max(res.capacity - res.used, 0), res.capacity
    else:
        num, den = 0, 1
    out.append(Factor("load", weights.load, num, den, _points(weights.load, num, den),
                      (("load", {"used": res.used, "capacity": res.capacity}),)))
    # Past feedback of beneficiaries (1–5): (average − 1) / 4; none yet: neutral 1/2.
    if res.feedback_count:
        num, den = res.feedback_sum - res.feedback_count, 4 * res.feedback_count
        evidence = (("feedback", {"average": round(res.feedback_sum / res.feedback_count, 1),
                                  "count": res.feedback_count}),)
    else:
        num, den, evidence = 1, 2, (("no_feedback", {}),)
    out.append(Factor("feedback", weights.feedback, num, den,
                      _points(weights.feedback, num, den), evidence))
    return tuple(out)


def candidate(need: NeedFacts, res: ResourceFacts, weights: Weights) -> Candidate:
    parts = factors(need, res, weights)
    return Candidate(res.id, sum(f.points_centi for f in parts), parts)


def _rank_key(c: Candidate):
    return (-c.total_centi, -c.factors[0].points_centi, c.resource_id)


def suggest(need: NeedFacts, resources: Sequence[ResourceFacts], weights: Weights,
            limit: int | None = None) -> Suggestions:
    """Ranked eligible candidates for one need (best first) and the excluded, with reasons."""
    ranked, excluded = [], []
    for res in resources:
        reasons = exclusions(need, res)
        if reasons:
            excluded.append((res.id, reasons))
        else:
            ranked.append(candidate(need, res, weights))
    ranked.sort(key=_rank_key)
    return Suggestions(need.id, tuple(ranked[:limit] if limit else ranked), tuple(excluded))


# --- Vectorised path (all pairs) -----------------------------------------------------------

@dataclass
class Matrix:
    scores: np.ndarray        # int64 N×R, centi-points
    eligible: np.ndarray      # bool N×R
    failures: dict[str, np.ndarray]  # filter code -> bool N×R (True: fails)


def _codes(values_a, values_b):
    """Integer codes for two lists of strings; '' never matches anything."""
    table: dict[str, int] = {}
    a = np.array([table.setdefault(v, len(table)) if v else -1 for v in values_a], dtype=np.int64)
    b = np.array([table.setdefault(v, len(table)) if v else -2 for v in values_b], dtype=np.int64)
    return a, b


def _vpoints(weight: int, num, den):
    return (2 * weight * 100 * num + den) // (2 * den)


def score_matrix(needs: Sequence[NeedFacts], resources: Sequence[ResourceFacts],
                 weights: Weights) -> Matrix:
    n, r = len(needs), len(resources)
    theme_ids = sorted({t for x in needs for t in x.theme_ids}
                       | {t for x in resources for t in x.theme_levels})
    tcol = {t: i for i, t in enumerate(theme_ids)}
    need_themes = np.zeros((n, len(theme_ids)), dtype=np.int64)
    for i, x in enumerate(needs):
        for t in x.theme_ids:
            need_themes[i, tcol[t]] = 1
    res_levels = np.zeros((r, len(theme_ids)), dtype=np.int64)
    for j, x in enumerate(resources):
        for t, level in x.theme_levels.items():
            res_levels[j, tcol[t]] = level
    theme_num = need_themes @ res_levels.T
    theme_den = np.maximum(3 * need_themes.sum(axis=1), 1)[:, None]

    act_n, act_r = _codes([x.main_activity for x in needs], [x.main_activity for x in resources])
    same = (act_n[:, None] == act_r[None, :]).astype(np.int64)
    aes = sorted({a for x in needs for a in x.aesthetics} | {a for x in resources
                                                           for a in x.aesthetics})
    acol = {a: i for i, a in enumerate(aes)}
    aes_n = np.zeros((n, len(aes)), dtype=np.int64)
    for i, x in enumerate(needs):
        for a in x.aesthetics:
            aes_n[i, acol[a]] = 1
    aes_r = np.zeros((r, len(aes)), dtype=np.int64)
    for j, x in enumerate(resources):
        for a in x.aesthetics:
            aes_r[j, acol[a]] = 1
    shared = aes_n @ aes_r.T
    n_aes = aes_n.sum(axis=1)[:, None]
    sector_num = np.where(n_aes > 0, same * n_aes + shared, same)
    sector_den = np.where(n_aes > 0, 2 * n_aes, 2)

    dep_n, dep_r = _codes([x.departement for x in needs], [x.departement for x in resources])
    reg_n, reg_r = _codes([x.region for x in needs], [x.region for x in resources])
    remote_n = np.array([x.remote_ok for x in needs], dtype=bool)
    remote_r = np.array([x.remote_ok for x in resources], dtype=bool)
    prox_num = np.where(dep_n[:, None] == dep_r[None, :], 4,
                        np.where(reg_n[:, None] == reg_r[None, :], 2,
                                 np.where(remote_n[:, None] & remote_r[None, :], 1, 0)))

    cap = np.array([x.capacity for x in resources], dtype=np.int64)
    used = np.array([x.used for x in resources], dtype=np.int64)
    load_num = np.where(cap > 0, np.maximum(cap - used, 0), 0)[None, :]
    load_den = np.where(cap > 0, cap, 1)[None, :]
    fb_count = np.array([x.feedback_count for x in resources], dtype=np.int64)
    fb_sum = np.array([x.feedback_sum for x in resources], dtype=np.int64)
    fb_num = np.where(fb_count > 0, fb_sum - fb_count, 1)[None, :]
    fb_den = np.where(fb_count > 0, 4 * fb_count, 2)[None, :]

    scores = (_vpoints(weights.theme, theme_num, theme_den)
              + _vpoints(weights.sector, sector_num, sector_den)
              + _vpoints(weights.proximity, prox_num, 4)
              + np.broadcast_to(_vpoints(weights.load, load_num, load_den), (n, r))
              + np.broadcast_to(_vpoints(weights.feedback, fb_num, fb_den), (n, r)))

    # Hard filters.
    struct_n = np.array([x.structure_id if x.structure_id is not None else -1 for x in needs],
                        dtype=np.int64)
    struct_r = np.array([x.structure_id if x.structure_id is not None else -2
                         for x in resources], dtype=np.int64)
    conflict = np.zeros((n, r), dtype=bool)
    rows_by_structure: dict[int, list[int]] = {}
    for i, x in enumerate(needs):
        if x.structure_id is not None:
            rows_by_structure.setdefault(x.structure_id, []).append(i)
    for j, x in enumerate(resources):
        for s in x.conflict_structure_ids:
            for i in rows_by_structure.get(s, ()):
                conflict[i, j] = True
    days_n = np.array([x.days for x in needs], dtype=float)
    days_used = np.array([x.days_used for x in resources], dtype=float)
    days_cap = np.array([x.capacity_days for x in resources], dtype=float)
    lo, hi = date.min.toordinal(), date.max.toordinal()

    def ordinals(items, attr, default):
        return np.array([getattr(x, attr).toordinal() if getattr(x, attr) else default
                         for x in items], dtype=np.int64)

    nf, nu = ordinals(needs, "available_from", lo), ordinals(needs, "available_until", hi)
    rf, ru = ordinals(resources, "available_from", lo), ordinals(resources, "available_until", hi)
    at_capacity = (used >= cap)[None, :]
    failures = {
        INACTIVE: np.broadcast_to(~np.array([x.active for x in resources], dtype=bool)[None, :],
                                  (n, r)),
        SAME_STRUCTURE: struct_n[:, None] == struct_r[None, :],
        CONFLICT: conflict,
        NO_THEME: theme_num == 0,
        CAPACITY: np.broadcast_to(at_capacity, (n, r)),
        DAYS: ~at_capacity & (days_used[None, :] + days_n[:, None] > days_cap[None, :]),
        AVAILABILITY: np.maximum(nf[:, None], rf[None, :]) > np.minimum(nu[:, None], ru[None, :]),
    }
    eligible = np.ones((n, r), dtype=bool)
    for fail in failures.values():
        eligible &= ~fail
    return Matrix(scores=np.ascontiguousarray(scores), eligible=eligible, failures=failures)


# --- Global assignment ---------------------------------------------------------------------

#: Time budget (seconds) of the global assignment: the Lagrangian heuristic, then the exact
#: MILP (scipy/HiGHS) for what is left of it.
TIME_LIMIT = 1.5
#: Subgradient steps of the Lagrangian heuristic: a count, not a time, so that the same data
#: always give the same proposals whatever the machine's load (~0.9 s at 500 × 300).
_ITERATIONS = 20
#: Above this many eligible (need, resource) pairs HiGHS cannot prove the optimum within
#: the budget (it takes ~1 s at 5,000 pairs, finds no solution in 2 s at 60,000): the budget
#: goes to the heuristic and its bound alone.
MILP_MAX_PAIRS = 8000
_EPS = 1e-6


def _tenths(value: float) -> int:
    """Days in tenths (the days of a need have one decimal place): exact integer sums."""
    return int(round(value * 10))


class _Problem:
    """The eligible part of the problem, in local indices: rows are needs with at least one
    eligible resource, columns resources useful to one of them."""

    def __init__(self, needs, resources, m: Matrix, rows: list[int]):
        self.rows = rows
        useful = m.eligible[rows].any(axis=0)
        self.cols = [j for j in range(len(resources)) if useful[j]]
        self.S = m.scores[np.ix_(rows, self.cols)].astype(np.int64)
        self.E = m.eligible[np.ix_(rows, self.cols)]
        self.d = np.array([_tenths(needs[i].days) for i in rows], dtype=np.int64)
        self.D = np.array([_tenths(resources[j].remaining_days) for j in self.cols],
                          dtype=np.int64)
        self.c = np.array([min(resources[j].remaining, len(rows)) for j in self.cols],
                          dtype=np.int64)
        self.slots = np.repeat(np.arange(len(self.cols)), self.c)

    def relaxed(self, lam: np.ndarray):
        """Best assignment under slot capacities, each day of resource j costing lam[j]
        (days not enforced): (row -> col array, -1 when none; Lagrangian upper bound)."""
        x = np.full(len(self.rows), -1, dtype=np.int64)
        if not len(self.slots):
            return x, float((lam * self.D).sum())
        value = np.where(self.E[:, self.slots],
                         self.S[:, self.slots] - lam[self.slots][None, :] * self.d[:, None],
                         0.0)
        value = np.maximum(value, 0.0)
        r, s = linear_sum_assignment(value, maximize=True)
        keep = value[r, s] > 0
        x[r[keep]] = self.slots[s[keep]]
        return x, float(value[r, s].sum() + (lam * self.D).sum())

    def total(self, x: np.ndarray) -> int:
        a = np.nonzero(x >= 0)[0]
        return int(self.S[a, x[a]].sum())

    def feasible(self, x: np.ndarray) -> bool:
        a = np.nonzero(x >= 0)[0]
        n = np.bincount(x[a], minlength=len(self.cols))
        days = np.bincount(x[a], weights=self.d[a], minlength=len(self.cols))
        return bool((n <= self.c).all() and (days <= self.D + _EPS).all()
                    and self.E[a, x[a]].all())

    def repair(self, x: np.ndarray) -> np.ndarray:
        """A feasible assignment from `x`: each resource over its days keeps the subset of its
        needs with the best score that fits; then free needs go, best score first, to
        resources with a slot and the days left."""
        x = x.copy()
        a = np.nonzero(x >= 0)[0]
        days = np.bincount(x[a], weights=self.d[a], minlength=len(self.cols))
        for j in np.nonzero(days > self.D + _EPS)[0]:
            mine = [int(i) for i in np.nonzero(x == j)[0]]
            keep = _best_subset(mine, [int(self.S[i, j]) for i in mine],
                                [int(self.d[i]) for i in mine], int(self.D[j]))
            for i in mine:
                if i not in keep:
                    x[i] = -1
        return self.fill(x)

    def fill(self, x: np.ndarray) -> np.ndarray:
        a = np.nonzero(x >= 0)[0]
        n = np.bincount(x[a], minlength=len(self.cols))
        days = np.bincount(x[a], weights=self.d[a], minlength=len(self.cols)).astype(np.int64)
        free = np.nonzero(x < 0)[0]
        if not len(free):
            return x
        fi, fj = np.nonzero(self.E[free])
        order = np.lexsort((fj, fi, -self.S[free[fi], fj]))
        for k in order:
            i, j = int(free[fi[k]]), int(fj[k])
            if x[i] < 0 and n[j] < self.c[j] and days[j] + self.d[i] <= self.D[j]:
                x[i] = j
                n[j] += 1
                days[j] += self.d[i]
        return x

    def milp(self, time_limit: float):
        """The exact problem for HiGHS: (assignment or None, proven optimal, upper bound)."""
        I, J = np.nonzero(self.E)
        k, nr, nc = len(I), len(self.rows), len(self.cols)
        arange = np.arange(k)
        a = coo_matrix((np.concatenate([np.ones(k), np.ones(k), self.d[I]]),
                        (np.concatenate([I, nr + J, nr + nc + J]),
                         np.concatenate([arange, arange, arange]))),
                       shape=(nr + 2 * nc, k)).tocsr()
        upper = np.concatenate([np.ones(nr), self.c, self.D]).astype(float)
        sol = milp(-self.S[I, J].astype(float),
                   constraints=LinearConstraint(a, -np.inf, upper),
                   integrality=np.ones(k), bounds=Bounds(0, 1),
                   options={"time_limit": max(time_limit, 0.01), "mip_rel_gap": 0.0})
        bound = None
        if getattr(sol, "mip_dual_bound", None) is not None and np.isfinite(sol.mip_dual_bound):
            bound = math.floor(-sol.mip_dual_bound + _EPS)
        if sol.x is None:
            return None, False, bound
        x = np.full(nr, -1, dtype=np.int64)
        chosen = np.nonzero(sol.x > 0.5)[0]
        x[I[chosen]] = J[chosen]
        return x, sol.status == 0, bound


def _best_subset(items: list[int], scores: list[int], days: list[int], cap: int) -> set[int]:
    """The subset of `items` with the highest score within `cap` days (exact for the few
    needs one resource holds; earliest items first on ties)."""
    if len(items) > 12:  # never with real capacities (≤ 20 a year, a handful left): greedy
        keep, used = set(), 0
        for k in sorted(range(len(items)), key=lambda k: (-scores[k] / max(days[k], 1), k)):
            if used + days[k] <= cap:
                keep.add(items[k])
                used += days[k]
        return keep
    best, best_set = -1, ()
    for mask in range(1 << len(items)):
        ks = [k for k in range(len(items)) if mask >> k & 1]
        if sum(days[k] for k in ks) <= cap:
            value = sum(scores[k] for k in ks)
            if value > best:
                best, best_set = value, ks
    return {items[k] for k in best_set}


def assign(needs: Sequence[NeedFacts], resources: Sequence[ResourceFacts],
           weights: Weights, matrix: Matrix | None = None, *,
           time_limit: float = TIME_LIMIT) -> Assignment:
    """Assign each need at most one resource so that the total score is maximal, each resource
    taking at most its remaining engagements and its remaining days.

    Engagement slots are exact in an assignment problem (one column per free slot); the days
    are priced (Lagrangian relaxation: a price per day of each resource, adjusted by
    subgradient steps), every priced solution repaired into a feasible one, which also gives
    an upper bound of the optimum. If that does not prove the best one optimal, the exact
    integer program (scipy ``milp``, HiGHS) runs for what is left of ``time_limit`` and the
    better of the two is kept. ``optimal`` says whether the result is proven optimal, else
    ``bound_centi`` is a proven upper bound of the optimum (the gap is at most
    ``gap_percent``).
    """
    if not needs:
        return Assignment({}, {}, 0)
    start = time.perf_counter()
    m = matrix or score_matrix(needs, resources, weights)
    manual: dict[int, Exclusion] = {}
    rows = [i for i in range(len(needs)) if m.eligible[i].any()]
    row_set = set(rows)
    for i, need in enumerate(needs):
        if i not in row_set:
            counts = {code: int(fail[i].sum()) for code, fail in m.failures.items()
                      if fail[i].any()}
            manual[need.id] = Exclusion(NO_CANDIDATE, {"counts": counts,
                                                       "resources": len(resources)})
    if not rows:
        return Assignment({}, manual, 0)
    p = _Problem(needs, resources, m, rows)
    lam = np.zeros(len(p.cols))
    relaxed, upper = p.relaxed(lam)
    bound = math.floor(upper + _EPS)
    best = p.fill(relaxed) if p.feasible(relaxed) else p.repair(relaxed)
    best_total = p.total(best)
    # Subgradient steps on the day prices (Polyak step, halved when the bound stalls).
    mu, stall = 2.0, 0
    exact = int(p.E.sum()) <= MILP_MAX_PAIRS
    for _ in range(_ITERATIONS):
        if best_total >= bound:
            break
        a = np.nonzero(relaxed >= 0)[0]
        g = p.D - np.bincount(relaxed[a], weights=p.d[a], minlength=len(p.cols))
        g = np.where((lam <= 0) & (g > 0), 0, g)
        norm = float((g * g).sum())
        if norm == 0:
            break
        lam = np.maximum(lam - mu * (upper - best_total) / norm * g, 0.0)
        relaxed, upper = p.relaxed(lam)
        if math.floor(upper + _EPS) < bound:
            bound, stall = math.floor(upper + _EPS), 0
        else:
            stall += 1
            if stall >= 3:
                mu, stall = mu / 2, 0
        candidate_x = p.repair(relaxed)
        total = p.total(candidate_x)
        if total > best_total:
            best, best_total = candidate_x, total
    optimal = best_total >= bound
    if not optimal and exact:
        x, proven, milp_bound = p.milp(time_limit - (time.perf_counter() - start))
        if x is not None:
            x = p.fill(x)
            total = p.total(x)
            if total > best_total:
                best, best_total = x, total
            if proven:
                bound = min(bound, total)
        if milp_bound is not None:
            bound = min(bound, milp_bound)
        optimal = best_total >= bound
    pairs: dict[int, tuple[int, int]] = {}
    for a in np.nonzero(best >= 0)[0]:
        i, j = rows[a], p.cols[best[a]]
        pairs[needs[i].id] = (resources[j].id, int(m.scores[i, j]))
    # Why each eligible need left over has none: its candidates' slots, or their days.
    a = np.nonzero(best >= 0)[0]
    n_taken = np.bincount(best[a], minlength=len(p.cols))
    days_taken = np.bincount(best[a], weights=p.d[a], minlength=len(p.cols))
    for k in np.nonzero(best < 0)[0]:
        eligible = np.nonzero(p.E[k])[0]
        by_days = int(((n_taken[eligible] < p.c[eligible])
                       & (days_taken[eligible] + p.d[k] > p.D[eligible] + _EPS)).sum())
        detail = {"eligible": len(eligible)}
        if by_days:
            manual[needs[rows[k]].id] = Exclusion(OUTBID_DAYS, {**detail, "by_days": by_days})
        else:
            manual[needs[rows[k]].id] = Exclusion(OUTBID, detail)
    return Assignment(pairs, manual, best_total, optimal=optimal,
                      bound_centi=max(bound, best_total))
