"""Backups of the database (pg_dump, custom format) and of the private files — the local
folder or the object store's bucket, read through the same storage API — restorable as a pair.
A backup is a folder with `database.dump`, `files.tar.gz` and `manifest.json` (checksums of
both and of every file, time, database name)."""

import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
from datetime import datetime, timezone
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import connections

from .storage import is_local, private_file_names, private_storage


class BackupError(Exception):
    pass


def _pg_binary(name: str) -> str:
    """Prefer the PostgreSQL 16 client tools shipped in the pgserver wheel (they read 15 and 16
    servers alike), then the system's."""
    try:
        import pgserver

        candidate = Path(pgserver.__file__).parent / "pginstall" / "bin" / name
        if candidate.exists():
            return str(candidate)
    except ImportError:
        pass
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} not found")
    return found


def _libpq_env(alias: str = "default") -> tuple[dict, str]:
    db = connections[alias].settings_dict
    env = {**os.environ}
    host = db.get("HOST") or db.get("OPTIONS", {}).get("host", "")
    if host:
        env["PGHOST"] = host
    if db.get("PORT"):
        env["PGPORT"] = str(db["PORT"])
    env["PGUSER"] = db.get("USER") or "postgres"
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env, db["NAME"]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def backup_create(destination: Path) -> Path:
    """Write a new backup folder under `destination`; return it."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    folder = Path(destination) / stamp
    folder.mkdir(parents=True)
    env, name = _libpq_env()
    dump = folder / "database.dump"
    result = subprocess.run([_pg_binary("pg_dump"), "--format=custom", "--no-owner",
                             "--file", str(dump), name], env=env, capture_output=True, text=True)
    if result.returncode:
        raise BackupError(result.stderr.strip())
    files = folder / "files.tar.gz"
    checksums = _archive_private_files(files)
    manifest = {"created_at": stamp, "database": name,
                "database_sha256": _sha256(dump), "files_sha256": _sha256(files),
                "storage": "local" if is_local(private_storage()) else "object store",
                "files": checksums}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return folder


def backup_restore(folder: Path) -> None:
    """Replace the database content and the private files with those of `folder`."""
    folder = Path(folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    dump, files = folder / "database.dump", folder / "files.tar.gz"
    if _sha256(dump) != manifest["database_sha256"] or _sha256(files) != manifest["files_sha256"]:
        raise BackupError("checksum mismatch: the backup is damaged")
    connections.close_all()
    env, name = _libpq_env()
    result = subprocess.run([_pg_binary("pg_restore"), "--clean", "--if-exists", "--no-owner",
                             "--single-transaction", "--dbname", name, str(dump)],
                            env=env, capture_output=True, text=True)
    if result.returncode:
        raise BackupError(result.stderr.strip())
    _restore_private_files(files)


def _archive_private_files(archive: Path) -> dict[str, str]:
    """Every private file (local folder or object store, through the same storage API) into
    `archive` as private/<name>; returns {name: sha256}."""
    storage = private_storage()
    checksums = {}
    with tarfile.open(archive, "w:gz") as tar:
        for name in private_file_names(storage):
            with storage.open(name, "rb") as fh:
                content = fh.read()
            checksums[name] = hashlib.sha256(content).hexdigest()
            info = tarfile.TarInfo(f"private/{name}")
            info.size = len(content)
            info.mode = 0o600
            tar.addfile(info, io.BytesIO(content))
    return checksums


def _restore_private_files(archive: Path) -> None:
    """Make the private storage hold exactly the archive's files: the others are deleted."""
    storage = private_storage()
    with tarfile.open(archive, "r:gz") as tar:
        members = {m.name.removeprefix("private/"): m for m in tar.getmembers()
                   if m.isfile() and m.name.startswith("private/")}
        for name in members:
            if ".." in name.split("/") or name.startswith("/"):
                raise BackupError(f"unsafe name in the archive: {name}")
        for name in private_file_names(storage):
            storage.delete(name)
        for name, member in members.items():
            content = tar.extractfile(member).read()
            saved = storage.save(name, ContentFile(content))
            if saved != name:
                raise BackupError(f"{name} restored as {saved}")
