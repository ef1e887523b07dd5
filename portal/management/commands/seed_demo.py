"""Load the demo data (tenants, calls from the seeds, one account per role). Idempotent."""

import importlib
import os

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

#: Apps that ship demo data, in dependency order; each has a `demo.seed()` function.
DEMO_APPS = ("portal", "calls", "applications", "reviews", "mentoring", "awards")


class Command(BaseCommand):
    help = "Charge les données de démonstration (sans effet si elles sont déjà là)."

    def handle(self, *args, **options):
        # The demo settings (dev, test) set PORTAL_DEMO; production never does.
        module = os.environ.get("DJANGO_SETTINGS_MODULE") or settings.SETTINGS_MODULE or ""
        if "production" in module or not (settings.DEBUG
                                          or getattr(settings, "PORTAL_DEMO", False)):
            raise CommandError("seed_demo refuses to run under production settings.")
        logins = []
        with transaction.atomic():
            for app in DEMO_APPS:
                try:
                    module = importlib.import_module(f"{app}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{app}.demo":
                        raise
                    continue
                logins += module.seed() or []
        from portal.demo import DEMO_PASSWORD

        self.stdout.write("Comptes de démonstration (mot de passe : %s)" % DEMO_PASSWORD)
        for email in dict.fromkeys(logins):
            self.stdout.write(f"  {email}")
