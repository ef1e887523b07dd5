"""The data step of the ledger's creation (portal 0007): each reminder recorded in
`SentReminder` becomes a ledger row under the same key, so that no reminder is sent again."""

from datetime import datetime, timezone

import pytest
from django_scopes import scopes_disabled

from tests.factories import CallFactory, UserFactory
from tests.factories.applications import DossierFactory
from tests.migrating import latest, migrate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("portal", "0006_tenant_reference_prefix")]
AFTER = [("portal", "0007_notification_ledger")]


def test_sent_and_skipped_reminders_become_ledger_rows_under_their_key():
    leaves = latest()
    with scopes_disabled():
        dossier = DossierFactory()
        call = dossier.call
        other_call = CallFactory(tenant=call.tenant)
    anna = UserFactory(email="Anna.Martin@Example.org")
    bruno = UserFactory(email="bruno@example.org")
    sent = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
    skipped = datetime(2026, 3, 3, 8, 0, tzinfo=timezone.utc)
    try:
        old_apps = migrate(BEFORE)
        SentReminder = old_apps.get_model("portal", "SentReminder")
        SentReminder.objects.create(kind="dossier_draft", target_key=f"dossier:{dossier.pk}",
                                    milestone="j-7", recipient_id=anna.pk, sent_at=sent)
        SentReminder.objects.create(kind="dossier_draft", target_key=f"dossier:{dossier.pk}",
                                    milestone="j-14", recipient_id=anna.pk, sent_at=skipped,
                                    skipped=True)
        SentReminder.objects.create(kind="call_closing", target_key=f"call:{other_call.pk}",
                                    milestone="j-1", recipient_id=bruno.pk, sent_at=sent)
        # a key the migration does not know is left out, not guessed
        SentReminder.objects.create(kind="legacy", target_key="thing:12", milestone="j-1",
                                    recipient_id=bruno.pk, sent_at=sent)

        new_apps = migrate(AFTER)
        Notification = new_apps.get_model("portal", "Notification")
        rows = sorted(
            (n.kind, n.target_type.app_label, n.target_type.model, n.target_id, n.key,
             n.recipient, n.user_id, n.state, n.sent_at, n.created_at)
            for n in Notification.objects.select_related("target_type"))
        assert rows == [
            ("call_closing", "calls", "call", str(other_call.pk), "j-1", "bruno@example.org",
             bruno.pk, "sent", sent, sent),
            ("dossier_draft", "applications", "dossier", str(dossier.pk), "j-14",
             "anna.martin@example.org", anna.pk, "skipped", None, skipped),
            ("dossier_draft", "applications", "dossier", str(dossier.pk), "j-7",
             "anna.martin@example.org", anna.pk, "sent", sent, sent),
        ]
    finally:
        migrate(leaves)
