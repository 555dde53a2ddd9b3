"""Exactly one active scheduler: a lease in the service's own database.

PostgreSQL: a session-level advisory lock, held on a dedicated connection; it is released when
the holder's connection ends, so a killed holder frees it at once. SQLite: a lease row with an
expiry that the holder renews; another process takes over once the expiry has passed.
"""

import os
import socket
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from profiles.models import SchedulerLease

LOCK_KEY = 0x53636864  # the scheduler's advisory lock


def holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


class Lease:
    def __init__(self, engine: Engine, name: str = "scheduler", *, seconds: int = 30) -> None:
        self.engine = engine
        self.name = name
        self.seconds = seconds
        self.holder = holder_id()
        self._connection: Any = None

    def acquire(self) -> bool:
        """Take or renew the lease; True while this process holds it."""
        if self.engine.dialect.name == "postgresql":
            return self._advisory()
        return self._row()

    def _advisory(self) -> bool:
        if self._connection is not None:
            try:
                self._connection.execute(text("SELECT 1"))
                return True
            except Exception:  # the connection died: the lock went with it
                self._connection = None
        connection = self.engine.connect()
        connection.execute(
            text("SELECT set_config('application_name', :name, false)"), {"name": self.holder}
        )
        held = connection.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": LOCK_KEY}
        ).scalar()
        connection.commit()
        if held:
            self._connection = connection
            return True
        connection.close()
        return False

    def _row(self) -> bool:
        now = datetime.now(UTC)
        expires = now + timedelta(seconds=self.seconds)
        with Session(self.engine) as session:
            taken = session.execute(
                update(SchedulerLease)
                .where(SchedulerLease.name == self.name)
                .where((SchedulerLease.holder == self.holder) | (SchedulerLease.expires_at < now))
                .values(holder=self.holder, expires_at=expires)
            ).rowcount
            if taken == 0 and session.get(SchedulerLease, self.name) is None:
                session.add(SchedulerLease(name=self.name, holder=self.holder, expires_at=expires))
                try:
                    session.commit()
                    return True
                except IntegrityError:
                    return False
            session.commit()
            return bool(taken)

    def release(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        elif self.engine.dialect.name != "postgresql":
            with Session(self.engine) as session:
                lease = session.get(SchedulerLease, self.name)
                if lease is not None and lease.holder == self.holder:
                    session.delete(lease)
                    session.commit()

    def current_holder(self) -> str | None:
        """Who holds the lease now (host:pid), or None."""
        if self.engine.dialect.name == "postgresql":
            query = text(
                "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.objid = :key AND l.granted"
            )
            with self.engine.connect() as connection:
                return connection.execute(query, {"key": LOCK_KEY}).scalar()
        with Session(self.engine) as session:
            lease = session.get(SchedulerLease, self.name)
            if lease is None:
                return None
            expires = (
                lease.expires_at
                if lease.expires_at.tzinfo
                else lease.expires_at.replace(tzinfo=UTC)
            )
            if expires < datetime.now(UTC):
                return None
            return lease.holder
