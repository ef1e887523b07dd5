"""Tenant admin pages of the calls: forms and their errors, permissions, 404 across tenants."""

from decimal import Decimal

import pytest
from django_scopes import scope

from calls.enums import CallStatus
from calls.models import Call, EligibilityCriterion, Track
from calls.versioning import register_filed_dossier_counter, unregister_filed_dossier_counter
from portal.models import AuditEvent
from tests.factories import (AppraisalCriterionFactory, CallFactory, CategoryFactory,
                             CriterionFactory, DocumentRequirementFactory, TrackFactory)
from tests.factories.calls import paris

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]


@pytest.fixture
def call(tenant):
    with scope(tenant=tenant):
        call = CallFactory(tenant=tenant, slug="coop-2024", status=CallStatus.DRAFT,
                           opens_at=paris(2024, 2, 1), closes_at=paris(2024, 3, 7, 23, 59, 59))
        track = TrackFactory(call=call, title="Volet spectacle vivant")
        CategoryFactory(call=call, title="Catégorie 1")
        CriterionFactory(call=call, track=track)
        AppraisalCriterionFactory(call=call)
        DocumentRequirementFactory(call=call)
    return call


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def item_pk(call, model):
    with scope(tenant=call.tenant):
        return model.objects.filter(call=call).values_list("pk", flat=True).first()


def manage_get_pages(call):
    from calls.models import AppraisalCriterion, Category, DocumentRequirement

    base = f"/{call.tenant.slug}/gestion/appels"
    pages = [f"{base}/", f"{base}/nouveau/", f"{base}/{call.slug}/",
             f"{base}/{call.slug}/modifier/", f"{base}/{call.slug}/dupliquer/"]
    for kind, model in (("volets", Track), ("categories", Category),
                        ("criteres", EligibilityCriterion), ("appreciation", AppraisalCriterion),
                        ("pieces", DocumentRequirement)):
        pages += [f"{base}/{call.slug}/{kind}/nouveau/",
                  f"{base}/{call.slug}/{kind}/{item_pk(call, model)}/"]
    return pages


def test_admin_sees_every_manage_page(admin_client, call):
    for path in manage_get_pages(call):
        response = admin_client.get(path)
        assert response.status_code == 200, path


@pytest.mark.parametrize("role", ["instructor", "committee", "pilot"])
def test_other_roles_are_refused(client, call, make_member, role):
    client.force_login(make_member(call.tenant, role))
    for path in manage_get_pages(call):
        assert client.get(path).status_code == 403, path
    base = f"/{call.tenant.slug}/gestion/appels/{call.slug}"
    for action in ("publier", "cloturer", "archiver", "supprimer"):
        assert client.post(f"{base}/{action}/").status_code == 403


def test_applicant_without_role_is_refused(client, call, applicant):
    client.force_login(applicant)  # no role in the tenant: its pages are not revealed
    assert client.get(f"/{call.tenant.slug}/gestion/appels/").status_code == 404


def test_anonymous_is_sent_to_login(client, call):
    for path in manage_get_pages(call):
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/"), path


def test_admin_of_another_tenant_is_refused(client, call, other_tenant, make_member):
    client.force_login(make_member(other_tenant, "admin"))
    assert client.get(f"/{call.tenant.slug}/gestion/appels/{call.slug}/").status_code == 404


def test_call_of_another_tenant_answers_404(client, call, other_tenant, make_member):
    client.force_login(make_member(other_tenant, "admin"))
    base = f"/{other_tenant.slug}/gestion/appels/{call.slug}"
    assert client.get(f"{base}/").status_code == 404
    assert client.get(f"{base}/modifier/").status_code == 404
    assert client.post(f"{base}/supprimer/").status_code == 404
    assert client.get(f"{base}/volets/nouveau/").status_code == 404
    with scope(tenant=call.tenant):
        assert Call.objects.filter(pk=call.pk).exists()


def test_item_of_another_call_answers_404(admin_client, call, tenant):
    with scope(tenant=tenant):
        other = CallFactory(tenant=tenant, slug="autre")
    track_pk = item_pk(call, Track)
    base = f"/{tenant.slug}/gestion/appels/{other.slug}"
    assert admin_client.get(f"{base}/volets/{track_pk}/").status_code == 404
    assert admin_client.post(f"{base}/volets/{track_pk}/supprimer/").status_code == 404
    assert admin_client.get(f"{base}/inconnu/nouveau/").status_code == 404
    with scope(tenant=tenant):
        assert Track.objects.filter(pk=track_pk).exists()


def test_manage_list_query_count_does_not_grow(admin_client, tenant,
                                                django_assert_max_num_queries):
    with scope(tenant=tenant):
        for i in range(6):
            c = CallFactory(tenant=tenant)
            TrackFactory(call=c)
            CriterionFactory(call=c)
    with django_assert_max_num_queries(12):
        response = admin_client.get(f"/{tenant.slug}/gestion/appels/")
    assert response.status_code == 200
    assert len(response.context["calls"]) == 6


def test_manage_call_page_query_count_is_bounded(admin_client, call,
                                                 django_assert_max_num_queries):
    with scope(tenant=call.tenant):
        for i in range(5):
            t = TrackFactory(call=call)
            CriterionFactory(call=call, track=t)
            DocumentRequirementFactory(call=call, track=t)
    with django_assert_max_num_queries(20):
        assert admin_client.get(
            f"/{call.tenant.slug}/gestion/appels/{call.slug}/").status_code == 200


# --- the call form ------------------------------------------------------------------------------

def call_post(**overrides):
    data = {"title": "Aide aux projets de coopération professionnelle",
            "slug": "cooperation-2025", "reference_code": "coop",
            "description": "<p>Présentation</p>", "opens_on": "2025-02-01", "opens_time": "",
            "closes_on": "2025-09-18", "closes_end_of_day": "on", "closes_time": "",
            "committee_date": "2025-10-30", "expenses_start": "2025-01-01",
            "expenses_end": "2026-12-31", "envelope": "210000",
            "funders": ["drac", "cnm", "region"], "min_self_financing_share": "30",
            "advance_percentage": "80"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_admin_creates_a_call_closing_at_end_of_day_paris(admin_client, tenant, admin_user):
    response = admin_client.post(f"/{tenant.slug}/gestion/appels/nouveau/", call_post())
    assert response.status_code == 302
    with scope(tenant=tenant):
        call = Call.objects.get(slug="cooperation-2025")
    assert response.url == f"/{tenant.slug}/gestion/appels/cooperation-2025/"
    assert call.closes_at == paris(2025, 9, 18, 23, 59, 59)
    assert call.opens_at == paris(2025, 2, 1, 0, 0)
    assert call.reference_code == "COOP"
    assert call.funders == ["drac", "cnm", "region"]
    assert call.advance_percentage == Decimal("80.00")
    assert call.status == CallStatus.DRAFT


def test_closing_time_can_be_given_when_not_end_of_day(admin_client, tenant):
    admin_client.post(f"/{tenant.slug}/gestion/appels/nouveau/",
                      call_post(closes_end_of_day=None, closes_time="12:00"))
    with scope(tenant=tenant):
        assert Call.objects.get().closes_at == paris(2025, 9, 18, 12, 0)


@pytest.mark.parametrize("overrides, field", [
    ({"closes_on": "2025-01-15"}, "closes_on"),
    ({"amount_min": "20000", "amount_max": "10000"}, "amount_max"),
    ({"advance_percentage": "150"}, "advance_percentage"),
    ({"min_self_financing_share": "-5"}, "min_self_financing_share"),
    ({"expenses_end": "2024-01-01"}, "expenses_end"),
    ({"slug": "Pas un slug"}, "slug"),
    ({"reference_code": "c"}, "reference_code"),
    ({"opens_time": "02:30", "opens_on": "2025-03-30"}, "opens_time"),  # hour skipped by DST
])
def test_bad_call_input_names_the_field_and_keeps_the_input(admin_client, tenant, overrides,
                                                            field):
    response = admin_client.post(f"/{tenant.slug}/gestion/appels/nouveau/", call_post(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    html = response.content.decode()
    assert 'value="Aide aux projets de coopération professionnelle"' in html
    with scope(tenant=tenant):
        assert not Call.objects.exists()


def test_slug_in_use_is_refused_on_the_slug_field(admin_client, call):
    response = admin_client.post(f"/{call.tenant.slug}/gestion/appels/nouveau/",
                                 call_post(slug="coop-2024"))
    assert response.status_code == 200
    assert response.context["form"].errors["slug"] == [
        "Cet identifiant d'URL est déjà utilisé par un autre appel de ce contrat."]


def test_edit_form_shows_paris_dates_and_saves(admin_client, call):
    url = f"/{call.tenant.slug}/gestion/appels/{call.slug}/modifier/"
    form = admin_client.get(url).context["form"]
    assert str(form.initial["closes_on"]) == "2024-03-07"
    assert form.initial["closes_end_of_day"] is True
    response = admin_client.post(url, call_post(slug="coop-2024", title="Nouveau titre",
                                                opens_on="2024-02-01", closes_on="2024-03-07"))
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.title == "Nouveau titre"
    assert call.closes_at == paris(2024, 3, 7, 23, 59, 59)


# --- items ---------------------------------------------------------------------------------------

def test_admin_adds_a_check_criterion(admin_client, call):
    url = f"/{call.tenant.slug}/gestion/appels/{call.slug}/criteres/nouveau/"
    response = admin_client.post(url, {
        "kind": "check", "label": "Chiffre d'affaires 2021", "field": "structure.revenue",
        "parameter": "2021", "operator": "lt", "value": "100 000", "severity": "blocking",
        "message": "", "position": "0"})
    assert response.status_code == 302
    with scope(tenant=call.tenant):
        criterion = EligibilityCriterion.objects.get(label="Chiffre d'affaires 2021")
    assert (criterion.field, criterion.parameter, criterion.operator, criterion.value) == (
        "structure.revenue", "2021", "lt", "100000")


@pytest.mark.parametrize("overrides, field", [
    ({"field": "structure.pointure"}, "field"),
    ({"field": "structure.cnm_affiliated", "operator": "gte"}, "operator"),
    ({"value": "beaucoup"}, "value"),
    ({"parameter": ""}, "parameter"),
])
def test_bad_criterion_names_the_field(admin_client, call, overrides, field):
    data = {"kind": "check", "label": "CA", "field": "structure.revenue", "parameter": "2021",
            "operator": "lt", "value": "100000", "severity": "blocking", "position": "0"}
    data.update(overrides)
    response = admin_client.post(
        f"/{call.tenant.slug}/gestion/appels/{call.slug}/criteres/nouveau/", data)
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    with scope(tenant=call.tenant):
        assert not EligibilityCriterion.objects.filter(label="CA").exists()


def test_criterion_edit_form_shows_value_as_typed(admin_client, call):
    with scope(tenant=call.tenant):
        criterion = CriterionFactory(call=call, field="dossier.requested_amount",
                                     operator="between", value=["5000", "15000"])
    response = admin_client.get(
        f"/{call.tenant.slug}/gestion/appels/{call.slug}/criteres/{criterion.pk}/")
    assert response.context["form"].initial["value"] == "5 000 ; 15 000"


def test_category_form_offers_only_this_calls_tracks(admin_client, call, tenant):
    with scope(tenant=tenant):
        foreign_track = TrackFactory(call=CallFactory(tenant=tenant), title="Volet étranger")
    url = f"/{tenant.slug}/gestion/appels/{call.slug}/categories/nouveau/"
    response = admin_client.post(url, {"track": foreign_track.pk, "title": "Cat",
                                       "position": "0"})
    assert response.status_code == 200
    assert "track" in response.context["form"].errors


def test_track_with_min_above_max_is_refused(admin_client, call):
    response = admin_client.post(
        f"/{call.tenant.slug}/gestion/appels/{call.slug}/volets/nouveau/",
        {"title": "Volet musique à l'image", "position": "0", "amount_min": "25000",
         "amount_max": "15000"})
    assert response.status_code == 200
    assert "amount_max" in response.context["form"].errors
    assert "Volet musique à l&#x27;image" in response.content.decode()


def test_document_formats_are_parsed(admin_client, call):
    admin_client.post(f"/{call.tenant.slug}/gestion/appels/{call.slug}/pieces/nouveau/",
                      {"label": "Budget global", "allowed_formats": ".PDF, xlsx; ods",
                       "required": "on", "max_size_mb": "20", "position": "0"})
    with scope(tenant=call.tenant):
        doc = call.document_requirements.get(label="Budget global")
    assert doc.allowed_formats == ["pdf", "xlsx", "ods"] and doc.max_size_mb == 20


def test_admin_deletes_an_item(admin_client, call):
    pk = item_pk(call, Track)
    response = admin_client.post(
        f"/{call.tenant.slug}/gestion/appels/{call.slug}/volets/{pk}/supprimer/")
    assert response.status_code == 302
    with scope(tenant=call.tenant):
        assert not Track.objects.filter(pk=pk).exists()
        assert AuditEvent.objects.filter(action="calls.track.deleted").count() == 1


# --- transitions, clone, preview, versions ---------------------------------------------------

def test_publish_then_public_page_is_visible(admin_client, client, call):
    response = admin_client.post(f"/{call.tenant.slug}/gestion/appels/{call.slug}/publier/",
                                 {"confirm": "on"})
    assert response.status_code == 302
    call.refresh_from_db()
    assert call.status == CallStatus.PUBLISHED


def test_publish_refused_shows_the_reasons(admin_client, tenant):
    with scope(tenant=tenant):
        bare = CallFactory(tenant=tenant, status=CallStatus.DRAFT, slug="vide", closes_at=None)
    response = admin_client.post(f"/{tenant.slug}/gestion/appels/vide/publier/", follow=True)
    assert "Renseignez les dates d&#x27;ouverture et de clôture." in response.content.decode()
    bare.refresh_from_db()
    assert bare.status == CallStatus.DRAFT


def test_clone_through_the_page(admin_client, call):
    url = f"/{call.tenant.slug}/gestion/appels/{call.slug}/dupliquer/"
    assert admin_client.get(url).context["form"].initial["slug"] == "coop-2024-2025"
    response = admin_client.post(url, {"title": "Coopération 2025", "slug": "coop-2025",
                                       "reference_code": "", "shift_years": "1"})
    assert response.status_code == 302
    with scope(tenant=call.tenant):
        new = Call.objects.get(slug="coop-2025")
        assert new.tracks.count() == 1 and new.eligibility_criteria.count() == 1
    assert new.closes_at == paris(2025, 3, 7, 23, 59, 59)


def test_clone_with_slug_in_use_keeps_the_input(admin_client, call):
    response = admin_client.post(
        f"/{call.tenant.slug}/gestion/appels/{call.slug}/dupliquer/",
        {"title": "Coopération 2025", "slug": "coop-2024", "shift_years": "1"})
    assert response.status_code == 200
    assert "slug" in response.context["form"].errors
    assert 'value="Coopération 2025"' in response.content.decode()


def test_published_call_pages_warn_about_filed_dossiers(admin_client, call, admin_user):
    from calls import services

    with scope(tenant=call.tenant):
        services.call_publish(user=admin_user, call=call)

    def counter(c):
        return 3

    register_filed_dossier_counter(counter)
    try:
        response = admin_client.get(
            f"/{call.tenant.slug}/gestion/appels/{call.slug}/volets/nouveau/")
    finally:
        unregister_filed_dossier_counter(counter)
    assert ("crée la version 2. 3 dossiers déjà déposés restent jugés selon la version 1."
            in response.content.decode())
    response = admin_client.post(
        f"/{call.tenant.slug}/gestion/appels/{call.slug}/volets/nouveau/",
        {"title": "Volet musique à l'image", "position": "1"}, follow=True)
    html = response.content.decode()
    assert "Les règles de l&#x27;appel sont passées en version 2." in html
    assert ("toute modification de ses règles crée la version 3. Aucun dossier n&#x27;a "
            "encore été déposé.") in html
    call.refresh_from_db()
    assert call.rules_version == 2


def test_manage_nav_links_to_calls(admin_client, tenant):
    html = admin_client.get(f"/{tenant.slug}/gestion/").content.decode()
    assert f'href="/{tenant.slug}/gestion/appels/"' in html


def test_manage_list_tells_a_published_call_past_its_deadline(admin_client, tenant):
    with scope(tenant=tenant):
        CallFactory(tenant=tenant, slug="passe", opens_at=paris(2023, 7, 21),
                    closes_at=paris(2023, 9, 18, 23, 59, 59))
    html = admin_client.get(f"/{tenant.slug}/gestion/appels/").content.decode()
    assert "Publié <span class=\"fr-hint-text\">(date limite passée)</span>" in html


def test_document_format_the_upload_check_cannot_recognise_is_refused(admin_client, call):
    response = admin_client.post(
        f"/{call.tenant.slug}/gestion/appels/{call.slug}/pieces/nouveau/",
        {"label": "Partition", "allowed_formats": "pdf, pages, mscz", "required": "on",
         "max_size_mb": "20", "position": "0"})
    assert response.status_code == 200
    assert response.context["form"].errors["allowed_formats"] == [
        "Format(s) non reconnu(s) par la vérification des fichiers : pages, mscz. Formats "
        "possibles, entre autres : pdf, docx, xlsx, odt, ods, jpg, png, csv, txt, zip."]
    assert 'value="pdf, pages, mscz"' in response.content.decode()
    with scope(tenant=call.tenant):
        assert not call.document_requirements.filter(label="Partition").exists()


def test_document_formats_accept_aliases_and_text_formats(admin_client, call):
    admin_client.post(f"/{call.tenant.slug}/gestion/appels/{call.slug}/pieces/nouveau/",
                      {"label": "Annexes", "allowed_formats": "jpeg, tiff, csv, txt, odt",
                       "required": "on", "max_size_mb": "20", "position": "0"})
    with scope(tenant=call.tenant):
        doc = call.document_requirements.get(label="Annexes")
    assert doc.allowed_formats == ["jpeg", "tiff", "csv", "txt", "odt"]


def test_document_size_above_the_portal_ceiling_is_refused(admin_client, call, settings):
    settings.PORTAL_UPLOAD_MAX_BYTES = 100 * 1024 * 1024
    response = admin_client.post(
        f"/{call.tenant.slug}/gestion/appels/{call.slug}/pieces/nouveau/",
        {"label": "Captation vidéo", "allowed_formats": "mp4", "required": "on",
         "max_size_mb": "500", "position": "0"})
    assert response.status_code == 200
    assert response.context["form"].errors["max_size_mb"] == [
        "Au plus 100 Mo : le portail refuse tout fichier plus lourd."]
    assert 'value="500"' in response.content.decode()


# --- confirmation of irreversible actions ------------------------------------------------------

def _page(response) -> str:
    import html

    return html.unescape(response.content.decode()).replace("\u00a0", " ")


def test_publishing_asks_for_confirmation_first(admin_client, call):
    target = f"/{call.tenant.slug}/gestion/appels/{call.slug}/publier/"
    for response in (admin_client.get(target), admin_client.post(target)):
        assert response.status_code == 200
        body = _page(response)
        assert f"Publier l'appel « {call.title} »" in body
        assert "1er février 2024 à 0 h 00 au 7 mars 2024 à 23 h 59" in body
        assert 'name="confirm"' in body
    call.refresh_from_db()
    assert call.status == CallStatus.DRAFT


def test_deleting_an_item_of_a_published_call_asks_for_confirmation(admin_client, call):
    with scope(tenant=call.tenant):
        Call.objects.filter(pk=call.pk).update(status=CallStatus.PUBLISHED)
    pk = item_pk(call, Track)
    target = f"/{call.tenant.slug}/gestion/appels/{call.slug}/volets/{pk}/supprimer/"
    body = _page(admin_client.post(target))
    assert "Supprimer « Volet spectacle vivant »" in body and "Supprimer définitivement" in body
    with scope(tenant=call.tenant):
        assert Track.objects.filter(pk=pk).exists()
    assert admin_client.post(target, {"confirm": "on"}).status_code == 302
    with scope(tenant=call.tenant):
        assert not Track.objects.filter(pk=pk).exists()


def test_deleting_a_draft_call_asks_for_confirmation(admin_client, call):
    target = f"/{call.tenant.slug}/gestion/appels/{call.slug}/supprimer/"
    assert "Supprimer le brouillon « " in _page(admin_client.post(target))
    with scope(tenant=call.tenant):
        assert Call.objects.filter(pk=call.pk).exists()
    admin_client.post(target, {"confirm": "on"})
    with scope(tenant=call.tenant):
        assert not Call.objects.filter(pk=call.pk).exists()


def test_call_confirmation_pages_are_refused_to_others(client, call, other_tenant, make_member,
                                                       instructor):
    from portal.enums import Role

    base = f"/{call.tenant.slug}/gestion/appels/{call.slug}"
    client.force_login(instructor)
    assert client.get(f"{base}/publier/").status_code == 403
    client.force_login(make_member(other_tenant, Role.ADMIN))
    for suffix in ("publier/", "cloturer/", "supprimer/"):
        assert client.get(f"{base}/{suffix}").status_code == 404
    assert client.get(f"/{other_tenant.slug}/gestion/appels/{call.slug}/publier/"
                      ).status_code == 404
