"""Where a page's time goes: pyinstrument over repeated requests of the load mix's pages.

    DATABASE_URL=postgres://... .venv/bin/python bench/profile.py [--dossiers 5000] [--runs 30]
        [--page dashboard] [--html /tmp/profile.html]

Builds the data set of bench/dashboard.py in a throw-away database (``profile_<name>``,
dropped at the end), signs in an applicant and an instructor (TOTP enrolled, two-factor
required, as in production) and requests each page of bench/load.py's mix `--runs` times
in-process (Django test client) under a profiler; prints per page the median time, the number
of queries and the profile (frames over 2 % of the time), and writes an HTML profile with
``--html``. Profiling costs time itself: read the shares, not the absolute figures. Every
request renders its page (``PORTAL_PAGE_CACHE`` off); ``--page-cache`` measures the pages
served again from portal.pagecache instead.
"""

import argparse
import importlib.util
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")


def _pages(tenants, people):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.urls import reverse
    from django_scopes import scopes_disabled

    from applications.models import Dossier, StructureMember
    from portal.models import User

    tenant = tenants[0]
    slug = tenant.slug
    with scopes_disabled():
        dossier = Dossier.objects.filter(tenant=tenant).select_related("call").order_by(
            "pk").first()
        applicant = User.objects.create_user(f"applicant@{slug}.bench", "x")
        StructureMember.objects.create(structure_id=dossier.structure_id, user=applicant,
                                       role="manager")
        officer = people[slug]["officers"][0][0]
        TOTP.activate(officer, generate_totp_secret())
        member = people[slug]["committee"][0][0]
        TOTP.activate(member, generate_totp_secret())
        session = people[slug]["session"]
    return [
        (applicant, "region home", reverse("portal:tenant_home", kwargs={"tenant_slug": slug})),
        (applicant, "call page", reverse("calls:call_detail", kwargs={
            "tenant_slug": slug, "call_slug": dossier.call.slug})),
        (applicant, "my dossiers", reverse("structures:my_dossiers")),
        (applicant, "dossier page", reverse("applications:dossier_detail", kwargs={
            "tenant_slug": slug, "pk": dossier.pk})),
        (officer, "dashboard", reverse("reviews:dashboard", kwargs={"tenant_slug": slug})),
        (officer, "instruction page", reverse("reviews:dossier", kwargs={
            "tenant_slug": slug, "pk": dossier.pk})),
        (member, "committee page", reverse("reviews:session", kwargs={
            "tenant_slug": slug, "session_pk": session.pk})),
        (None, "ping", "/ping"),
    ]


def _explain(connection, queries):
    import re

    timed = []
    with connection.cursor() as cursor:
        for q in queries:
            if not q["sql"].lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, FORMAT TEXT) " + q["sql"])
            plan = "\n".join(r[0] for r in cursor.fetchall())
            ms = float(re.search(r"Execution Time: ([\d.]+) ms", plan).group(1))
            timed.append((ms, q["sql"], plan))
    for ms, sql, plan in sorted(timed, reverse=True)[:4]:
        print(f"--- {ms:.2f} ms: {sql[:300]}\n{plan}")
    print(f"--- total execution {sum(t[0] for t in timed):.2f} ms in {len(timed)} queries")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--dossiers", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--page", action="append", help="only these pages (repeatable)")
    parser.add_argument("--html", help="write the HTML profile of the last page here")
    parser.add_argument("--explain", action="store_true",
                        help="also print each query of the page with its duration (EXPLAIN "
                             "ANALYZE), slowest first")
    parser.add_argument("--no-profile", action="store_true",
                        help="only the figures: median wall and CPU time per request, queries")
    parser.add_argument("--page-cache", action="store_true",
                        help="let portal.pagecache answer the repeated requests (without it "
                             "every request renders its page: what a first visit or a page "
                             "after a write costs)")
    parser.add_argument("--flat", action="store_true",
                        help="functions by their own time instead of the call tree")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_databases, teardown_databases
    from pyinstrument import Profiler

    settings.PORTAL_PAGE_CACHE = args.page_cache

    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = (
        f"profile_{settings.DATABASES['default']['NAME']}")
    old = setup_databases(verbosity=0, interactive=False, keepdb=False)
    try:
        spec = importlib.util.spec_from_file_location("bench_dashboard",
                                                      ROOT / "bench" / "dashboard.py")
        dashboard = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(dashboard)
        tenants, people = dashboard.build(args.dossiers)
        # One connection for the whole run (as a gunicorn thread keeps its own): with the
        # settings' 60 s age, a connection opened before the data set was built would be
        # replaced during the measurement, and its query log with it.
        connection.close()
        connection.settings_dict["CONN_MAX_AGE"] = None
        for user, label, url in _pages(tenants, people):
            if args.page and label not in args.page:
                continue
            client = Client()
            if user is not None:
                client.force_login(user)
            assert client.get(url).status_code == 200, (label, url)  # warm-up
            with CaptureQueriesContext(connection) as ctx:
                client.get(url)
            # read now: every request_started empties the connection's query log
            captured = list(ctx.captured_queries)
            if args.explain:
                _explain(connection, captured)
            if args.no_profile:
                walls, cpus = [], []
                for _ in range(args.runs):
                    start, cpu = time.perf_counter(), time.process_time()
                    client.get(url)
                    cpus.append((time.process_time() - cpu) * 1000)
                    walls.append((time.perf_counter() - start) * 1000)
                print(f"{label:18} median {statistics.median(walls):6.1f} ms wall, "
                      f"{statistics.median(cpus):6.1f} ms CPU, "
                      f"{len(captured):3} queries")
                continue
            timings = []
            profiler = Profiler(interval=0.0005)
            profiler.start()
            for _ in range(args.runs):
                start = time.perf_counter()
                client.get(url)
                timings.append((time.perf_counter() - start) * 1000)
            profiler.stop()
            print(f"\n=== {label} ({url}): median {statistics.median(timings):.1f} ms "
                  f"(profiled), {len(captured)} queries")
            print(profiler.output_text(unicode=False, color=False, show_all=False,
                                       time="percent_of_total", flat=args.flat,
                                       processor_options={"filter_threshold": 0.01}))
            if args.html:
                Path(args.html).write_text(profiler.output_html())
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
