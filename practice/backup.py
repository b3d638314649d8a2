"""Consistent backups of the database, and restoring them.

SQLite: the online backup API, which copies a consistent snapshot while the site
keeps running. PostgreSQL: pg_dump in its custom format, restored with pg_restore.
The uploaded images (MEDIA_ROOT) go into a tar file beside it, <backup>.media.tar,
and come back with it.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import connection


def _pg_env() -> tuple[list[str], dict[str, str]]:
    params = connection.get_connection_params()
    args = []
    for flag, key in (("-h", "host"), ("-p", "port"), ("-U", "user")):
        if params.get(key):
            args += [flag, str(params[key])]
    env = dict(os.environ)
    if params.get("password"):
        env["PGPASSWORD"] = str(params["password"])
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise RuntimeError(f"{name} not found: install the PostgreSQL client tools (apt-get install postgresql-client)")
    return path


def default_path(directory: Path) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    suffix = "dump" if connection.vendor == "postgresql" else "sqlite3"
    return directory / f"praktijk-{stamp}.{suffix}"


def _create_private(target: Path) -> None:
    """An empty file readable by the owner only, before a single byte of personal data is in it."""
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(descriptor, 0o600)  # an existing file keeps its mode on O_CREAT: narrow it too
    finally:
        os.close(descriptor)


def backup(target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    _create_private(target)
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        copy.close()
    elif connection.vendor == "postgresql":
        args, env = _pg_env()
        subprocess.run(  # noqa: S603 - fixed program, arguments from our own settings
            [
                _tool("pg_dump"),
                *args,
                "--format=custom",
                "--no-owner",
                "--file",
                str(target),
                connection.settings_dict["NAME"],
            ],
            check=True,
            env=env,
            umask=0o077,
        )
    else:
        raise RuntimeError(f"no backup for {connection.vendor}")
    backup_media(media_archive(target))
    return target


def media_archive(database_backup: Path) -> Path:
    return database_backup.with_name(database_backup.name + ".media.tar")


def backup_media(target: Path) -> Path:
    _create_private(target)
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(target, "w") as archive:
        if media.exists():
            archive.add(media, arcname="media")
    return target


def restore_media(source: Path) -> None:
    """Puts the images of a backup in place of the current ones, all at once."""
    media = Path(settings.MEDIA_ROOT)
    media.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".media-restore-", dir=media.parent))
    with tarfile.open(source) as archive:
        # The "data" filter refuses absolute paths, links out of the folder and device files.
        archive.extractall(staging, filter="data")
    restored = staging / "media"
    restored.mkdir(exist_ok=True)
    previous = media.with_name(media.name + ".voor-terugzetten")
    shutil.rmtree(previous, ignore_errors=True)
    if media.exists():
        media.rename(previous)
    restored.rename(media)
    shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(previous, ignore_errors=True)


def restore(source: Path) -> None:
    if not source.exists():
        raise FileNotFoundError(source)
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(source) as copy:
            copy.backup(connection.connection)
        copy.close()
    elif connection.vendor == "postgresql":
        connection.close()
        args, env = _pg_env()
        subprocess.run(  # noqa: S603 - fixed program, arguments from our own settings
            [
                _tool("pg_restore"),
                *args,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
                "--dbname",
                connection.settings_dict["NAME"],
                str(source),
            ],
            check=True,
            env=env,
        )
    else:
        raise RuntimeError(f"no restore for {connection.vendor}")
    if media_archive(source).exists():
        restore_media(media_archive(source))
