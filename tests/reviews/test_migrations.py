"""The data step of reviews 0006: a decision already notified (`Decision.notified_at`) counts
as sent to each member of its structure, so that no retry mails them again, and the column
goes."""

from datetime import datetime, timezone

import pytest
from django_scopes import scopes_disabled

from tests.factories import UserFactory
from tests.factories.applications import StructureMemberFactory
from tests.factories.reviews import FiledDossierFactory, SessionFactory
from tests.migrating import latest, migrate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("reviews", "0005_session_status_label")]
AFTER = [("reviews", "0006_decision_notified_in_ledger")]


def test_notified_decisions_become_sent_ledger_rows_for_each_structure_member():
    leaves = latest()
    with scopes_disabled():
        notified = FiledDossierFactory()
        tenant = notified.tenant
        pending = FiledDossierFactory(call=notified.call)
        session = SessionFactory(tenant=tenant)
        manager = StructureMemberFactory(structure=notified.structure,
                                         user=UserFactory(email="Direction@Label.fr")).user
        artist = StructureMemberFactory(structure=notified.structure,
                                        user=UserFactory(email="artiste@label.fr")).user
        StructureMemberFactory(structure=pending.structure)
    decided = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)
    mailed = datetime(2026, 3, 2, 18, 45, tzinfo=timezone.utc)
    try:
        old_apps = migrate(BEFORE)
        Decision = old_apps.get_model("reviews", "Decision")
        done = Decision.objects.create(session_id=session.pk, dossier_id=notified.pk,
                                       outcome="granted", amount=5000, decided_at=decided,
                                       notified_at=mailed)
        # not notified yet: the ledger will send it, nothing is recorded as sent
        Decision.objects.create(session_id=session.pk, dossier_id=pending.pk,
                                outcome="rejected", motivation="Hors critères",
                                decided_at=decided)

        new_apps = migrate(AFTER)
        Notification = new_apps.get_model("portal", "Notification")
        rows = sorted(
            (n.kind, n.target_type.app_label, n.target_type.model, n.target_id, n.key,
             n.recipient, n.user_id, n.state, n.sent_at, n.created_at, n.tenant_id)
            for n in Notification.objects.select_related("target_type"))
        assert rows == [
            ("reviews.decision", "reviews", "decision", str(done.pk), "", "artiste@label.fr",
             artist.pk, "sent", mailed, mailed, tenant.pk),
            ("reviews.decision", "reviews", "decision", str(done.pk), "", "direction@label.fr",
             manager.pk, "sent", mailed, mailed, tenant.pk),
        ]
        field_names = {f.name for f in new_apps.get_model("reviews", "Decision")._meta.fields}
        assert "notified_at" not in field_names
    finally:
        migrate(leaves)
