import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from reviews.assignment import Need, Officer, plan_assignments


def test_one_officer_per_funder_and_balanced_load():
    officers = [Officer(1, "drac"), Officer(2, "drac"), Officer(3, "cnm"), Officer(4, "region")]
    needs = [Need(d, f) for d in (10, 11, 12, 13) for f in ("drac", "cnm", "region")]
    plan = plan_assignments(needs=needs, officers=officers)
    assert len(plan.pairs) == 12 and plan.unassignable == []
    assert plan.loads() == {1: 2, 2: 2, 3: 4, 4: 4}
    for dossier in (10, 11, 12, 13):
        funders = sorted(f for d, _o, f in plan.pairs if d == dossier)
        assert funders == ["cnm", "drac", "region"]


def test_existing_load_is_taken_into_account():
    officers = [Officer(1, "drac"), Officer(2, "drac")]
    plan = plan_assignments(needs=[Need(d, "drac") for d in range(4)], officers=officers,
                            load={1: 3, 2: 0})
    assert plan.loads({1: 3, 2: 0}) == {1: 3, 2: 4} or plan.loads({1: 3, 2: 0}) == {1: 4, 2: 3}


def test_never_assigns_a_conflicted_officer_even_if_less_loaded():
    officers = [Officer(1, "drac"), Officer(2, "drac")]
    plan = plan_assignments(needs=[Need(7, "drac")], officers=officers, load={1: 0, 2: 5},
                            conflicts={(1, 7)})
    assert plan.pairs == [(7, 2, "drac")]


def test_slot_with_every_officer_conflicted_is_reported_unassignable():
    plan = plan_assignments(needs=[Need(7, "cnm")], officers=[Officer(3, "cnm")],
                            conflicts={(3, 7)})
    assert plan.pairs == [] and plan.unassignable == [Need(7, "cnm")]


def test_funder_without_officer_is_unassignable():
    plan = plan_assignments(needs=[Need(7, "region")], officers=[Officer(3, "cnm")])
    assert plan.unassignable == [Need(7, "region")]


def test_already_assigned_officer_is_not_assigned_twice():
    plan = plan_assignments(needs=[Need(7, "drac")], officers=[Officer(1, "drac"), Officer(2, "drac")],
                            assigned={(1, 7)}, load={1: 1})
    assert plan.pairs == [(7, 2, "drac")]


def test_conflicts_force_a_balanced_solution_greedy_would_miss():
    # Dossiers 1 and 2 are closed to officer 1, dossier 1 to officer 2 as well: the
    # optimum still reaches the best possible maximum load (checked by brute force).
    officers = [Officer(1, "drac"), Officer(2, "drac"), Officer(3, "drac")]
    needs = [Need(d, "drac") for d in range(1, 7)]
    conflicts = {(1, 1), (1, 2), (2, 1), (3, 4)}
    plan = plan_assignments(needs=needs, officers=officers, conflicts=conflicts)
    assert max(plan.loads().values()) == _brute_force_max_load(needs, officers, conflicts, {})
    assert not any((o, d) in conflicts for d, o, _f in plan.pairs)


def _brute_force_max_load(needs, officers, conflicts, load):
    best = None
    choices = [[o.id for o in officers if (o.id, n.dossier_id) not in conflicts] for n in needs]
    for combo in itertools.product(*choices):
        loads = dict(load)
        for officer in combo:
            loads[officer] = loads.get(officer, 0) + 1
        value = max(loads.values())
        best = value if best is None else min(best, value)
    return best


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=1, max_value=6), st.integers(min_value=1, max_value=3),
       st.sets(st.tuples(st.integers(1, 3), st.integers(1, 6))),
       st.lists(st.integers(0, 3), min_size=3, max_size=3))
def test_max_load_is_optimal_and_no_conflict_on_small_cases(n_dossiers, n_officers, conflicts,
                                                            base):
    officers = [Officer(i, "cnm") for i in range(1, n_officers + 1)]
    load = {o.id: base[o.id - 1] for o in officers}
    needs = [Need(d, "cnm") for d in range(1, n_dossiers + 1)]
    plan = plan_assignments(needs=needs, officers=officers, load=load, conflicts=conflicts)
    assert not any((o, d) in conflicts for d, o, _f in plan.pairs)
    feasible = [n for n in needs if any((o.id, n.dossier_id) not in conflicts for o in officers)]
    assert sorted(p[0] for p in plan.pairs) == [n.dossier_id for n in feasible]
    if feasible:
        final = plan.loads(load)
        assert max(final.values()) == _brute_force_max_load(feasible, officers, conflicts, load)
