"""Schema migrations (Alembic): the schema is created and upgraded by migrations only.

upgrade(engine)            empty or older database → head
downgrade(engine, "base")  back down (drops everything)
differences(engine)        what the models and the migrated database disagree on
"""

import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import SQLModel

MIGRATIONS = Path(__file__).parent / "migrations"
log = logging.getLogger("counterpart.migrate")


def _config(connection: Any) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


MIGRATION_LOCK = 0x436F756E  # any fixed number shared by every process of this service


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every migration up to ``revision``.

    A database made before migrations existed (tables, no ``alembic_version``) is adopted:
    its missing tables are added from the models, which are the head schema, and it is
    stamped at head.
    """
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":  # several workers may start at once
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        config = _config(connection)
        tables = set(inspect(connection).get_table_names())
        if "city" in tables and "alembic_version" not in tables:
            log.warning("adopting a database created before migrations: stamping head")
            SQLModel.metadata.create_all(connection, checkfirst=True)
            command.stamp(config, "head")
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        command.downgrade(_config(connection), revision)


def current(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head() -> str | None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def differences(engine: Engine) -> list[Any]:
    """The differences between the models and the database's schema (empty when in step)."""
    import profiles.models  # noqa: F401

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return [d for d in compare_metadata(context, SQLModel.metadata) if not _ignorable(d)]


def _ignorable(difference: Any) -> bool:
    # Alembic's own bookkeeping table is not a model.
    return (
        isinstance(difference, tuple)
        and difference[0] == "remove_table"
        and difference[1].name == "alembic_version"
    )


def table_names(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def revision(message: str, engine: Engine) -> None:
    """Write a new migration by comparing the models with a database at head (developers)."""
    with engine.begin() as connection:
        config = _config(connection)
        command.revision(config, message=message, autogenerate=True)


def unready(engine: Engine) -> str | None:
    """Why the store cannot serve now (unreachable, empty, not at head), or None when it can."""
    try:
        revision = current(engine)
    except SQLAlchemyError as error:
        return (
            f"the database is unreachable ({type(getattr(error, 'orig', None) or error).__name__})"
        )
    if revision is None:
        return "the database is empty: restore a backup or run `counterpart db upgrade`"
    if revision != _head():
        return (
            f"the database is at revision {revision}, not {_head()}: run `counterpart db upgrade`"
        )
    return None


@lru_cache
def _head() -> str | None:
    return head()
