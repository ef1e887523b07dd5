"""Each role's working day on the demo (`seed_demo`), through the browser only, under
production settings (DEBUG off, static files collected with the manifest storage and served by
WhiteNoise: tests/e2e/production.py), with what a French user types (`12 000,50`, `6 000`,
accents, long names). Each journey signs in with the login form, follows the links its user
would follow and does that person's work: the applicant completes a budget and reads a
decision with its letter, the DRAC officer makes a dossier recevable, the CNM officer finishes
a review, the Région officer writes one, a committee member decides, the pilot diagnoses a
mentoring need, the contract's coordinator appoints rapporteurs, the operator opens a region.

Every page seen is styled by the DSFR, answers without error, shows no raw code, and is saved
as a screenshot with PORTAL_SCREENSHOTS=<dir>. The demo is loaded once for the module and the
journeys work on different dossiers, so that they do not depend on their order."""

import re

import pytest
from django.core.management import call_command
from django.test.utils import override_settings
from django_scopes import scopes_disabled

from portal.demo import DEMO_PASSWORD
from tests.e2e.browsing import shot
from tests.e2e.production import ProductionServer, production_static_settings
from tests.e2e.test_production_mode import STYLE_PROBE

#: One xdist worker runs the module (the demo is seeded once) and test_production_mode.py
#: (the static files are collected once, by the `collected_static` fixture).
pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.xdist_group("production")]

#: Codes that must never reach a screen (states, outcomes, eligibility results, funders).
RAW_CODES = re.compile(r"\b(draft|submitted|completion_requested|eligible|ineligible|in_review|"
                       r"in_committee|granted|rejected|withdrawn|pass|fail|warning|favourable|"
                       r"unfavourable|reserved|drac|cnm|region|None|True|False)\b")


@pytest.fixture(scope="module")
def demo_server(collected_static, django_db_setup, django_db_blocker):
    """The demo in the test database and a production-like server on it, for the module."""
    with django_db_blocker.unblock(), override_settings(
            **production_static_settings(collected_static), DEBUG=False,
            PORTAL_REQUIRE_STAFF_2FA=False):
        call_command("seed_demo", stdout=open("/dev/null", "w"))
        server = ProductionServer()
        try:
            yield server
        finally:
            server.stop()
            call_command("flush", "--noinput", verbosity=0)


class Day:
    """One user's browser on the demo server, recording every problem it meets."""

    def __init__(self, browser, server, name: str):
        self.name, self.server = name, server
        self.context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris",
                                           base_url=server.url,
                                           viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.page.set_default_timeout(20000)
        self.problems: list[str] = []
        self.shots = 0
        page = self.page
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.problems.append(f"page error: {e} ({page.url})"))
        page.on("response", lambda r: r.status >= 400
                and self.problems.append(f"{r.status}: {r.url}"))

    def _console(self, message):
        if message.type != "error":
            return
        source = (message.location or {}).get("url") or ""
        if not source and "Content Security Policy" in message.text:
            # A style the test tooling injects (no page script behind it), refused by the CSP.
            return
        self.problems.append(f"console: {message.text} ({self.page.url}, from {source!r})")

    def sign_in(self, email: str):
        page = self.page
        page.goto("/accounts/login/")
        page.fill("#id_login", email)
        page.fill("#id_password", DEMO_PASSWORD)
        page.get_by_role("button", name="Connexion").click()
        page.wait_for_load_state("load")
        assert "/accounts/login/" not in page.url, self.main_text()

    def click(self, name: str, *, role: str = "link", exact: bool = False, within: str = "main"):
        locator = self.page.locator(within).get_by_role(role, name=name, exact=exact).first
        with self.page.expect_navigation():
            locator.click()
        self.page.wait_for_load_state("load")

    def enter(self, region: str):
        """From « Mes espaces », into the region's space (its menu appears)."""
        if "/mes-espaces/" not in self.page.url:
            self.page.goto("/mes-espaces/")
        self.click(re.compile(region))

    def main_text(self) -> str:
        return self.page.locator("main").inner_text()

    def look(self, label: str) -> str:
        """The page is styled by the DSFR, shows no raw code; a screenshot is saved."""
        page = self.page
        probe = page.evaluate(STYLE_PROBE)
        assert "Marianne" in probe["font"], (page.url, probe)
        assert all(sheet["loaded"] for sheet in probe["sheets"]), (page.url, probe["sheets"])
        text = self.main_text()
        # Addresses and e-mails (cnm.fr, …@occitanie.demo) are not codes.
        raw = RAW_CODES.findall(re.sub(r"\S+\.(fr|demo|org|com|example)\b\S*", "", text))
        assert raw == [], (page.url, raw)
        assert "Traceback" not in text and "{'" not in text and "%(" not in text, page.url
        self.shots += 1
        shot(page, f"journey-{self.name}-{self.shots:02d}-{label}")
        return text

    def close(self):
        self.context.close()
        assert self.problems == [], "\n".join(self.problems)


@pytest.fixture
def day(browser, demo_server, db):
    days = []

    def start(name: str, email: str) -> Day:
        one = Day(browser, demo_server, name)
        days.append(one)
        one.sign_in(email)
        return one
    yield start
    for one in days:
        one.close()


def _dossier(title: str):
    from applications.models import Dossier

    with scopes_disabled():
        return Dossier.objects.select_related("tenant").get(title=title)


def _squash(text: str) -> str:
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


# --- The applicant ---------------------------------------------------------------------------

def test_applicant_completes_a_budget_in_french_and_reads_a_decision_with_its_letter(day):
    me = day("applicant", "applicant@occitanie.demo")
    me.look("mes-espaces")
    me.click("Mes dossiers, toutes régions")
    text = me.look("mes-dossiers")
    assert "Résidences croisées des labels indépendants d'Occitanie" in text
    assert "Mutualisation de la distribution numérique des labels du Midi" in text

    # The draft: its budget, typed as a French user types amounts.
    me.click("Résidences croisées des labels indépendants d'Occitanie")
    me.look("brouillon")
    me.click("Continuer le dossier")
    me.look("projet")
    me.click("Enregistrer et continuer", role="button")
    page = me.page
    assert page.url.endswith("/etapes/budget/"), page.url
    page.fill("#id_expense-0-label", "Cachets des artistes — résidence à Montpellier")
    page.select_option("#id_expense-0-expense_kind", "artistic")
    page.fill("#id_expense-0-amount", "12 000,50")
    page.fill("#id_expense-1-label", "Déplacements, hébergement à Sète et Perpignan")
    page.select_option("#id_expense-1-expense_kind", "travel")
    page.fill("#id_expense-1-amount", "6 000")
    page.fill("#id_requested_amount", "9 000")
    me.look("budget-saisi")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer le brouillon").click()
    text = _squash(me.look("budget-enregistre"))
    assert "18 000,50 €" in text
    assert page.input_value("#id_expense-0-amount") in ("12 000,50", "12\u202f000,50",
                                                          "12\u00a0000,50")
    draft = _dossier("Résidences croisées des labels indépendants d'Occitanie")
    with scopes_disabled():
        amounts = sorted(str(line.amount) for line in draft.budget_lines.filter(kind="expense"))
    assert amounts == ["12000.50", "6000.00"]

    # The decided dossier of the previous edition: amount, split, conditions, letter.
    me.click("Mes espaces", within="header")
    me.click("Mes dossiers, toutes régions")
    me.click("Mutualisation de la distribution numérique des labels du Midi")
    text = _squash(me.look("decision"))
    assert "Aide accordée : 10 000,00 €" in text
    for funder in ("DRAC", "Centre national de la musique", "Région"):
        assert funder in text, funder
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("courrier", re.I)).first.click()
    with open(download.value.path(), "rb") as fh:
        assert fh.read(5) == b"%PDF-"


# --- Instructors -----------------------------------------------------------------------------

def _open_from_dashboard(me, title: str, region: str = "Occitanie"):
    me.enter(region)
    me.click("Instruction", within="header", exact=True)
    me.look("tableau-de-bord")
    me.click(_dossier(title).reference)  # the dashboard lists references and structures
    text = me.look("dossier")
    assert title in text
    return text


def test_drac_officer_checks_a_filed_dossier_and_makes_it_recevable(day):
    me = day("instructeur-drac", "instructor-drac@occitanie.demo")
    text = _open_from_dashboard(me, "Coopération Garonne Productions")
    assert "DÉPOSÉ" in text.upper()
    assert "Dossier déposé sous la référence OCC-2026-COOP-0002" in text
    page = me.page
    for box in page.locator("input[type=checkbox][name^=doc_]").all():
        box.check(force=True)
    page.fill("#comment", "Pièces conformes ; vérifié l'activité régionale à Toulouse.")
    with page.expect_navigation():
        page.get_by_role("button", name="Confirmer la recevabilité").click()
    text = me.look("recevable")
    assert "RECEVABLE" in text.upper()
    assert _dossier("Coopération Garonne Productions").status == "eligible"


def _score_and_submit(me, *, opinion: str, amount: str):
    page = me.page
    for score in page.locator("input.review-score").all():
        if not score.input_value():
            score.fill("4")
    page.fill("#opinion", opinion)
    page.select_option("#recommendation", "favourable")
    page.fill("#proposed_amount", amount)
    me.look("evaluation-saisie")
    with page.expect_navigation():
        page.get_by_role("button", name="Soumettre (définitif)").click()
    me.look("evaluation-confirmation")
    confirm = page.locator("main").get_by_role("button", name=re.compile("Soumettre|Confirmer"))
    if confirm.count():
        with page.expect_navigation():
            confirm.first.click()
    return me.look("evaluation-soumise")


def test_cnm_officer_finishes_the_review_started_and_submits_it(day):
    title = "Passerelles : musiques du monde entre Roussillon et Catalogne"
    me = day("instructeur-cnm", "instructor-cnm@occitanie.demo")
    _open_from_dashboard(me, title)
    _score_and_submit(me, opinion="Coopération transfrontalière réelle ; budget réaliste, "
                                  "à suivre sur la part des recettes propres (Perpignan, Gérone).",
                      amount="11 200,50")
    from reviews.models import Review

    with scopes_disabled():
        review = Review.objects.get(dossier__title=title, officer__email__startswith="instructor-cnm")
    assert (review.status, str(review.proposed_amount)) == ("submitted", "11200.50")


def test_region_officer_of_hauts_de_france_writes_and_submits_a_review(day):
    title = "Accompagnement mutualisé d'artistes émergents de l'Artois"
    me = day("instructeur-region", "instructor-region@hauts-de-france.demo")
    _open_from_dashboard(me, title, "Hauts-de-France")
    _score_and_submit(me, opinion="Projet structurant pour l'Artois : mutualisation crédible "
                                  "entre Arras, Lens et Béthune ; avis favorable.",
                      amount="12 000")
    from reviews.models import Review

    with scopes_disabled():
        review = Review.objects.get(dossier__title=title,
                                    officer__email="instructor-region@hauts-de-france.demo")
    assert (review.status, str(review.proposed_amount)) == ("submitted", "12000.00")


# --- Committee member ------------------------------------------------------------------------

def test_committee_member_reads_the_agenda_dossiers_and_decides(day):
    me = day("comite", "committee-region@occitanie.demo")
    me.enter("Occitanie")
    me.click("Comités", within="header", exact=True)
    me.look("comites")
    me.click("Comité de sélection", exact=True)
    text = me.look("seance")
    page = me.page
    grant = "Scène ouverte régionale : accompagnement de groupes émergents"
    refuse = "Tournée des cafés-cultures de Haute-Garonne"
    assert _dossier(grant).reference in text and _dossier(refuse).reference in text
    for title, outcome in ((grant, "granted"), (refuse, "rejected")):
        dossier = _dossier(title)
        link = page.locator(f"a[href$='/dossiers/{dossier.pk}/decision/']").first
        with page.expect_navigation():
            link.click()
        text = me.look(f"decision-{outcome}")
        assert title in text
        if outcome == "granted":
            page.get_by_role("radio", name="Aide accordée").check(force=True)
            page.fill("[name$='-share_region'], [name='share_region']", "4 400")
            page.fill("[name$='-share_drac'], [name='share_drac']", "3 300,00")
            page.fill("[name$='-share_cnm'], [name='share_cnm']", "3 300")
            page.fill("[name$='-conditions'], [name='conditions']", "Bilan qualitatif à remettre ; mention des financeurs "
                                        "sur les supports de communication.")
        else:
            page.get_by_role("radio", name="Aide refusée").check(force=True)
            page.fill("[name$='-motivation'], [name='motivation']", "Le projet relève de la diffusion plus que de la "
                                        "coopération : une seule structure porte les actions.")
        with page.expect_navigation():
            page.get_by_role("button", name="Enregistrer la décision").click()
        me.look(f"decision-{outcome}-enregistree")
    from reviews.models import Decision

    with scopes_disabled():
        decision = Decision.objects.get(dossier__title=grant)
        assert str(decision.amount) == "11000.00"
        assert Decision.objects.get(dossier__title=refuse).outcome == "rejected"


# --- Pilot structure (mentoring) -------------------------------------------------------------

def test_pilot_diagnoses_a_mentoring_need(day):
    me = day("pilote", "pilot@occitanie.demo")
    me.enter("Occitanie")
    me.click("Pilotage du mentorat", within="header")
    me.look("pilotage")
    me.click("Besoins", within="main", exact=True)
    me.look("besoins")
    from mentoring.models import NeedRequest

    with scopes_disabled():
        need = NeedRequest.objects.get(person_name="Théo Bru")
    me.click(need.reference)
    assert "Théo Bru" in me.look("besoin")
    page = me.page
    page.get_by_role("radio", name=re.compile("Transfert de savoir-faire")).check(force=True)
    page.fill("#id_days", "1,5")
    page.fill("#id_comment", "Besoin précis : démarche éco-responsable de tournée ; une "
                             "structure ressource de l'Hérault peut répondre en 1,5 jour.")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("diagnostic", re.I)).click()
    me.look("diagnostic")
    from mentoring.models import Diagnosis

    with scopes_disabled():
        diagnosis = Diagnosis.objects.get(need__person_name="Théo Bru")
    assert (diagnosis.outcome, str(diagnosis.days)) == ("tsf", "1.5")


# --- Tenant admin ----------------------------------------------------------------------------

def test_coordinator_adjusts_a_call_envelope_and_invites_an_officer(day):
    me = day("coordination", "admin@hauts-de-france.demo")
    me.enter("Hauts-de-France")
    me.click("Administration du contrat", within="header")
    me.look("administration")
    me.click("Appels à projets", within="main", exact=True)
    me.look("appels")
    me.click("Aide aux projets de coopération professionnelle (démonstration, ouvert)")
    me.look("appel")
    me.click("Modifier l'appel")
    page = me.page
    page.fill("#id_envelope", "65 000,50")
    me.look("appel-modification")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    text = _squash(me.look("appel-enregistre"))
    assert "65 000,50 €" in text, text
    me.click("Membres et invitations", within="main")
    page.fill("#id_email", "anne-sophie.lefevre-duchateau@hauts-de-france.demo")
    page.select_option("#id_role", "instructor")
    page.select_option("#id_organization", label="Région Hauts-de-France")
    page.fill("#id_title", "Chargée de mission musiques actuelles et pratiques amateurs")
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer l’invitation").click()
    text = me.look("invitation")
    assert "anne-sophie.lefevre-duchateau@hauts-de-france.demo" in text
    me.click("Journal des opérations", within="main")
    text = me.look("journal")
    assert "Claire Vandamme" in text
    from calls.models import Call

    with scopes_disabled():
        call = Call.objects.get(tenant__slug="hauts-de-france", slug="cooperation-professionnelle-demo")
    assert str(call.envelope) == "65000.50"


# --- Platform admin --------------------------------------------------------------------------

def test_operator_opens_a_region_by_its_name(day):
    me = day("plateforme", "admin@plateforme.demo")
    me.page.goto("/plateforme/contrats/")
    me.look("contrats")
    me.click(re.compile("Nouveau|Créer|Ajouter"))
    page = me.page
    page.fill("#id_name", "Pays de la Loire")
    page.select_option("#id_region_code", label="Pays de la Loire")
    page.fill("#id_reference_prefix", "PDL")
    page.fill("#id_contract_title",
              "Contrat de filière musiques actuelles Pays de la Loire 2025-2028 — État, CNM, Région")
    page.fill("#id_contract_start", "2025-01-01")
    page.fill("#id_contract_end", "2028-12-31")
    page.fill("#id_envelope", "180 000")
    me.look("nouveau-contrat")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    me.look("contrat-cree")
    from portal.models import Tenant

    tenant = Tenant.objects.get(name="Pays de la Loire")
    assert (tenant.region_code, str(tenant.envelope), tenant.dossier_prefix) == (
        "52", "180000.00", "PDL")
