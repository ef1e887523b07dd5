from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("applications", "0006_reference_counter_per_code"),
    ]

    operations = [
        migrations.RemoveField(model_name="referencecounter", name="call"),
        migrations.AddConstraint(
            model_name="referencecounter",
            constraint=models.UniqueConstraint(fields=("tenant", "code", "year"),
                                               name="reference_counter_unique_code")),
    ]
