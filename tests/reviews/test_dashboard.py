"""The instruction dashboard: predefined and saved views, filters per column with faceted
state counts, sort on every column, pagination, the selection, the walk from dossier to
dossier, and the officer's voluntary recusal."""

import html
from datetime import datetime
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django_scopes import scope

from portal.enums import OrganizationKind as K
from portal.enums import Role
from reviews import services
from reviews.dashboard import PRESETS
from reviews.forms import SORT_CHOICES
from reviews.models import Assignment, ConflictDeclaration, SavedView
from tests.factories.applications import StructureFactory
from tests.factories.reviews import FiledDossierFactory, PartnerFactory, ReviewFactory, officer

D = Decimal
PARIS = ZoneInfo("Europe/Paris")
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]


def url(name, tenant, **kw):
    return reverse(f"reviews:{name}", kwargs={"tenant_slug": tenant.slug, **kw})


def refs(response):
    return [row["dossier"].reference for row in response.context["rows"]]


@pytest.fixture
def world(tenant, call, category, officers):
    """Five dossiers of one call, each in a state a predefined view is about."""
    me, other = officers["cnm"], officers["drac1"]
    with scope(tenant=tenant):
        def filed(ref, status, name, amount, day, **kw):
            return FiledDossierFactory(
                call=call, category=category, status=status, reference=ref,
                structure=StructureFactory(name=name), requested_amount=D(amount),
                submitted_at=datetime(2024, 3, day, 12, tzinfo=PARIS), **kw)

        w = {
            "todo": filed("HDF-2024-COOP-0001", "in_review", "Alpha Musiques", "9000", 1),
            "done": filed("HDF-2024-COOP-0002", "in_review", "Bémol Productions", "15000", 2),
            "ready": filed("HDF-2024-COOP-0003", "in_review", "Canopée Sonore", "12000", 3),
            "completion": filed("HDF-2024-COOP-0004", "completion_requested", "Dièse Label",
                                "5000", 4),
            "split": filed("HDF-2024-COOP-0005", "in_review", "Écho Collectif", "7000", 5),
        }
        Assignment.objects.create(dossier=w["todo"], officer=me, funder="cnm")
        Assignment.objects.create(dossier=w["done"], officer=me, funder="cnm")
        ReviewFactory(dossier=w["done"], officer=me, total=D("14.00"))
        Assignment.objects.create(dossier=w["ready"], officer=other, funder="drac")
        ReviewFactory(dossier=w["ready"], officer=other, funder="drac", total=D("16.00"))
        for reviewer, total in ((other, "18.00"), (officers["region"], "9.00")):
            Assignment.objects.create(dossier=w["split"], officer=reviewer, funder="drac")
            ReviewFactory(dossier=w["split"], officer=reviewer, funder="drac", total=D(total))
        for d in w.values():
            services.summary_refresh(dossier=d)
    return w


# --- predefined views ------------------------------------------------------------------------

@pytest.mark.parametrize("view,expected", [
    ("a-evaluer", ["todo"]),
    ("mes-dossiers", ["done", "todo"]),
    ("completude", ["completion"]),
    ("comite", ["split", "ready", "done"]),
])
def test_predefined_views_list_what_they_say(client, tenant, officers, world, view, expected):
    client.force_login(officers["cnm"])
    response = client.get(url("dashboard", tenant), {"view": view})
    assert refs(response) == [world[k].reference for k in expected]
    assert response.context["state"].view == view


def test_disagreement_view_follows_blind_review(client, tenant, officers, world):
    client.force_login(officers["cnm"])  # no review of « split »: cannot know its spread
    assert refs(client.get(url("dashboard", tenant), {"view": "desaccord"})) == []
    client.force_login(officers["drac1"])  # reviewed it: 18 vs 9 is above the 4-point threshold
    assert refs(client.get(url("dashboard", tenant), {"view": "desaccord"})) == [
        world["split"].reference]


def test_every_preset_has_a_link_on_the_page(client, tenant, officers, world):
    client.force_login(officers["cnm"])
    body = client.get(url("dashboard", tenant)).content.decode()
    for slug, (label, _filters) in PRESETS.items():
        assert f'href="?view={slug}"' in body and str(label) in body


# --- filters per column, faceted counts -------------------------------------------------------

def test_date_range_is_inclusive_in_paris_time(client, tenant, officers, world, call, category):
    with scope(tenant=tenant):
        # 2 March 23:30 Paris is 22:30 UTC: still the 2nd in Paris
        late = FiledDossierFactory(call=call, category=category, reference="HDF-2024-COOP-0099",
                                   submitted_at=datetime(2024, 3, 2, 23, 30, tzinfo=PARIS))
    client.force_login(officers["cnm"])
    response = client.get(url("dashboard", tenant), {"submitted_from": "2024-03-02",
                                                     "submitted_to": "2024-03-03",
                                                     "sort": "-date"})
    assert refs(response) == [world["done"].reference, late.reference, world["ready"].reference]


def test_a_wrong_filter_is_shown_and_the_others_still_apply(client, tenant, officers, world):
    client.force_login(officers["cnm"])
    response = client.get(url("dashboard", tenant), {"submitted_from": "2024-03-04",
                                                     "submitted_to": "2024-03-01",
                                                     "status": "completion_requested"})
    assert response.status_code == 200
    assert response.context["form"].errors["submitted_to"] == [
        "La fin de la période précède son début."]
    assert refs(response) == [world["completion"].reference]


def test_state_counts_ignore_the_state_filter_itself(client, tenant, officers, world):
    client.force_login(officers["cnm"])
    response = client.get(url("dashboard", tenant), {"status": "completion_requested"})
    counts = {c["value"]: c["n"] for c in response.context["counters"]}
    assert counts["in_review"] == 4 and counts["completion_requested"] == 1
    assert response.context["total"] == 1
    body = response.content.decode()
    assert "En instruction (4)</option>" in body and "Compléments demandés (1)</option>" in body


@pytest.mark.usefixtures("render_every_time")
def test_sort_on_every_column_both_ways(client, tenant, officers, world):
    client.force_login(officers["drac1"])
    for value, _label in SORT_CHOICES:
        response = client.get(url("dashboard", tenant), {"sort": value})
        assert response.status_code == 200 and len(refs(response)) == 5, value
    ordered = refs(client.get(url("dashboard", tenant), {"sort": "structure"}))
    assert ordered == [world[k].reference for k in ("todo", "done", "ready", "completion", "split")]
    assert refs(client.get(url("dashboard", tenant), {"sort": "-structure"})) == ordered[::-1]
    amounts = refs(client.get(url("dashboard", tenant), {"sort": "-amount"}))
    assert amounts[0] == world["completion"].reference  # 5 000 € first
    # the structure column header says how it is sorted and offers the reverse
    response = client.get(url("dashboard", tenant), {"sort": "structure"})
    column = next(c for c in response.context["columns"] if c["key"] == "structure")
    assert column["aria_sort"] == "ascending" and column["query"] == "sort=-structure"


def test_median_sort_puts_hidden_scores_last(client, tenant, officers, world):
    client.force_login(officers["drac1"])  # reads « ready » (16) and « split » (13.5)
    ordered = refs(client.get(url("dashboard", tenant), {"sort": "median"}))
    assert ordered[:2] == [world["ready"].reference, world["split"].reference]


# --- pagination ------------------------------------------------------------------------------

def test_page_size_first_last_and_jump(client, tenant, officers, world, call, category):
    with scope(tenant=tenant):
        for n in range(20):
            FiledDossierFactory(call=call, category=category)
    client.force_login(officers["cnm"])
    response = client.get(url("dashboard", tenant), {"per_page": "10", "page": "3"})
    assert len(refs(response)) == 5 and response.context["page"].number == 3
    body = response.content.decode()
    assert 'href="?per_page=10&amp;page=1"' in body  # first page
    assert "fr-pagination__link--last" in body
    assert 'name="page"' in body and 'max="3"' in body  # the jump form
    # an unknown page size falls back to 30; a page beyond the last shows the last
    response = client.get(url("dashboard", tenant), {"per_page": "7", "page": "99"})
    assert response.context["state"].per_page == 30 and len(refs(response)) == 25


# --- saved views -----------------------------------------------------------------------------

def test_an_officer_saves_names_and_deletes_a_view(client, tenant, officers, world):
    client.force_login(officers["cnm"])
    response = client.post(url("saved_view_save", tenant), {
        "name": "  Coopération — à voir   en priorité ",
        "query": "page=2&status=in_review&sort=amount&ids=1,2&bogus=1"})
    with scope(tenant=tenant):
        view = SavedView.objects.get(owner=officers["cnm"])
    assert view.name == "Coopération — à voir en priorité"
    assert view.query == "status=in_review&sort=amount"
    assert response.status_code == 302 and response["Location"].endswith("?" + view.query)
    response = client.get(response["Location"])
    assert response.context["saved_views"][0]["active"] is True
    assert refs(response)[0] == world["done"].reference  # 15 000 € first
    # the same name replaces it; another officer does not see it
    client.post(url("saved_view_save", tenant), {"name": "Coopération — à voir en priorité",
                                                  "query": "view=a-evaluer"})
    with scope(tenant=tenant):
        assert list(SavedView.objects.values_list("query", flat=True)) == ["view=a-evaluer"]
    client.force_login(officers["drac1"])
    assert client.get(url("dashboard", tenant)).context["saved_views"] == []
    assert client.post(url("saved_view_delete", tenant, view_pk=view.pk)).status_code == 404
    client.force_login(officers["cnm"])
    client.post(url("saved_view_delete", tenant, view_pk=view.pk))
    with scope(tenant=tenant):
        assert not SavedView.objects.exists()


def test_a_view_without_name_is_refused_and_keeps_the_list(client, tenant, officers, world):
    client.force_login(officers["cnm"])
    response = client.post(url("saved_view_save", tenant),
                           {"name": "", "query": "status=completion_requested"})
    assert response.status_code == 400
    assert response.context["saved_form"].errors["name"]
    assert refs(response) == [world["completion"].reference]
    too_long = "é" * 81
    response = client.post(url("saved_view_save", tenant), {"name": too_long, "query": ""})
    assert response.status_code == 400 and too_long in response.content.decode()


def test_saved_views_of_another_tenant_are_404(client, tenant, other_tenant, officers):
    stranger = officer(other_tenant, K.CNM)
    with scope(tenant=tenant):
        view = SavedView.objects.create(tenant=tenant, owner=officers["cnm"], name="Mienne")
    client.force_login(stranger)
    assert client.post(url("saved_view_delete", other_tenant, view_pk=view.pk)).status_code == 404
    client.force_login(officers["cnm"])
    assert client.post(url("saved_view_delete", other_tenant, view_pk=view.pk)).status_code == 404


@pytest.mark.parametrize("role", [Role.COMMITTEE, Role.PILOT, Role.ADMIN])
def test_roles_without_the_dashboard_cannot_save_views(client, tenant, make_member, role):
    client.force_login(make_member(tenant, role))
    assert client.post(url("saved_view_save", tenant), {"name": "x"}).status_code == 403
    assert client.post(url("selection", tenant), {"ids": "1"}).status_code == 403


# --- selection and walk ----------------------------------------------------------------------

def test_walk_through_the_checked_dossiers_in_list_order(client, tenant, officers, world):
    client.force_login(officers["cnm"])
    ids = [world["split"].pk, world["todo"].pk, world["ready"].pk]
    response = client.post(url("selection", tenant), {
        "ids": [str(i) for i in ids], "action": "walk", "list_query": "sort=structure"})
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == url("dossier", tenant, pk=world["todo"].pk)  # « Alpha » first
    liste = parse_qs(location.query)["liste"][0]
    assert parse_qs(liste) == {"sort": ["structure"], "ids": [",".join(map(str, ids))]}
    page = client.get(response["Location"])
    walk = page.context["walk"]
    assert (walk.position, walk.total, walk.previous, walk.next) == (
        1, 3, None, world["ready"].pk)
    body = page.content.decode()
    assert 'rel="next"' in body and 'rel="prev"' not in body and "Dossier 1 sur 3" in body
    last = client.get(page.context["walk_next"]).context["walk_next"]
    third = client.get(last)
    assert third.context["walk"].position == 3 and third.context["walk_next"] == ""


def test_walk_through_the_filtered_list_from_a_dossier_link(client, tenant, officers, world):
    client.force_login(officers["cnm"])
    response = client.get(url("dashboard", tenant), {"view": "mes-dossiers"})
    assert response.context["liste"] == "liste=view%3Dmes-dossiers"
    page = client.get(url("dossier", tenant, pk=world["done"].pk), {"liste": "view=mes-dossiers"})
    assert page.context["walk"].next == world["todo"].pk
    # a dossier outside the list: no walk, no error
    page = client.get(url("dossier", tenant, pk=world["ready"].pk), {"liste": "view=mes-dossiers"})
    assert page.status_code == 200 and page.context["walk"] is None


def test_selection_export_gives_only_the_checked_rows(client, tenant, other_tenant, officers,
                                                      world):
    with scope(tenant=other_tenant):
        foreign = FiledDossierFactory(call__tenant=other_tenant)
    client.force_login(officers["cnm"])
    response = client.post(url("selection", tenant), {
        "ids": [world["todo"].pk, foreign.pk], "action": "export_csv", "list_query": ""})
    assert response.status_code == 302
    export = client.get(response["Location"])
    csv = b"".join(export.streaming_content).decode("utf-8-sig")
    assert world["todo"].reference in csv and world["done"].reference not in csv
    assert foreign.reference not in csv
    assert client.post(url("selection", tenant), {"action": "walk"}).status_code == 302


def test_dashboard_with_a_selection_has_a_bounded_query_count(client, tenant, officers, call,
                                                             category, world,
                                                             django_assert_max_num_queries):
    with scope(tenant=tenant):
        extra = [FiledDossierFactory(call=call, category=category) for _ in range(30)]
        SavedView.objects.create(tenant=tenant, owner=officers["cnm"], name="Ma vue",
                                 query="status=in_review")
    client.force_login(officers["cnm"])
    ids = ",".join(str(d.pk) for d in extra)
    client.get(url("dashboard", tenant), {"ids": ids})  # warm (session, content types)
    with django_assert_max_num_queries(18):
        response = client.get(url("dashboard", tenant), {"ids": ids, "sort": "score",
                                                         "view": "comite", "per_page": "50"})
    assert response.status_code == 200
    with django_assert_max_num_queries(18):
        response = client.get(url("dashboard", tenant), {"ids": ids, "per_page": "50"})
    assert len(response.context["rows"]) == 30


# --- voluntary recusal -----------------------------------------------------------------------

def test_an_officer_recuses_themselves_from_the_dossier_page(client, tenant, officers, world):
    dossier = world["todo"]
    with scope(tenant=tenant):
        partner = PartnerFactory(dossier=dossier, name="Coop Ondes")
    client.force_login(officers["cnm"])
    page = client.get(url("dossier", tenant, pk=dossier.pk))
    choices = dict(page.context["recusal_form"].fields["link"].choices)
    assert f"partner-{partner.pk}" in choices and "structure" in choices
    response = client.post(url("dossier_recuse", tenant, pk=dossier.pk), {
        "link": f"partner-{partner.pk}", "nature": "Ancienne salariée", "liste": "view=mes-dossiers"})
    assert response.status_code == 302
    assert response["Location"] == url("dashboard", tenant) + "?view=mes-dossiers"
    with scope(tenant=tenant):
        declaration = ConflictDeclaration.objects.get(officer=officers["cnm"])
    assert (declaration.siret, declaration.structure_name, declaration.nature) == (
        partner.siret, "Coop Ondes", "Ancienne salariée")
    assert client.get(url("dossier", tenant, pk=dossier.pk)).status_code == 404
    assert dossier.reference not in client.get(url("dashboard", tenant)).content.decode()


def test_recusal_without_its_nature_is_shown_again(client, tenant, officers, world):
    client.force_login(officers["cnm"])
    response = client.post(url("dossier_recuse", tenant, pk=world["todo"].pk),
                           {"link": "structure", "nature": ""})
    assert response.status_code == 400
    assert response.context["recusal_form"].errors["nature"]
    with scope(tenant=tenant):
        assert not ConflictDeclaration.objects.exists()


def test_recusal_is_refused_to_others(client, tenant, other_tenant, officers, committee,
                                      applicant, world):
    target = url("dossier_recuse", tenant, pk=world["todo"].pk)
    data = {"link": "structure", "nature": "Proche"}
    client.force_login(committee["cnm"])  # no instruction page: nothing to recuse from here
    assert client.post(target, data).status_code == 404
    client.force_login(applicant)
    assert client.post(target, data).status_code == 404
    client.force_login(officer(other_tenant, K.CNM))
    assert client.post(url("dossier_recuse", other_tenant, pk=world["todo"].pk),
                       data).status_code == 404
    with scope(tenant=tenant):
        assert not ConflictDeclaration.objects.exists()


def test_flash_messages_quote_typed_text_escaped(client, tenant, officers):
    client.force_login(officers["cnm"])
    response = client.post(url("saved_view_save", tenant),
                           {"name": "<script>alert(1)</script>", "query": ""}, follow=True)
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "Vue « &lt;script&gt;alert(1)&lt;/script&gt; » enregistrée." in body


def test_recevable_counts_the_dossiers_followed_after_the_grant(client, tenant, call, category,
                                                                officers):
    """« Recevable » is every state a recevable dossier leads to, the follow-up states the
    awards app registers included (a grant whose advance is paid was found recevable)."""
    from awards.enums import AwardStatus
    from reviews.selectors import eligible_states

    assert {AwardStatus.ADVANCE_PAID, AwardStatus.REPORT_FILED, AwardStatus.CLOSED,
            "granted", "in_review"} <= eligible_states()
    assert not {"submitted", "completion_requested", "ineligible", "withdrawn"} & eligible_states()
    with scope(tenant=tenant):
        paid = FiledDossierFactory(call=call, category=category, status=AwardStatus.ADVANCE_PAID,
                                   reference="HDF-2024-COOP-0101")
        FiledDossierFactory(call=call, category=category, status="submitted",
                            reference="HDF-2024-COOP-0102")
        FiledDossierFactory(call=call, category=category, status="ineligible",
                            reference="HDF-2024-COOP-0103")
    client.force_login(officers["cnm"])
    assert refs(client.get(url("dashboard", tenant), {"eligibility": "eligible"})) == [
        paid.reference]


def test_each_row_says_the_officers_part_in_it(client, tenant, officers, world):
    """« Mon évaluation »: to do where assigned without a review, a draft, or submitted; nothing
    where the officer is no rapporteur (read with the rows, in the same query)."""
    me = officers["cnm"]
    with scope(tenant=tenant):
        Assignment.objects.create(dossier=world["split"], officer=me, funder="cnm")
        ReviewFactory(dossier=world["split"], officer=me, status="draft", total=D("10.00"))
    client.force_login(me)
    rows = {row["dossier"].reference: row["mine"]
            for row in client.get(url("dashboard", tenant)).context["rows"]}
    assert rows == {world["todo"].reference: "assigned", world["done"].reference: "submitted",
                    world["split"].reference: "draft", world["ready"].reference: None,
                    world["completion"].reference: None}
    body = client.get(url("dashboard", tenant)).content.decode()
    assert body.count(">à évaluer<") == 2 and body.count(">soumise<") == 1


def test_the_filters_list_a_category_as_soon_as_it_is_added_renamed_or_removed(
        client, tenant, officers, call, category, other_tenant):
    """The filters' calls, tracks and categories come from the tenant's cached calls: any
    change is listed on the next page, and another tenant's are never listed."""
    from tests.factories import CallFactory, CategoryFactory

    client.force_login(officers["cnm"])
    with scope(tenant=other_tenant):
        CategoryFactory(call=CallFactory(tenant=other_tenant), title="Ailleurs")

    def categories():
        import re

        body = client.get(url("dashboard", tenant)).content.decode()
        options = re.search(r'<select class="fr-select" id="id_category" name="category">(.*?)'
                            r'</select>', body).group(1)
        return [html.unescape(label) for value, label in
                re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', options) if value]

    assert categories() == [f"Expérimentation ({call.title})"]
    with scope(tenant=tenant):
        added = CategoryFactory(call=call, title="Diffusion", position=category.position + 1)
    assert categories() == [f"Expérimentation ({call.title})", f"Diffusion ({call.title})"]
    with scope(tenant=tenant):
        added.title = "Diffusion live"
        added.save()
    assert categories() == [f"Expérimentation ({call.title})", f"Diffusion live ({call.title})"]
    with scope(tenant=tenant):
        added.delete()
    assert categories() == [f"Expérimentation ({call.title})"]


def test_a_page_of_a_list_that_can_match_nothing_is_empty(tenant, officers, world):
    """The page's ids are compiled to SQL before the page's query: a list Django knows to be
    empty (an empty id list) gives no rows instead of an error."""
    from reviews import selectors

    with scope(tenant=tenant):
        qs, _counters = selectors.dashboard_queryset(tenant, officers["cnm"], {})
        assert selectors.dashboard_rows(qs.filter(pk__in=[]), officers["cnm"], tenant=tenant,
                                        sort="", start=0, stop=30) == []
        assert len(selectors.dashboard_rows(qs, officers["cnm"], tenant=tenant, sort="",
                                            start=0, stop=30)) == 5
