from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django_scopes import scopes_disabled

from portal.backup import BackupError, backup_create, backup_restore
from portal.models import Organization, Tenant
from tests.factories import OrganizationFactory, TenantFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


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
