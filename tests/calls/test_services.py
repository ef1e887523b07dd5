"""Services of the calls app: validation, transitions, cloning, rule versioning, audit."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from calls import services
from calls.enums import CallStatus
from calls.funding import effective_rules
from calls.models import (AppraisalCriterion, Call, Category, DocumentRequirement,
                          EligibilityCriterion, RulesVersion, Track)
from calls.versioning import (filed_dossier_count, register_filed_dossier_counter,
                              rules_snapshot, snapshot_for_version,
                              unregister_filed_dossier_counter)
from portal.models import AuditEvent
from tests.factories import (AppraisalCriterionFactory, CallFactory, CategoryFactory,
                             CriterionFactory, DocumentRequirementFactory, TrackFactory)
from tests.factories.calls import paris

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(in_scope):
    return CallFactory(tenant=in_scope, status=CallStatus.DRAFT, slug="coop-2024",
                       title="Aide aux projets de coopération professionnelle",
                       opens_at=paris(2024, 2, 1), closes_at=paris(2024, 3, 7, 23, 59, 59))


def call_fields(**overrides):
    fields = {"title": "Aide à la structuration", "slug": "structuration-2024",
              "reference_code": "STRUCT", "opens_at": paris(2024, 2, 1),
              "closes_at": paris(2024, 3, 7, 23, 59, 59), "funders": ["drac", "cnm", "region"]}
    fields.update(overrides)
    return fields


# --- create / update / validation ------------------------------------------------------------

def test_create_call_is_a_draft_and_is_audited(in_scope, admin_user):
    call = services.call_create(user=admin_user, tenant=in_scope, **call_fields(
        description='<p>Texte <script>alert(1)</script><a href="javascript:x()">lien</a></p>'))
    assert call.status == CallStatus.DRAFT and call.rules_version == 1
    assert call.description == "<p>Texte <a rel=\"noopener noreferrer\">lien</a></p>"
    event = AuditEvent.objects.get(action="calls.call.created")
    assert (event.actor, event.target_id) == (admin_user, str(call.pk))
    assert event.data == {"slug": "structuration-2024", "title": "Aide à la structuration"}


def test_plain_text_description_becomes_paragraphs(in_scope, admin_user):
    call = services.call_create(user=admin_user, tenant=in_scope,
                                **call_fields(description="Ligne 1\n\nLigne <2>"))
    assert call.description == "<p>Ligne 1</p>\n\n<p>Ligne &lt;2&gt;</p>"


def test_non_admin_may_not_create_a_call(in_scope, instructor):
    with pytest.raises(PermissionDenied):
        services.call_create(user=instructor, tenant=in_scope, **call_fields())
    assert not Call.objects.exists()


@pytest.mark.parametrize("overrides, field", [
    ({"closes_at": paris(2024, 1, 31)}, "closes_at"),
    ({"amount_min": Decimal("20000"), "amount_max": Decimal("10000")}, "amount_max"),
    ({"advance_percentage": Decimal("120")}, "advance_percentage"),
    ({"max_share_of_budget": Decimal("-1")}, "max_share_of_budget"),
    ({"duration_months_min": 24, "duration_months_max": 12}, "duration_months_max"),
    ({"expenses_start": date(2025, 1, 1), "expenses_end": date(2024, 1, 1)}, "expenses_end"),
    ({"reference_code": "coop"}, "reference_code"),
    ({"slug": "Pas Un Slug"}, "slug"),
    ({"funders": ["pilot"]}, "funders"),
])
def test_bad_call_input_is_refused_on_the_named_field(in_scope, admin_user, overrides, field):
    with pytest.raises(ValidationError) as info:
        services.call_create(user=admin_user, tenant=in_scope, **call_fields(**overrides))
    assert field in info.value.message_dict
    assert not Call.objects.exists()


def test_slug_in_use_in_the_tenant_is_refused_on_slug(draft, admin_user, in_scope):
    with pytest.raises(ValidationError) as info:
        services.call_create(user=admin_user, tenant=in_scope, **call_fields(slug="coop-2024"))
    assert info.value.message_dict == {"slug": [
        "Cet identifiant d'URL est déjà utilisé par un autre appel de ce contrat."]}


def test_same_slug_is_allowed_in_another_tenant(draft, other_tenant, make_member):
    from django_scopes import scope

    admin = make_member(other_tenant, "admin")
    with scope(tenant=other_tenant):
        call = services.call_create(user=admin, tenant=other_tenant,
                                    **call_fields(slug="coop-2024"))
    assert call.slug == "coop-2024"


def test_database_refuses_inverted_dates_and_percentages(draft):
    with pytest.raises(IntegrityError), transaction.atomic():
        Call.objects.filter(pk=draft.pk).update(closes_at=draft.opens_at - timedelta(days=1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Track.objects.create(call=draft, title="x", advance_percentage=Decimal("101"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Category.objects.create(call=draft, title="x", amount_min=5, amount_max=1)


def test_update_records_changes_only(draft, admin_user):
    services.call_update(user=admin_user, call=draft, title=draft.title,
                         envelope=Decimal("210000"))
    event = AuditEvent.objects.get(action="calls.call.updated")
    assert event.data == {"envelope": "210000"}


# --- items ---------------------------------------------------------------------------------------

def test_criterion_with_unknown_field_is_refused_and_nothing_saved(draft, admin_user):
    with pytest.raises(ValidationError) as info:
        services.item_create(model=EligibilityCriterion, user=admin_user, call=draft,
                             kind="check", label="x", field="structure.colour", operator="eq",
                             value="bleu")
    assert list(info.value.message_dict) == ["field"]
    assert not EligibilityCriterion.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="calls.criterion").exists()


def test_criterion_value_is_stored_normalized(draft, admin_user):
    criterion = services.item_create(
        model=EligibilityCriterion, user=admin_user, call=draft, kind="check", label="CA 2021",
        field="structure.revenue", parameter="2021", operator="lt", value="100 000")
    criterion.refresh_from_db()
    assert criterion.value == "100000"
    assert criterion.plain_french == "Chiffre d'affaires 2021 inférieur à 100\u00a0000,00\u00a0€"


def test_declaration_keeps_no_rule_fields(draft, admin_user):
    criterion = services.item_create(
        model=EligibilityCriterion, user=admin_user, call=draft, kind="declaration",
        label="Taxes payées", field="structure.revenue", operator="lt", value="3")
    criterion.refresh_from_db()
    assert (criterion.field, criterion.operator, criterion.value) == ("", "", None)


def test_item_of_another_call_track_is_refused(draft, admin_user, in_scope):
    foreign_track = TrackFactory(call=CallFactory(tenant=in_scope))
    with pytest.raises(ValidationError) as info:
        services.item_create(model=DocumentRequirement, user=admin_user, call=draft,
                             label="Budget", track=foreign_track)
    assert list(info.value.message_dict) == ["track"]


def test_duplicate_track_title_is_refused_on_title(draft, admin_user):
    services.item_create(model=Track, user=admin_user, call=draft, title="Volet spectacle vivant")
    with pytest.raises(ValidationError) as info:
        services.item_create(model=Track, user=admin_user, call=draft,
                             title="Volet spectacle vivant")
    assert list(info.value.message_dict) == ["title"]


def test_archived_call_is_read_only(draft, admin_user):
    TrackFactory(call=draft)
    services.call_publish(user=admin_user, call=draft)
    services.call_archive(user=admin_user, call=draft)
    with pytest.raises(ValidationError):
        services.item_create(model=Track, user=admin_user, call=draft, title="Nouveau")
    with pytest.raises(ValidationError):
        services.call_update(user=admin_user, call=draft, title="Nouveau")


# --- transitions ---------------------------------------------------------------------------

def test_publishing_requires_dates(in_scope, admin_user):
    call = CallFactory(tenant=in_scope, status=CallStatus.DRAFT, opens_at=None)
    with pytest.raises(ValidationError) as info:
        services.call_publish(user=admin_user, call=call)
    assert info.value.messages == ["Renseignez les dates d'ouverture et de clôture."]
    call.refresh_from_db()
    assert call.status == CallStatus.DRAFT


def test_a_call_without_tracks_or_categories_is_published(in_scope, admin_user):
    call = CallFactory(tenant=in_scope, status=CallStatus.DRAFT)
    services.call_publish(user=admin_user, call=call)
    call.refresh_from_db()
    assert call.status == CallStatus.PUBLISHED
    assert call.rules_versions.get().snapshot["track"] is None


def test_publish_close_archive_are_audited_and_snapshot_version_one(draft, admin_user):
    CategoryFactory(call=draft)
    services.call_publish(user=admin_user, call=draft)
    services.call_close(user=admin_user, call=draft)
    services.call_archive(user=admin_user, call=draft)
    draft.refresh_from_db()
    assert draft.status == CallStatus.ARCHIVED
    assert list(AuditEvent.objects.filter(target_id=str(draft.pk))
                .order_by("created_at", "pk").values_list("action", flat=True)) == [
        "calls.call.published", "calls.call.closed", "calls.call.archived"]
    assert list(RulesVersion.objects.filter(call=draft).values_list("version", flat=True)) == [1]


def test_closing_a_draft_is_refused(draft, admin_user):
    with pytest.raises(ValidationError):
        services.call_close(user=admin_user, call=draft)


def test_only_a_draft_may_be_deleted(draft, admin_user, in_scope):
    published = CallFactory(tenant=in_scope)
    with pytest.raises(ValidationError):
        services.call_delete(user=admin_user, call=published)
    services.call_delete(user=admin_user, call=draft)
    assert list(Call.objects.values_list("pk", flat=True)) == [published.pk]


def test_is_open_follows_dates_and_status(in_scope):
    call = CallFactory(tenant=in_scope, opens_at=paris(2024, 2, 1),
                       closes_at=paris(2024, 3, 7, 23, 59, 59))
    assert call.is_open(paris(2024, 3, 7, 23, 59, 58))
    assert not call.is_open(paris(2024, 3, 8, 0, 0, 0))
    assert not call.is_open(paris(2024, 1, 31, 23, 59))
    assert call.phase(paris(2024, 1, 1)) == "upcoming"
    assert call.phase(paris(2024, 3, 8)) == "closed"
    call.status = CallStatus.CLOSED
    assert not call.is_open(paris(2024, 2, 15))


def test_is_open_includes_the_closing_second_everywhere(in_scope):
    closes_at = paris(2024, 3, 7, 23, 59, 59)
    call = CallFactory(tenant=in_scope, opens_at=paris(2024, 2, 1), closes_at=closes_at)
    last_instant = closes_at + timedelta(microseconds=800000)
    for now in (closes_at, last_instant):
        assert call.is_open(now) is True
        assert call.phase(now) == "open"
        assert call.is_past_deadline(now) is False  # the admins' list: not flagged yet
    after = closes_at + timedelta(seconds=1)
    assert call.is_open(after) is False
    assert call.phase(after) == "closed"
    assert call.is_past_deadline(after) is True


# --- clone --------------------------------------------------------------------------------------

def test_clone_is_a_deep_independent_draft_for_next_year(draft, admin_user):
    draft.funders = ["drac", "cnm"]
    draft.min_self_financing_share = Decimal("30")
    draft.save()
    live = TrackFactory(call=draft, title="Volet spectacle vivant")
    TrackFactory(call=draft, title="Volet musiques enregistrées")
    shared = CategoryFactory(call=draft, title="Catégorie 1 : Expérimentation", min_partners=2)
    own = CategoryFactory(call=draft, track=live, title="Catégorie propre")
    CriterionFactory(call=draft)
    CriterionFactory(call=draft, track=live, label="Licences 2 et 3",
                     field="structure.licence_categories", operator="contains_all",
                     value=["2", "3"])
    CriterionFactory(call=draft, category=shared, label="Au moins 2 acteurs",
                     field="dossier.partner_count", operator="gte", value=2)
    DocumentRequirementFactory(call=draft, track=live, label="Budget", allowed_formats=["pdf",
                                                                                       "xlsx"])
    AppraisalCriterionFactory(call=draft, category=own, label="Impact", weight=Decimal("2"))

    new = services.call_clone(user=admin_user, call=draft, title="Coopération 2025",
                              slug="coop-2025")

    assert new.status == CallStatus.DRAFT and new.rules_version == 1
    assert new.cloned_from == draft and new.funders == ["drac", "cnm"]
    assert new.min_self_financing_share == Decimal("30.00")
    # Same wall-clock time one year later (23:59:59 in Paris, whatever the DST offset).
    assert new.closes_at == paris(2025, 3, 7, 23, 59, 59)
    assert new.opens_at == paris(2025, 2, 1)
    assert [t.title for t in new.tracks.all()] == ["Volet spectacle vivant",
                                                   "Volet musiques enregistrées"]
    new_live = new.tracks.get(title="Volet spectacle vivant")
    assert new_live.pk != live.pk
    new_own = new.categories.get(title="Catégorie propre")
    assert new_own.track == new_live
    new_shared = new.categories.get(title="Catégorie 1 : Expérimentation")
    assert new_shared.track is None and new_shared.min_partners == 2
    criteria = {c.label: c for c in new.eligibility_criteria.all()}
    assert criteria["Licences 2 et 3"].track == new_live
    assert criteria["Licences 2 et 3"].value == ["2", "3"]
    assert criteria["Au moins 2 acteurs"].category == new_shared
    doc = new.document_requirements.get()
    assert (doc.track, doc.allowed_formats) == (new_live, ["pdf", "xlsx"])
    assert new.appraisal_criteria.get().category == new_own
    # Independent: editing the copy leaves the original alone.
    services.item_update(user=admin_user, item=new_live, title="Volet live")
    services.item_delete(user=admin_user, item=doc)
    live.refresh_from_db()
    assert live.title == "Volet spectacle vivant"
    assert DocumentRequirement.objects.filter(call=draft).count() == 1
    assert EligibilityCriterion.objects.filter(call=draft).count() == 3
    event = AuditEvent.objects.get(action="calls.call.cloned")
    assert event.data == {"from": draft.pk, "from_slug": "coop-2024", "tracks": 2,
                          "categories": 2, "eligibility_criteria": 3,
                          "appraisal_criteria": 1, "document_requirements": 1}


def test_clone_with_a_slug_in_use_saves_nothing(draft, admin_user):
    TrackFactory(call=draft)
    with pytest.raises(ValidationError) as info:
        services.call_clone(user=admin_user, call=draft, title="x", slug="coop-2024")
    assert list(info.value.message_dict) == ["slug"]
    assert Call.objects.count() == 1 and Track.objects.count() == 1


# --- effective rules ------------------------------------------------------------------------------

def test_category_rules_fall_back_to_track_then_call(draft):
    draft.advance_percentage = Decimal("80")
    draft.min_self_financing_share = Decimal("30")
    draft.amount_max = Decimal("99999")
    draft.advance_paid_on, draft.report_due_months = "notification", 3
    draft.save()
    track = TrackFactory(call=draft, max_share_of_budget=Decimal("50"),
                         min_self_financing_share=Decimal("40"), report_due_months=6)
    category = CategoryFactory(call=draft, amount_min=Decimal("5000"),
                               amount_max=Decimal("15000"), min_partners=2,
                               advance_paid_on="convention")
    assert effective_rules(draft, track, category) == {
        "amount_min": Decimal("5000.00"), "amount_max": Decimal("15000.00"),
        "max_share_of_budget": Decimal("50.00"), "min_self_financing_share": Decimal("40.00"),
        "advance_percentage": Decimal("80.00"), "min_partners": 2,
        "duration_months_min": None, "duration_months_max": None,
        "advance_paid_on": "convention", "balance_paid_on": None, "report_due_months": 6,
        "share_base": None}
    assert effective_rules(draft, track)["amount_max"] == Decimal("99999.00")
    assert effective_rules(draft)["min_self_financing_share"] == Decimal("30.00")


def test_effective_rules_refuses_a_foreign_track(draft, in_scope):
    with pytest.raises(ValueError):
        effective_rules(draft, TrackFactory(call=CallFactory(tenant=in_scope)))


def test_category_of_a_track_uses_that_track_when_none_given(draft):
    track = TrackFactory(call=draft, advance_percentage=Decimal("70"))
    category = CategoryFactory(call=draft, track=track)
    assert effective_rules(draft, None, category)["advance_percentage"] == Decimal("70.00")


# --- versioning --------------------------------------------------------------------------------

@pytest.fixture
def published(draft, admin_user):
    track = TrackFactory(call=draft, title="Volet spectacle vivant")
    CriterionFactory(call=draft, label="24 mois")
    CriterionFactory(call=draft, track=track, label="Licences", value="3",
                     field="structure.licence_categories", operator="contains")
    services.call_publish(user=admin_user, call=draft)
    return draft


def test_draft_changes_do_not_bump_the_version(draft, admin_user):
    services.item_create(model=Track, user=admin_user, call=draft, title="Volet")
    draft.refresh_from_db()
    assert draft.rules_version == 1
    assert not RulesVersion.objects.exists()


def test_rule_change_on_published_call_bumps_version_and_keeps_the_old_snapshot(
        published, admin_user):
    criterion = EligibilityCriterion.objects.get(label="24 mois")
    services.item_update(user=admin_user, item=criterion, value="36")
    published.refresh_from_db()
    assert published.rules_version == 2
    old = snapshot_for_version(published, 1)
    new = snapshot_for_version(published, 2)
    assert [c["value"] for c in old["eligibility_criteria"] if c["label"] == "24 mois"] == [24]
    assert [c["value"] for c in new["eligibility_criteria"] if c["label"] == "24 mois"] == [36]
    assert AuditEvent.objects.filter(action="calls.call.rules_version_bumped").count() == 1
    assert AuditEvent.objects.get(action="calls.criterion.updated").data == {
        "call": published.pk, "value": 36, "rules_version": 2}


def test_call_rule_field_change_bumps_but_title_change_does_not(published, admin_user):
    services.call_update(user=admin_user, call=published, title="Nouveau titre")
    published.refresh_from_db()
    assert published.rules_version == 1
    services.call_update(user=admin_user, call=published, advance_percentage=Decimal("70"))
    published.refresh_from_db()
    assert published.rules_version == 2


def test_deleting_a_document_of_a_published_call_bumps_version(published, admin_user):
    doc = DocumentRequirementFactory(call=published)
    services.item_delete(user=admin_user, item=doc)
    published.refresh_from_db()
    assert published.rules_version == 2


def test_snapshot_of_a_choice_holds_effective_rules_and_applicable_items(published):
    published.min_self_financing_share = Decimal("30")
    published.save()
    published.refresh_from_db()
    track = published.tracks.get()
    other = TrackFactory(call=published, title="Autre volet")
    CriterionFactory(call=published, track=other, label="Seulement l'autre volet")
    DocumentRequirementFactory(call=published, label="Budget", allowed_formats=["pdf"])
    AppraisalCriterionFactory(call=published, label="Impact", weight=Decimal("1.5"))
    snapshot = rules_snapshot(published, track=track)
    assert snapshot["rules_version"] == 1
    assert snapshot["track"] == {"id": track.pk, "title": "Volet spectacle vivant"}
    assert snapshot["rules"]["min_self_financing_share"] == "30.00"
    assert [c["label"] for c in snapshot["eligibility_criteria"]] == ["24 mois", "Licences"]
    assert snapshot["eligibility_criteria"][0] == {
        "id": EligibilityCriterion.objects.get(label="24 mois").pk, "kind": "check",
        "label": "24 mois", "field": "structure.months_of_activity", "parameter": "",
        "operator": "gte", "value": 24, "severity": "blocking", "message": "",
        "track_id": None, "category_id": None,
        "description": "Ancienneté d'activité de la structure supérieure ou égale à "
                       "24\u00a0mois"}
    assert [d["label"] for d in snapshot["document_requirements"]] == ["Budget"]
    assert snapshot["appraisal_criteria"][0]["weight"] == "1.50"
    # JSON all the way down, and the evaluator reads its criteria.
    import json

    assert json.loads(json.dumps(snapshot)) == snapshot
    from calls.eligibility import evaluate

    results = evaluate(snapshot["eligibility_criteria"],
                       {"structure.months_of_activity": 30,
                        "structure.licence_categories": {"2"}})
    assert [r.status for r in results] == ["pass", "fail"]


def test_filed_dossier_counter_registry(published):
    assert filed_dossier_count(published) == 0

    def counter(call):
        return 4 if call.pk == published.pk else 0

    register_filed_dossier_counter(counter)
    register_filed_dossier_counter(counter)
    try:
        assert filed_dossier_count(published) == 4
    finally:
        unregister_filed_dossier_counter(counter)
    assert filed_dossier_count(published) == 0


def test_now_is_between_demo_factory_dates(in_scope):
    call = CallFactory(tenant=in_scope)
    assert call.is_open(timezone.now())


def test_track_used_by_a_dossier_cannot_be_deleted(published, admin_user):
    from tests.factories.applications import DossierFactory

    track = published.tracks.get()
    DossierFactory(call=published, track=track)
    with pytest.raises(ValidationError) as info:
        services.item_delete(user=admin_user, item=track)
    assert info.value.messages == [
        "« Volet spectacle vivant » est utilisé par des dossiers : il ne peut pas être "
        "supprimé."]
    assert Track.objects.filter(pk=track.pk).exists()
    published.refresh_from_db()
    assert published.rules_version == 1
    assert not AuditEvent.objects.filter(action="calls.track.deleted").exists()
