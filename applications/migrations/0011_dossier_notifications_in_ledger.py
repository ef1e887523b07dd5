"""The dossier notifications recorded as sent in the audit log (action
``applications.dossier.notified``, ``data.key = "<kind>:<structure|instructors>:<occasion>"``)
become ledger rows, one per person the message went to, so that no retry of an old task mails
them again."""

from django.db import migrations


def notified_into_ledger(apps, schema_editor):
    AuditEvent = apps.get_model("portal", "AuditEvent")
    Notification = apps.get_model("portal", "Notification")
    Dossier = apps.get_model("applications", "Dossier")
    StructureMember = apps.get_model("applications", "StructureMember")
    Membership = apps.get_model("portal", "Membership")
    ContentType = apps.get_model("contenttypes", "ContentType")
    target_type, _created = ContentType.objects.get_or_create(app_label="applications",
                                                              model="dossier")
    rows = []
    events = AuditEvent.objects.filter(action="applications.dossier.notified",
                                       target_type=target_type)
    for event in events.iterator():
        kind, _sep, rest = str((event.data or {}).get("key", "")).partition(":")
        side, _sep, occasion = rest.partition(":")
        dossier = Dossier.objects.filter(pk=event.target_id).first()
        if not kind or side not in ("structure", "instructors") or dossier is None:
            continue
        if side == "structure":
            users = [m.user for m in StructureMember.objects.filter(
                structure_id=dossier.structure_id).select_related("user")]
        else:
            users = [m.user for m in Membership.objects.filter(
                tenant_id=dossier.tenant_id, role="instructor").select_related("user")]
        for user in users:
            rows.append(Notification(
                tenant_id=dossier.tenant_id, kind=f"applications.dossier_{kind}.{side}",
                target_type=target_type, target_id=str(dossier.pk), key=occasion,
                recipient=user.email.lower(), user=user, state="sent",
                sent_at=event.created_at, created_at=event.created_at))
    Notification.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ("applications", "0010_eligible_expenses"),
        ("portal", "0007_notification_ledger"),
    ]

    operations = [
        migrations.RunPython(notified_into_ledger, migrations.RunPython.noop),
    ]
