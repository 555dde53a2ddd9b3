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
    ReviewStatus,
    pairing_key,
    utcnow,
)

REFERENCES = {
    "enterprises": [(Pairing, Pairing.enterprise_id), (Feedback, Feedback.enterprise_id)],
    "experts": [(Pairing, Pairing.expert_id)],
    "universities": [(Pairing, Pairing.university_id), (Expert, Expert.university_id)],
}


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
