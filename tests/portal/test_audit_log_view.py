"""The coordinator's journal names each operation's object as people know it — a dossier by
its reference, a call by its title — not by a database number (« Dossier n° 10 » was all the
journal said; seen walking the demo as the coordinator)."""

import pytest
from django.urls import reverse
from django_scopes import scope

from portal.audit import audit_log
from portal.enums import Role
from tests.factories.calls import CallFactory
from tests.factories.portal import MembershipFactory
from tests.factories.reviews import FiledDossierFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_staff_2fa")]


def test_the_journal_names_dossiers_by_reference_and_calls_by_title(client, tenant):
    admin = MembershipFactory(tenant=tenant, role=Role.ADMIN).user
    with scope(tenant=tenant):
        call = CallFactory(tenant=tenant, title="Aide aux projets de coopération professionnelle")
        dossier = FiledDossierFactory(call=call, reference="HDF-2026-COOP-0005")
        audit_log(tenant=tenant, actor=admin, action="reviews.dossier.eligible", target=dossier,
                  data={"from": "submitted", "to": "eligible"})
        audit_log(tenant=tenant, actor=admin, action="calls.call.published", target=call)
        gone = FiledDossierFactory(call=call, reference="HDF-2026-COOP-0006")
        audit_log(tenant=tenant, actor=admin, action="reviews.dossier.eligible", target=gone,
                  data={"from": "submitted", "to": "eligible"})
        gone_pk = gone.pk
        gone.delete()
    client.force_login(admin)
    body = client.get(reverse("portal:manage_audit_log",
                              kwargs={"tenant_slug": tenant.slug})).content.decode()
    assert "Dossier HDF-2026-COOP-0005" in body
    assert "Appel à projets Aide aux projets de coopération professionnelle" in body
    assert f"Dossier n° {dossier.pk}" not in body
    assert f"Dossier n° {gone_pk}" in body  # deleted since: its number is all that is left


def test_another_contracts_admin_cannot_read_this_journal(client, tenant, other_tenant):
    stranger = MembershipFactory(tenant=other_tenant, role=Role.ADMIN).user
    client.force_login(stranger)
    response = client.get(reverse("portal:manage_audit_log", kwargs={"tenant_slug": tenant.slug}))
    assert response.status_code in (403, 404)
