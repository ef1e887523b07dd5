"""The generated documents reach their readers: the decision letter is produced when the
session closes, attached to the decision e-mail and linked from the applicant's dossier page
(with the published decision's figures) and from the session page; the tenant admin gives
each funder its logo and the contract its letter mentions. Everything out of reach is a 404
(another tenant, another structure) or a 403 (a role that may not)."""

import io

import pytest
from django.core import mail
from django.urls import reverse
from django_scopes import scope

from portal.enums import OrganizationKind as K
from portal.enums import Role
from reviews.models import Decision
from reviews.tasks import decision_letter_task, decision_notify_task
from tests.factories import MembershipFactory, TenantFactory, UserFactory
from tests.factories.reviews import officer

from .layout import pdf_text
from .world import build_world, png_logo

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    return build_world(name="Collectif des labels indépendants d'Occitanie")


def _dossier_page(client, world, dossier):
    return client.get(reverse("applications:dossier_detail", kwargs={
        "tenant_slug": world["tenant"].slug, "pk": dossier.pk}))


def test_decision_email_attaches_the_letter_and_links_it(world):
    mail.outbox.clear()
    decision_notify_task(decision_id=world["grant"].pk)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["direction@collectif-labels.example"]
    assert "suivra" not in message.body
    assert "Le courrier de notification, signé des financeurs, est joint à ce message." in message.body
    letter_url = reverse("reviews:decision_letter", kwargs={
        "tenant_slug": "occitanie", "decision_pk": world["grant"].pk})
    assert letter_url in message.body
    assert "DRAC (État) : 8 000,00 €" in message.body.replace("\u00a0", " ")
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == ("decision-OCC-2024-COOP-0007.pdf", "application/pdf")
    assert "24 500,50 €" in pdf_text(content)


def test_the_applicant_reads_the_published_decision_and_downloads_the_letter(client, world):
    decision_letter_task(decision_id=world["grant"].pk)
    client.force_login(world["applicant"])
    html = _dossier_page(client, world, world["granted"]).content.decode().replace("\u00a0", " ")
    assert "Décision du comité" in html and "Aide accordée : 24 500,50 €" in html
    for expected in ["DRAC (État)", "8 000,00 €", "6 400,00 €", "1 600,00 €",
                     "Avance de 80 %, soit 19 600,40 €, versée à la notification de la décision.",
                     "Solde de 4 900,10 €, versé sur présentation du bilan final",
                     "Bilan final à remettre au plus tard le 30 septembre 2025.",
                     "Voies et délais de recours", "tribunal administratif de Toulouse"]:
        assert expected in html, expected
    url = reverse("reviews:decision_letter", kwargs={"tenant_slug": "occitanie",
                                                     "decision_pk": world["grant"].pk})
    assert f'href="{url}"' in html
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "OCC-2024-COOP-0007" in pdf_text(b"".join(response.streaming_content))


def test_the_refusal_shows_its_motivation_and_the_letter_is_produced_on_demand(client, world):
    client.force_login(world["applicant"])
    html = _dossier_page(client, world, world["refused"]).content.decode()
    assert "Demande non retenue" in html
    assert "ne réunit pas les trois structures partenaires" in html
    url = reverse("reviews:decision_letter", kwargs={"tenant_slug": "occitanie",
                                                     "decision_pk": world["refusal"].pk})
    # the worker has not run: the page says so, the download produces it
    assert "est en cours de production" in html
    response = client.get(url)
    assert response.status_code == 200
    assert "Notification de refus d'aide" in pdf_text(b"".join(response.streaming_content))


def test_nothing_of_the_decision_shows_before_the_session_closes(client, settings, tmp_path):
    from datetime import date
    from decimal import Decimal

    from reviews import services
    from reviews.models import AgendaItem, CommitteeMember
    from tests.factories import CallFactory, CategoryFactory
    from tests.factories.applications import StructureMemberFactory
    from tests.factories.reviews import FiledDossierFactory, SessionFactory

    tenant = TenantFactory(slug="bretagne", region_code="53")
    member = officer(tenant, K.CNM, role=Role.COMMITTEE)
    applicant = UserFactory()
    with scope(tenant=tenant):
        call = CallFactory(tenant=tenant, funders=["cnm"])
        category = CategoryFactory(call=call, advance_percentage=Decimal("70"))
        dossier = FiledDossierFactory(call=call, category=category, status="in_committee")
        StructureMemberFactory(structure=dossier.structure, user=applicant)
        session = SessionFactory(tenant=tenant, date=date(2024, 4, 25))
        session.calls.set([call])
        CommitteeMember.objects.create(session=session, user=member, funder="cnm", present=True)
        AgendaItem.objects.create(session=session, dossier=dossier, position=1)
        decision = services.decision_record(user=member, session=session, dossier=dossier,
                                            outcome="granted", shares={"cnm": "9 876,50"})
    client.force_login(applicant)
    html = client.get(reverse("applications:dossier_detail", kwargs={
        "tenant_slug": tenant.slug, "pk": dossier.pk})).content.decode()
    assert "Décision du comité" not in html and "9 876,50" not in html.replace("\u00a0", " ")
    assert client.get(reverse("reviews:decision_letter", kwargs={
        "tenant_slug": tenant.slug, "decision_pk": decision.pk})).status_code == 404


def test_the_letter_is_out_of_reach_of_other_structures_tenants_and_roles(client, world,
                                                                        no_staff_2fa):
    url = reverse("reviews:decision_letter", kwargs={"tenant_slug": "occitanie",
                                                     "decision_pk": world["grant"].pk})
    client.force_login(UserFactory())  # applicant of another structure
    assert client.get(url).status_code == 404
    other = TenantFactory(slug="normandie", region_code="28")
    client.force_login(MembershipFactory(tenant=other, role=Role.ADMIN).user)
    assert client.get(reverse("reviews:decision_letter", kwargs={
        "tenant_slug": "normandie", "decision_pk": world["grant"].pk})).status_code == 404
    assert client.get(url).status_code == 404  # staff of another tenant
    client.force_login(MembershipFactory(tenant=world["tenant"], role=Role.PILOT,
                                         organization=world["orgs"][K.PILOT]).user)
    assert client.get(url).status_code == 404  # a role that does not read letters
    client.logout()
    assert client.get(url).status_code == 404


def test_the_session_page_links_each_decisions_letter(client, world, no_staff_2fa):
    decision_letter_task(decision_id=world["grant"].pk)
    client.force_login(world["admin"])
    html = client.get(reverse("reviews:session", kwargs={
        "tenant_slug": "occitanie", "session_pk": world["session"].pk})).content.decode()
    granted = reverse("reviews:decision_letter", kwargs={"tenant_slug": "occitanie",
                                                         "decision_pk": world["grant"].pk})
    refused = reverse("reviews:decision_letter", kwargs={"tenant_slug": "occitanie",
                                                         "decision_pk": world["refusal"].pk})
    assert f'href="{granted}"' in html and f'href="{refused}"' not in html  # not produced yet
    assert html.count("Courrier de notification (PDF)") == 1


def test_the_admin_uploads_a_funders_logo_that_the_letter_prints(client, world, no_staff_2fa):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from portal.documents import private_path
    from reviews.letters import decision_letter_generate

    org = world["orgs"][K.REGION]
    url = reverse("portal:manage_organization_identity", kwargs={"tenant_slug": "occitanie",
                                                                 "pk": org.pk})
    client.force_login(world["admin"])
    bad = client.post(url, {"logo": SimpleUploadedFile("logo.png", b"not an image",
                                                       content_type="image/png"),
                            "siret": "123", "address": "Hôtel de Région"})
    assert bad.status_code == 200
    html = bad.content.decode()
    assert "Ce numéro SIRET n&#x27;est pas valide" in html or "Ce numéro SIRET n'est pas valide" in html
    assert "Hôtel de Région" in html  # what was typed is kept
    response = client.post(url, {
        "logo": SimpleUploadedFile("region.png", png_logo("REGION", (200, 0, 0)),
                                   content_type="image/png"),
        "address": "Hôtel de Région\n22 boulevard du Maréchal Juin\n31406 Toulouse Cedex 9",
        "representative_name": "Carole Delga", "representative_title": "Présidente"})
    assert response.status_code == 302
    with scope(tenant=world["tenant"]):
        org.refresh_from_db()
        assert org.logo.name.startswith(f"logos/{world['tenant'].pk}/")
        assert org.address_lines[-1] == "31406 Toulouse Cedex 9"
        decision = Decision.objects.get(pk=world["grant"].pk)
        document, rendered = decision_letter_generate(decision)
    assert rendered
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(private_path(document.file_path).read_bytes()))
    assert len(reader.pages[0].images) >= 2  # the CNM's and the Région's logos


def test_official_documents_pages_are_for_the_tenant_admin_only(client, world, no_staff_2fa):
    documents = reverse("portal:manage_documents", kwargs={"tenant_slug": "occitanie"})
    identity = reverse("portal:manage_organization_identity", kwargs={
        "tenant_slug": "occitanie", "pk": world["orgs"][K.CNM].pk})
    client.force_login(world["members"]["Sophie Lambert"])  # committee member
    assert client.get(documents).status_code == 403
    assert client.get(identity).status_code == 403
    client.force_login(world["applicant"])
    assert client.get(documents).status_code in (403, 404)
    other = TenantFactory(slug="normandie", region_code="28")
    other_admin = MembershipFactory(tenant=other, role=Role.ADMIN).user
    client.force_login(other_admin)
    assert client.get(reverse("portal:manage_organization_identity", kwargs={
        "tenant_slug": "normandie", "pk": world["orgs"][K.CNM].pk})).status_code == 404
    client.force_login(world["admin"])
    response = client.post(documents, {"letter_place": "Montpellier",
                                       "service_name": "Pôle filière",
                                       "service_email": "pas-une-adresse"})
    assert response.status_code == 200 and "Montpellier" in response.content.decode()
    response = client.post(documents, {"letter_place": "Montpellier",
                                       "service_name": "Pôle filière",
                                       "service_email": "filiere@region.example",
                                       "tribunal_name": "tribunal administratif de Montpellier"})
    assert response.status_code == 302
    world["tenant"].refresh_from_db()
    assert world["tenant"].tribunal_label == "tribunal administratif de Montpellier"
    overview = client.get(reverse("portal:manage_overview", kwargs={"tenant_slug": "occitanie"}))
    assert "Courriers signés à Montpellier" in overview.content.decode()
