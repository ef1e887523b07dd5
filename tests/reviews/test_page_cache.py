"""Pages kept per visitor (portal.pagecache): served again only while nothing they may show
was written, never to another person, never with another language, messages or format."""

import re
from decimal import Decimal

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from applications.models import Dossier
from portal import page_generations
from portal.enums import OrganizationKind as K
from tests.factories.applications import StructureFactory, StructureMemberFactory
from tests.factories.reviews import FiledDossierFactory, ReviewFactory, officer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]


def dashboard(tenant):
    return reverse("reviews:dashboard", kwargs={"tenant_slug": tenant.slug})


def instruction(tenant, dossier):
    return reverse("reviews:dossier", kwargs={"tenant_slug": tenant.slug, "pk": dossier.pk})


@pytest.fixture
def dossier(tenant, call, category):
    with scope(tenant=tenant):
        return FiledDossierFactory(call=call, category=category, status="in_review",
                                   title="Tournée des Hauts",
                                   structure=StructureFactory(name="Éléphant Rose Productions"))


def _queries(client, url, **extra):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return response, len(ctx.captured_queries)


def _kept(client, url):
    """Render `url` twice; the second answer must come from the cache (no view query)."""
    client.get(url)  # sets the CSRF cookie (a page is kept for a visitor who has one)
    first, rendered = _queries(client, url)
    second, served = _queries(client, url)
    assert second.content == first.content
    assert served < rendered
    return first, served


def test_a_page_read_again_is_served_without_its_view(client, tenant, officers, dossier):
    client.force_login(officers["cnm"])
    response, served = _kept(client, dashboard(tenant))
    assert "Éléphant Rose Productions" in response.content.decode()
    # what remains is the frame's: session, user, memberships (no dossier read)
    assert served <= 4


def test_a_save_in_the_tenant_shows_at_once(client, tenant, officers, dossier):
    client.force_login(officers["cnm"])
    _kept(client, dashboard(tenant))
    with scope(tenant=tenant):
        dossier.reference = "HDF-2026-COOP-0999"
        dossier.save()
    assert "HDF-2026-COOP-0999" in client.get(dashboard(tenant)).content.decode()


def test_a_queryset_update_shows_at_once(client, tenant, officers, dossier):
    """No model signal for update(): the write is seen in the database connection."""
    client.force_login(officers["cnm"])
    _kept(client, instruction(tenant, dossier))
    with scope(tenant=tenant):
        Dossier.objects.filter(pk=dossier.pk).update(title="Résidence d’été")
    assert "Résidence d’été" in client.get(instruction(tenant, dossier)).content.decode()


def test_a_write_to_a_global_table_shows_everywhere(client, tenant, officers, dossier):
    client.force_login(officers["cnm"])
    _kept(client, dashboard(tenant))
    with scopes_disabled():
        type(dossier.structure).objects.filter(pk=dossier.structure_id).update(
            name="Label Girafe")
    assert "Label Girafe" in client.get(dashboard(tenant)).content.decode()


def test_a_write_in_another_tenant_keeps_this_tenants_pages(client, tenant, other_tenant,
                                                           officers, dossier):
    with scope(tenant=other_tenant):
        elsewhere = FiledDossierFactory(call__tenant=other_tenant)
    client.force_login(officers["cnm"])
    _kept(client, dashboard(tenant))
    with scope(tenant=other_tenant):
        Dossier.objects.filter(pk=elsewhere.pk).update(title="Ailleurs")
    _response, served = _queries(client, dashboard(tenant))
    assert served <= 4


def test_my_dossiers_outside_any_tenant_follows_every_tenant(client, tenant, applicant,
                                                            dossier):
    StructureMemberFactory(structure=dossier.structure, user=applicant)
    client.force_login(applicant)
    url = reverse("structures:my_dossiers")
    _kept(client, url)
    with scope(tenant=tenant):
        Dossier.objects.filter(pk=dossier.pk).update(title="Nouvel intitulé régional")
    assert "Nouvel intitulé régional" in client.get(url).content.decode()


def test_a_page_is_never_served_to_another_person(client, tenant, officers, call, category):
    """Blind review: the rapporteur who submitted reads the scores; a colleague who has not
    must not receive the page kept for the first one."""
    with scope(tenant=tenant):
        d = FiledDossierFactory(call=call, category=category, status="in_review")
        ReviewFactory(dossier=d, officer=officers["drac1"], funder="drac", total=Decimal("17.50"))
    client.force_login(officers["drac1"])
    seen, _served = _kept(client, instruction(tenant, d))
    assert "17,5" in seen.content.decode()
    client.force_login(officers["region"])
    client.get(instruction(tenant, d))
    other = client.get(instruction(tenant, d)).content.decode()
    assert "17,5" not in other


def test_pages_are_kept_per_language(client, tenant, officers, dossier):
    client.force_login(officers["cnm"])
    french, _served = _kept(client, dashboard(tenant))
    client.cookies["django_language"] = "en"
    english = client.get(dashboard(tenant)).content.decode()
    assert 'lang="en"' in english and 'lang="fr"' in french.content.decode()


def test_waiting_messages_are_shown_and_the_page_is_not_kept(client, rf, tenant, applicant):
    """A flash message waiting in its cookie (set by an earlier answer: no page token
    changes) is shown on the next page, once."""
    home = reverse("portal:tenant_home", kwargs={"tenant_slug": tenant.slug})
    client.force_login(applicant)
    _kept(client, home)
    storage = CookieStorage(rf.get("/"))
    client.cookies[storage.cookie_name] = storage._encode(
        [Message(constants.SUCCESS, "Dossier bien reçu.")])
    assert "Dossier bien reçu" in client.get(home).content.decode()
    assert "Dossier bien reçu" not in client.get(home).content.decode()


def test_a_request_for_another_format_is_not_served_the_kept_page(client, tenant, officers,
                                                                 dossier):
    client.force_login(officers["cnm"])
    _kept(client, instruction(tenant, dossier))
    _response, queries = _queries(client, instruction(tenant, dossier),
                                  HTTP_ACCEPT="application/json")
    assert queries > 4


def test_no_page_is_kept_without_a_csrf_cookie(client, tenant, officers, dossier):
    client.force_login(officers["cnm"])
    _response, first = _queries(client, dashboard(tenant))
    client.cookies.pop("csrftoken", None)
    _response, again = _queries(client, dashboard(tenant))
    assert again > 4


def test_the_kept_page_keeps_french_typography(client, settings, tenant, officers, dossier):
    settings.PORTAL_FRENCH_TYPOGRAPHY = True
    client.force_login(officers["cnm"])
    first, _served = _kept(client, dashboard(tenant))
    assert "Accessibilité\u00a0: non conforme" in first.content.decode()


def test_off_with_the_setting(client, settings, tenant, officers, dossier):
    settings.PORTAL_PAGE_CACHE = False
    client.force_login(officers["cnm"])
    client.get(dashboard(tenant))
    _r, first = _queries(client, dashboard(tenant))
    _r, again = _queries(client, dashboard(tenant))
    assert again == first > 4


# --- which writes forget which pages -------------------------------------------------------

@pytest.mark.parametrize("sql, in_tenant, expected", [
    ('SELECT "applications_dossier"."id" FROM "applications_dossier"', True, None),
    ('UPDATE "applications_dossier" SET "title" = %s', True, "t:applications_dossier"),
    ('INSERT INTO "applications_dossier" ("title") VALUES (%s)', True, "t:applications_dossier"),
    ('DELETE FROM "applications_dossier" WHERE id = 1', True, "t:applications_dossier"),
    ('UPDATE "applications_dossier" SET "title" = %s', False, "g:applications_dossier"),
    ('UPDATE "portal_user" SET "first_name" = %s', True, "g:portal_user"),
    ('insert into applications_structure (name) values (%s)', True, "g:applications_structure"),
    ('TRUNCATE TABLE "applications_dossier"', False, "g:applications_dossier"),
    ('UPDATE "django_session" SET "session_data" = %s', True, None),
    ('UPDATE "portal_user" SET "last_login" = %s WHERE "portal_user"."id" = %s', False, None),
])
def test_written_name(tenant, sql, in_tenant, expected):
    if in_tenant:
        with scope(tenant=tenant):
            name = page_generations._written_name(sql)
    else:
        with scopes_disabled():
            name = page_generations._written_name(sql)
    assert name == (expected and expected.replace("t:", f"t{tenant.pk}:"))


@pytest.mark.django_db(transaction=True)
def test_a_transaction_forgets_once_more_when_it_commits(tenant):
    """A reader between a write and its commit may keep the old state under the token it
    found: the commit forgets the token again (one callback per name and transaction)."""
    with scope(tenant=tenant):
        dossier = FiledDossierFactory(call__tenant=tenant)
    names = page_generations.names(tenant.pk, {"applications_dossier"})
    with transaction.atomic(), scope(tenant=tenant):
        Dossier.objects.filter(pk=dossier.pk).update(title="Un")
        Dossier.objects.filter(pk=dossier.pk).update(title="Deux")
        read_meanwhile = dict(zip(names, page_generations.tokens(names)))
        ours = [func.page_generation for _s, func, _r in connection.run_on_commit
                if hasattr(func, "page_generation")]
        assert ours == [f"t{tenant.pk}:applications_dossier"]
    after = dict(zip(names, page_generations.tokens(names)))
    name = f"t{tenant.pk}:applications_dossier"
    assert after[name] != read_meanwhile[name]


def test_staff_pages_of_another_tenant_stay_404_with_a_kept_page(client, tenant, other_tenant,
                                                                dossier):
    """The permission check runs before the cache is read."""
    stranger = officer(other_tenant, K.CNM)
    client.force_login(stranger)
    assert client.get(instruction(tenant, dossier)).status_code == 404
    assert client.get(instruction(tenant, dossier)).status_code == 404



def test_the_forms_of_a_kept_page_still_post(tenant, officers, dossier):
    """The tokens in a kept page were made from the visitor's CSRF secret (in the key): a
    form read from the cache is accepted."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(officers["cnm"])
    page, _served = _kept(client, dashboard(tenant))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"',
                      page.content.decode()).group(1)
    response = client.post(reverse("reviews:saved_view_save", kwargs={"tenant_slug": tenant.slug}),
                           {"csrfmiddlewaretoken": token, "name": "Mes dossiers à voir",
                            "query": "mine=on"})
    assert response.status_code == 302
    assert "Mes dossiers à voir" in client.get(response["Location"]).content.decode()


def test_a_change_in_the_session_is_a_new_page(client, tenant, officers, dossier):
    """What the session holds is in the key (its writes are not watched: sessions live in
    Redis and django_session)."""
    client.force_login(officers["cnm"])
    _kept(client, dashboard(tenant))
    session = client.session
    session["portal_after_two_factor"] = "/ailleurs/"
    session.save()
    _response, queries = _queries(client, dashboard(tenant))
    assert queries > 4


def test_a_write_to_a_table_the_page_did_not_read_keeps_it(client, tenant, officers, dossier):
    """Saving a dashboard view writes a table the region home never reads: the home stays
    kept while the dashboard (which lists the saved views) is rendered again."""
    home = reverse("portal:tenant_home", kwargs={"tenant_slug": tenant.slug})
    client.force_login(officers["cnm"])
    _kept(client, home)
    _kept(client, dashboard(tenant))
    client.post(reverse("reviews:saved_view_save", kwargs={"tenant_slug": tenant.slug}),
                {"name": "Vue du matin", "query": "sort=score"})
    _response, served = _queries(client, home)
    assert served <= 4
    assert "Vue du matin" in client.get(dashboard(tenant)).content.decode()


def test_a_page_depends_on_the_calls_it_read_from_the_calls_cache(client, tenant, applicant,
                                                                  call):
    """The region home reads the calls from their own cache (no query once it is filled):
    a process that learns the home's tables from a filled cache still depends on the calls,
    and a call renamed shows at once."""
    from calls.enums import CallStatus
    from portal import pagecache

    home = reverse("portal:tenant_home", kwargs={"tenant_slug": tenant.slug})
    with scope(tenant=tenant):
        call.status = CallStatus.PUBLISHED
        call.save()
    client.force_login(applicant)
    client.get(home)  # fills the calls' cache
    pagecache._tables_read.clear()  # as a process starting with that cache filled
    _kept(client, home)
    with scope(tenant=tenant):
        call.title = "Appel « Scènes d’hiver » 2027"
        call.save()
    assert "Scènes d’hiver" in client.get(home).content.decode()


def test_the_tables_of_a_union_are_read():
    with page_generations.recording() as reads:
        page_generations.watch_statements(
            lambda *a: None, '(SELECT "id" FROM "calls_call") UNION ALL (SELECT "id" FROM '
            '"calls_track" INNER JOIN "calls_call" ON 1=1)', None, False, {"connection": None})
    assert {"calls_call", "calls_track"} <= reads.tables


def test_an_event_counts_as_a_write_to_its_target(client, tenant, officers, dossier):
    """A saved view's audit event forgets the pages that read saved views, not the dossier
    pages that show their own dossier's history; an event on the dossier does."""
    from portal.audit import audit_log

    client.force_login(officers["cnm"])
    _kept(client, instruction(tenant, dossier))
    response = client.post(reverse("reviews:saved_view_save",
                                   kwargs={"tenant_slug": tenant.slug}),
                           {"name": "Vue du soir", "query": "sort=score"}, follow=True)
    assert "Vue du soir" in response.content.decode()  # its message shown (and gone)
    _response, served = _queries(client, instruction(tenant, dossier))
    assert served <= 4
    with scope(tenant=tenant):
        audit_log(tenant=tenant, actor=officers["drac1"], action="reviews.dossier.noted",
                  target=dossier, data={})
    _response, rendered = _queries(client, instruction(tenant, dossier))
    assert rendered > 4


def test_any_other_write_to_the_audit_log_forgets_every_page(client, tenant, officers, dossier):
    from portal.models import AuditEvent

    client.force_login(officers["cnm"])
    _kept(client, dashboard(tenant))
    with scopes_disabled():
        AuditEvent.objects.filter(actor=officers["drac1"]).update(actor=None)
    _response, rendered = _queries(client, dashboard(tenant))
    assert rendered > 4
