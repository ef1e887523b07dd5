"""The tenancy layer's own sweep (issue 13): every tenant URL, asked under tenant B's slug for
tenant A's objects (the sweep world's ids, slugs and tokens), by users for whom only the tenant
scope stands in the way:

* people of tenant B holding every role there (admin, an instructor of each funder, committee
  member, pilot staff, applicant of a structure of B);
* tenant A's own people (the applicant of structure A, A's admin, instructor, committee member
  and pilot), who legitimately reach those objects under A's slug, each also holding the same
  role in B: under B's slug the permission layer says yes, so the scope alone must say no.

GET and POST (the test client does not enforce CSRF). For each request:

* the view runs in tenant B's scope (a probe middleware records the scope every view sees);
* a URL naming an object (an id, a slug) is refused exactly as the same URL for objects that
  exist nowhere (ids 999999): 404 once the visitor may use the page, else the page's own
  refusal (403, 405 or the login page) — tenant A's object is not even known to exist;
* no page shows tenant A's data (its secret names and titles, its references, its amounts);
* nothing of tenant A changes: every tenant-owned row of A (counts and every field), A's
  structure, and the whole audit log and notification ledger.

tests/test_url_sweep.py is the sweep by foreign users under A's slug; both share the world and
the rules of tests/sweep_rules.py. Checked by mutation: see /work/coord/notes/tenancy13.md.
"""

import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.test import Client
from django_scopes import get_scope, scope, scopes_disabled

from portal.enums import OrganizationKind as K
from portal.enums import Role
from tests.sweep_rules import RULES, SECRET, build_world, url_entries, url_for

pytestmark = pytest.mark.django_db

#: Tenant A's amounts, set to figures nothing else of the world uses (searched for in every
#: body with the spaces and separators taken out: « 24 680,57 » and « 24680.57 » alike).
AMOUNTS = {"budget": Decimal("24680.57"), "requested": Decimal("35791.13"),
           "decision": Decimal("13579.24"), "payment": Decimal("8642.19"),
           "envelope": Decimal("97531.86")}

_KWARG = re.compile(r"<(?:\w+:)?(\w+)>")


def names_an_object(entry) -> bool:
    """The route takes something beyond the tenant's slug: an id, a slug, a token."""
    return bool(set(_KWARG.findall(entry.route)) - {"tenant_slug"})


TENANT_ENTRIES = [e for e in url_entries() if e.takes_tenant and e.name in RULES]


class ScopeSpyMiddleware:
    """Last in MIDDLEWARE: records the scope each view is called in (after TenantMiddleware
    entered it in its own process_view)."""

    seen: list = []

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        current = get_scope()
        tenant = current.get("tenant")
        ScopeSpyMiddleware.seen.append((current.get("_enabled", False),
                                        getattr(tenant, "pk", tenant)))
        return None


# --- the world ---------------------------------------------------------------------------------

def _world():
    from applications.models import BudgetLine, Dossier
    from awards.models import Payment
    from calls.models import Call
    from reviews.models import Decision

    w = build_world()
    with scopes_disabled():
        BudgetLine.objects.filter(dossier=w.dossier).update(amount=AMOUNTS["budget"])
        Dossier.objects.filter(tenant=w.a).update(requested_amount=AMOUNTS["requested"])
        Decision.objects.filter(pk=w.decision.pk).update(amount=AMOUNTS["decision"])
        Payment.objects.filter(pk=w.payment.pk).update(amount=AMOUNTS["payment"])
        Call.objects.filter(pk=w.call.pk).update(envelope=AMOUNTS["envelope"])
        w.references = [r for r in Dossier.objects.filter(tenant=w.a)
                        .values_list("reference", flat=True) if r]
    return w


def _organization(tenant, kind):
    from portal.models import Organization
    from tests.factories import OrganizationFactory

    return (Organization.objects.filter(tenant=tenant, kind=kind).first()
            or OrganizationFactory(tenant=tenant, kind=kind, name=f"{kind} {tenant.slug}"))


def _grant(user, tenant, role, kind=None):
    from tests.factories import MembershipFactory

    with scope(tenant=tenant):
        MembershipFactory(user=user, tenant=tenant, role=role,
                          organization=_organization(tenant, kind) if kind else None)
    return user


def _every_role_of_b(w):
    from tests.factories import UserFactory
    from tests.factories.applications import StructureMemberFactory

    user = UserFactory(email="every-role-b@example.org")
    _grant(user, w.b, Role.ADMIN)
    _grant(user, w.b, Role.INSTRUCTOR, K.CNM)
    _grant(user, w.b, Role.COMMITTEE, K.REGION)
    _grant(user, w.b, Role.PILOT, K.PILOT)
    StructureMemberFactory(structure=w.structure_b, user=user)
    return user


def _instructor_of_b(kind):
    def make(w):
        from tests.factories import UserFactory

        return _grant(UserFactory(), w.b, Role.INSTRUCTOR, kind)
    return make


#: Who asks for tenant A's objects under tenant B's slug.
VISITORS = {
    "every_role_of_b": _every_role_of_b,
    "drac_instructor_of_b": _instructor_of_b(K.DRAC),
    "region_instructor_of_b": _instructor_of_b(K.REGION),
    # Tenant A's own people (a structure is global: its members are members everywhere).
    "applicant_of_structure_a": lambda w: w.applicant_a,
    "admin_of_a_and_b": lambda w: _grant(w.admin_a, w.b, Role.ADMIN),
    "instructor_of_a_and_b": lambda w: _grant(w.instructor_a, w.b, Role.INSTRUCTOR, K.CNM),
    "committee_of_a_and_b": lambda w: _grant(w.committee_a, w.b, Role.COMMITTEE, K.CNM),
    "pilot_of_a_and_b": lambda w: _grant(w.pilot_a, w.b, Role.PILOT, K.PILOT),
}


# --- what must not change, what must not show ---------------------------------------------------

def _scoped_models():
    return [m for m in apps.get_models()
            if type(m._default_manager).__qualname__.startswith("ScopedManager.")]


def snapshot(w) -> dict:
    """Every tenant-owned row of tenant A (a digest of all its fields, per model: one query for
    all of them), structure A and its children, and the platform's own audit lines and
    messages."""
    from django.db import connection

    from applications.models import Structure
    from portal.models import AuditEvent, Notification

    parts, params = [], []
    for model in _scoped_models():
        fields = [f.attname for f in model._meta.concrete_fields]
        sql, sql_params = (model._default_manager.with_scope(tenant=w.a).order_by()
                           .values(*fields).query.sql_with_params())
        parts.append("SELECT %s, count(*), md5(coalesce(string_agg(row_to_json(s)::text, '|' "
                     f"ORDER BY row_to_json(s)::text), '')) FROM ({sql}) s")
        params += [model._meta.label, *sql_params]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        data = {label: (count, digest) for label, count, digest in cursor.fetchall()}
    with scopes_disabled():
        data["structure_a"] = list(Structure.objects.filter(pk=w.structure.pk).values_list())
        data["structure_a_children"] = (w.structure.members.count(),
                                        w.structure.licences.count(),
                                        w.structure.revenues.count())
        # The platform's own lines and messages (tenant A's are rows of A above).
        data["platform_audit_events"] = AuditEvent.objects.filter(tenant=None).count()
        data["platform_notifications"] = Notification.objects.filter(tenant=None).count()
    return data


def b_lines_about_a(w, after_pk: int) -> list[str]:
    """Audit lines written in tenant B (an export is audited, so B's log may grow) that name
    one of tenant A's objects: B's pages must not even reach them."""
    from portal.models import AuditEvent

    found = []
    with scopes_disabled():
        for event in (AuditEvent.objects.filter(tenant=w.b, pk__gt=after_pk)
                      .select_related("target_type")):
            model = event.target_type.model_class() if event.target_type else None
            if model in _scoped_models() and model._default_manager.with_scope(
                    tenant=w.a).filter(pk=event.target_id).exists():
                found.append(f"{event.action} on {model._meta.label} #{event.target_id}")
    return found


def _last_audit_pk() -> int:
    from portal.models import AuditEvent

    with scopes_disabled():
        return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _changes(before: dict, after: dict) -> list[str]:
    return [key for key in before if before[key] != after.get(key)]


_SPACES = re.compile(r"[\s\u00a0\u202f]+")


#: Pages that list every structure of the platform by name (structures are global: the pilot
#: picks a resource person's structure among all of them), as in tests/test_url_sweep.py:
#: structure A's name may show there, nothing else of tenant A.
STRUCTURE_DIRECTORY_PAGES = {"mentoring:resource_create", "mentoring:resource_edit"}


def a_data_in(body: str, w) -> list[str]:
    shown = [SECRET] if SECRET in body else []
    shown += [ref for ref in w.references if ref in body]
    flat = _SPACES.sub("", body)
    for name, amount in AMOUNTS.items():
        whole, cents = str(amount).split(".")
        if f"{whole},{cents}" in flat or f"{whole}.{cents}" in flat:
            shown.append(f"{name} amount {amount}")
    return shown


def _body(response) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return content.decode("utf-8", "replace") + response.get("Location", "")


def missing_object_url(entry, w) -> str:
    """The same URL under tenant B's slug for objects that exist nowhere (ids 999999, slug
    « nexiste-pas »; a step or an item kind is kept): the answer tenant A's objects must get."""
    from django.urls import reverse

    kwargs = dict(RULES[entry.name].kwargs(w), tenant_slug=w.b.slug)
    converters = dict((name, kind) for kind, name in
                      re.findall(r"<(?:(\w+):)?(\w+)>", entry.route))
    for name, kind in converters.items():
        if kind == "int":
            kwargs[name] = 999999
        elif kind == "slug" and name != "tenant_slug":
            kwargs[name] = "nexiste-pas"
    return reverse(entry.name, kwargs=kwargs)


def _is_login_redirect(response) -> bool:
    from django.conf import settings
    from django.urls import reverse

    return response.status_code == 302 and response["Location"].startswith(
        reverse(settings.LOGIN_URL))


def _refused(response) -> bool:
    return response.status_code in (403, 404, 405) or _is_login_redirect(response)


# --- the sweep ---------------------------------------------------------------------------------

@pytest.fixture
def spied(settings):
    settings.PORTAL_REQUIRE_STAFF_2FA = False
    settings.MIDDLEWARE = [*settings.MIDDLEWARE,
                           "tests.portal.test_cross_tenant_sweep.ScopeSpyMiddleware"]
    ScopeSpyMiddleware.seen = []
    return ScopeSpyMiddleware


def sweep_under_b(w, user) -> list[str]:
    """Every tenant URL under B's slug for A's objects, GET and POST; the problems found."""
    client = Client()
    client.force_login(user)
    problems = []
    # Structure A is global: its own members see its name on their pages in every tenant
    # (« déposer pour : … »); nothing else of tenant A.
    own_structure = w.structure.members.filter(user=user).exists()
    before, last_audit = snapshot(w), _last_audit_pk()
    for entry in TENANT_ENTRIES:
        url = url_for(entry, w, tenant=w.b)
        for method in ("get", "post"):
            ScopeSpyMiddleware.seen = []
            where = f"{entry.name}: {method.upper()} {url}"
            try:
                response = getattr(client, method)(url)
            except Exception as exc:  # noqa: BLE001 - a 500 is a finding like any other
                problems.append(f"{where}: 500 ({exc.__class__.__name__}: {exc})")
                continue
            status = response.status_code
            if ScopeSpyMiddleware.seen != [(True, w.b.pk)]:
                problems.append(f"{where}: the view ran in scope {ScopeSpyMiddleware.seen}, "
                                f"not tenant B's ({w.b.pk})")
            if status >= 500:
                problems.append(f"{where}: {status}")
            elif names_an_object(entry):
                # Tenant A's object is answered as one that exists nowhere: 404 once the
                # visitor may use the page, the page's own refusal (403, 405, login) before.
                control = getattr(client, method)(missing_object_url(entry, w))
                if not _refused(response) or status != control.status_code:
                    problems.append(f"{where}: {status} (an object that exists nowhere: "
                                    f"{control.status_code})")
            body = _body(response)
            if entry.name in STRUCTURE_DIRECTORY_PAGES or own_structure:
                body = body.replace(w.structure.name, "")
            shown = a_data_in(body, w)
            if shown:
                problems.append(f"{where}: {status} shows tenant A's data: {shown}")
        after = snapshot(w)
        changed = _changes(before, after)
        if changed:
            problems.append(f"{entry.name} under tenant B's slug changed tenant A's "
                            f"{', '.join(changed)}")
            before = after
        lines = b_lines_about_a(w, last_audit)
        if lines:
            problems.append(f"{entry.name} under tenant B's slug logged {lines}")
        last_audit = _last_audit_pk()
    return problems


@pytest.mark.parametrize("visitor", list(VISITORS))
def test_tenant_a_objects_are_not_found_under_tenant_b(visitor, spied):
    w = _world()
    user = VISITORS[visitor](w)
    problems = sweep_under_b(w, user)
    assert problems == [], "\n".join(problems)


def test_the_sweep_covers_every_tenant_url_and_every_object_url():
    entries = [e for e in url_entries() if e.takes_tenant]
    assert {e.name for e in entries} == {e.name for e in TENANT_ENTRIES}
    objects = [e for e in TENANT_ENTRIES if names_an_object(e)]
    assert len(objects) >= 80
    # the exports are swept too (their bodies searched for tenant A's data)
    assert {"reviews:export_csv", "reviews:export_xlsx", "reviews:export_ods",
            "awards:payments_csv", "awards:payments_xlsx",
            "applications:dossier_export"} <= {e.name for e in TENANT_ENTRIES}


def test_the_probes_see_tenant_a_when_the_scope_is_off(spied):
    """The sweep's own detectors fire: with the scope off, A's data shows in a page and the
    probe middleware reports it."""
    w = _world()
    from applications.models import Dossier

    with scopes_disabled():
        dossier = Dossier.objects.get(pk=w.dossier.pk)
        assert a_data_in(f"<h1>{dossier.title}</h1>", w) == [SECRET]
    assert a_data_in("Montant : 13\u202f579,24 €", w) == ["decision amount 13579.24"]
    assert a_data_in("amount;13579.24\n", w) == ["decision amount 13579.24"]
    assert a_data_in("Montant : 13\u202f579 €", w) == []
    before = snapshot(w)
    with scopes_disabled():
        Dossier.objects.filter(pk=w.dossier.pk).update(title="changed")
    assert _changes(before, snapshot(w)) == ["applications.Dossier"]
    client = Client()
    client.force_login(w.applicant_a)
    client.get(f"/{w.a.slug}/")
    assert ScopeSpyMiddleware.seen == [(True, w.a.pk)]
