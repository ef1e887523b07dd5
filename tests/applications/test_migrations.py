"""The data step of applications 0011: a dossier notification recorded as sent in the audit log
(`applications.dossier.notified`, key "<kind>:<structure|instructors>:<occasion>") becomes one
ledger row per person the message went to, so that no retry of an old task mails them again."""

from datetime import datetime, timezone

import pytest
from django_scopes import scopes_disabled

from portal.enums import Role
from tests.factories import MembershipFactory, UserFactory
from tests.factories.applications import StructureMemberFactory
from tests.factories.reviews import FiledDossierFactory
from tests.migrating import latest, migrate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("applications", "0010_eligible_expenses")]
AFTER = [("applications", "0011_dossier_notifications_in_ledger")]


def test_notifications_found_in_the_audit_log_become_ledger_rows_per_recipient():
    leaves = latest()
    with scopes_disabled():
        dossier = FiledDossierFactory()
        tenant = dossier.tenant
        manager = StructureMemberFactory(structure=dossier.structure,
                                         user=UserFactory(email="Gerante@Label.fr")).user
        treasurer = StructureMemberFactory(structure=dossier.structure,
                                           user=UserFactory(email="tresor@label.fr")).user
        instructor = MembershipFactory(tenant=tenant, role=Role.INSTRUCTOR,
                                       user=UserFactory(email="instr@region.fr")).user
        MembershipFactory(tenant=tenant, role=Role.ADMIN)  # an admin was not an addressee
    submitted = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
    completed = datetime(2026, 3, 9, 14, 0, tzinfo=timezone.utc)
    try:
        old_apps = migrate(BEFORE)
        AuditEvent = old_apps.get_model("portal", "AuditEvent")
        ContentType = old_apps.get_model("contenttypes", "ContentType")
        dossier_type = ContentType.objects.get(app_label="applications", model="dossier")

        def event(key, at, action="applications.dossier.notified", target=dossier.pk):
            AuditEvent.objects.create(tenant_id=tenant.pk, action=action,
                                      target_type=dossier_type, target_id=str(target),
                                      data={"key": key}, created_at=at)

        event("submitted:structure:", submitted)
        event("submitted:instructors:", submitted)
        event("completed:structure:2", completed)
        event("submitted:nobody:", submitted)  # an unknown side is left out
        event("submitted:structure:", submitted, target=dossier.pk + 999)  # a deleted dossier
        event("submitted:structure:", submitted, action="applications.dossier.submitted")

        new_apps = migrate(AFTER)
        Notification = new_apps.get_model("portal", "Notification")
        rows = sorted(
            (n.kind, n.target_type.model, n.target_id, n.key, n.recipient, n.user_id, n.state,
             n.sent_at, n.tenant_id)
            for n in Notification.objects.select_related("target_type"))
        pk = str(dossier.pk)
        assert rows == sorted([
            ("applications.dossier_submitted.structure", "dossier", pk, "",
             "gerante@label.fr", manager.pk, "sent", submitted, tenant.pk),
            ("applications.dossier_submitted.structure", "dossier", pk, "",
             "tresor@label.fr", treasurer.pk, "sent", submitted, tenant.pk),
            ("applications.dossier_submitted.instructors", "dossier", pk, "",
             "instr@region.fr", instructor.pk, "sent", submitted, tenant.pk),
            ("applications.dossier_completed.structure", "dossier", pk, "2",
             "gerante@label.fr", manager.pk, "sent", completed, tenant.pk),
            ("applications.dossier_completed.structure", "dossier", pk, "2",
             "tresor@label.fr", treasurer.pk, "sent", completed, tenant.pk),
        ])
    finally:
        migrate(leaves)
