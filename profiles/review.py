"""The duplicate review queue: merge (keeping every pairing and feedback record) or dismiss."""

from typing import Any

from sqlalchemy import update
from sqlmodel import Session, select

from profiles.errors import Conflict, NotFound
from profiles.kinds import KINDS
from profiles.models import (
    DuplicateCandidate,
    Expert,
    Feedback,
    Pairing,
    ProfileFlag,
    ReviewStatus,
    pairing_key,
    utcnow,
)

REFERENCES = {
    "enterprises": [(Pairing, Pairing.enterprise_id), (Feedback, Feedback.enterprise_id)],
    "experts": [(Pairing, Pairing.expert_id)],
    "universities": [(Pairing, Pairing.university_id), (Expert, Expert.university_id)],
}


def candidates(
    session: Session,
    *,
    kind: str | None = None,
    status: ReviewStatus = ReviewStatus.open,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Likely duplicates, highest score first, each with the two records' names."""
    statement = (
        select(DuplicateCandidate)
        .where(DuplicateCandidate.status == status)
        .order_by(DuplicateCandidate.score.desc(), DuplicateCandidate.id)  # type: ignore[attr-defined]
        .limit(limit)
    )
    if kind:
        statement = statement.where(DuplicateCandidate.kind == kind)
    rows = session.exec(statement).all()
    names: dict[tuple[str, int], str] = {}
    for table_kind in {c.kind for c in rows}:
        table = KINDS[table_kind].table
        ids = {i for c in rows if c.kind == table_kind for i in (c.first_id, c.second_id)}
        for id_, name in session.exec(select(table.id, table.name).where(table.id.in_(ids))):  # type: ignore[attr-defined]
            names[(table_kind, id_)] = name
    return [
        c.model_dump()
        | {
            "first_name": names.get((c.kind, c.first_id)),
            "second_name": names.get((c.kind, c.second_id)),
        }
        for c in rows
    ]


def stale_flags(
    session: Session, *, kind: str | None = None, limit: int = 100
) -> list[ProfileFlag]:
    """Profiles flagged for their owners to update, oldest flag first."""
    statement = select(ProfileFlag).order_by(ProfileFlag.id).limit(limit)  # type: ignore[arg-type]
    if kind:
        statement = statement.where(ProfileFlag.kind == kind)
    return list(session.exec(statement).all())


def _open(session: Session, candidate_id: int) -> DuplicateCandidate:
    candidate = session.get(DuplicateCandidate, candidate_id)
    if candidate is None:
        raise NotFound("duplicate candidate", candidate_id)
    if candidate.status != ReviewStatus.open:
        raise Conflict(
            "duplicate candidate", {"id": candidate_id, "status": candidate.status}, candidate_id
        )
    return candidate


def merge(session: Session, *, candidate_id: int, keep: int | None = None) -> DuplicateCandidate:
    """Point everything that names the duplicate at the kept record, then archive the duplicate."""
    candidate = _open(session, candidate_id)
    kept = keep or candidate.first_id
    if kept not in (candidate.first_id, candidate.second_id):
        raise Conflict("duplicate candidate", {"keep": kept}, candidate_id)
    gone = candidate.second_id if kept == candidate.first_id else candidate.first_id
    for table, column in REFERENCES[candidate.kind]:
        if table is Pairing:
            _move_pairings(session, column, gone, kept)
        else:
            session.execute(update(table).where(column == gone).values({column.key: kept}))
    duplicate = session.get(KINDS[candidate.kind].table, gone)
    if duplicate is not None:
        duplicate.archived = True
        duplicate.updated_at = utcnow()
        session.add(duplicate)
    candidate.status, candidate.resolved_at = ReviewStatus.merged, utcnow()
    session.add(candidate)
    session.flush()
    return candidate


def _move_pairings(session: Session, column: Any, gone: int, kept: int) -> None:
    """Re-point pairings (their natural key with them); one the kept record already has stays."""
    for pairing in session.exec(select(Pairing).where(column == gone)).all():
        setattr(pairing, column.key, kept)
        key = pairing_key(pairing)
        if session.exec(
            select(Pairing.id).where(Pairing.natural_key == key, Pairing.id != pairing.id)
        ).first():
            setattr(pairing, column.key, gone)
            continue
        pairing.natural_key, pairing.updated_at = key, utcnow()
        session.add(pairing)


def dismiss(session: Session, *, candidate_id: int) -> DuplicateCandidate:
    candidate = _open(session, candidate_id)
    candidate.status, candidate.resolved_at = ReviewStatus.dismissed, utcnow()
    session.add(candidate)
    session.flush()
    return candidate
