"""A call without tracks or categories is valid end to end: the admin publishes it, the
applicant files without choosing a volet, the call's own rules apply (amounts, advance), the
instructor makes it recevable and the committee grants it. Where a call has tracks, choosing
one is required and the field says so (no "(optionnel)")."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_scopes import scope
from pypdf import PdfWriter

from applications import services as app_services
from applications.models import Dossier
from calls import services as call_services
from calls.enums import CallStatus
from portal.enums import OrganizationKind as K
from portal.enums import Role
from reviews import services as review_services
from tests.factories import DocumentRequirementFactory, MembershipFactory, TrackFactory
from tests.factories.applications import StructureMemberFactory
from tests.factories.calls import CallFactory, CategoryFactory
from tests.factories.reviews import officer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]


def _pdf() -> SimpleUploadedFile:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return SimpleUploadedFile("diagnostic.pdf", out.getvalue(), content_type="application/pdf")


def test_a_call_without_tracks_goes_from_publication_to_grant(client, tenant, applicant):
    admin = MembershipFactory(tenant=tenant, role=Role.ADMIN).user
    with scope(tenant=tenant):
        call = CallFactory(tenant=tenant, slug="structuration", status=CallStatus.DRAFT,
                           title="Aide à la structuration", reference_code="STRUCT",
                           amount_min=Decimal("10000"), amount_max=Decimal("20000"),
                           advance_percentage=Decimal("70"), envelope=Decimal("60000"))
        requirement = DocumentRequirementFactory(call=call, label="Diagnostic")
    client.force_login(admin)
    client.post(f"/{tenant.slug}/gestion/appels/structuration/publier/", {"confirm": "on"})
    call.refresh_from_db()
    assert call.status == CallStatus.PUBLISHED

    structure = StructureMemberFactory(user=applicant).structure
    client.force_login(applicant)
    start = client.get(f"/{tenant.slug}/appels/structuration/deposer/").content.decode()
    assert 'name="track"' not in start and 'name="category"' not in start
    response = client.post(f"/{tenant.slug}/appels/structuration/deposer/",
                           {"structure": structure.pk})
    assert response.status_code == 302
    with scope(tenant=tenant):
        dossier = Dossier.objects.get()
        assert (dossier.track, dossier.category) == (None, None)
        app_services.dossier_update_project(
            user=applicant, dossier=dossier, title="Consolidation de l'équipe",
            summary="Recrutement d'une administratrice.", start_date=date(2026, 1, 1),
            end_date=date(2026, 12, 31))
        budget = [{"kind": "expense", "label": "Salaires", "amount": Decimal("60000")},
                  {"kind": "income", "source": "self_financing", "label": "Fonds propres",
                   "amount": Decimal("35000")}]
        app_services.dossier_set_budget(user=applicant, dossier=dossier, lines=budget,
                                        requested_amount=Decimal("25000"))
        app_services.attachment_upload(user=applicant, dossier=dossier, requirement=requirement,
                                       upload=_pdf())
    # The call's own rules apply: 25 000 € is above its maximum.
    summary = client.get(f"/{tenant.slug}/dossiers/{dossier.pk}/etapes/summary/").content.decode()
    assert ("Le montant demandé (25\u00a0000,00\u00a0€) dépasse le maximum de l&#x27;appel "
            "(20\u00a0000,00\u00a0€).") in summary
    with scope(tenant=tenant):
        budget[1]["amount"] = Decimal("40000")
        app_services.dossier_set_budget(user=applicant, dossier=dossier, lines=budget,
                                        requested_amount=Decimal("20000"))
    response = client.post(f"/{tenant.slug}/dossiers/{dossier.pk}/deposer/")
    assert response.status_code == 302
    with scope(tenant=tenant):
        dossier.refresh_from_db()
        assert dossier.status == "submitted"
        assert dossier.reference.endswith("-STRUCT-0001")
        assert dossier.rules_snapshot["rules"]["amount_max"] == "20000.00"

        instructor = officer(tenant, K.CNM)
        review_services.eligibility_confirm(user=instructor, dossier=dossier,
                                            checklist={str(requirement.pk): True})
        dossier.refresh_from_db()
        assert dossier.status == "eligible"

        members = {k: officer(tenant, k, role=Role.COMMITTEE) for k in (K.DRAC, K.CNM, K.REGION)}
        session = review_services.session_create(
            user=admin, tenant=tenant, title="Comité", date=timezone.localdate() + timedelta(30),
            calls=[call], quorum=3)
        seats = [review_services.session_member_add(user=admin, session=session,
                                                     member=member, funder=kind)
                 for kind, member in members.items()]
        review_services.session_presence_set(user=admin, session=session,
                                             present_ids=[s.pk for s in seats])
        assert review_services.agenda_build(user=admin, session=session) == 1
        decision = review_services.decision_record(
            user=members[K.CNM], session=session, dossier=dossier, outcome="granted",
            shares={"cnm": "12000", "region": "8000"})
    assert (decision.amount, decision.advance_percentage, decision.advance_amount) == (
        Decimal("20000.00"), Decimal("70.00"), Decimal("14000.00"))


def test_where_a_call_has_tracks_the_volet_is_required_and_not_marked_optional(client, tenant,
                                                                              applicant):
    with scope(tenant=tenant):
        call = CallFactory(tenant=tenant, slug="coop")
        TrackFactory(call=call, title="Volet spectacle vivant")
        CategoryFactory(call=call, title="Expérimentation")
    structure = StructureMemberFactory(user=applicant).structure
    client.force_login(applicant)
    html = client.get(f"/{tenant.slug}/appels/coop/deposer/").content.decode()
    assert "Optionnel" not in html and "optionnel" not in html
    assert 'name="track"' in html and 'name="category"' in html
    response = client.post(f"/{tenant.slug}/appels/coop/deposer/", {"structure": structure.pk})
    html = response.content.decode()
    assert "Choisissez un volet." in html and "Choisissez une catégorie." in html
    with scope(tenant=tenant):
        assert not Dossier.objects.exists()


def test_a_category_of_one_track_only_is_not_required_under_another(client, tenant, applicant):
    with scope(tenant=tenant):
        call = CallFactory(tenant=tenant, slug="mix")
        live = TrackFactory(call=call, title="Spectacle vivant")
        TrackFactory(call=call, title="Musique à l'image")
        CategoryFactory(call=call, track=live, title="Tournée")
    structure = StructureMemberFactory(user=applicant).structure
    client.force_login(applicant)
    with scope(tenant=tenant):
        image = call.tracks.get(title="Musique à l'image")
    response = client.post(f"/{tenant.slug}/appels/mix/deposer/",
                           {"structure": structure.pk, "track": image.pk})
    assert response.status_code == 302
    response = client.post(f"/{tenant.slug}/appels/mix/deposer/",
                           {"structure": structure.pk, "track": live.pk})
    assert "Choisissez une catégorie." in response.content.decode()
