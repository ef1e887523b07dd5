"""Benchmark of the decision letters (WeasyPrint) on real Celery workers (not a timed test).

    DATABASE_URL=postgres://... REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python bench/letters.py [--letters 200] [--repeat 3]

Creates a throw-away database (``bench_letters_<name>``, dropped at the end) with a closed
committee session of 200 decisions (two thirds granted, one third refused), then for one and
two worker processes (`celery worker -c 1`, `-c 2`) enqueues one `reviews.decision_letter`
task per decision and times until every letter is stored, `--repeat` times each (workers
are started, and warmed up, before the clock starts, as in production). Prints the median
rate of each, the letters per CPU-second the worker spent (what one core yields when it is
not shared with the database), and as its last line ``letters_per_second: <n>`` (the
two-process figure).
"""

import argparse
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")


def build(n_letters: int):
    from datetime import date

    from django.utils import timezone
    from django_scopes import scope, scopes_disabled

    from portal.models import Organization, Signatory
    from reviews.models import AgendaItem, Decision, DecisionShare
    from tests.factories import TenantFactory
    from tests.factories.calls import CallFactory, CategoryFactory, TrackFactory
    from tests.factories.reviews import FiledDossierFactory, SessionFactory

    tenant = TenantFactory(slug="occitanie", name="Occitanie / Pyrénées-Méditerranée",
                           region_code="76")
    with scopes_disabled():
        for position, (kind, org, person, title) in enumerate([
                ("drac", "DRAC Occitanie", "Pierre-André Durand", "Préfet de la région Occitanie"),
                ("cnm", "Centre national de la musique", "Jean-Philippe Thiellay",
                 "Président du Centre national de la musique"),
                ("region", "Région Occitanie", "Carole Delga", "Présidente de la Région")]):
            organization = Organization.objects.create(tenant=tenant, kind=kind, name=org)
            Signatory.objects.create(tenant=tenant, organization=organization, person_name=person,
                                     title=title, position=position)
    call = CallFactory(tenant=tenant, slug="cooperation", reference_code="COOP",
                       title="Aide aux projets de coopération professionnelle",
                       expenses_start=date(2024, 1, 1), expenses_end=date(2025, 12, 31))
    category = CategoryFactory(call=call, track=TrackFactory(call=call), amount_min=Decimal("5000"),
                               amount_max=Decimal("15000"), advance_percentage=Decimal("80"))
    with scope(tenant=tenant):
        session = SessionFactory(tenant=tenant)
        session.calls.set([call])
        now = timezone.now()
        for i in range(n_letters):
            dossier = FiledDossierFactory(call=call, category=category, status="in_committee",
                                          reference=f"OCC-2024-COOP-{i + 1:04d}")
            AgendaItem.objects.create(session=session, dossier=dossier, position=i + 1)
            granted = i % 3 != 2
            amount = Decimal(5000 + (i * 37) % 10000) if granted else None
            decision = Decision.objects.create(
                session=session, dossier=dossier, outcome="granted" if granted else "rejected",
                amount=amount, advance_percentage=Decimal("80") if granted else None,
                advance_amount=(amount * Decimal("0.8")).quantize(Decimal("0.01"))
                if granted else None,
                conditions="Bilan qualitatif et financier à transmettre." if granted else "",
                motivation="" if granted else "Le projet ne répond pas aux critères de "
                                              "coopération (un seul acteur).",
                decided_at=now)
            if granted:
                DecisionShare.objects.create(decision=decision, funder="region", amount=amount)
        session.status = "closed"
        session.closed_at = now
        session.save(update_fields=["status", "closed_at"])
    with scopes_disabled():
        return list(Decision.objects.filter(session=session).values_list("pk", flat=True))


def _worker_cpu_seconds(worker) -> float:
    """CPU time (user + system) of the worker's processes: its main process and pool."""
    import psutil

    main = psutil.Process(worker.proc.pid)
    total = 0.0
    for process in [main, *main.children(recursive=True)]:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def run(decision_ids, processes: int) -> tuple[float, float]:
    """(wall-clock seconds, worker CPU seconds) to store every letter."""
    from django.contrib.contenttypes.models import ContentType
    from django_scopes import scopes_disabled

    from portal.celery import app
    from portal.models import GeneratedDocument
    from reviews.models import Decision
    from tests.worker import REDIS_URL, WorkerProcess, use_broker

    with scopes_disabled():
        GeneratedDocument.objects.all().delete()
    content_type = ContentType.objects.get_for_model(Decision)
    worker = WorkerProcess(concurrency=processes, conn_max_age=60).start()  # as in production
    use_broker(app, url=REDIS_URL, eager=False, queue=worker.queue)
    try:
        cpu_before = _worker_cpu_seconds(worker)
        started = time.perf_counter()
        for pk in decision_ids:
            app.send_task("reviews.decision_letter", kwargs={"decision_id": pk})
        with scopes_disabled():
            worker.wait_for(lambda: GeneratedDocument.objects.filter(
                target_type=content_type).count() == len(decision_ids), timeout=600, interval=0.05)
        return time.perf_counter() - started, _worker_cpu_seconds(worker) - cpu_before
    finally:
        use_broker(app, url="memory://", eager=True, queue="portal")
        worker.stop()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--letters", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import setup_databases, teardown_databases

    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = (
        f"bench_letters_{settings.DATABASES['default']['NAME']}")
    old = setup_databases(verbosity=0, interactive=False, keepdb=False)
    try:
        t0 = time.perf_counter()
        decision_ids = build(args.letters)
        print(f"built a closed session of {len(decision_ids)} decisions in "
              f"{time.perf_counter() - t0:.1f}s")
        rates = {}
        for processes in (1, 2):
            # The median of a few runs: the machine is shared, one run can be 30 % off.
            runs = [run(decision_ids, processes) for _ in range(args.repeat)]
            rate = sorted(len(decision_ids) / wall for wall, _ in runs)
            per_cpu = sorted(len(decision_ids) / cpu for _, cpu in runs)
            rates[processes] = rate[len(rate) // 2]
            print(f"{processes} worker process(es): {len(decision_ids)} letters, runs "
                  f"{', '.join(f'{r:.1f}' for r in rate)} letters/s; median "
                  f"{rates[processes]:.1f} letters/s ({rates[processes] / processes:.1f} "
                  f"per process); {per_cpu[len(per_cpu) // 2]:.1f} letters per CPU-second "
                  f"of the worker")
        print(f"letters_per_second: {rates[2]:.1f}")
    finally:
        teardown_databases(old, verbosity=0)


if __name__ == "__main__":
    main()
