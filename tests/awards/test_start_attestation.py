"""An advance « au démarrage de l'action, sur attestation »: not due at notification; the
structure attests the start in the portal (declaration, date, optional document), then each
funder's officers put it in payment. Shown to the applicant as the next step and to the
officers as « en attente de l'attestation de démarrage »."""

import io
from datetime import date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope

from awards import services
from awards.enums import AwardStatus, PaymentKind, PaymentStatus
from awards.models import Payment, StartAttestation
from portal.enums import OrganizationKind as K
from portal.events import render_event
from portal.formatting import PARIS
from portal.models import AuditEvent
from tests.awards.world import build
from tests.factories.reviews import ConflictFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]


@pytest.fixture
def w(tenant, settings):
    settings.PORTAL_REQUIRE_STAFF_2FA = False
    return build(tenant, advance_paid_on="start")


def url(name, w, **kw):
    return reverse(f"awards:{name}", kwargs={"tenant_slug": w.tenant.slug, "pk": w.dossier.pk,
                                             **kw})


def _advances(w):
    with scope(tenant=w.tenant):
        return {p.funder: p for p in Payment.objects.filter(dossier=w.dossier,
                                                            kind=PaymentKind.ADVANCE)}


def _text(response) -> str:
    return response.content.decode().replace("&#x27;", "'")


def _pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_the_advance_waits_for_the_start_attestation_not_for_the_notification(client, w):
    advances = _advances(w)
    assert {f: (p.status, p.awaits) for f, p in advances.items()} == {
        "cnm": (PaymentStatus.PLANNED, "start"), "region": (PaymentStatus.PLANNED, "start")}
    with scope(tenant=w.tenant):
        w.dossier.refresh_from_db()
        assert w.dossier.status == AwardStatus.ADVANCE_DUE
        # the convention's step does not release it
        with pytest.raises(services.AwardError):
            services.convention_receive(user=w.officers[K.CNM], dossier=w.dossier,
                                        received_on=date(2024, 5, 2))
        # nor can an officer pay it yet
        with pytest.raises(services.AwardError):
            services.payment_mark_sent(user=w.officers[K.CNM], payment=advances["cnm"])
    client.force_login(w.officers[K.CNM])
    page = client.get(reverse("awards:payments", kwargs={"tenant_slug": w.tenant.slug}))
    assert "En attente de l'attestation de démarrage" in _text(page)
    page = _text(client.get(url("followup", w)))
    assert "En attente de l'attestation de démarrage" in page
    client.force_login(w.applicant)
    page = _text(client.get(reverse("applications:dossier_detail", kwargs={
        "tenant_slug": w.tenant.slug, "pk": w.dossier.pk})))
    assert "Prochaine étape : attestez le démarrage de l'action" in page
    assert ("l'avance sera mise en paiement dès que la structure aura attesté le démarrage"
            in page)
    assert "les financeurs mettent l'avance en paiement" not in page
    assert url("start_attestation", w) in page


def test_the_applicant_attests_the_start_and_the_advance_is_due(client, w):
    client.force_login(w.applicant)
    assert client.get(url("start_attestation", w)).status_code == 200
    # nothing ticked, a date in the future: refused, each field named, input kept
    response = client.post(url("start_attestation", w), {"started_on": "2099-03-01"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Déclaration : cochez la case" in page
    assert "elle ne peut pas être dans le futur (1er mars 2099)" in page
    assert 'value="2099-03-01"' in page
    assert _advances(w)["cnm"].status == PaymentStatus.PLANNED
    response = client.post(url("start_attestation", w), {
        "declared": "on", "started_on": "2024-03-04",
        "document": SimpleUploadedFile("attestation signée.pdf", _pdf(), "application/pdf")})
    assert response.status_code == 302
    assert {f: p.status for f, p in _advances(w).items()} == {
        "cnm": PaymentStatus.DUE, "region": PaymentStatus.DUE}
    with scope(tenant=w.tenant):
        attestation = StartAttestation.objects.get(dossier=w.dossier)
        assert attestation.started_on == date(2024, 3, 4)
        assert attestation.original_name == "attestation signée.pdf"
        event = AuditEvent.objects.get(action="awards.start.attested")
        assert str(render_event(event)) == (
            "Démarrage de l'action attesté par la structure (au 4 mars 2024) : avance de "
            "9\u00a0600,40\u00a0€ à mettre en paiement Pièce jointe : attestation signée.pdf.")
    # once attested the page is gone, the officers pay as usual
    assert client.get(url("start_attestation", w)).status_code == 404
    client.force_login(w.officers[K.CNM])
    page = _text(client.get(url("followup", w)))
    assert "Démarrage de l'action attesté par la structure au 4 mars 2024" in page
    assert client.get(url("start_attestation_document", w)).status_code == 200
    with scope(tenant=w.tenant):
        services.payment_mark_sent(user=w.officers[K.CNM], payment=_advances(w)["cnm"],
                                   now=datetime(2024, 3, 10, tzinfo=PARIS))


def test_only_the_structure_attests_and_a_conflicted_officer_sees_no_document(client, w):
    client.force_login(w.officers[K.CNM])
    assert client.get(url("start_attestation", w)).status_code in (403, 404)
    with scope(tenant=w.tenant):
        with pytest.raises(Exception):
            services.start_attest(user=w.officers[K.CNM], dossier=w.dossier, declared=True,
                                  started_on=date(2024, 3, 4))
        services.start_attest(user=w.applicant, dossier=w.dossier, declared=True,
                              started_on=date(2024, 3, 4),
                              upload=SimpleUploadedFile("a.pdf", _pdf(), "application/pdf"),
                              now=datetime(2024, 3, 5, tzinfo=PARIS))
        ConflictFactory(tenant=w.tenant, officer=w.officers[K.DRAC], siret=w.structure.siret)
    client.force_login(w.officers[K.DRAC])
    assert client.get(url("start_attestation_document", w)).status_code == 404


def test_a_notification_advance_is_still_due_at_once(tenant, settings):
    settings.PORTAL_REQUIRE_STAFF_2FA = False
    w = build(tenant, advance_paid_on="notification")
    assert {p.status for p in _advances(w).values()} == {PaymentStatus.DUE}
    assert {p.awaits for p in _advances(w).values()} == {""}
