"""Consistent backups of the live store, and restores.

SQLite uses the online backup API: a page-by-page copy taken under a read transaction, so it
is a consistent snapshot even while others write. PostgreSQL uses ``pg_dump`` (a snapshot
within one transaction) in its custom format, restored with ``pg_restore``.
"""

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import Engine, make_url


class BackupError(RuntimeError):
    """A backup or restore could not be made; the message says why."""


def _sqlite_path(engine: Engine) -> str:
    database = make_url(str(engine.url)).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return database


def _libpq_url(engine: Engine) -> str:
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed (Debian package postgresql-client)")
    return path


def backup(engine: Engine, destination: Path) -> Path:
    """Write a consistent copy of the store to ``destination``."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    if engine.dialect.name == "sqlite":
        source = sqlite3.connect(_sqlite_path(engine))
        target = sqlite3.connect(destination)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
        return destination
    result = subprocess.run(
        [
            _tool("pg_dump"),
            "--format=custom",
            "--no-owner",
            f"--file={destination}",
            _libpq_url(engine),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise BackupError(result.stderr.strip())
    return destination


def restore(engine: Engine, source: Path) -> None:
    """Replace the store's contents with the backup at ``source``."""
    if not source.exists():
        raise BackupError(f"no backup at {source}")
    engine.dispose()
    if engine.dialect.name == "sqlite":
        backup_copy = sqlite3.connect(source)
        live = sqlite3.connect(_sqlite_path(engine), timeout=30)
        try:
            with live:
                backup_copy.backup(live)
        finally:
            live.close()
            backup_copy.close()
        return
    result = subprocess.run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={_libpq_url(engine)}",
            str(source),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise BackupError(result.stderr.strip())
