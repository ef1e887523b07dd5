import os
import shutil

import pytest
from django_scopes import scope, scopes_disabled

from tests.factories import MembershipFactory, TenantFactory, UserFactory
from portal.enums import Role

# --- What makes the suite's database work cheaper, without changing what it checks ---------

# Every commit of the tests (the transactional tests' requests, migrations, seed_demo, the
# child processes: workers, gunicorn, manage.py, which inherit the environment) waits for
# its WAL to reach the disk: ~7 ms each on CI's virtual disk. Durability after a crash of the
# server is all synchronous_commit=off gives up; what other sessions see is unchanged.
os.environ.setdefault("PGOPTIONS", "-c synchronous_commit=off")


def _delete_rows_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    """The flush that ends every transactional test (and the module worlds): DELETE the rows
    instead of TRUNCATE. TRUNCATE gives each of the ~85 tables and their indexes new files,
    ~1 s on CI per test, for tables that hold a few rows; DELETE of those rows takes a tenth
    of that. The foreign keys Django creates are deferred to the commit, by which time every
    table is empty, so the order does not matter."""
    if not tables or reset_sequences or allow_cascade:
        return _truncate_flush(self, style, tables, reset_sequences=reset_sequences,
                               allow_cascade=allow_cascade)
    return ["SET CONSTRAINTS ALL DEFERRED;"] + [
        f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};"
        for table in tables]


from django.db.backends.postgresql.operations import DatabaseOperations  # noqa: E402

_truncate_flush = DatabaseOperations.sql_flush
DatabaseOperations.sql_flush = _delete_rows_flush


def _thread_local_join_guard():
    """Celery keeps « a task is running here, so result.get() would block » in one global
    (`celery._state._task_join_will_block`), set while an eager task runs. Under test settings
    tasks run eagerly, also inside the threaded live server of the browser tests: a page still
    polling there set the flag for the main thread too, whose `task.delay().get()` then failed
    with « Never call result.get() within a task! » depending on timing. Per thread, as the
    flag means in production (one worker process per task)."""
    import threading

    from celery import _state, result

    local = threading.local()

    def set_blocks(blocks):
        local.blocks = blocks

    def will_block():
        return getattr(local, "blocks", False)

    for module in (_state, result):
        module._set_task_join_will_block = set_blocks
        module.task_join_will_block = will_block


_thread_local_join_guard()


def _weight(item) -> int:
    """Long tests first (see pytest_collection_modifyitems)."""
    if item.get_closest_marker("slow"):
        return 0
    if item.get_closest_marker("e2e") or item.get_closest_marker("server"):
        return 1
    return 2


def pytest_collection_modifyitems(config, items):
    """A test with a real Celery worker reaches the database from another process: it belongs
    to the `server` tests that CI also runs on the embedded PostgreSQL (socket, no TCP).

    Under xdist (`-n 2`, `--dist loadgroup` in pyproject.toml) the long tests (`slow`, then
    `e2e` and `server`) are handed out first, one at a time to whichever worker is free, so
    that the run does not end with one worker idle while the other runs a long file; the
    `xdist_group` units (tests sharing a world built once per worker) go first of all."""
    for item in items:
        if "celery_worker" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.server)
    if os.environ.get("PYTEST_XDIST_WORKER"):
        items.sort(key=_weight)  # stable: the same order on every worker
        if getattr(config.option, "loadgroup", False):
            _name_xdist_groups(items)


def _name_xdist_groups(items):
    """pytest-xdist 3.8 puts the tests of an `xdist_group` into one unit by suffixing their
    node id (`…@sweep`) through `item._nodeid`, which pytest 9.2 no longer reads (the id is
    `item._id`): without this, `--dist loadgroup` hands a group's tests out one by one and
    each worker builds the shared world again. A suffix already there is left as it is."""
    from _pytest.nodeid import NodeId

    for item in items:
        names = sorted({str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                        for mark in item.iter_markers("xdist_group")})
        if names and item.nodeid.rfind("@") <= item.nodeid.rfind("]"):
            item._id = NodeId.parse(f"{item.nodeid}@{'_'.join(names)}")


@pytest.fixture
def tenant(db):
    return TenantFactory(slug="hauts-de-france", name="Hauts-de-France")


@pytest.fixture
def other_tenant(db):
    return TenantFactory(slug="occitanie", name="Occitanie", region_code="76")


@pytest.fixture
def in_scope(tenant):
    """Run the test body inside `tenant`'s scope, as a request to /<tenant>/ would."""
    with scope(tenant=tenant):
        yield tenant


@pytest.fixture
def unscoped():
    with scopes_disabled():
        yield


def _member(tenant, role, **kwargs):
    return MembershipFactory(tenant=tenant, role=role, **kwargs).user


@pytest.fixture
def make_member():
    return _member


@pytest.fixture
def admin_user(tenant):
    return _member(tenant, Role.ADMIN)


@pytest.fixture
def instructor(tenant):
    return _member(tenant, Role.INSTRUCTOR)


@pytest.fixture
def applicant(db):
    return UserFactory(email="candidate@example.org")


@pytest.fixture
def platform_admin(db):
    return UserFactory(email="operator@example.org", is_superuser=True, is_staff=True)


@pytest.fixture
def render_every_time(settings):
    """Each request renders its page (portal.pagecache off): for the tests that count what a
    render reads, or read the template context, on a page they request twice."""
    settings.PORTAL_PAGE_CACHE = False


@pytest.fixture
def no_staff_2fa(settings):
    """Staff without TOTP may browse (as in the demo); the 2FA rule has its own tests."""
    settings.PORTAL_REQUIRE_STAFF_2FA = False


# --- Browser tests: Playwright driving Debian's Chromium ----------------------------------

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium package")
        pytest.skip("Debian's chromium is not installed (apt-get install -y chromium)")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test itself (fixtures, assertions) are synchronous and safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris",
                                  base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture(autouse=True)
def _language_of_the_settings():
    """Each test starts in the settings' language (French): a request in English leaves its
    language active in the thread (LocaleMiddleware never deactivates it), and a later test
    reading a service's message got it in English (test_translations, then awards)."""
    from django.utils import translation

    translation.deactivate()
    yield


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: allauth's rate limits (login attempts per IP and
    per account) and used-TOTP-code markers live there and must not leak between tests; the
    kept pages' tables (portal.pagecache) are learnt again."""
    from django.core.cache import cache

    from portal import pagecache

    cache.clear()
    pagecache._tables_read.clear()
    yield


# --- A real Celery worker on the real Redis broker -----------------------------------------

@pytest.fixture
def celery_worker(transactional_db):
    """Start a worker for this test; this process sends tasks to its private queue."""
    from portal.celery import app
    from tests.worker import REDIS_URL, WorkerProcess, use_broker

    worker = WorkerProcess().start()
    use_broker(app, url=REDIS_URL, eager=False, queue=worker.queue)
    try:
        yield worker
    finally:
        use_broker(app, url="memory://", eager=True, queue="portal")
        worker.stop()


# --- Production-like live server: DEBUG off, collected static files (tests/e2e/production.py)

@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """collectstatic with production's manifest storage into a folder of this test session
    (once per session and xdist worker, ~15 s)."""
    from tests.e2e.production import collect_static

    root = tmp_path_factory.mktemp("collected-static")
    collect_static(root)
    return root


@pytest.fixture
def production_server(collected_static, settings, transactional_db):
    """A live server that serves pages and static files as production does (see
    tests/e2e/production.py); `.url` as `live_server.url`."""
    from tests.e2e.production import ProductionServer, production_static_settings

    for name, value in production_static_settings(collected_static).items():
        setattr(settings, name, value)
    settings.DEBUG = False
    server = ProductionServer()
    yield server
    server.stop()


# --- The page sweeps' world, built once per worker (tests/sweep_pages.py) -------------------

_NEXT_ITEM = pytest.StashKey()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    item.stash[_NEXT_ITEM] = nextitem  # read by sweep_site's teardown
    return (yield)


@pytest.fixture
def sweep_site(request, django_db_setup, django_db_blocker):
    """The sweeps' world, signed-in clients and plan of pages (tests.sweep_pages.SweepSite),
    committed, shared by the consecutive tests that ask for it (the axe, label and typography
    sweeps: `xdist_group("sweep")`) and emptied after the last of them. Those tests take no
    `db` fixture: their database access is this fixture's."""
    from tests.sweep_pages import drop_shared_site, shared_site

    with django_db_blocker.unblock():
        yield shared_site()
        nextitem = request.node.stash.get(_NEXT_ITEM, None)
        if nextitem is None or "sweep_site" not in nextitem.fixturenames:
            drop_shared_site()
