"""Benchmark of the mentoring matchmaker (pure layer, generated data).

    .venv/bin/python bench/matchmaker.py [--needs 500] [--resources 300] [--seed 7] [--db]

500 open needs × 300 resource people (capacities 1–4 engagements, 4–12 days, part of them
already loaded): times the global assignment (filters + scores of every pair + optimal
assignment under slot and day capacities) and the per-need ranked suggestions (median over 50 needs).
The last two lines are ``global_assignment_s: <n>`` and ``suggestions_ms: <n>``.

With ``--db`` (needs ``DATABASE_URL``), the same volumes are also written to a throw-away
PostgreSQL database (``bench_matchmaker_<name>``, dropped at the end), and the DB path is timed: loading the facts through
``mentoring.selectors`` (constant number of queries) then assigning, and
``selectors.suggestions_for`` for 20 needs (what a need page asks).
"""

import argparse
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mentoring import matchmaker as mm  # noqa: E402

OCCITANIE = ["09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82"]
OTHER = ["13", "33", "69", "75"]
ACTIVITIES = ["live_production", "recorded_music", "publishing", "venue", "festival",
              "career_development", "network", "education"]
AESTHETICS = ["rock_pop", "chanson", "electro", "hip_hop", "jazz", "world", "metal", "reggae"]
REGION = {**dict.fromkeys(OCCITANIE, "76"), "13": "93", "33": "75", "69": "84", "75": "11"}


def generate(n_needs: int, n_resources: int, seed: int):
    rng = random.Random(seed)
    themes = list(range(1, 6))
    start = date(2026, 1, 1)
    needs = []
    for i in range(n_needs):
        dep = rng.choice(OCCITANIE)
        begin = start + timedelta(days=rng.randrange(0, 300))
        needs.append(mm.NeedFacts(
            id=i + 1, structure_id=rng.randrange(1, 400),
            theme_ids=frozenset(rng.sample(themes, rng.choice([1, 1, 2, 3]))),
            main_activity=rng.choice(ACTIVITIES),
            aesthetics=frozenset(rng.sample(AESTHETICS, rng.randrange(0, 3))),
            departement=dep, region=REGION[dep], remote_ok=rng.random() < 0.6,
            available_from=begin, available_until=begin + timedelta(days=rng.randrange(30, 240)),
            days=rng.choice([1.0, 1.5, 2.0, 3.0, 4.0])))
    resources = []
    for j in range(n_resources):
        dep = rng.choice(OCCITANIE * 3 + OTHER)
        capacity = rng.choice([1, 2, 2, 2, 3, 4])
        begin = start + timedelta(days=rng.randrange(-60, 200))
        resources.append(mm.ResourceFacts(
            id=10000 + j, structure_id=rng.randrange(1, 400),
            theme_levels={t: rng.randint(1, 3) for t in rng.sample(themes, rng.randint(1, 3))},
            main_activity=rng.choice(ACTIVITIES),
            aesthetics=frozenset(rng.sample(AESTHETICS, rng.randrange(1, 4))),
            departement=dep, region=REGION[dep], remote_ok=rng.random() < 0.7,
            capacity=capacity, used=rng.randrange(0, capacity),
            capacity_days=float(rng.choice([4, 6, 8, 12])), days_used=float(rng.randrange(0, 3)),
            available_from=begin if rng.random() < 0.7 else None,
            available_until=begin + timedelta(days=rng.randrange(60, 400))
            if rng.random() < 0.7 else None,
            active=rng.random() < 0.95,
            conflict_structure_ids=frozenset(rng.sample(range(1, 400), rng.randrange(0, 3))),
            feedback_sum=0, feedback_count=0))
        if rng.random() < 0.4:
            count = rng.randint(1, 4)
            resources[-1] = mm.ResourceFacts(**{**resources[-1].__dict__,
                                                "feedback_count": count,
                                                "feedback_sum": sum(rng.randint(2, 5)
                                                                    for _ in range(count))})
    return needs, resources


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--needs", type=int, default=500)
    parser.add_argument("--resources", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db", action="store_true", help="also time the DB path")
    args = parser.parse_args()
    needs, resources = generate(args.needs, args.resources, args.seed)
    weights = mm.Weights()

    timings = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        result = mm.assign(needs, resources, weights)
        timings.append(time.perf_counter() - t0)
    global_s = max(timings)  # worst of the runs

    sample = needs[:50]
    per_need = []
    for n in sample:
        t0 = time.perf_counter()
        s = mm.suggest(n, resources, weights)
        per_need.append((time.perf_counter() - t0) * 1000)
    suggestions_ms = statistics.median(per_need)

    if args.db:
        db_path(needs, resources)

    slots = sum(r.remaining for r in resources if r.active)
    print(f"needs: {len(needs)}  resources: {len(resources)}  free slots: {slots}")
    print(f"assigned: {len(result.pairs)}  manual queue: {len(result.manual)} "
          f"(no candidate: {sum(1 for e in result.manual.values() if e.code == 'no_candidate')})"
          f"  total score: {result.total}")
    p95 = sorted(per_need)[int(len(per_need) * 0.95) - 1]
    print(f"suggestions for the last need: {len(s.candidates)} ranked, {len(s.excluded)} "
          f"excluded; per-need p95 {p95:.1f} ms, worst {max(per_need):.1f} ms")
    print("optimality: " + ("proven optimal" if result.optimal else
                            f"best found, at most {result.gap_percent} % below the optimum "
                            f"(upper bound {result.bound_centi / 100:.2f})"))
    print(f"global_assignment_s: {global_s:.3f}")
    print(f"suggestions_ms: {suggestions_ms:.1f}")


def db_path(needs, resources) -> None:
    """Write the generated facts as rows and time selectors + assignment."""
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import setup_databases, teardown_databases

    # A throw-away database next to DATABASE_URL's (created, migrated, dropped at the end).
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = (
        f"bench_matchmaker_{settings.DATABASES['default']['NAME']}")
    old = setup_databases(verbosity=0, interactive=False, keepdb=False)
    try:
        _db_path(needs, resources)
    finally:
        teardown_databases(old, verbosity=0)


def _db_path(needs, resources) -> None:
    from datetime import date as _date

    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django_scopes import scope, scopes_disabled

    from applications.models import Structure
    from mentoring import selectors
    from mentoring.models import (Diagnosis, NeedRequest, ResourcePerson, ResourceTheme,
                                  Theme)
    from portal.models import Tenant

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic(), scopes_disabled():
            tenant = Tenant.objects.create(slug="bench-mentorat", name="Bench", region_code="76",
                                           contract_start=_date(2024, 1, 1),
                                           contract_end=_date(2027, 12, 31))
            themes = {i: Theme.objects.create(tenant=tenant, label=f"T{i}", position=i)
                      for i in range(1, 6)}
            structures = Structure.objects.bulk_create([Structure(
                name=f"Bench {i}", siret=f"{99000000000000 + i}", legal_form="association",
                address="1 rue", postal_code="34000", city="Montpellier", departement="34",
                region_code="76", creation_date=_date(2015, 1, 1), main_activity="venue")
                for i in range(400)])
            sid = {i + 1: s.pk for i, s in enumerate(structures)}
            rows = NeedRequest.objects.bulk_create([NeedRequest(
                tenant=tenant, structure_id=sid[n.structure_id], person_name="x",
                person_status="employee", person_role="x", description="x",
                available_from=n.available_from, available_until=n.available_until,
                remote_possible=n.remote_ok, state="qualified") for n in needs])
            Through = NeedRequest.themes.through
            Through.objects.bulk_create([Through(needrequest_id=row.pk, theme_id=themes[t].pk)
                                         for row, n in zip(rows, needs) for t in n.theme_ids])
            Diagnosis.objects.bulk_create([Diagnosis(need=row, outcome="mentoring",
                                                     days=min(n.days, 4.0), comment="x")
                                           for row, n in zip(rows, needs)])
            people = ResourcePerson.objects.bulk_create([ResourcePerson(
                tenant=tenant, first_name="R", last_name=str(r.id), departement=r.departement,
                main_activity=r.main_activity, aesthetics=sorted(r.aesthetics),
                remote_possible=r.remote_ok, max_engagements_per_year=r.capacity,
                max_days_per_year=int(r.capacity_days), available_from=r.available_from,
                available_until=r.available_until, active=r.active,
                structure_id=sid[r.structure_id]) for r in resources])
            ResourceTheme.objects.bulk_create([
                ResourceTheme(resource=p, theme=themes[t], level=lv)
                for p, r in zip(people, resources) for t, lv in r.theme_levels.items()])
            with scope(tenant=tenant), CaptureQueriesContext(connection) as queries:
                t0 = time.perf_counter()
                need_facts = selectors.open_need_facts(tenant)
                res_facts = selectors.resource_facts(tenant)
                loaded = time.perf_counter() - t0
                result = mm.assign(need_facts, res_facts, selectors.weights_for(tenant))
                total = time.perf_counter() - t0
            print(f"db path: facts loaded in {loaded:.3f} s ({len(queries)} queries), "
                  f"facts + assignment {total:.3f} s, {len(result.pairs)} assigned")
            # Per-need suggestions as the need page asks them (pool + need from the DB).
            per_need = []
            with scope(tenant=tenant), CaptureQueriesContext(connection) as queries:
                for row in rows[:20]:
                    t0 = time.perf_counter()
                    selectors.suggestions_for(row)
                    per_need.append((time.perf_counter() - t0) * 1000)
            print(f"db path: suggestions_for median {statistics.median(per_need):.1f} ms, "
                  f"worst {max(per_need):.1f} ms over {len(per_need)} needs "
                  f"({len(queries) // len(per_need)} queries each)")
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
