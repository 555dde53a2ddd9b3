"""Values built from the store, kept while the tables they were built from are unchanged.

A *stamp* is a cheap read of those tables (row counts and last update times). ``Versioned``
keeps a value with the stamp it was built at, and re-reads the stamp at most every
``check_seconds`` — and at once after this process committed a write — so a request in
between costs no query, and a write on another host is seen within ``check_seconds``.
"""

import threading
import time
from collections.abc import Callable
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import event, func
from sqlalchemy.orm import ORMExecuteState
from sqlmodel import Session, select

T = TypeVar("T")
Stamp = tuple[Any, ...]


class Writes:
    """Commits that wrote, in this process, in all and by table: a cached stamp is re-read
    after any that wrote to its tables."""

    count = 0
    by_table: ClassVar[dict[str, int]] = {}

    @classmethod
    def to(cls, tables: tuple[str, ...]) -> int:
        """Commits that wrote to any of ``tables`` (or to tables unknown)."""
        return sum(cls.by_table.get(t, 0) for t in (*tables, "*"))

    @classmethod
    def committed(cls, tables: set[str]) -> None:
        cls.count += 1
        for table in tables:
            cls.by_table[table] = cls.by_table.get(table, 0) + 1


def _wrote(session: Session) -> set[str]:
    return session.info.setdefault("wrote", set())


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context: Any) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    _wrote(session).update(getattr(o, "__tablename__", "*") for o in changed)


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        _wrote(state.session).add(getattr(table, "name", "*"))


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    tables = session.info.pop("wrote", None)
    if tables:
        Writes.committed(tables)


def data_version(session: Session, *tables: Any) -> Stamp:
    """Row count and last update time of each of ``tables`` (which carry ``updated_at``)."""
    stamp: list[Any] = []
    for table in tables:
        stamp.extend(session.exec(select(func.count(), func.max(table.updated_at))).one())
    return tuple(stamp)


def row_counts(session: Session, *tables: Any) -> Stamp:
    """Row counts, for tables written only by adding rows (seeding, imports)."""
    return tuple(session.exec(select(func.count()).select_from(t)).one() for t in tables)


class Versioned(Generic[T]):
    """One value, rebuilt by ``build`` when ``stamp`` changes; thread-safe."""

    def __init__(
        self,
        stamp: Callable[[Session], Stamp],
        build: Callable[[Session], T],
        check_seconds: float,
        *,
        tables: tuple[Any, ...],
    ) -> None:
        self.stamp, self.build, self.check_seconds = stamp, build, check_seconds
        self.tables = tuple(t.__tablename__ for t in tables)  # whose writes force a check
        self._lock = threading.Lock()
        self._value: tuple[Stamp, T] | None = None
        self._checked: tuple[int, float] = (-1, 0.0)  # (writes seen, monotonic deadline)

    def fresh(self) -> T | None:
        """The value if its stamp needs no check yet (no query), else None."""
        writes, deadline = self._checked
        fresh = writes == Writes.to(self.tables) and time.monotonic() < deadline
        if self._value is not None and fresh:
            return self._value[1]
        return None

    def get(self, session: Session) -> T:
        """The value for the store as it is now (within ``check_seconds`` for other hosts).
        One thread checks the stamp; the others wait for its answer rather than repeat it."""
        value = self.fresh()
        if value is not None:
            return value
        with self._lock:
            value = self.fresh()
            if value is not None:
                return value
            seen = Writes.to(self.tables)
            stamp = self.stamp(session)
            if self._value is None or self._value[0] != stamp:
                self._value = (stamp, self.build(session))
            self._checked = (seen, time.monotonic() + self.check_seconds)
            return self._value[1]
