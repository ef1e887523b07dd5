"""Pure load-balanced assignment of rapporteurs (no database).

Each dossier needs one rapporteur per funder taking part in its call (DRAC, CNM, Région).
Per funder this is a minimum-cost flow / assignment problem: every open slot (dossier,
funder) gets one officer of that funder, never a conflicted one nor one already assigned,
and the k-th extra dossier given to an officer costs ``current_load + k``. The marginal
costs being increasing (convex), the minimum-cost solution is the balanced one: it
minimises the sum of squared loads, hence the maximum load too (as HotCRP's min-cost flow
assignment). Solved exactly with SciPy's ``linear_sum_assignment`` over officer "slots".
Slots no officer may take (all conflicted) are returned as unassignable, with the reason.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

FORBIDDEN = 10**9


@dataclass(frozen=True)
class Officer:
    id: int
    funder: str


@dataclass(frozen=True)
class Need:
    dossier_id: int
    funder: str


@dataclass
class Plan:
    pairs: list[tuple[int, int, str]] = field(default_factory=list)  # (dossier, officer, funder)
    unassignable: list[Need] = field(default_factory=list)

    def loads(self, base: dict[int, int] | None = None) -> dict[int, int]:
        loads = defaultdict(int, base or {})
        for _dossier, officer, _funder in self.pairs:
            loads[officer] += 1
        return dict(loads)


def plan_assignments(*, needs: list[Need], officers: list[Officer],
                     load: dict[int, int] | None = None,
                     conflicts: set[tuple[int, int]] | frozenset = frozenset(),
                     assigned: set[tuple[int, int]] | frozenset = frozenset()) -> Plan:
    """``needs``: the open (dossier, funder) slots; ``officers``: the candidates with their
    funder; ``load``: their current number of assignments; ``conflicts`` and ``assigned``:
    (officer_id, dossier_id) pairs that are excluded."""
    load = dict(load or {})
    plan = Plan()
    by_funder_needs: dict[str, list[Need]] = defaultdict(list)
    for need in needs:
        by_funder_needs[need.funder].append(need)
    by_funder_officers: dict[str, list[Officer]] = defaultdict(list)
    for officer in sorted(set(officers), key=lambda o: o.id):
        by_funder_officers[officer.funder].append(officer)

    for funder in sorted(by_funder_needs):
        candidates = by_funder_officers.get(funder, [])
        rows = []
        for need in by_funder_needs[funder]:
            allowed = [o for o in candidates if (o.id, need.dossier_id) not in conflicts
                       and (o.id, need.dossier_id) not in assigned]
            (rows if allowed else plan.unassignable).append(need)
        if not rows:
            continue
        plan.pairs.extend(_solve(rows, candidates, load, conflicts, assigned))
    plan.pairs.sort()
    return plan


def _solve(rows: list[Need], officers: list[Officer], load: dict[int, int],
           conflicts, assigned) -> list[tuple[int, int, str]]:
    total = len(rows) + sum(load.get(o.id, 0) for o in officers)
    target = math.ceil(total / len(officers))
    extra = 1
    while True:
        slots = []  # (officer, marginal cost)
        for officer in officers:
            current = load.get(officer.id, 0)
            count = min(len(rows), max(0, target - current) + extra)
            slots.extend((officer, current + k) for k in range(count))
        cost = np.full((len(rows), len(slots)), FORBIDDEN, dtype=np.int64)
        for c, (officer, marginal) in enumerate(slots):
            for r, need in enumerate(rows):
                if ((officer.id, need.dossier_id) not in conflicts
                        and (officer.id, need.dossier_id) not in assigned):
                    # ties between equal loads go to the lower officer id, deterministically
                    cost[r, c] = marginal * (len(officers) + 1) + officers.index(officer)
        if len(slots) >= len(rows):
            row_ind, col_ind = linear_sum_assignment(cost)
            if all(cost[r, c] < FORBIDDEN for r, c in zip(row_ind, col_ind)):
                result = []
                for r, c in zip(row_ind, col_ind):
                    officer = slots[c][0]
                    result.append((rows[r].dossier_id, officer.id, rows[r].funder))
                    load[officer.id] = load.get(officer.id, 0) + 1
                return result
        if extra >= len(rows):  # pragma: no cover - every row has an allowed officer
            raise RuntimeError("no feasible assignment")
        extra = min(len(rows), extra * 2)
