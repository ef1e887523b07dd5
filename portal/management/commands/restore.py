from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restaure une sauvegarde (base et fichiers privés) faite par `backup`."

    def add_arguments(self, parser):
        parser.add_argument("folder")
        parser.add_argument("--yes", action="store_true",
                            help="ne pas demander de confirmation")

    def handle(self, *args, folder, yes, **options):
        if not yes and input(
                "La base et les fichiers actuels seront remplacés. Continuer ? [oui/non] ") != "oui":
            raise CommandError("Restauration annulée.")
        try:
            backup_restore(Path(folder))
        except (BackupError, FileNotFoundError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restauré depuis {folder}")
