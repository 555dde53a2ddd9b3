"""The audit log: every change to an audited table, with who made it, before and after.

A ``before_flush`` hook adds the entries to the same session, so they commit (or roll back)
with the change itself. The acting principal is ``ACTING``: for a request, the API sets it
from the verified key and the console from the signed-in key; anything else (jobs, the
command line) acts as "system". Bulk writes that bypass the ORM (imports, seeding) add one
summary entry each through ``record``.
"""

from contextvars import ContextVar
from datetime import datetime
from typing import Any

from sqlalchemy import event, inspect
from sqlmodel import Session, SQLModel, select

from profiles.models import (
    ApiKey,
    AuditEntry,
    City,
    Enterprise,
    Expert,
    Feedback,
    Interest,
    Pairing,
    PipelineEntry,
    Plan,
    Subscription,
    TalentNeed,
    University,
    utcnow,
)

ACTING: ContextVar[str] = ContextVar("acting_principal", default="system")

AUDITED = (
    City,
    Enterprise,
    University,
    Expert,
    TalentNeed,
    Pairing,
    Plan,
    Subscription,
    ApiKey,
    Feedback,
    PipelineEntry,
    Interest,
)
SECRET_COLUMNS = {"hash", "secret"}


def entries(
    session: Session,
    *,
    kind: str | None = None,
    principal: str | None = None,
    since: datetime | None = None,
    limit: int = 100,
) -> list[AuditEntry]:
    """The newest audit entries first, optionally of one kind, principal or period."""
    statement = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)  # type: ignore[union-attr]
    if kind:
        statement = statement.where(AuditEntry.kind == kind)
    if principal:
        statement = statement.where(AuditEntry.principal == principal)
    if since:
        statement = statement.where(AuditEntry.at >= since)
    return list(session.exec(statement).all())


def _plain(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return str(value)


def _values(row: SQLModel) -> dict[str, Any]:
    names = [column.key for column in row.__table__.columns]  # type: ignore[attr-defined]
    return {name: _plain(getattr(row, name)) for name in names if name not in SECRET_COLUMNS}


def _key(row: SQLModel) -> str:
    identity = inspect(row).identity or tuple(
        getattr(row, k.key) for k in inspect(type(row)).primary_key
    )
    return "/".join(str(part) for part in identity)


def record(
    session: Session,
    *,
    action: str,
    kind: str,
    key: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Add an audit entry for the acting principal to ``session``'s transaction."""
    session.add(
        AuditEntry(
            principal=ACTING.get(),
            action=action,
            kind=kind,
            key=key,
            before=before,
            after=after,
            at=utcnow(),
        )
    )


@event.listens_for(Session, "before_flush")
def _audit(session: Session, _context: Any, _instances: Any) -> None:
    created = [row for row in session.new if isinstance(row, AUDITED)]
    for row in session.dirty:
        if isinstance(row, AUDITED) and session.is_modified(row, include_collections=False):
            state = inspect(row)
            before = {
                a.key: _plain(a.history.deleted[0])
                for a in state.attrs
                if a.history.deleted and a.key not in SECRET_COLUMNS
            }
            after = {k: _plain(getattr(row, k)) for k in before}
            if before:
                record(
                    session,
                    action="update",
                    kind=row.__tablename__,
                    key=_key(row),
                    before=before,
                    after=after,
                )
    for row in session.deleted:
        if isinstance(row, AUDITED):
            record(
                session, action="delete", kind=row.__tablename__, key=_key(row), before=_values(row)
            )
    # New rows have no primary key before the flush: their entries are written right after it.
    session.info.setdefault("audit_pending", []).extend(created)


@event.listens_for(Session, "after_flush")
def _audit_created(session: Session, _context: Any) -> None:
    for row in session.info.pop("audit_pending", []):
        record(session, action="create", kind=row.__tablename__, key=_key(row), after=_values(row))
