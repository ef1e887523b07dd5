import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django_scopes import scopes_disabled

from portal.backup import BackupError, backup_create, backup_restore
from portal.models import Organization, Tenant
from tests.factories import OrganizationFactory, TenantFactory

pytestmark = [pytest.mark.slow, pytest.mark.server,
              pytest.mark.django_db(transaction=True)]


def test_backup_and_restore_round_trip(tmp_path):
    tenant = TenantFactory(slug="occitanie", name="Occitanie")
    OrganizationFactory(tenant=tenant, name="DRAC Occitanie")
    private = Path(settings.PRIVATE_MEDIA_ROOT)
    letter = private / "documents" / "occitanie" / "letter.pdf"
    letter.parent.mkdir(parents=True, exist_ok=True)
    letter.write_bytes(b"%PDF-1.7 decision")

    folder = backup_create(tmp_path)
    assert sorted(p.name for p in folder.iterdir()) == ["database.dump", "files.tar.gz",
                                                        "manifest.json"]

    # Disaster: rows deleted and changed, file lost, a stray file appears.
    with scopes_disabled():
        Organization.objects.all().delete()
    Tenant.objects.filter(pk=tenant.pk).update(name="Changé")
    TenantFactory(slug="added-after-backup")
    letter.unlink()
    (private / "stray.txt").write_text("not in the backup")

    backup_restore(folder)

    assert list(Tenant.objects.values_list("slug", "name")) == [("occitanie", "Occitanie")]
    with scopes_disabled():
        assert list(Organization.objects.values_list("name", flat=True)) == ["DRAC Occitanie"]
    assert letter.read_bytes() == b"%PDF-1.7 decision"
    assert not (private / "stray.txt").exists()


def test_damaged_backup_is_refused_and_changes_nothing(tmp_path):
    TenantFactory(slug="occitanie")
    folder = backup_create(tmp_path)
    TenantFactory(slug="kept")
    with open(folder / "database.dump", "ab") as fh:
        fh.write(b"corruption")
    with pytest.raises(BackupError, match="checksum"):
        backup_restore(folder)
    assert Tenant.objects.filter(slug="kept").exists()


def test_backup_command_prints_the_folder(tmp_path, capsys):
    call_command("backup", dest=str(tmp_path))
    printed = Path(capsys.readouterr().out.strip())
    assert printed.parent == tmp_path and (printed / "manifest.json").exists()


# --- the commands an operator runs, in their own process ---------------------------------------

ROOT = Path(__file__).resolve().parents[2]


def _manage(args, *, private, workdir, stdin=None):
    """`manage.py <args>` in a subprocess on this test's database (a throw-away one, made by
    pytest-django) with `private` as the private files root."""
    from tests.worker import database_url

    (workdir / "backup_test_settings.py").write_text(
        "import os\nfrom pathlib import Path\n"
        "from portal.settings.test import *  # noqa: F401,F403\n"
        "PRIVATE_MEDIA_ROOT = MEDIA_ROOT = Path(os.environ['PRIVATE_MEDIA_ROOT'])\n")
    url = database_url()  # TCP, or the embedded server's socket directory (make test)
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(DJANGO_SETTINGS_MODULE="backup_test_settings", DATABASE_URL=url,
               PRIVATE_MEDIA_ROOT=str(private),
               PYTHONPATH=os.pathsep.join([str(workdir), str(ROOT)]))
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          input=stdin, capture_output=True, text=True, timeout=180)


def test_backup_then_restore_commands_round_trip_in_a_subprocess(tmp_path):
    from django.db import connections

    tenant = TenantFactory(slug="bretagne", name="Bretagne")
    OrganizationFactory(tenant=tenant, name="DRAC Bretagne")
    private = tmp_path / "private"
    letter = private / "documents" / "bretagne" / "courrier.pdf"
    letter.parent.mkdir(parents=True)
    letter.write_bytes(b"%PDF-1.7 courrier")
    connections.close_all()

    made = _manage(["backup", "--dest", str(tmp_path / "backups")], private=private,
                   workdir=tmp_path)
    assert made.returncode == 0, made.stderr
    folder = Path(made.stdout.strip())
    assert folder.parent == tmp_path / "backups"
    assert sorted(p.name for p in folder.iterdir()) == ["database.dump", "files.tar.gz",
                                                        "manifest.json"]

    # Disaster: rows deleted and changed, a file lost, a stray file added.
    with scopes_disabled():
        Organization.objects.all().delete()
    Tenant.objects.filter(pk=tenant.pk).update(name="Changé")
    TenantFactory(slug="apres-la-sauvegarde")
    letter.unlink()
    (private / "intrus.txt").write_text("absent de la sauvegarde")
    connections.close_all()

    refused = _manage(["restore", str(folder)], private=private, workdir=tmp_path,
                      stdin="non\n")
    assert refused.returncode == 1
    assert "Restauration annulée." in refused.stderr
    assert Tenant.objects.filter(slug="apres-la-sauvegarde").exists()
    connections.close_all()

    restored = _manage(["restore", str(folder), "--yes"], private=private, workdir=tmp_path)
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.strip() == f"Restauré depuis {folder}"
    assert list(Tenant.objects.values_list("slug", "name")) == [("bretagne", "Bretagne")]
    with scopes_disabled():
        assert list(Organization.objects.values_list("name", flat=True)) == ["DRAC Bretagne"]
    assert letter.read_bytes() == b"%PDF-1.7 courrier"
    assert not (private / "intrus.txt").exists()
