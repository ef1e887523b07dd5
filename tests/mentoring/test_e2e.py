"""In Chromium: a structure states its need, the pilot diagnoses it, picks the matchmaker's
best candidate (score explained), writes the cahier des charges, downloads the tripartite
convention and runs the engagement to its end; the pages have no serious axe violation."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django_scopes import scope
from playwright.sync_api import expect

from mentoring.models import Engagement, NeedRequest
from portal.models import AuditEvent
from tests.factories.portal import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Axe()


def serious_violations(page) -> list[str]:
    results = AXE.run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def login(page, user):
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/mes-espaces/")


def test_need_diagnosis_match_and_engagement(page, tenant, pilot, beneficiary,
                                             beneficiary_structure, themes, resource, settings):
    settings.PORTAL_REQUIRE_STAFF_2FA = False
    # 1. The beneficiary fills in the questionnaire.
    login(page, beneficiary)
    page.goto(f"/{tenant.slug}/mentorat/besoin/")
    assert serious_violations(page) == []
    page.fill("#id_person_name", "Camille Martin")
    page.get_by_label("Salarié·e").check(force=True)
    page.fill("#id_person_role", "chargée de production")
    page.get_by_label("Financement").check(force=True)
    page.fill("#id_description", "Construire un plan de financement pluriannuel.")
    page.get_by_label("Transfert de savoir-faire (1 à 2 jours)").check(force=True)
    page.fill("#id_available_from", "2026-01-01")
    page.fill("#id_available_until", "2027-12-31")
    page.get_by_label("Un accompagnement à distance est possible").check(force=True)
    page.get_by_role("button", name="Envoyer ma demande").click()
    page.wait_for_url("**/mentorat/mes-demandes/*/")
    expect(page.get_by_text("Reçue, en attente de diagnostic").first).to_be_visible()
    with scope(tenant=tenant):
        need = NeedRequest.objects.get()

    # 2. The pilot diagnoses it: a two-day TSF.
    login(page, pilot)
    page.goto(f"/{tenant.slug}/mentorat/pilotage/besoins/{need.pk}/")
    page.get_by_label("Transfert de savoir-faire (1 à 2 jours)").check(force=True)
    page.fill("#id_days", "3")
    page.fill("#id_comment", "Un besoin ciblé sur le financement.")
    page.get_by_role("button", name="Enregistrer le diagnostic").click()
    expect(page.get_by_text("de 1 à 2 jours, pas 3").first).to_be_visible()
    page.fill("#id_days", "2")
    page.get_by_role("button", name="Enregistrer le diagnostic").click()
    expect(page.get_by_text("Diagnostic enregistré").first).to_be_visible()
    expect(page.locator("#need-state")).to_have_text(
        "Diagnostiquée, recherche d'une personne-ressource")

    # 3. The matchmaker ranks the candidates and explains the score.
    card = page.locator(".portal-candidate").first
    assert "Alex Ressource" in card.inner_text()
    assert card.locator(".portal-score").inner_text() == "91,25"
    assert "Financement : niveau 3/3" in card.inner_text()
    assert "même département (34)" in card.inner_text()
    assert serious_violations(page) == []
    card.get_by_role("button", name="Choisir Alex Ressource").click()
    page.wait_for_url("**/mentorat/pilotage/accompagnements/*/")
    expect(page.get_by_text("Mise en relation proposée").first).to_be_visible()

    # 4. The engagement: cahier des charges, convention, signature, days, end.
    page.fill("#id_terms", "Objectif : un plan de financement 2027.\nLivrable : un budget.")
    page.get_by_role("button", name="Enregistrer le cahier des charges").click()
    expect(page.get_by_text("Cahier des charges enregistré.").first).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Convention tripartite").click()
    assert download.value.suggested_filename == f"convention-{need.reference.lower()}.pdf"
    page.get_by_role("button", name="Enregistrer la signature de la convention").click()
    expect(page.locator("#engagement-state")).to_have_text("Convention signée")
    page.get_by_role("button", name="Démarrer l'accompagnement").click()
    expect(page.locator("#engagement-state")).to_have_text("En cours")
    page.fill("#id_date", "2026-12-01")
    page.get_by_label("Durée").select_option("1.0")
    page.get_by_label("Déjà réalisée").check(force=True)
    page.get_by_role("button", name="Inscrire la journée").click()
    page.fill("#id_date", "2026-12-02")
    page.get_by_label("Durée").select_option("1.0")
    page.get_by_role("button", name="Inscrire la journée").click()
    expect(page.get_by_text("Journée inscrite.").first).to_be_visible()
    page.fill("#id_date", "2026-12-03")
    page.get_by_label("Durée").select_option("0.5")
    page.get_by_role("button", name="Inscrire la journée").click()
    expect(page.get_by_text("dépasseraient les 2 jours prévus").first).to_be_visible()
    page.get_by_role("button", name="Clore l'accompagnement").click()
    expect(page.locator("#engagement-state")).to_have_text("Terminé")
    assert serious_violations(page) == []

    with scope(tenant=tenant):
        engagement = Engagement.objects.get(need=need)
        need.refresh_from_db()
        assert (engagement.state, need.state, engagement.resource) == ("done", "done", resource)
        assert engagement.terms == "Objectif : un plan de financement 2027.\nLivrable : un budget."
        assert [str(s.days) for s in engagement.sessions.all()] == ["1.0", "1.0"]
        assert list(AuditEvent.objects.filter(target_id=str(engagement.pk),
                                              action__startswith="mentoring.engagement.")
                    .order_by("created_at", "pk").values_list("action", flat=True)) == [
            "mentoring.engagement.proposed", "mentoring.engagement.updated",
            "mentoring.engagement.signed", "mentoring.engagement.in_progress",
            "mentoring.engagement.done"]

    # 5. The beneficiary sees the end and leaves feedback.
    login(page, beneficiary)
    page.goto(f"/{tenant.slug}/mentorat/mes-demandes/{need.pk}/")
    expect(page.get_by_text("Accompagnement terminé").first).to_be_visible()
    page.get_by_label("5 — excellent").check(force=True)
    page.get_by_role("button", name="Envoyer mon retour").click()
    expect(page.get_by_text("Merci pour votre retour.").first).to_be_visible()


def test_pilot_recomputes_the_global_assignment_and_accepts_its_proposal(
        page, tenant, pilot, beneficiary, beneficiary_structure, themes, resource, settings,
        celery_worker):
    """Instead of picking a candidate by hand on the need's page, the pilot recomputes the
    global assignment on /repartition/ — a real Celery worker computes it while the run's
    page follows — and accepts the proposal it makes."""
    from decimal import Decimal

    from mentoring import services
    from mentoring.models import MatchProposal
    from tests.factories.mentoring import NeedRequestFactory

    settings.PORTAL_REQUIRE_STAFF_2FA = False
    with scope(tenant=tenant):
        need = NeedRequestFactory(tenant=tenant, structure=beneficiary_structure,
                                  submitted_by=beneficiary, themes=[themes[1]])
        services.need_diagnose(need=need, user=pilot, outcome="tsf", days=Decimal("2"),
                               comment="Un TSF de deux jours.")

    login(page, pilot)
    page.goto(f"/{tenant.slug}/mentorat/pilotage/repartition/")
    page.get_by_role("button", name="Recalculer maintenant").click()
    page.wait_for_url("**/mentorat/pilotage/repartition/calculs/*/")
    expect(page.locator("#run-summary")).to_have_text(
        "Répartition recalculée : 1 proposition(s), 0 besoin(s) à traiter à la main. "
        "Répartition optimale : aucune autre ne donne un score total plus élevé.",
        timeout=30_000)
    assert serious_violations(page) == []
    page.get_by_role("link", name="Voir les propositions").click()
    row = page.locator("#proposals tbody tr")
    expect(row).to_have_count(1)
    assert need.reference in row.inner_text()
    assert "Alex Ressource" in row.inner_text()
    expect(page.locator("#manual-queue tbody")).to_have_text(
        "Aucun besoin en attente de traitement manuel.")
    assert serious_violations(page) == []

    row.get_by_role("button", name=f"Accepter {need.reference}").click()
    page.wait_for_url("**/mentorat/pilotage/accompagnements/*/")
    expect(page.get_by_text("Proposition acceptée : complétez le cahier des charges.")
           .first).to_be_visible()
    expect(page.locator("#engagement-state")).to_have_text("Proposé")

    with scope(tenant=tenant):
        engagement = Engagement.objects.get(need=need)
        need.refresh_from_db()
        assert (engagement.resource, need.state) == (resource, "matched")
        assert page.url.endswith(f"/accompagnements/{engagement.pk}/")
        assert MatchProposal.objects.get(need=need, status="accepted").resource == resource
        assert not MatchProposal.objects.filter(need=need, status="proposed").exists()


@pytest.mark.parametrize("script", [True, False], ids=["script", "no-script"])
def test_the_run_page_shows_the_result_by_itself_once_computed(
        browser, live_server, tenant, pilot, beneficiary_structure, themes, resource, settings,
        script):
    """The run's page polls (static script, strict CSP) or, without script, refreshes itself:
    the pilot sees the result appear without doing anything."""
    from decimal import Decimal

    from mentoring import services
    from mentoring.models import AssignmentRun
    from tests.factories.mentoring import NeedRequestFactory

    settings.PORTAL_REQUIRE_STAFF_2FA = False
    with scope(tenant=tenant):
        need = NeedRequestFactory(tenant=tenant, structure=beneficiary_structure,
                                  themes=[themes[1]])
        services.need_diagnose(need=need, user=pilot, outcome="tsf", days=Decimal("2"),
                               comment="Un TSF de deux jours.")
        run = AssignmentRun.objects.create(tenant=tenant, computed_by=pilot)
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris",
                                  base_url=live_server.url, java_script_enabled=script)
    page = context.new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, pilot)
    page.goto(f"/{tenant.slug}/mentorat/pilotage/repartition/calculs/{run.pk}/")
    expect(page.locator("#run-status")).to_have_text("État : En attente.")
    with scope(tenant=tenant):
        services.assignment_run(run_id=run.pk)  # what the worker does
    expect(page.locator("#run-summary")).to_contain_text(
        "Répartition recalculée : 1 proposition(s), 0 besoin(s) à traiter à la main.",
        timeout=15_000)
    assert errors == []
    context.close()
