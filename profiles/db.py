"""The engine and sessions: SQLite by default (WAL, foreign keys), PostgreSQL by URL."""

import json
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, create_engine

import profiles.audit  # noqa: F401  (registers the audit hook on every session)
from profiles.settings import StoreSettings, get_settings


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def make_engine(settings: StoreSettings) -> Engine:
    """Create the engine for ``settings.database_url`` with the store's connection rules."""
    url = settings.database_url
    if is_sqlite(url):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, json_serializer=_json
        )
        _configure_sqlite(engine, settings)
    else:
        engine = create_engine(
            url,
            connect_args={"options": f"-c statement_timeout={int(settings.query_timeout_ms)}"},
            pool_size=settings.pool_size,
            max_overflow=10,
            pool_pre_ping=True,
            json_serializer=_json,
        )
    return engine


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _configure_sqlite(engine: Engine, settings: StoreSettings) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, issue BEGIN so that we can make it IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(settings.sqlite_busy_timeout_ms)}")
        cursor.execute(f"PRAGMA synchronous={settings.sqlite_synchronous}")
        cursor.close()
        deadline = [float("inf")]
        dbapi_connection.set_progress_handler(lambda: int(time.monotonic() > deadline[0]), 10_000)
        _record.info["deadline"] = deadline

    @event.listens_for(engine, "before_cursor_execute")
    def _start_clock(connection: Any, *_: Any) -> None:
        deadline = connection.connection.info.get(
            "deadline"
        )  # the pool record's info, per connection
        if deadline is not None:
            deadline[0] = time.monotonic() + settings.query_timeout_ms / 1000

    # SQLite has one writer at a time. Threads of this process that want to write queue here,
    # each woken the moment the last one ends, rather than polling the file's lock with ever
    # longer sleeps (which left some writers waiting seconds under concurrent load); only
    # other processes still meet at the file lock.
    writer = threading.Lock()
    wait = settings.sqlite_busy_timeout_ms / 1000

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A read-then-write transaction that began DEFERRED fails at once with "database is
        # locked" when another writer commits first; IMMEDIATE waits for the lock instead.
        # Read-only sessions (see ``read_only``) opt out so readers never queue behind writers.
        if connection.get_execution_options().get("read_only", False):
            connection.exec_driver_sql("BEGIN")
            return
        if not writer.acquire(timeout=wait):
            locked = sqlite3.OperationalError("database is locked")
            raise OperationalError("BEGIN IMMEDIATE", None, locked)
        connection.info["writer"] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(connection)
            raise

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _release(connection: Any) -> None:
        if connection.info.pop("writer", False):
            writer.release()


@lru_cache
def get_engine() -> Engine:
    return make_engine(get_settings())


_READERS: "weakref.WeakKeyDictionary[Engine, Engine]" = weakref.WeakKeyDictionary()


def read_only(engine: Engine) -> Engine:
    """The same engine (and pool) for sessions that only read (made once per engine)."""
    reader = _READERS.get(engine)
    if reader is None:
        reader = _READERS[engine] = engine.execution_options(read_only=True)
    return reader


def upgrade_schema(engine: Engine) -> None:
    """Bring the database's schema to the latest migration (idempotent)."""
    from profiles import migrate

    migrate.upgrade(engine)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(engine or get_engine()) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
