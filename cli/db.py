"""``counterpart db``: migrations, backup and restore of DATABASE_URL."""

from pathlib import Path
from typing import Annotated

import typer

db_app = typer.Typer(help="The store: migrations, backup and restore.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the schema migrations to DATABASE_URL (the quick start does this too)."""
    from profiles import migrate
    from profiles.db import get_engine

    migrate.upgrade(get_engine())
    typer.echo(f"schema at {migrate.current(get_engine())} (head {migrate.head()})")


@db_app.command("backup")
def db_backup(path: Annotated[Path, typer.Argument(help="Where to write the backup.")]) -> None:
    """Write a consistent backup of DATABASE_URL (SQLite online backup, or pg_dump)."""
    from profiles.backup import BackupError, backup
    from profiles.db import get_engine

    try:
        written = backup(get_engine(), path)
    except BackupError as error:
        raise typer.BadParameter(str(error)) from error
    typer.echo(f"backup written to {written} ({written.stat().st_size:,} bytes)")


@db_app.command("restore")
def db_restore(
    path: Annotated[Path, typer.Argument(help="A backup made by `counterpart db backup`.")],
) -> None:
    """Replace the contents of DATABASE_URL with a backup."""
    from profiles.backup import BackupError, restore
    from profiles.db import get_engine

    try:
        restore(get_engine(), path)
    except BackupError as error:
        raise typer.BadParameter(str(error)) from error
    typer.echo(f"restored from {path}")
