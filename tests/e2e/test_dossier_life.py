"""A dossier's life in Chromium, through the transition table: the applicant files it, an
instructor declares it recevable, the coordinator puts it on the agenda, a member steps out of
its deliberation, another decides, the session closes and the applicant reads the decision
(each state change audited once, each message recorded once in the ledger)."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from applications.models import Dossier
from portal.enums import OrganizationKind as K
from portal.enums import Role
from portal.models import AuditEvent, Notification
from reviews.models import Recusal
from tests.e2e.browsing import shot, sign_in
from tests.factories import TenantFactory
from tests.factories.applications import (DossierFactory, StructureMemberFactory,
                                          balanced_budget)
from tests.factories.calls import CallFactory, CategoryFactory
from tests.factories.portal import MembershipFactory
from tests.factories.reviews import SessionFactory, officer

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("no_staff_2fa")]


def _as(page, live_server, user):
    page.context.clear_cookies()
    sign_in(page.context, user, live_server.url)


def test_a_dossier_is_filed_declared_recevable_put_on_the_agenda_and_decided(page,
                                                                            live_server):
    tenant = TenantFactory(slug="occitanie", name="Occitanie", region_code="76")
    now = timezone.now()
    with scope(tenant=tenant):
        call = CallFactory(tenant=tenant, slug="cooperation", reference_code="COOP",
                           title="Aide aux projets de coopération professionnelle",
                           opens_at=now - timedelta(days=3),
                           closes_at=now + timedelta(days=20), funders=["cnm"])
        category = CategoryFactory(call=call, title="Expérimentation",
                                   amount_min=Decimal("5000"), amount_max=Decimal("15000"),
                                   advance_percentage=Decimal("80"))
        member = StructureMemberFactory(structure__name="Les Disques du Midi").user
        dossier = balanced_budget(DossierFactory(
            call=call, category=category, structure=member.structure_memberships.get().structure,
            title="Tournée coopérative des labels d'Occitanie", summary="Trois labels.",
            start_date=now.date(), end_date=now.date() + timedelta(days=200)),
            requested="12500.50", public="5499.50")
        instructor = officer(tenant, K.CNM)
        deciding = officer(tenant, K.CNM, role=Role.COMMITTEE)
        stepping_out = officer(tenant, K.CNM, role=Role.COMMITTEE)
        admin = MembershipFactory(tenant=tenant, role=Role.ADMIN).user
        session = SessionFactory(tenant=tenant, title="Comité de sélection d'avril", quorum=1)
        session.calls.set([call])
        for user in (deciding, stepping_out):
            session.members.create(user=user, funder="cnm", present=True)

    # The applicant files from the summary step.
    _as(page, live_server, member)
    page.goto(f"/occitanie/dossiers/{dossier.pk}/etapes/summary/")
    page.get_by_role("button", name="Déposer le dossier").click()
    page.wait_for_url(re.compile(rf".*/dossiers/{dossier.pk}/$"))
    shot(page, "1-applicant-filed")
    assert "Déposé" in page.locator("main").inner_text()

    # The instructor declares it recevable.
    _as(page, live_server, instructor)
    page.goto(f"/occitanie/instruction/dossiers/{dossier.pk}/")
    page.get_by_role("button", name="Confirmer la recevabilité").click()
    page.wait_for_selector("text=Recevable")
    shot(page, "2-instructor-recevable")

    # The coordinator builds the agenda: the dossier goes « en comité ».
    _as(page, live_server, admin)
    page.goto(f"/occitanie/comites/{session.pk}/")
    page.get_by_role("button", name="Ajouter les dossiers recevables (par rang)").click()
    page.wait_for_selector(f"#dossier-{dossier.pk}")
    shot(page, "3-admin-agenda")

    # One member steps out of the deliberation, with a reason.
    _as(page, live_server, stepping_out)
    page.goto(f"/occitanie/comites/{session.pk}/")
    section = page.locator(f"#dossier-{dossier.pk}")
    section.get_by_label("Motif du déport").fill("Je siège au conseil d'administration")
    section.get_by_role("button", name="Me déporter sur ce dossier").click()
    page.wait_for_selector("text=Déporté·es :")
    shot(page, "4-member-recused")
    assert page.locator(f"#dossier-{dossier.pk}").get_by_role("link", name="Décider").count() == 0

    # The other member decides: aide accordée, 12 000,50 € typed the French way.
    _as(page, live_server, deciding)
    page.goto(f"/occitanie/comites/{session.pk}/")
    page.locator(f"#dossier-{dossier.pk}").get_by_role("link", name="Décider").click()
    page.get_by_role("radio", name="Aide accordée").check(force=True)
    page.get_by_label("Montant versé par : Centre national de la musique (€)").fill("12 000,50")
    page.get_by_role("button", name="Enregistrer la décision").click()
    page.wait_for_selector("text=Décision enregistrée")
    shot(page, "5-member-decided")

    _as(page, live_server, admin)
    page.goto(f"/occitanie/comites/{session.pk}/")
    page.get_by_role("link", name=re.compile("Clore la séance")).click()
    # Closing renders the minutes in-process (eager Celery): give the navigation time.
    page.get_by_role("button", name="Clore définitivement la séance").click(timeout=60000)
    page.wait_for_selector("text=Séance close")

    _as(page, live_server, member)
    page.goto(f"/occitanie/dossiers/{dossier.pk}/")
    shot(page, "6-applicant-decision")
    assert "aide accordée" in page.locator("main").inner_text().lower()

    with scopes_disabled():
        dossier = Dossier.objects.get(pk=dossier.pk)
        # Closing the session starts the grant's payment schedule (awards): advance due.
        assert dossier.status == "advance_due" and dossier.decision.amount == Decimal("12000.50")
        moves = list(AuditEvent.objects.filter(target_id=str(dossier.pk), data__has_key="to")
                     .order_by("created_at", "pk").values_list("data__to", flat=True))
        assert moves == ["submitted", "eligible", "in_committee", "granted", "advance_due"]
        assert Recusal.objects.get().user == stepping_out
        assert Notification.objects.filter(kind="reviews.decision", state="sent").count() == 1
        assert Notification.objects.filter(
            kind="applications.dossier_submitted.structure", state="sent").count() == 1
