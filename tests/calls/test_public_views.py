"""Public call pages: region home, call page, both languages, DST, iCalendar, drafts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scope
from icalendar import Calendar

from calls.display import countdown
from portal.formatting import format_datetime_local
from calls.enums import CallStatus
from tests.factories import (AppraisalCriterionFactory, CallFactory, CategoryFactory,
                             CriterionFactory, DocumentRequirementFactory, TrackFactory)
from tests.factories.calls import paris

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]

NBSP = "\u00a0"


@pytest.fixture
def calls(tenant):
    # Noon in Paris, N calendar days ahead: the countdown counts Paris calendar days, so
    # "now + 3 days 1 hour" said « 4 jours » when the tests ran after 23:00 in Paris.
    today = timezone.localdate()

    def noon_in(days):
        day = today + timedelta(days=days)
        return paris(day.year, day.month, day.day, 12)

    with scope(tenant=tenant):
        open_call = CallFactory(tenant=tenant, slug="ouvert", title="Appel ouvert",
                                closes_at=noon_in(3))
        TrackFactory(call=open_call, title="Volet spectacle vivant")
        upcoming = CallFactory(tenant=tenant, slug="a-venir", title="Appel à venir",
                               opens_at=noon_in(12), closes_at=noon_in(40))
        closed = CallFactory(tenant=tenant, slug="clos", title="Appel clos",
                             opens_at=paris(2023, 7, 21), closes_at=paris(2023, 9, 18, 23, 59, 59))
        draft = CallFactory(tenant=tenant, slug="brouillon", title="Appel brouillon",
                            status=CallStatus.DRAFT)
        archived = CallFactory(tenant=tenant, slug="archive", title="Appel archivé",
                               status=CallStatus.ARCHIVED, opens_at=paris(2022, 7, 1),
                               closes_at=paris(2022, 9, 18))
    return {"open": open_call, "upcoming": upcoming, "closed": closed, "draft": draft,
            "archived": archived}


def test_region_home_lists_open_upcoming_and_closed_calls(client, tenant, calls):
    response = client.get(f"/{tenant.slug}/")
    html = response.content.decode()
    assert response.status_code == 200
    groups = response.context["calls_by_phase"]
    assert [c.slug for c in groups["open"]] == ["ouvert"]
    assert [c.slug for c in groups["upcoming"]] == ["a-venir"]
    assert [c.slug for c in groups["closed"]] == ["clos"]
    assert "Appel brouillon" not in html and "Appel archivé" not in html
    assert "clôture dans 3 jours" in html
    assert "ouverture dans 12 jours" in html
    assert f"18 septembre 2023 à 23{NBSP}h{NBSP}59 (heure de Paris)" in html
    assert "clos depuis le 18 septembre 2023" in html
    assert f'href="/{tenant.slug}/appels/calendrier.ics"' in html


def test_call_index_lists_calls(client, tenant, calls):
    response = client.get(f"/{tenant.slug}/appels/")
    assert response.status_code == 200
    assert "Appel ouvert" in response.content.decode()


def test_home_and_index_query_counts_do_not_grow_with_calls(client, tenant, calls,
                                                            django_assert_max_num_queries):
    with scope(tenant=tenant):
        for _ in range(8):
            call = CallFactory(tenant=tenant)
            TrackFactory(call=call)
            TrackFactory(call=call)
    with django_assert_max_num_queries(8):
        client.get(f"/{tenant.slug}/")
    with django_assert_max_num_queries(6):
        client.get(f"/{tenant.slug}/appels/")


@pytest.fixture
def coop(tenant):
    """Occitanie 2024 "coopération professionnelle", in short."""
    with scope(tenant=tenant):
        call = CallFactory(
            tenant=tenant, slug="cooperation-2024", title="Aide aux projets de coopération",
            description="<p>Un espace d'expérimentation.</p><script>alert(1)</script>",
            opens_at=timezone.now() - timedelta(days=5),
            closes_at=timezone.now() + timedelta(days=20),
            committee_label="fin avril", expenses_start=paris(2024, 1, 1).date(),
            expenses_end=paris(2025, 12, 31).date(), min_self_financing_share=Decimal("30"),
            advance_percentage=Decimal("80"))
        live = TrackFactory(call=call, title="Volet spectacle vivant")
        TrackFactory(call=call, title="Volet musiques enregistrées")
        cat1 = CategoryFactory(call=call, title="Catégorie 1 : Expérimentation",
                               amount_min=Decimal("5000"), amount_max=Decimal("15000"),
                               min_partners=2, duration_months_min=12, duration_months_max=24)
        CriterionFactory(call=call, label="24 mois d'activité antérieure")
        CriterionFactory(call=call, kind="declaration", label="Taxes payées.", field="",
                         operator="", value=None)
        CriterionFactory(call=call, track=live, label="Licences", operator="contains_all",
                         field="structure.licence_categories", value=["2", "3"])
        CriterionFactory(call=call, category=cat1, label="Deux acteurs",
                         field="dossier.partner_count", operator="gte", value=2,
                         severity="warning")
        DocumentRequirementFactory(call=call, label="Budget prévisionnel",
                                   allowed_formats=["pdf", "xlsx"], max_size_mb=20)
        DocumentRequirementFactory(call=call, label="Revue de presse", required=False)
        AppraisalCriterionFactory(call=call, label="Impact sur l'écosystème musical")
    return call


def test_call_page_shows_rules_criteria_documents_and_calendar(client, tenant, coop):
    response = client.get(f"/{tenant.slug}/appels/cooperation-2024/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<p>Un espace d&#x27;expérimentation.</p>" in html or \
        "<p>Un espace d'expérimentation.</p>" in html
    assert "alert(1)" not in html
    assert f"Aide de 5{NBSP}000,00{NBSP}€ à 15{NBSP}000,00{NBSP}€" in html
    assert "Au moins 2 structures partenaires" in html
    assert "Durée : de 12 à 24 mois" in html
    assert f"Le ou la candidat·e apporte au moins 30{NBSP}% du financement global" in html
    assert f"Avance de 80{NBSP}%, solde au bilan" in html
    assert "Volet spectacle vivant" in html and "Volet musiques enregistrées" in html
    assert (f"Ancienneté d&#x27;activité de la structure supérieure ou égale à 24{NBSP}mois"
            in html)
    assert "Taxes payées." in html
    assert ("Licences d&#x27;entrepreneur de spectacles comprenant catégorie 2 (producteur de "
            "spectacles) et catégorie 3 (diffuseur de spectacles)") in html
    assert "point d'attention" in html
    assert "Budget prévisionnel</strong> — obligatoire" in html
    assert "Revue de presse</strong> — facultative" in html
    assert "Formats : pdf, xlsx — 20 Mo maximum" in html
    assert "Impact sur l&#x27;écosystème musical" in html
    assert "fin avril" in html
    assert "du 1er janvier 2024 au 31 décembre 2025" in html
    assert "clôture dans 20 jours" in html


def test_call_page_query_count_is_bounded(client, tenant, coop, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        client.get(f"/{tenant.slug}/appels/cooperation-2024/")


#: Queries of the region home and of a call page for a signed-in applicant once the tenant's
#: calls are cached (the session, the user, the memberships and the page frame; the home
#: lists the signatories once more): none reads a call, whatever the number of calls, tracks,
#: criteria or documents.
HOME_QUERIES = 6
CALL_PAGE_QUERIES = 5


def _call_queries(ctx):
    return [q["sql"] for q in ctx.captured_queries if '"calls_' in q["sql"]]


@pytest.mark.usefixtures("render_every_time")
def test_region_home_reads_no_call_once_cached_and_does_not_grow_with_calls(
        client, tenant, calls, applicant, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(applicant)
    counts = []
    for extra in (0, 8):
        with scope(tenant=tenant):
            for _ in range(extra):
                TrackFactory(call=CallFactory(tenant=tenant))
        client.get(f"/{tenant.slug}/")  # the first view after a change reads the calls again
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/{tenant.slug}/")
        assert response.status_code == 200 and _call_queries(ctx) == []
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= HOME_QUERIES
    assert len(response.context["calls_by_phase"]["open"]) == 9


@pytest.mark.usefixtures("render_every_time")
def test_call_page_reads_no_call_once_cached_whatever_its_rules(client, tenant, coop, applicant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(applicant)
    counts = []
    for extra in (0, 6):
        with scope(tenant=tenant):
            for i in range(extra):
                track = TrackFactory(call=coop)
                CriterionFactory(call=coop, track=track, label=f"Critère {i}")
                DocumentRequirementFactory(call=coop, track=track)
                AppraisalCriterionFactory(call=coop)
        client.get(f"/{tenant.slug}/appels/cooperation-2024/")
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/{tenant.slug}/appels/cooperation-2024/")
        assert response.status_code == 200 and _call_queries(ctx) == []
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= CALL_PAGE_QUERIES
    assert "Critère 5" in response.content.decode()


def test_cached_call_pages_show_an_edit_at_once(client, tenant, coop, calls, admin_user):
    from calls.services import call_update

    assert "Appel ouvert" in client.get(f"/{tenant.slug}/").content.decode()
    assert client.get(f"/{tenant.slug}/appels/cooperation-2024/").status_code == 200
    with scope(tenant=tenant):
        call_update(user=admin_user, call=coop, title="Coopération, nouveau titre")
        CriterionFactory(call=coop, label="Critère ajouté après coup")
        calls["open"].status = CallStatus.DRAFT  # back to draft: off the home, 404 for all
        calls["open"].save()
    html = client.get(f"/{tenant.slug}/appels/cooperation-2024/").content.decode()
    assert "Coopération, nouveau titre" in html and "Critère ajouté après coup" in html
    assert "Appel ouvert" not in client.get(f"/{tenant.slug}/").content.decode()
    assert client.get(f"/{tenant.slug}/appels/ouvert/").status_code == 404
    with scope(tenant=tenant):
        coop.document_requirements.first().delete()
    assert "Budget prévisionnel" not in client.get(
        f"/{tenant.slug}/appels/cooperation-2024/").content.decode()


def test_cached_calls_are_kept_per_tenant(client, tenant, other_tenant, calls):
    with scope(tenant=other_tenant):
        CallFactory(tenant=other_tenant, slug="ouvert", title="Appel ouvert en Occitanie",
                    closes_at=timezone.now() + timedelta(days=3))
    for _ in range(2):  # cold, then cached
        here = client.get(f"/{tenant.slug}/appels/ouvert/").content.decode()
        there = client.get(f"/{other_tenant.slug}/appels/ouvert/").content.decode()
        assert "Appel ouvert en Occitanie" not in here and "Appel ouvert en Occitanie" in there
        home = client.get(f"/{other_tenant.slug}/").content.decode()
        assert "Appel à venir" not in home and "Appel ouvert en Occitanie" in home


def test_a_cached_draft_preview_stays_404_for_the_public(client, tenant, calls, admin_user):
    client.force_login(admin_user)
    assert client.get(f"/{tenant.slug}/appels/brouillon/").status_code == 200  # now cached
    client.logout()
    assert client.get(f"/{tenant.slug}/appels/brouillon/").status_code == 404


def test_an_edit_forgets_the_cached_calls_again_when_it_commits(
        tenant, coop, django_capture_on_commit_callbacks):
    from django.core.cache import cache

    from calls.selectors import _generation

    before = _generation(tenant.pk)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with scope(tenant=tenant):
            coop.title = "Titre modifié"
            coop.save()
    assert _generation(tenant.pk) != before
    during = _generation(tenant.pk)  # a reader between the write and the commit
    assert len(callbacks) == 1
    callbacks[0]()
    assert cache.get(f"calls-generation:{tenant.pk}") is None
    assert _generation(tenant.pk) != during


def test_call_page_in_english(client, tenant, coop):
    client.cookies["django_language"] = "en"
    response = client.get(f"/{tenant.slug}/appels/cooperation-2024/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en"' in html
    assert "Aide aux projets de coopération" in html  # content stays as the admin wrote it
    assert "Filing deadline" in html and "Eligibility criteria" in html
    assert "Grant from 5\u00a0000,00\u00a0€ to 15\u00a0000,00\u00a0€" in html
    assert "Length of activity of the structure at least 24\u00a0months" in html
    assert "closes in 20 days" in html
    assert "from January 1, 2024 to December 31, 2025" in html


def test_call_page_in_french(client, tenant, coop):
    response = client.get(f"/{tenant.slug}/appels/cooperation-2024/", HTTP_ACCEPT_LANGUAGE="fr")
    html = response.content.decode()
    assert '<html lang="fr"' in html
    assert "Date limite de dépôt" in html and "Critères d'éligibilité" in html


def test_region_home_in_english(client, tenant, calls):
    client.cookies["django_language"] = "en"
    html = client.get(f"/{tenant.slug}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Open calls" in html and "Upcoming calls" in html and "Closed calls" in html
    assert "closes in 3 days" in html and "opens in 12 days" in html


def test_apply_button_links_to_the_dossier_start_while_open(client, tenant, coop, calls):
    html = client.get(f"/{tenant.slug}/appels/cooperation-2024/").content.decode()
    assert f'href="/{tenant.slug}/appels/cooperation-2024/deposer/"' in html
    assert "Déposer une candidature" in html
    closed_html = client.get(f"/{tenant.slug}/appels/clos/").content.decode()
    assert "Déposer une candidature" not in closed_html
    upcoming_html = client.get(f"/{tenant.slug}/appels/a-venir/").content.decode()
    assert "Déposer une candidature" not in upcoming_html


# --- drafts: preview for admins only; other tenants: 404 ---------------------------------------

def test_draft_is_404_for_the_public_and_other_roles(client, tenant, calls, make_member):
    assert client.get(f"/{tenant.slug}/appels/brouillon/").status_code == 404
    client.force_login(make_member(tenant, "instructor"))
    assert client.get(f"/{tenant.slug}/appels/brouillon/").status_code == 404
    assert client.get(f"/{tenant.slug}/appels/brouillon/calendrier.ics").status_code == 404


def test_admin_previews_a_draft(client, tenant, calls, admin_user):
    client.force_login(admin_user)
    response = client.get(f"/{tenant.slug}/appels/brouillon/")
    assert response.status_code == 200
    assert "Aperçu d'un brouillon" in response.content.decode()


def test_admin_of_another_tenant_may_not_preview(client, tenant, other_tenant, calls,
                                                 make_member):
    client.force_login(make_member(other_tenant, "admin"))
    assert client.get(f"/{tenant.slug}/appels/brouillon/").status_code == 404


def test_call_of_another_tenant_answers_404(client, tenant, other_tenant, calls):
    assert client.get(f"/{other_tenant.slug}/appels/ouvert/").status_code == 404
    assert client.get(f"/{other_tenant.slug}/appels/ouvert/calendrier.ics").status_code == 404
    assert client.get("/inconnu/appels/ouvert/").status_code == 404


def test_archived_call_stays_reachable_by_its_address(client, tenant, calls):
    assert client.get(f"/{tenant.slug}/appels/archive/").status_code == 200


# --- Paris time and DST -------------------------------------------------------------------

def test_deadline_on_the_autumn_dst_day_is_shown_in_paris_time(client, tenant):
    with scope(tenant=tenant):
        call = CallFactory(tenant=tenant, slug="automne", opens_at=paris(2024, 9, 1),
                           closes_at=paris(2024, 10, 27, 23, 59, 59))
    # 23:59:59 CET (UTC+1) on the day the clocks go back.
    from datetime import datetime, timezone as dt_tz

    assert call.closes_at.astimezone(dt_tz.utc) == datetime(2024, 10, 27, 22, 59, 59,
                                                            tzinfo=dt_tz.utc)
    html = client.get(f"/{tenant.slug}/appels/automne/").content.decode()
    assert f"27 octobre 2024 à 23{NBSP}h{NBSP}59" in html


def test_deadline_on_the_spring_dst_day_is_shown_in_paris_time(tenant):
    from datetime import datetime, timezone as dt_tz

    with scope(tenant=tenant):
        call = CallFactory(tenant=tenant, opens_at=paris(2024, 3, 1),
                           closes_at=paris(2024, 3, 31, 23, 59, 59))
    assert call.closes_at.astimezone(dt_tz.utc) == datetime(2024, 3, 31, 21, 59, 59,
                                                            tzinfo=dt_tz.utc)
    assert format_datetime_local(call.closes_at) == f"31 mars 2024 à 23{NBSP}h{NBSP}59"


@pytest.mark.parametrize("now, expected", [
    (paris(2024, 3, 29, 12, 0), "clôture dans 2 jours"),    # across the spring change (47 h)
    (paris(2024, 3, 30, 0, 30), "clôture demain à 23\u00a0h\u00a059"),
    (paris(2024, 3, 31, 23, 0), "clôture aujourd'hui à 23\u00a0h\u00a059"),
    (paris(2024, 4, 1, 0, 0), "clos depuis le 31 mars 2024"),
])
def test_countdown_counts_paris_calendar_days_across_dst(tenant, now, expected):
    with scope(tenant=tenant):
        call = CallFactory(tenant=tenant, opens_at=paris(2024, 3, 1),
                           closes_at=paris(2024, 3, 31, 23, 59, 59))
    assert countdown(call, now) == expected


def test_countdown_across_autumn_change(tenant):
    with scope(tenant=tenant):
        call = CallFactory(tenant=tenant, opens_at=paris(2024, 9, 1),
                           closes_at=paris(2024, 10, 28, 0, 30))
    # 25 real hours but one calendar day away.
    assert countdown(call, paris(2024, 10, 27, 0, 30)) == "clôture demain à 0\u00a0h\u00a030"


# --- iCalendar ----------------------------------------------------------------------------------

def test_region_ical_feed_lists_deadlines_openings_and_committees(client, tenant, calls):
    with scope(tenant=tenant):
        calls["closed"].committee_date = paris(2023, 11, 15).date()
        calls["closed"].save()
    response = client.get(f"/{tenant.slug}/appels/calendrier.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    cal = Calendar.from_ical(response.content)
    events = {str(e["uid"]).split("@")[0]: e for e in cal.walk("VEVENT")}
    closed = calls["closed"]
    assert str(events[f"call-{closed.pk}-closes"]["summary"]) == "Clôture : Appel clos"
    assert events[f"call-{closed.pk}-closes"].decoded("dtstart") == closed.closes_at
    assert events[f"call-{closed.pk}-committee"].decoded("dtstart") == \
        paris(2023, 11, 15).date()
    assert f"call-{calls['draft'].pk}-closes" not in events
    assert f"call-{calls['archived'].pk}-closes" not in events
    assert str(events[f"call-{closed.pk}-closes"]["url"]).endswith(f"/{tenant.slug}/appels/clos/")


def test_call_ical_has_only_that_call(client, tenant, calls):
    response = client.get(f"/{tenant.slug}/appels/ouvert/calendrier.ics")
    cal = Calendar.from_ical(response.content)
    uids = sorted(str(e["uid"]).split("@")[0] for e in cal.walk("VEVENT"))
    pk = calls["open"].pk
    assert uids == [f"call-{pk}-closes", f"call-{pk}-opens"]


def test_nav_shows_calls_to_everyone(client, tenant):
    html = client.get(f"/{tenant.slug}/").content.decode()
    assert f'href="/{tenant.slug}/appels/"' in html
