"""Benchmark of the review dashboard and the committee page (not a timed test).

    DATABASE_URL=postgres://... .venv/bin/python bench/dashboard.py [--dossiers 5000]

Creates a throw-away database (``bench_<name>``, dropped at the end) and fills it with
3 tenants: the measured one holds all N filed dossiers (5 000 by default, each with 3
rapporteurs and 3 submitted reviews) and a committee session of 342 agenda items; the two
others hold N/10 dossiers each, so that every query must really filter by tenant. Then it
requests each page in-process (Django test client, logged-in instructor / committee member)
and prints, as its last lines:

    dashboard_median_ms: <n>
    committee_median_ms: <n>
    dashboard_queries: <n>
"""

import argparse
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")


AGENDA_ITEMS = 342


def build(n_dossiers: int, *, agenda_items: int = AGENDA_ITEMS):
    """Tenant 0 holds `n_dossiers`; tenants 1 and 2 a tenth each. Returns (tenants, people)."""
    import random
    from datetime import date

    from django.contrib.postgres.search import SearchVector
    from django.utils import timezone
    from django_scopes import scopes_disabled

    from applications.models import Dossier, Structure
    from calls.versioning import rules_snapshot
    from portal.enums import OrganizationKind as K
    from portal.enums import Role
    from portal.models import Membership, Organization, Tenant, User
    from reviews.models import (AgendaItem, Assignment, CommitteeMember, CommitteeSession,
                                DossierSummary, Review)
    from reviews.scoring import aggregate
    from reviews.selectors import fold
    from tests.factories import AppraisalCriterionFactory, CallFactory, CategoryFactory
    from tests.factories.applications import make_siret

    rng = random.Random(42)
    now = timezone.now()
    people = {}
    with scopes_disabled():
        tenants = []
        for i, (slug, region) in enumerate([("bench-hdf", "32"), ("bench-occ", "76"),
                                            ("bench-naq", "75")]):
            tenant = Tenant.objects.create(slug=slug, name=f"Bench {slug}", region_code=region,
                                           contract_start=date(2023, 1, 1),
                                           contract_end=date(2026, 12, 31),
                                           envelope=Decimal("5000000.00"))
            tenants.append(tenant)
            orgs = {k: Organization.objects.create(tenant=tenant, kind=k, name=f"{k} {slug}")
                    for k in (K.DRAC, K.CNM, K.REGION)}
            officers = []
            for k, org in orgs.items():
                for j in range(3):
                    user = User.objects.create_user(f"{k}{j}@{slug}.bench", "x")
                    Membership.objects.create(user=user, tenant=tenant, role=Role.INSTRUCTOR,
                                              organization=org)
                    officers.append((user, k))
                    committee_user = User.objects.create_user(f"comite-{k}{j}@{slug}.bench", "x")
                    Membership.objects.create(user=committee_user, tenant=tenant,
                                              role=Role.COMMITTEE, organization=org)
                    people.setdefault(slug, {"committee": []})["committee"].append(
                        (committee_user, k))
            people[slug]["officers"] = officers
            calls = []
            for c in range(2):
                call = CallFactory(tenant=tenant, slug=f"appel-{c}", reference_code=f"C{c}",
                                   envelope=Decimal("2000000.00"))
                categories = [CategoryFactory(call=call, title=f"Cat {x}",
                                              amount_max=Decimal("25000"),
                                              advance_percentage=Decimal("80")) for x in range(2)]
                for w in (2, 1, 1):
                    AppraisalCriterionFactory(call=call, weight=Decimal(w), scale_max=5)
                calls.append((call, categories, rules_snapshot(call)))
            people[slug]["calls"] = calls

        sizes = [n_dossiers, n_dossiers // 10, n_dossiers // 10]
        structures = Structure.objects.bulk_create([Structure(
            name=f"Structure musicale {i} {'Éléphant' if i % 7 == 0 else 'Nord'}",
            siret=make_siret(100000 + i), legal_form="association", address="1 rue",
            postal_code="59000", city="Lille", departement="59", region_code="32",
            creation_date=date(2015, 1, 1), main_activity="recorded_music")
            for i in range(sum(sizes))])
        n = 0
        for tenant, size in zip(tenants, sizes):
            slug = tenant.slug
            dossiers = []
            for i in range(size):
                call, categories, snapshot = people[slug]["calls"][i % 2]
                dossiers.append(Dossier(
                    tenant=tenant, call=call, category=categories[i % 2],
                    structure=structures[n], status=rng.choice(
                        ["in_review", "in_review", "submitted", "eligible"]),
                    title=f"Projet {i}", reference=f"{slug.upper()}-2024-{call.reference_code}-{i:04d}",
                    requested_amount=Decimal(rng.randrange(5000, 25000)), submitted_at=now,
                    first_submitted_at=now, rules_snapshot=snapshot, eligibility_results=[]))
                n += 1
            Dossier.objects.bulk_create(dossiers, batch_size=1000)
            officers = people[slug]["officers"]
            assignments, reviews, summaries = [], [], []
            for d in dossiers:
                crit = [c["id"] for c in d.rules_snapshot["appraisal_criteria"]]
                totals = []
                for k in (K.DRAC, K.CNM, K.REGION):
                    user = rng.choice([u for u, kk in officers if kk == k])
                    assignments.append(Assignment(dossier=d, officer=user, funder=k))
                    total = Decimal(rng.randrange(400, 2000)) / 100
                    totals.append(total)
                    reviews.append(Review(dossier=d, officer=user, funder=k, status="submitted",
                                          scores={str(c): rng.randrange(0, 6) for c in crit},
                                          total=total, opinion="Avis technique détaillé.",
                                          recommendation="favourable",
                                          proposed_amount=Decimal("10000"), submitted_at=now))
                agg = aggregate(totals)
                summaries.append(DossierSummary(
                    dossier=d, tenant=tenant, review_count=3, mean=agg.mean, median=agg.median,
                    spread=agg.spread, proposed_total=Decimal("10000.00"),
                    search_text=fold(f"{d.reference} {d.title} {d.structure.name} "
                                     f"{d.structure.siret}")))
            Assignment.objects.bulk_create(assignments, batch_size=2000)
            Review.objects.bulk_create(reviews, batch_size=2000)
            DossierSummary.objects.bulk_create(summaries, batch_size=2000)
            session = CommitteeSession.objects.create(tenant=tenant, title="Comité bench",
                                                      date=date(2024, 4, 30), quorum=3)
            session.calls.set([c for c, _cat, _s in people[slug]["calls"]])
            for user, k in people[slug]["committee"]:
                CommitteeMember.objects.create(session=session, user=user, funder=k, present=True)
            # The first `agenda_items` dossiers (a tenth of them in the small tenants) are
            # before the committee, on its agenda.
            on_agenda = dossiers[:agenda_items if tenant == tenants[0] else size // 10]
            Dossier.objects.filter(pk__in=[d.pk for d in on_agenda]).update(
                status="in_committee")
            AgendaItem.objects.bulk_create([
                AgendaItem(session=session, dossier=d, position=i + 1)
                for i, d in enumerate(on_agenda)])
            people[slug]["session"] = session
        DossierSummary.objects.update(search=SearchVector("search_text", config="french_unaccent"))
    from django.db import connection

    with connection.cursor() as cursor:
        # as autovacuum leaves tables after a bulk load (PostgreSQL 13+ vacuums after inserts):
        # the visibility map set, index-only scans read no heap page
        cursor.execute("VACUUM ANALYZE")
    return tenants, people


def measure(client, url, runs: int, params=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, params or {})  # warm-up
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url, params or {})
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as ctx:
        client.get(url, params or {})
    return statistics.median(timings), len(ctx.captured_queries)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_databases, teardown_databases
    from django.urls import reverse
    from django_scopes import scopes_disabled

    settings.PORTAL_REQUIRE_STAFF_2FA = False
    # the render itself, every time: pages kept by portal.pagecache would answer the repeats
    settings.PORTAL_PAGE_CACHE = False
    # a database of its own, never the one pytest uses (test_<name>)
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = (
        f"bench_{settings.DATABASES['default']['NAME']}")
    # no setup_test_environment(): its template instrumentation is not production cost
    old = setup_databases(verbosity=0, interactive=False, keepdb=False)
    try:
        t0 = time.perf_counter()
        tenants, people = build(args.dossiers)
        print(f"built {args.dossiers} dossiers ({args.dossiers * 3} reviews) in the measured "
              f"tenant, {len(tenants) - 1} smaller tenants, in {time.perf_counter() - t0:.1f}s")
        tenant = tenants[0]
        instructor = people[tenant.slug]["officers"][0][0]
        member = people[tenant.slug]["committee"][0][0]
        client = Client()
        client.force_login(instructor)
        dash = reverse("reviews:dashboard", kwargs={"tenant_slug": tenant.slug})
        results = {}
        with scopes_disabled():
            call = people[tenant.slug]["calls"][0][0]
            category = people[tenant.slug]["calls"][0][1][1]
        for label, params in [
                ("default", {}), ("sort=score", {"sort": "score"}),
                ("sort=-date", {"sort": "-date"}), ("sort=amount", {"sort": "amount"}),
                ("search", {"q": "elephant"}),
                ("search+sort=spread", {"q": "elephant", "sort": "spread"}),
                ("filters", {"status": "in_review", "score_min": "10", "sort": "spread"}),
                ("call+category", {"call": str(call.pk), "category": str(category.pk),
                                   "sort": "score"}),
                ("mine", {"mine": "on", "sort": "date"}),
                ("disagreement", {"disagreement": "on"}),
                ("funder+eligibility", {"funder": "cnm", "eligibility": "eligible"}),
                ("page 40", {"page": "40"})]:
            median, queries = measure(client, dash, args.runs, params)
            results[label] = (median, queries)
            print(f"dashboard [{label}]: median {median:.1f} ms, {queries} queries")
        worst = max(results, key=lambda k: results[k][0])
        print(f"dashboard worst: [{worst}] {results[worst][0]:.1f} ms; at most "
              f"{max(q for _m, q in results.values())} queries")
        committee_client = Client()
        committee_client.force_login(member)
        with scopes_disabled():
            session = people[tenant.slug]["session"]
            agenda = session.agenda.count()
        session_url = reverse("reviews:session", kwargs={"tenant_slug": tenant.slug,
                                                         "session_pk": session.pk})
        committee_median, committee_queries = measure(committee_client, session_url,
                                                      max(5, args.runs // 3))
        print(f"committee page: {agenda} dossiers on the agenda, median "
              f"{committee_median:.1f} ms, {committee_queries} queries")
        print(f"dashboard_median_ms: {round(results['default'][0])}")
        print(f"committee_median_ms: {round(committee_median)}")
        print(f"dashboard_queries: {results['default'][1]}")
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
