"""The mentoring matchmaker, pure: plain dataclasses in, explained results out (no ORM).

* ``exclusions(need, resource)``: the hard filters, each failed one with its reason;
* ``factors(need, resource, weights)``: the weighted score, factor by factor, with evidence;
  every factor is an exact fraction ``numerator / denominator`` of its weight and its points
  are rounded once, to the hundredth, so the parts add up exactly to the total;
* ``suggest(need, resources, weights)``: ranked candidates and excluded resources;
* ``score_matrix(...)``: the same filters and scores for all pairs at once (numpy, integer
  arithmetic, so it agrees exactly with the scalar path);
* ``assign(needs, resources, weights)``: the global assignment maximising the total score
  under capacities (``scipy.optimize.linear_sum_assignment`` over capacity slots); needs
  nobody can serve go to a manual queue with the reason.

Scores are in hundredths of a point ("centi-points", integers); the total is out of the sum
of the weights (100 with the default weights).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import numpy as np
from scipy.optimize import linear_sum_assignment

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
OUTBID = "outbid"


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

    @property
    def total(self) -> Decimal:
        return Decimal(self.total_centi) / 100


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

def assign(needs: Sequence[NeedFacts], resources: Sequence[ResourceFacts],
           weights: Weights, matrix: Matrix | None = None) -> Assignment:
    """Assign each need at most one resource so that the total score is maximal, each resource
    taking at most its remaining engagements (capacity slots) and its remaining days.

    Engagement capacity is exact (one column per free slot). Day capacity is checked per pair
    by the filters; if the needs assigned to one resource add up to more days than it has
    left, its slots are reduced and the problem solved again (rare: days rarely bind first).
    """
    if not needs:
        return Assignment({}, {}, 0)
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
    useful = m.eligible[rows].any(axis=0) if rows else np.zeros(len(resources), dtype=bool)
    slots = {j: min(res.remaining, len(rows)) for j, res in enumerate(resources) if useful[j]}
    pairs: dict[int, tuple[int, int]] = {}
    while True:
        cols = [j for j, k in slots.items() for _ in range(k)]
        pairs = {}
        if rows and cols:
            sub_scores = m.scores[np.ix_(rows, cols)]
            sub_ok = m.eligible[np.ix_(rows, cols)]
            cost = np.where(sub_ok, -sub_scores, 0)
            row_ind, col_ind = linear_sum_assignment(cost)
            for a, b in zip(row_ind, col_ind):
                if sub_ok[a, b]:
                    i, j = rows[a], cols[b]
                    pairs[needs[i].id] = (resources[j].id, int(m.scores[i, j]))
        # Day capacity: reduce the slots of any resource whose assigned days exceed it.
        days_by_res: Counter = Counter()
        count_by_res: Counter = Counter()
        need_days = {x.id: x.days for x in needs}
        for need_id, (res_id, _) in pairs.items():
            days_by_res[res_id] += need_days[need_id]
            count_by_res[res_id] += 1
        over = [j for j, res in enumerate(resources)
                if days_by_res[res.id] > res.remaining_days + 1e-9]
        if not over:
            break
        for j in over:
            slots[j] = count_by_res[resources[j].id] - 1
    for i in rows:
        need = needs[i]
        if need.id not in pairs:
            manual[need.id] = Exclusion(OUTBID, {"eligible": int(m.eligible[i].sum())})
    return Assignment(pairs, manual, sum(score for _, score in pairs.values()))
