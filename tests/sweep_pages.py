"""The pages of the page sweeps — axe-core (tests/e2e/test_axe_all_pages.py), labels
(tests/test_label_sweep.py) and French typography (tests/test_typography_sweep.py) — and the
world they are opened on, built once per test worker for the three of them.

The page list is not written by hand: it comes from the URL sweep's registry
(tests/sweep_rules.py). Every URL name of `RULES` is built on the sweep's world; the pages a
role may open are those that answer it 200 with HTML (POST-only views answer 405; PDF, CSV,
XLSX, ICS and JSON answers and redirects are left out). Public pages are checked for a
visitor; pages any signed-in user may open (`USER`) once, for structure A's applicant, except
the personal home (`portal:my_spaces`), checked for every role; other pages for every role of
tenant A that may open them (the platform admin only where no tenant role may). A new URL with
a sweep rule is checked by the three sweeps without any change to them.

Finding the pages means opening every URL as every role (about a thousand requests, most of
them refused): that, and the world, are the expensive part, so the `sweep_site` fixture
(tests/conftest.py) builds a `SweepSite` once and the three sweeps read it, in a row on one
xdist worker (`xdist_group("sweep")`). The world is committed (the axe sweep's browser reads
it through a live server in another thread), so the sweeps' tests do not take the `db`
fixture; the database is emptied after the last of them, as a transactional test leaves it.
"""

from dataclasses import dataclass, field

from django.test import Client
from django.test.utils import override_settings

from tests.sweep_rules import PUBLIC, USER, RULES, build_world, url_entries, url_for

#: The roles of the sweep's world, most specific first.
ROLES = ["applicant_a", "resource_user", "committee_a", "pilot_a", "instructor_a", "admin_a",
         "platform_admin"]

#: Pages whose content depends on who opens them although anyone signed in may: every role.
PER_ROLE_PAGES = {"portal:my_spaces"}


def _html_page(client, url) -> str | None:
    """The page's HTML when `client` may open it (200, text/html), else None."""
    response = client.get(url)
    if (response.status_code == 200
            and response.get("Content-Type", "").startswith("text/html")):
        return response.content.decode()
    return None


def pages_per_role(world, clients, bodies: dict | None = None) -> dict[str, list[str]]:
    """{role: [url, …]}: the pages each role is to be checked on (see the module docstring).
    With `bodies`, also {(role, url): html} of the answer that put each page in the plan."""
    plan: dict[str, list[str]] = {role: [] for role in ["anonymous", *ROLES]}
    seen = {} if bodies is None else bodies

    def opens(role, url) -> bool:
        html = _html_page(clients[role], url)
        if html is not None:
            seen[(role, url)] = html
        return html is not None

    for entry in url_entries():
        rule = RULES[entry.name]
        url = url_for(entry, world)
        if rule.access == PUBLIC:
            if opens("anonymous", url):
                plan["anonymous"].append(url)
            continue
        if rule.access == USER and entry.name not in PER_ROLE_PAGES:
            if opens("applicant_a", url):
                plan["applicant_a"].append(url)
            continue
        opened_by = [role for role in ROLES if opens(role, url)]
        if opened_by and opened_by != ["platform_admin"]:
            opened_by = [role for role in opened_by if role != "platform_admin"]
        for role in opened_by:
            plan[role].append(url)
    if bodies is not None:
        for key in [key for key in bodies if key[1] not in plan[key[0]]]:
            del bodies[key]
    return plan


def signed_in_clients(world) -> dict[str, Client]:
    clients = {"anonymous": Client()}
    for role in ROLES:
        clients[role] = Client()
        clients[role].force_login(getattr(world, role))
    return clients


@dataclass
class SweepSite:
    """The sweep's world, a signed-in test client per role, the plan of pages and, for each
    (role, url) of the plan, the HTML it answered with when the plan was made (test settings:
    French spacing off, staff without TOTP may browse)."""

    world: object
    clients: dict
    plan: dict
    bodies: dict
    _server: object = field(default=None, repr=False)

    @classmethod
    def build(cls) -> "SweepSite":
        with override_settings(PORTAL_REQUIRE_STAFF_2FA=False, PORTAL_FRENCH_TYPOGRAPHY=False):
            world = build_world()
            clients = signed_in_clients(world)
            bodies: dict = {}
            plan = pages_per_role(world, clients, bodies)
        return cls(world=world, clients=clients, plan=plan, bodies=bodies)

    def pages(self):
        """(role, url) of every page of the plan, role by role."""
        for role, urls in self.plan.items():
            for url in urls:
                yield role, url

    def is_alive(self) -> bool:
        from portal.models import Tenant

        return Tenant.objects.filter(pk=self.world.a.pk).exists()

    def live_server_url(self) -> str:
        """A live server on the world (as pytest-django's `live_server`: the project's views
        with the static files handler, on localhost), started at the first call."""
        if self._server is None:
            from django.contrib.staticfiles.handlers import StaticFilesHandler
            from django.test.testcases import LiveServerThread

            server = LiveServerThread("localhost", static_handler=StaticFilesHandler)
            server.daemon = True
            server.start()
            server.is_ready.wait()
            if server.error:
                raise server.error
            self._server = server
        return f"http://localhost:{self._server.port}"

    def close(self):
        if self._server is not None:
            self._server.terminate()
            self._server = None


_SITE: dict[str, SweepSite | None] = {"site": None}


def shared_site() -> SweepSite:
    """The worker's SweepSite, built (committed) at the first call or when a flush emptied
    the database since."""
    site = _SITE["site"]
    if site is None or not site.is_alive():
        if site is not None:
            site.close()
        site = _SITE["site"] = SweepSite.build()
    return site


def drop_shared_site() -> None:
    """Stop its server and empty the database (the world is committed), as a transactional
    test does after it."""
    from django.core.management import call_command

    site, _SITE["site"] = _SITE["site"], None
    if site is not None:
        site.close()
        call_command("flush", "--noinput", verbosity=0)
