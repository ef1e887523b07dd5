"""Load benchmark: the portal under gunicorn, driven by 50 concurrent users (locust).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench \\
        .venv/bin/python bench/load.py [--duration 60] [--dossiers 5000] [--users 50]
    .venv/bin/python bench/load.py --smoke --dossiers 200      # 10 s, for the slow test
    .venv/bin/python bench/load.py --writes 1      # and a write a second in the tenant
    .venv/bin/python bench/load.py --no-page-cache # every request renders its page

1. Creates a throw-away database (``load_<name>`` on the server of DATABASE_URL, default
   postgres://postgres@127.0.0.1:5432/portal_bench; the embedded PostgreSQL of
   ``portal.devdb`` when that server does not answer), migrates it and fills it with the
   data set of bench/dashboard.py (3 tenants, N filed dossiers with 3 reviews each), plus
   one applicant account per structure of the first tenant's dossiers.
2. Starts gunicorn (2 workers, ``portal.settings.production``, a generated SECRET_KEY,
   ALLOWED_HOSTS=127.0.0.1, SECURE_SSL_REDIRECT=False) on 127.0.0.1 only.
3. Signs the simulated people in with real sessions (Django's session store, the production
   SECRET_KEY; instructors have TOTP enrolled, as production requires of staff) and runs
   locust headless from a second process: half applicants (region home, call page, my
   dossiers, one of their dossiers), half instructors (dashboard, one dossier's instruction
   page), no think time.
   Before the load, every page of the mix is requested once in turn ("pages checked: 6 of 6
   answer 200"): that each page works does not depend on what a short run gets through.
   Each person holds a CSRF cookie, as a browser does after its first page (portal.pagecache
   keeps pages for such visitors only). With ``--writes N``, one more instructor saves a
   dashboard view N times a second during that run: each write makes every page kept in the
   tenant be rendered again (``--no-page-cache``: every request renders its page).
4. Runs the same number of users on ``/ping`` (no database) for the same time: the ceiling
   of this machine, server and client together.

Prints both results, then as its last lines:

    rps: <requests per second, mixed pages>
    p95_ms: <95th percentile latency, mixed pages>
    errors: <failed requests, mixed pages>
    ratio_to_trivial: <rps / rps of /ping>

A figure locust could not compute (no request in a very short run on a loaded machine: its
CSV says "N/A") is printed "n/a". Exits with status 1 when a page failed the check or a
request failed (in either run), so that CI notices.

Only loopback addresses are used. Everything it creates (database, gunicorn, temporary files)
is removed at the end.
"""

import argparse
import csv
import importlib.util
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "bench" / "load"
VENV_BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/portal_bench"
#: How the bench runs gunicorn: 2 workers, as the README's figures say.
GUNICORN_ARGS = ["--workers", "2"]


def _database_url() -> str:
    url = os.environ.get("DATABASE_URL") or DEFAULT_DB
    host = urlsplit(url).hostname or ""
    if host not in ("127.0.0.1", "localhost", "::1", ""):
        sys.exit(f"bench/load.py uses loopback databases only, not {host}")
    try:
        import psycopg

        # libpq reads the URL itself: TCP host and port, or `?host=<socket directory>`.
        psycopg.connect(url, dbname="postgres", connect_timeout=3).close()
        return url
    except Exception:  # noqa: BLE001 - no server there: the embedded one
        out = subprocess.run([sys.executable, "-m", "portal.devdb"], cwd=ROOT,
                             capture_output=True, text=True, check=True)
        print("no PostgreSQL at", url, "- using the embedded one")
        return out.stdout.strip()


def _redis_url() -> str:
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
        return url
    except Exception:  # noqa: BLE001 - no Redis: the bench still runs, without it
        return ""


def _build_dataset(n_dossiers: int):
    spec = importlib.util.spec_from_file_location("bench_dashboard", ROOT / "bench" / "dashboard.py")
    dashboard = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(dashboard)
    return dashboard.build(n_dossiers)


def _plan(tenants, people, secret_key: str, n_users: int) -> dict:
    """Accounts, real sessions (signed with the server's SECRET_KEY) and pages per person."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse
    from django_scopes import scopes_disabled

    from applications.models import Dossier, StructureMember
    from portal.models import User

    settings.SECRET_KEY = secret_key  # sessions and auth hashes as the server computes them
    tenant = tenants[0]
    slug = tenant.slug
    from django.middleware.csrf import _get_new_csrf_string

    plan = {"cookie_name": settings.SESSION_COOKIE_NAME,
            "csrf_cookie_name": settings.CSRF_COOKIE_NAME, "people": []}

    def session_of(user) -> str:
        client = Client()
        client.force_login(user)
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    with scopes_disabled():
        dossiers = list(Dossier.objects.filter(tenant=tenant).select_related("call")
                        .order_by("pk")[: max(1, n_users // 2)])
        for i, dossier in enumerate(dossiers):
            user = User.objects.create_user(f"applicant{i}@{slug}.bench", "x")
            StructureMember.objects.create(structure_id=dossier.structure_id, user=user,
                                           role="manager")
            plan["people"].append({"kind": "applicant", "session": session_of(user),
                                   "csrf": _get_new_csrf_string(), "pages": [
                ("region home", reverse("portal:tenant_home", kwargs={"tenant_slug": slug})),
                ("call page", reverse("calls:call_detail", kwargs={
                    "tenant_slug": slug, "call_slug": dossier.call.slug})),
                ("my dossiers", reverse("structures:my_dossiers")),
                ("dossier page", reverse("applications:dossier_detail", kwargs={
                    "tenant_slug": slug, "pk": dossier.pk})),
            ]})
        officers = [user for user, _kind in people[slug]["officers"]]
        for i, user in enumerate(officers):
            TOTP.activate(user, generate_totp_secret())
        for i in range(max(1, n_users - len(dossiers))):
            user = officers[i % len(officers)]
            dossier = dossiers[i % len(dossiers)]
            plan["people"].append({"kind": "instructor", "session": session_of(user),
                                   "csrf": _get_new_csrf_string(), "pages": [
                ("dashboard", reverse("reviews:dashboard", kwargs={"tenant_slug": slug})),
                ("instruction page", reverse("reviews:dossier", kwargs={
                    "tenant_slug": slug, "pk": dossier.pk})),
            ]})
    # The writer of --writes (an instructor of its own, its view saved in the measured tenant).
    writer = officers[-1]
    plan["writer"] = {"session": session_of(writer), "csrf": _get_new_csrf_string(),
                      "url": reverse("reviews:saved_view_save", kwargs={"tenant_slug": slug})}
    # Interleave applicants and instructors so that any number of users gets both.
    applicants = [p for p in plan["people"] if p["kind"] == "applicant"]
    instructors = [p for p in plan["people"] if p["kind"] == "instructor"]
    plan["people"] = [p for pair in zip(applicants, instructors) for p in pair] + \
        applicants[len(instructors):] + instructors[len(applicants):]
    return plan


def _collectstatic(env: dict) -> None:
    manifest = ROOT / "staticfiles" / "staticfiles.json"
    if manifest.exists():
        print("static files: reusing staticfiles/ (delete it to collect again)")
        return
    print("static files: collecting (once, about 90 s) …", flush=True)
    subprocess.run([str(VENV_BIN / "python"), "manage.py", "collectstatic", "--noinput", "-v0"],
                   cwd=ROOT, env=env, check=True)


def bind_port(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1:`port` (0: a free port), bound here and handed to
    gunicorn, so that what answers is the server this run started; a port already taken
    stops the run instead of measuring whatever listens there."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        listener.bind(("127.0.0.1", port))
    except OSError as exc:
        listener.close()
        sys.exit(f"bench/load.py: port {port} is taken ({exc.strerror}); it measures only a "
                 f"server it started itself: pass another --port, or none for a free one")
    listener.listen(2048)
    listener.set_inheritable(True)
    return listener


def _start_gunicorn(env: dict, listener: socket.socket, log: Path) -> subprocess.Popen:
    port = listener.getsockname()[1]
    server = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "portal.wsgi:application", *GUNICORN_ARGS,
         "--bind", f"fd://{listener.fileno()}", "--pythonpath", f"{ROOT},{HERE}",
         "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=open(log, "wb"), stderr=subprocess.STDOUT,
        start_new_session=True, pass_fds=(listener.fileno(),))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn stopped at start:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    _stop(server)
    sys.exit("gunicorn did not answer on /ping within 60 s")


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _run_locust(*, port: int, users: int, duration: int, mode: str, plan_path: Path,
                workdir: Path, writes: float = 0) -> dict:
    prefix = workdir / f"locust-{mode}"
    env = dict(os.environ, BENCH_LOAD_PLAN=str(plan_path), BENCH_LOAD_MODE=mode,
               BENCH_LOAD_WRITES=str(writes or ""))
    users += 1 if writes else 0  # the writer comes on top of the readers
    subprocess.run(
        [str(VENV_BIN / "locust"), "-f", str(HERE / "locustfile.py"), "--headless",
         "--users", str(users), "--spawn-rate", str(users), "--run-time", f"{duration}s",
         "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--only-summary",
         "--loglevel", "ERROR", "--stop-timeout", "5"],
        cwd=workdir, env=env, check=False, stdout=subprocess.DEVNULL,
        stderr=open(workdir / f"locust-{mode}.log", "wb"))
    return read_stats(prefix)


def _number(value) -> float | None:
    """A locust CSV figure; None where locust wrote none ("N/A": no request, or too few for
    that percentile — what a short run on a loaded machine gives)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def read_stats(prefix: Path) -> dict:
    """The run's figures from locust's CSV files (`<prefix>_stats.csv`, `_failures.csv`).
    A missing file, a missing "Aggregated" row or an "N/A" percentile gives no figure
    (None), never a crash."""
    stats = Path(f"{prefix}_stats.csv")
    rows = []
    if stats.exists():
        with open(stats, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    total = next((r for r in rows if r.get("Name") == "Aggregated"), {})
    failures = Path(f"{prefix}_failures.csv")
    return {
        "requests": int(_number(total.get("Request Count")) or 0),
        "errors": int(_number(total.get("Failure Count")) or 0),
        "rps": _number(total.get("Requests/s")) or 0.0,
        "p50": _number(total.get("50%")), "p95": _number(total.get("95%")),
        "p99": _number(total.get("99%")),
        "pages": {r["Name"]: (int(_number(r.get("Request Count")) or 0),
                              int(_number(r.get("Failure Count")) or 0),
                              _number(r.get("50%")), _number(r.get("95%")))
                  for r in rows if r.get("Name") and r["Name"] != "Aggregated"},
        "failures": failures.read_text(encoding="utf-8") if failures.exists() else "",
        "missing": "" if total else f"no figures from locust ({stats.name} "
                                    f"{'has no Aggregated row' if stats.exists() else 'missing'})",
    }


def ms(value: float | None) -> str:
    """A latency for the report: whole milliseconds, or "n/a" when locust gave none."""
    return "n/a" if value is None else f"{value:.0f}"


def check_pages(port: int, plan: dict) -> list[str]:
    """Request every distinct page of the plan once, in turn, with its person's session:
    the pages answer 200 whatever the load run manages to request in its time. Returns
    one line per page that did not."""
    import http.client

    seen, problems = set(), []
    for person in plan["people"]:
        for name, url in person["pages"]:
            if name in seen:
                continue
            seen.add(name)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            try:
                conn.request("GET", url, headers={
                    "X-Forwarded-Proto": "https",
                    "Cookie": f"{plan['cookie_name']}={person['session']}"})
                status = conn.getresponse().status
            except OSError as exc:
                status = f"{exc.__class__.__name__}: {exc}"
            finally:
                conn.close()
            if status != 200:
                problems.append(f"{name} ({url}): {status}")
    return problems


def _report(label: str, result: dict, duration: int, users: int) -> None:
    print(f"\n{label}: {users} users, {duration} s, {result['requests']} requests")
    if result["missing"]:
        print(f"  {result['missing']}")
    print(f"  requests/s {result['rps']:.1f}  p50 {ms(result['p50'])} ms  "
          f"p95 {ms(result['p95'])} ms  p99 {ms(result['p99'])} ms  errors {result['errors']}")
    for name, (count, errors, p50, p95) in sorted(result["pages"].items()):
        print(f"    {name:<18} {count:>6} req  p50 {ms(p50):>5} ms  p95 {ms(p95):>5} ms  "
              f"errors {errors}")


def exit_status(mixed: dict, trivial: dict, page_problems: list | tuple = ()) -> int:
    """0 when every page answered the check and every request of both runs succeeded,
    1 otherwise."""
    return 1 if page_problems or mixed["errors"] or trivial["errors"] else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=None,
                        help="seconds per run (60; 10 with --smoke)")
    parser.add_argument("--smoke", action="store_true",
                        help="10 s runs, plain static storage (no collectstatic)")
    parser.add_argument("--dossiers", type=int, default=5000)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--port", type=int, default=0,
                        help="127.0.0.1 port for gunicorn (default: a free one; a taken "
                             "port stops the run)")
    parser.add_argument("--writes", type=float, default=0,
                        help="writes a second in the measured tenant during the mixed run "
                             "(one more instructor saving a dashboard view; default none)")
    parser.add_argument("--no-page-cache", action="store_true",
                        help="every request renders its page (PORTAL_PAGE_CACHE=False)")
    args = parser.parse_args()
    duration = args.duration or (10 if args.smoke else 60)
    listener = bind_port(args.port)
    port = listener.getsockname()[1]

    os.environ["DATABASE_URL"] = _database_url()
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    db = settings.DATABASES["default"]
    db.setdefault("TEST", {})["NAME"] = f"load_{db['NAME']}"
    old = setup_databases(verbosity=0, interactive=False, keepdb=False)
    workdir = Path(tempfile.mkdtemp(prefix="portal-load-"))
    server = None
    try:
        t0 = time.perf_counter()
        tenants, people = _build_dataset(args.dossiers)
        secret_key = secrets.token_urlsafe(50)
        plan = _plan(tenants, people, secret_key, args.users)
        plan_path = workdir / "plan.json"
        plan_path.write_text(json.dumps(plan), encoding="utf-8")
        print(f"data set: {args.dossiers} dossiers, {len(plan['people'])} signed-in people "
              f"({time.perf_counter() - t0:.1f} s)")
        connection.close()

        parts = urlsplit(os.environ["DATABASE_URL"])
        server_db = parts._replace(path="/" + quote(db["NAME"])).geturl()
        # Production's shape: Redis for the cache and the sessions when it answers (keys and
        # queue of this run only), else none.
        redis_url = _redis_url()
        run_id = secrets.token_hex(4)
        env = dict(os.environ, DATABASE_URL=server_db, SECRET_KEY=secret_key,
                   ALLOWED_HOSTS="127.0.0.1", SECURE_SSL_REDIRECT="False",
                   PRIVATE_MEDIA_ROOT=str(workdir / "private"), REDIS_URL=redis_url,
                   CACHE_KEY_PREFIX=f"bench-load-{run_id}", CELERY_QUEUE=f"bench-load-{run_id}",
                   DJANGO_SETTINGS_MODULE="portal.settings.production",
                   PORTAL_PAGE_CACHE=str(not args.no_page_cache))
        print(f"redis: {redis_url or 'none (local memory cache, sessions in the database)'}")
        if args.smoke:
            env["DJANGO_SETTINGS_MODULE"] = "settings_plain_static"
        else:
            _collectstatic(env)
        server = _start_gunicorn(env, listener, workdir / "gunicorn.log")
        listener.close()  # gunicorn holds it now
        print(f"gunicorn: 127.0.0.1:{port} (bound by this run)")
        problems = check_pages(port, plan)
        pages = len({name for person in plan["people"] for name, _url in person["pages"]})
        print(f"pages checked: {pages - len(problems)} of {pages} answer 200")
        for problem in problems:
            print(f"  {problem}")

        mixed = _run_locust(port=port, users=args.users, duration=duration, mode="mixed",
                            plan_path=plan_path, workdir=workdir, writes=args.writes)
        _report("mixed pages (applicants and instructors)"
                + (f", {args.writes:g} write(s) a second" if args.writes else ""),
                mixed, duration, args.users)
        if mixed["failures"].count("\n") > 1:
            print(mixed["failures"][:2000])
        trivial = _run_locust(port=port, users=args.users, duration=duration,
                              mode="trivial", plan_path=plan_path, workdir=workdir)
        _report("trivial view /ping (no database)", trivial, duration, args.users)
        ratio = mixed["rps"] / trivial["rps"] if trivial["rps"] else 0.0
        print(f"rps: {mixed['rps']:.1f}")
        print(f"p95_ms: {ms(mixed['p95'])}")
        print(f"errors: {mixed['errors']}")
        print(f"ratio_to_trivial: {ratio:.3f}")
        status = exit_status(mixed, trivial, problems)
        if status:
            print(f"FAILED: {len(problems)} page(s) not answering 200, {mixed['errors']} "
                  f"failed request(s) on the mixed pages, {trivial['errors']} on /ping",
                  file=sys.stderr)
        return status
    finally:
        if server is not None:
            _stop(server)
        teardown_databases(old, verbosity=0)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
