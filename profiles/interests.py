"""Expressions of interest (意向): one party's interest in another, answered by the other side.

Expressing interest moves the pair to 意向; the other side (the target's owner, an office
covering its city, an admin) accepts, which moves it to 接洽 and shows each side's contact to
the other, or declines, which ends it (终止, a negative label for the rankers). Contacts are
shown to the two sides only, and only after acceptance.
"""

from typing import Any

from sqlmodel import Session, col, select

from matching.vocabulary import InterestStatus, Role, Stage
from profiles.access import Principal
from profiles.errors import Conflict, Forbidden, NotFound
from profiles.models import (
    Interest,
    InterestAnswer,
    InterestCreate,
    InterestPublic,
    PartyIn,
    PipelineEntry,
    utcnow,
)
from profiles.pipeline import PartyRef, acts_for, advance, load_party, party_out, visible

DECLINED = "对方拒绝"


def _ref(party: PartyIn) -> PartyRef:
    return PartyRef(party.kind, party.id)


def express(session: Session, principal: Principal, data: InterestCreate) -> Interest:
    """``data.party`` (which ``principal`` speaks for) is interested in ``data.target``."""
    party = load_party(session, _ref(data.party), field="party")
    target = load_party(session, _ref(data.target), field="target")
    if not acts_for(principal, party):
        raise Forbidden("express interest for a party you speak for (yours, or in your scope)")
    open_one = session.exec(
        select(Interest.id).where(
            Interest.party_kind == party.ref.kind,
            Interest.party_id == str(party.ref.id),
            Interest.target_kind == target.ref.kind,
            Interest.target_id == str(target.ref.id),
            col(Interest.status).in_([InterestStatus.pending, InterestStatus.accepted]),
        )
    ).first()
    if open_one is not None:
        raise Conflict("interest", {"party": party.ref.key, "target": target.ref.key}, open_one)
    entry = advance(
        session,
        party_a=party.ref,
        party_b=target.ref,
        stage=Stage.interest,
        actor=principal,
        source="interest",
        note=data.note,
    )
    interest = Interest(
        party_kind=party.ref.kind,
        party_id=str(party.ref.id),
        target_kind=target.ref.kind,
        target_id=str(target.ref.id),
        note=data.note,
        party_contact=(data.contact or "").strip() or party.contact,
        created_by=principal.id,
        entry_id=entry.id,  # type: ignore[arg-type]
    )
    session.add(interest)
    session.flush()
    return interest


def _visible_interests(principal: Principal) -> Any:
    """Interests on pipeline entries the caller may read (``pipeline.visible``)."""
    return visible(select(Interest).join(PipelineEntry), principal)


def get(session: Session, principal: Principal, interest_id: int) -> Interest:
    """An interest either side (or an admin) may read; 404 for anyone else."""
    found = session.exec(_visible_interests(principal).where(Interest.id == interest_id)).first()
    if found is None or not _a_side(session, principal, found):
        raise NotFound("interest", interest_id)
    return found


def _a_side(session: Session, principal: Principal, interest: Interest) -> bool:
    if principal.role == Role.admin or interest.created_by == principal.id:
        return True
    party = load_party(session, PartyRef(interest.party_kind, interest.party_id))
    target = load_party(session, PartyRef(interest.target_kind, interest.target_id))
    return acts_for(principal, party) or acts_for(principal, target)


def listed(
    session: Session,
    principal: Principal,
    *,
    status: InterestStatus | None = None,
    after: int | None = None,
    limit: int = 100,
) -> list[Interest]:
    """The interests the caller expressed or received (any side it speaks for), by id."""
    statement = _visible_interests(principal)
    if status:
        statement = statement.where(Interest.status == status)
    if after:
        statement = statement.where(col(Interest.id) > after)
    return list(session.exec(statement.order_by(col(Interest.id)).limit(limit)).all())


def respond(
    session: Session,
    principal: Principal,
    interest_id: int,
    *,
    accept: bool,
    answer: InterestAnswer,
) -> Interest:
    """The target's side accepts (→ 接洽, contacts shown) or declines (→ 终止) a pending interest."""
    interest = get(session, principal, interest_id)
    party = load_party(session, PartyRef(interest.party_kind, interest.party_id))
    target = load_party(session, PartyRef(interest.target_kind, interest.target_id))
    if not acts_for(principal, target):
        raise Forbidden("only the side the interest was expressed in may accept or decline it")
    if interest.status != InterestStatus.pending:
        raise Conflict(
            "interest", {"id": interest_id, "status": interest.status.value}, interest_id
        )
    reason = (answer.reason or "").strip() or DECLINED
    advance(
        session,
        party_a=party.ref,
        party_b=target.ref,
        stage=Stage.contact if accept else Stage.terminated,
        actor=principal,
        reason=None if accept else reason,
        source="interest",
    )
    interest.status = InterestStatus.accepted if accept else InterestStatus.declined
    if accept:
        interest.target_contact = (answer.contact or "").strip() or target.contact
    else:
        interest.reason = reason
    interest.responded_by, interest.responded_at = principal.id, utcnow()
    interest.updated_at = utcnow()
    session.add(interest)
    session.flush()
    return interest


def public(session: Session, principal: Principal, interest: Interest) -> InterestPublic:
    """The interest as its reader may see it: contacts only for the two sides, once accepted."""
    party = load_party(session, PartyRef(interest.party_kind, interest.party_id))
    target = load_party(session, PartyRef(interest.target_kind, interest.target_id))
    entry = session.get(PipelineEntry, interest.entry_id)
    sides = acts_for(principal, party) or acts_for(principal, target)
    shown = interest.status == InterestStatus.accepted and (
        sides or principal.role == Role.admin or interest.created_by == principal.id
    )
    return InterestPublic(
        id=interest.id,  # type: ignore[arg-type]
        party=party_out(party),
        target=party_out(target),
        status=interest.status,
        status_label=interest.status.label,
        note=interest.note,
        reason=interest.reason,
        created_by=interest.created_by,
        created_at=interest.created_at,
        responded_at=interest.responded_at,
        entry_id=interest.entry_id,
        stage=entry.stage,  # type: ignore[union-attr]
        contacts={"party": interest.party_contact, "target": interest.target_contact}
        if shown
        else None,
    )
