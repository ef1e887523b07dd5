from django.db import migrations, models


def fill_codes(apps, schema_editor):
    """Key the counters by the call's reference code; merge calls sharing a code (keep the
    highest number so that no reference is ever given twice)."""
    Counter = apps.get_model("applications", "ReferenceCounter")
    Dossier = apps.get_model("applications", "Dossier")
    best = {}
    for counter in Counter.objects.select_related("call").order_by("pk"):
        key = (counter.tenant_id, counter.call.reference_code, counter.year)
        best[key] = max(best.get(key, 0), counter.last_number)
    # Existing references also bound the counters (e.g. two calls numbered separately).
    for tenant_id, reference in Dossier.objects.exclude(reference="").values_list(
            "tenant_id", "reference"):
        parts = reference.split("-")
        if len(parts) >= 4 and parts[1].isdigit() and parts[-1].isdigit():
            key = (tenant_id, "-".join(parts[2:-1]), int(parts[1]))
            best[key] = max(best.get(key, 0), int(parts[-1]))
    Counter.objects.all().delete()
    Counter.objects.bulk_create([
        Counter(tenant_id=tenant_id, code=code, year=year, last_number=number,
                call_id=None) for (tenant_id, code, year), number in best.items()])


def drop_codes(apps, schema_editor):
    """Backwards: per-code counters cannot be split per call again; drop them (references
    already given stay on their dossiers)."""
    apps.get_model("applications", "ReferenceCounter").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("applications", "0005_dossier_receipt_file"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="referencecounter",
                                    name="reference_counter_unique"),
        migrations.AddField(model_name="referencecounter", name="code",
                            field=models.CharField(default="", max_length=12),
                            preserve_default=False),
        migrations.AlterField(model_name="referencecounter", name="call",
                              field=models.ForeignKey(null=True, on_delete=models.CASCADE,
                                                      related_name="+", to="calls.call")),
        migrations.RunPython(fill_codes, drop_codes),
        # The schema change that follows lives in 0007: PostgreSQL refuses to ALTER a table
        # with pending (deferred FK) trigger events in the same transaction as the data step.
    ]
