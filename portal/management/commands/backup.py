from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Sauvegarde la base (pg_dump) et les fichiers privés dans un dossier horodaté."

    def add_arguments(self, parser):
        parser.add_argument("--dest", default=str(Path(settings.BASE_DIR) / "var" / "backups"))

    def handle(self, *args, dest, **options):
        try:
            folder = backup_create(Path(dest))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(folder))
