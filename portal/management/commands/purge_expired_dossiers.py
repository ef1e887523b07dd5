from django.core.management.base import BaseCommand

from portal.privacy import purge_expired_dossiers


class Command(BaseCommand):
    help = ("Supprime, avec leurs fichiers, les dossiers clos (refusés, retirés, irrecevables) "
            "et les brouillons abandonnés (appel clos) dont la durée de conservation du "
            "contrat (Tenant.retention_years) est écoulée.")

    def handle(self, *args, **options):
        count = purge_expired_dossiers()
        self.stdout.write(f"{count} dossier(s) supprimé(s)")
