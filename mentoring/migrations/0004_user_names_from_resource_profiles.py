"""Accounts created before sign-up asked for a name show as bare e-mail addresses. Where the
pilot already recorded the person in the resource pool (a profile linked to the account),
that profile's first and last name are the person's: copy them onto the account. Accounts
with a name, or without such a profile, are left alone (they are asked on their spaces
page)."""

from django.db import migrations


def names_from_profiles(apps, schema_editor):
    User = apps.get_model("portal", "User")
    ResourcePerson = apps.get_model("mentoring", "ResourcePerson")
    for user in User.objects.filter(first_name="", last_name=""):
        profile = (ResourcePerson._base_manager.filter(user=user).exclude(first_name="")
                   .exclude(last_name="").order_by("-created_at").first())
        if profile is not None:
            user.first_name, user.last_name = profile.first_name, profile.last_name
            user.save(update_fields=["first_name", "last_name"])


class Migration(migrations.Migration):
    dependencies = [
        ("mentoring", "0003_engagement_days_at_least_format_minimum"),
        ("portal", "0004_names_and_functions"),
    ]

    operations = [migrations.RunPython(names_from_profiles, migrations.RunPython.noop)]
