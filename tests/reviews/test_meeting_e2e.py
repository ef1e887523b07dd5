"""In Chromium, three screens in one committee meeting: the chair (tenant admin) opens the
session and moves through the agenda; a CNM member's screen follows the current dossier
without reloading; the Région member, recused on the first dossier, sees nothing of it, then
follows the second; the chair proposes a split typed in French, every screen shows it and the
envelopes after it, the chair records the decision and the envelopes change on every screen.
Also the page without script (a reload link) and axe-core on the meeting page."""

from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scope
from playwright.sync_api import expect

from reviews import services
from reviews.models import AgendaItem, CommitteeMember, Decision, Recusal
from tests.e2e.browsing import shot, sign_in
from tests.e2e.test_axe_all_pages import serious_violations
from tests.factories.applications import StructureFactory
from tests.factories.reviews import FiledDossierFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("no_staff_2fa")]

NBSP = "\u00a0"


def _screen(browser, live_server, user, **options):
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris",
                                  base_url=live_server.url,
                                  viewport={"width": 1400, "height": 1000}, **options)
    sign_in(context, user, live_server.url)
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def _text(locator) -> str:
    return locator.inner_text().replace(NBSP, " ").replace("\u202f", " ")


def test_three_screens_follow_the_chair_and_see_the_envelope_change(
        browser, live_server, tenant, call, category, committee, admin_user):
    with scope(tenant=tenant):
        session = services.session_create(user=admin_user, tenant=tenant, title="Comité d'avril",
                                          date=timezone.localdate(), calls=[call], quorum=2,
                                          quorum_each_funder=False)
        for funder in ("cnm", "region"):
            CommitteeMember.objects.create(session=session, user=committee[funder],
                                           funder=funder, present=True)
        first = FiledDossierFactory(call=call, category=category, status="in_committee",
                                    structure=StructureFactory(name="Chœur de l'Aube"),
                                    title="Tournée des églises de l'Aisne",
                                    requested_amount=Decimal("12000.00"))
        second = FiledDossierFactory(call=call, category=category, status="in_committee",
                                     structure=StructureFactory(name="Éole Musiques Actuelles"),
                                     title="Résidence électro à Roubaix",
                                     requested_amount=Decimal("15000.00"))
        for position, dossier in enumerate([first, second], start=1):
            AgendaItem.objects.create(session=session, dossier=dossier, position=position)
        Recusal.objects.create(session=session, dossier=first, user=committee["region"],
                               reason="Membre du bureau de la structure")
        services.funder_envelope_set(user=admin_user, tenant=tenant, funder="cnm", call=call,
                                     amount="20 000")
    meeting = f"/{tenant.slug}/comites/{session.pk}/seance/"
    chair_context, chair = _screen(browser, live_server, admin_user)
    cnm_context, cnm = _screen(browser, live_server, committee["cnm"])
    region_context, region = _screen(browser, live_server, committee["region"])
    try:
        for page in (chair, cnm, region):
            page.goto(meeting)
        expect(cnm.locator("#meeting-live")).to_contain_text("La séance n'est pas ouverte")
        expect(cnm.get_by_text("Cet écran suit le dossier examiné")).to_be_visible()

        chair.get_by_role("button", name="Ouvrir la séance").click()
        expect(chair.get_by_text("La séance est ouverte")).to_be_visible()
        # the members' screens follow without reloading
        expect(cnm.locator("#meeting-live")).to_contain_text("Tournée des églises de l'Aisne")
        expect(cnm.locator("#meeting-live")).to_contain_text("Dossier 1 sur 2")
        expect(region.locator("#meeting-live")).to_contain_text(
            "Vous êtes déporté·e sur ce dossier : rien ne s'en affiche")
        assert "Aisne" not in region.locator("#meeting-live").inner_text()
        assert first.reference not in region.locator("#meeting-live").inner_text()
        shot(region, "meeting-recused")

        chair.get_by_role("button", name="Dossier suivant").click()
        expect(cnm.locator("#meeting-live")).to_contain_text("Résidence électro à Roubaix")
        expect(region.locator("#meeting-live")).to_contain_text("Résidence électro à Roubaix")

        # the chair types the split in French: the running total and the CNM envelope
        prefix = f"#id_d{second.pk}"
        chair.locator(f"{prefix}-share_cnm").fill("9 000,50")
        chair.locator(f"{prefix}-share_region").fill("3 000")
        expect(chair.locator("[data-split-total]")).to_have_text(
            f"Total des parts : 12{NBSP}000,50{NBSP}€")
        expect(chair.locator("[data-split-envelopes] [data-funder=cnm]")).to_contain_text(
            f"reste après cette décision : 10{NBSP}999,50{NBSP}€")
        chair.locator(f"{prefix}-share_cnm").fill("21 000")
        expect(chair.locator("[data-split-envelopes] [data-funder=cnm]")).to_contain_text(
            f"dépassement de 1{NBSP}000,00{NBSP}€")
        chair.locator(f"{prefix}-share_cnm").fill("9 000,50")
        chair.get_by_role("button", name="Proposer au comité (affiché à tous)").click()
        expect(chair.get_by_text("Répartition proposée : elle s'affiche")).to_be_visible()
        expect(region.locator("[data-meeting-proposal]")).to_contain_text("9 000,50")
        cnm_live = cnm.locator("#meeting-live")
        expect(cnm_live).to_contain_text("Total proposé")
        assert "Total proposé : 12 000,50 €" in _text(cnm_live)
        assert "9 000,50 €" in _text(cnm.locator("#meeting-envelopes table"))  # proposed
        shot(cnm, "meeting-member-proposal")

        chair.get_by_role("radio", name="Aide accordée").check(force=True)
        chair.get_by_role("button", name="Enregistrer la décision").click()
        expect(chair.get_by_text(f"Décision enregistrée pour {second.reference}.")).to_be_visible()
        with scope(tenant=tenant):
            decision = Decision.objects.get(dossier=second)
            assert decision.amount == Decimal("12000.50")
        # every screen: the decision, and the CNM's envelope now committed
        for page in (cnm, region):
            expect(page.locator("[data-meeting-decision]")).to_contain_text("Aide accordée")
            table = page.locator("#meeting-envelopes table")
            expect(table).to_contain_text("10" + NBSP + "999,50")  # 20 000 − 9 000,50 left
        shot(chair, "meeting-chair")
        assert serious_violations(cnm) == []

        # the projection for the room follows too
        projection = chair_context.new_page()
        projection.goto(meeting + "projection/")
        expect(projection.locator("#meeting-live")).to_contain_text("Éole Musiques Actuelles")
        chair.get_by_role("button", name="Dossier précédent").click()
        expect(projection.locator("#meeting-live")).to_contain_text("Chœur de l'Aube")
        shot(projection, "meeting-projection")
    finally:
        for context in (chair_context, cnm_context, region_context):
            context.close()


def test_without_script_the_meeting_page_reloads_by_a_link(browser, live_server, tenant, call,
                                                           category, committee, admin_user):
    with scope(tenant=tenant):
        session = services.session_create(user=admin_user, tenant=tenant, title="Comité",
                                          date=timezone.localdate(), calls=[call], quorum=1,
                                          quorum_each_funder=False)
        CommitteeMember.objects.create(session=session, user=committee["cnm"], funder="cnm",
                                       present=True)
        dossier = FiledDossierFactory(call=call, category=category, status="in_committee",
                                      title="Festival des caves")
        AgendaItem.objects.create(session=session, dossier=dossier, position=1)
    context, page = _screen(browser, live_server, committee["cnm"], java_script_enabled=False)
    try:
        page.goto(f"/{tenant.slug}/comites/{session.pk}/seance/")
        expect(page.locator("#meeting-live")).to_contain_text("La séance n'est pas ouverte")
        with scope(tenant=tenant):
            services.session_open(user=admin_user, session=session)
        page.get_by_role("link", name="Actualiser l'écran").click()
        expect(page.locator("#meeting-live")).to_contain_text("Festival des caves")
    finally:
        context.close()
