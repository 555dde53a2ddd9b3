"""Brokerage events (对接会): events, registration, meeting requests, the schedule, outcomes.

Who may do what (on top of the route policy):

- the **organiser** (the principal that created the event, or an admin) does everything;
- a participant acts through the key that may edit its profile (``access.may_edit``: an
  enterprise's or university's own key, an office covering the city) or through the principal
  that registered it: it registers itself, requests meetings, answers requests, reads its
  agenda and reports its meetings held or missed;
- anyone else gets 404, as if the event's private parts did not exist.

The scheduler itself is ``matching.scheduling`` (pure); this module turns stored requests into
its arrays and its answer back into meetings. Agendas and their formats are ``profiles.agendas``.
"""

from collections import defaultdict
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from pydantic import BaseModel
from sqlmodel import Session, col, select

from matching import scheduling
from matching.vocabulary import Role, Stage
from profiles import outbox, pipeline, repository
from profiles.access import Principal, may_edit
from profiles.errors import Conflict, InvalidReference, NotFound, StageClosed
from profiles.kinds import KINDS
from profiles.models import MAX_ID, City, utcnow
from profiles.models.events import (
    FIXED,
    Event,
    EventCreate,
    EventPublic,
    EventStatus,
    Meeting,
    MeetingRequest,
    MeetingRequestCreate,
    MeetingRequestPublic,
    MeetingStatus,
    Participant,
    ParticipantCreate,
    ParticipantKind,
    RequestStatus,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
DECLINED = "declined"
CANCELLED = "cancelled"
SCHEDULED = "scheduled"
REASONS = {
    DECLINED: "对方已谢绝",
    CANCELLED: "会见已取消",
    scheduling.NO_COMMON_SLOT: "双方没有共同的空闲时段",
    scheduling.NO_TABLE: "共同空闲的时段里洽谈桌已满",
    scheduling.PARTICIPANTS_BUSY: "共同空闲的时段已安排了同等或更优先的会见",
    scheduling.NOT_REACHED: "求解在时限内未完成，未能安排",
}
PROFILE_KINDS = {
    ParticipantKind.enterprise: KINDS["enterprises"],
    ParticipantKind.university: KINDS["universities"],
    ParticipantKind.expert: KINDS["experts"],
    ParticipantKind.opportunity: KINDS["opportunities"],  # its poster, named by the opportunity
}


# ---------------------------------------------------------------- events
def slot_times(event: Event) -> list[tuple[datetime, datetime]]:
    """Each slot's (start, end), local (Asia/Shanghai) wall-clock times, breaks included."""
    pauses = {int(b["after_slot"]): int(b["minutes"]) for b in event.breaks}
    start = datetime.combine(event.day, event.start)
    times = []
    for number in range(1, event.slots + 1):
        end = start + timedelta(minutes=event.slot_minutes)
        times.append((start, end))
        start = end + timedelta(minutes=pauses.get(number, 0))
    return times


def public(event: Event) -> EventPublic:
    times = [[s.strftime("%H:%M"), e.strftime("%H:%M")] for s, e in slot_times(event)]
    # the public view has the figures, not who asked whom or anyone's agenda
    summary = {k: v for k, v in event.schedule_report.items() if k not in ("unmet", "published")}
    return EventPublic.model_validate(
        event,
        update={
            "start": event.start.strftime("%H:%M"),
            "slot_times": times,
            "schedule_report": summary,
        },
    )


def create_event(session: Session, principal: Principal, data: EventCreate) -> Event:
    values = data.model_dump()
    values["city"] = repository.resolve_city(session, value=data.city, field="city")
    if principal.role == Role.office and not principal.covers(values["city"]):
        raise InvalidReference("city", data.city, "an office organises events in its own cities")
    event = Event.model_validate(values | {"owner": principal.id})
    session.add(event)
    session.flush()
    return event


def get_event(session: Session, *, id: int) -> Event:
    event = session.get(Event, id)
    if event is None:
        raise NotFound("event", id)
    return event


def list_events(session: Session, *, limit: int = 100) -> list[Event]:
    statement = select(Event).order_by(col(Event.day).desc(), col(Event.id).desc()).limit(limit)
    return list(session.exec(statement).all())


def organises(principal: Principal | None, event: Event) -> bool:
    return principal is not None and (principal.role == Role.admin or event.owner == principal.id)


def organised(session: Session, principal: Principal, id: int) -> Event:
    """The event, if ``principal`` organises it; otherwise NotFound."""
    event = get_event(session, id=id)
    if not organises(principal, event):
        raise NotFound("event", id)
    return event


# ---------------------------------------------------------------- participants
def _profile(session: Session, kind: ParticipantKind, ref: str) -> tuple[Any, str, str, str | None]:
    """The profile a participant stands for: (row, ref, name, city)."""
    if kind == ParticipantKind.city:
        adcode = repository.resolve_city(session, value=ref, field="ref")
        city = session.get(City, adcode)
        return city, adcode, city.name if city else adcode, adcode
    ref = ref.strip()
    if not (ref.isascii() and ref.isdigit() and 1 <= int(ref) <= MAX_ID):
        raise InvalidReference("ref", ref, f"a {kind.value} is named by its numeric id")
    table = PROFILE_KINDS[kind]
    try:
        row = repository.get_profile(session, kind=table, id=int(ref))
    except NotFound as error:
        raise InvalidReference("ref", ref, str(error)) from error
    city = getattr(row, "hq_city", None) or getattr(row, "city", None)
    return row, str(row.id), getattr(row, table.name_field or "name"), city


def acts_for(session: Session, principal: Principal | None, participant: Participant) -> bool:
    """Whether ``principal`` may act as ``participant`` (not counting the organiser)."""
    if principal is None:
        return False
    if participant.principal is not None and participant.principal == principal.id:
        return True
    row, *_ = _profile(session, participant.kind, participant.ref)
    return may_edit(principal, row)


def register(
    session: Session, principal: Principal, event_id: int, data: ParticipantCreate
) -> Participant:
    """Register a profile, by the organiser or by a key that may act for the profile."""
    event = get_event(session, id=event_id)
    row, ref, name, city = _profile(session, data.kind, data.ref)
    organiser = organises(principal, event)
    if not organiser and not may_edit(principal, row):
        raise NotFound(data.kind.value, data.ref)
    _check_slots(event, data.unavailable)
    existing = session.exec(
        select(Participant.id).where(
            Participant.event_id == event_id,
            Participant.kind == data.kind,
            Participant.ref == ref,
        )
    ).first()
    if existing is not None:
        raise Conflict("participant", {"kind": data.kind.value, "ref": ref}, existing)
    owner = getattr(row, "owner", None)
    participant = Participant(
        event_id=event_id,
        kind=data.kind,
        ref=ref,
        name=name,
        city=city,
        unavailable=data.unavailable,
        principal=owner if owner else (None if organiser else principal.id),
        registered_by=principal.id,
    )
    session.add(participant)
    session.flush()
    return participant


def _check_slots(event: Event, slots: list[int]) -> None:
    late = [s for s in slots if s > event.slots]
    if late:
        raise InvalidReference("unavailable", late, f"the event has {event.slots} slots")


def participants(session: Session, *, event_id: int) -> list[Participant]:
    get_event(session, id=event_id)
    statement = (
        select(Participant).where(Participant.event_id == event_id).order_by(col(Participant.id))
    )
    return list(session.exec(statement).all())


def participant(
    session: Session, principal: Principal | None, event: Event, participant_id: int
) -> Participant:
    """A participant ``principal`` may act for (or organises); otherwise NotFound."""
    row = session.get(Participant, participant_id)
    if row is None or row.event_id != event.id:
        raise NotFound("participant", participant_id)
    if not organises(principal, event) and not acts_for(session, principal, row):
        raise NotFound("participant", participant_id)
    return row


def set_unavailable(
    session: Session, principal: Principal, event_id: int, participant_id: int, slots: list[int]
) -> Participant:
    event = get_event(session, id=event_id)
    row = participant(session, principal, event, participant_id)
    _check_slots(event, slots)
    row.unavailable, row.updated_at = slots, utcnow()
    session.add(row)
    return row


# ---------------------------------------------------------------- requests
def request_meeting(
    session: Session, principal: Principal, event_id: int, data: MeetingRequestCreate
) -> MeetingRequest:
    """A request from a participant the caller acts for; sending a proposal makes it pending."""
    event = get_event(session, id=event_id)
    requester = participant(session, principal, event, data.requester_id)
    requested = session.get(Participant, data.requested_id)
    if requested is None or requested.event_id != event_id:
        raise InvalidReference("requested_id", data.requested_id, "not a participant of this event")
    if requested.id == requester.id:
        raise InvalidReference(
            "requested_id", data.requested_id, "a participant cannot meet itself"
        )
    existing = session.exec(
        select(MeetingRequest).where(
            MeetingRequest.requester_id == requester.id,
            MeetingRequest.requested_id == requested.id,
        )
    ).first()
    if existing is not None and existing.status != RequestStatus.proposed:
        raise Conflict(
            "meeting request",
            {"requester_id": requester.id, "requested_id": requested.id},
            existing.id,
        )
    request = existing or MeetingRequest(
        event_id=event_id, requester_id=requester.id or 0, requested_id=requested.id or 0
    )
    request.status, request.priority, request.note = RequestStatus.pending, data.priority, data.note
    request.updated_at = utcnow()
    session.add(request)
    session.flush()
    return request


def answer(
    session: Session, principal: Principal, event_id: int, request_id: int, *, accept: bool
) -> MeetingRequest:
    """The requested side accepts (the meeting becomes mutual) or declines."""
    event = get_event(session, id=event_id)
    request = session.get(MeetingRequest, request_id)
    if request is None or request.event_id != event_id:
        raise NotFound("meeting request", request_id)
    requested = session.get(Participant, request.requested_id)
    if requested is None or not (
        organises(principal, event) or acts_for(session, principal, requested)
    ):
        raise NotFound("meeting request", request_id)
    if request.status == RequestStatus.proposed:
        raise InvalidReference(
            "status", request.status.value, "a proposal is not sent until its requester sends it"
        )
    request.status = RequestStatus.accepted if accept else RequestStatus.declined
    request.updated_at = utcnow()
    session.add(request)
    session.flush()
    return request


def requests(
    session: Session, principal: Principal, event_id: int, *, participant_id: int | None = None
) -> list[MeetingRequestPublic]:
    """The requests the caller may see (all for the organiser), with their outcome."""
    event = get_event(session, id=event_id)
    statement = select(MeetingRequest).where(MeetingRequest.event_id == event_id)
    if participant_id is not None or not organises(principal, event):
        if participant_id is None:
            mine = [
                p.id
                for p in participants(session, event_id=event_id)
                if acts_for(session, principal, p)
            ]
        else:
            mine = [participant(session, principal, event, participant_id).id]
        statement = statement.where(
            col(MeetingRequest.requester_id).in_(mine) | col(MeetingRequest.requested_id).in_(mine)
        )
    rows = session.exec(statement.order_by(col(MeetingRequest.id))).all()
    outcomes = _outcomes(session, event)
    return [
        MeetingRequestPublic.model_validate(
            r, update={"outcome": outcomes.get(_pair(r.requester_id, r.requested_id))}
        )
        for r in rows
    ]


def _pair(p: int, q: int) -> tuple[int, int]:
    return (p, q) if p < q else (q, p)


def _outcomes(session: Session, event: Event) -> dict[tuple[int, int], str]:
    if not event.schedule_report:
        return {}
    outcomes = {
        _pair(m.first_id, m.second_id): SCHEDULED
        for m in meetings(session, event_id=event.id or 0)
        if m.status != MeetingStatus.cancelled
    }
    for unmet in event.schedule_report.get("unmet", []):
        outcomes.setdefault(_pair(unmet["first_id"], unmet["second_id"]), unmet["reason"])
    return outcomes


# ---------------------------------------------------------------- schedule
class Unmet(BaseModel):
    first_id: int
    second_id: int
    reason: str
    reason_label: str


class ScheduleReport(BaseModel):
    meetings: int
    requests: int
    pairs: int
    mutual_met: int
    mutual_total: int
    one_sided_priority_met: int
    objective: float
    greedy_objective: float
    lp_bound: float
    optimal: bool
    fixed: int
    seconds: float
    unmet: list[Unmet]


def meetings(session: Session, *, event_id: int) -> list[Meeting]:
    statement = (
        select(Meeting)
        .where(Meeting.event_id == event_id)
        .order_by(col(Meeting.slot), col(Meeting.table_no))
    )
    return list(session.exec(statement).all())


def build_schedule(session: Session, principal: Principal, event_id: int) -> ScheduleReport:
    """Schedule every wanted pair; confirmed, held and missed meetings stay where they are."""
    event = organised(session, principal, event_id)
    people = participants(session, event_id=event_id)
    index = {p.id: i for i, p in enumerate(people)}
    pairs: dict[tuple[int, int], dict[str, Any]] = defaultdict(
        lambda: {"directions": set(), "accepted": False, "declined": False, "priority": 0}
    )
    sent = session.exec(
        select(MeetingRequest).where(
            MeetingRequest.event_id == event_id,
            MeetingRequest.status != RequestStatus.proposed,
        )
    ).all()
    for r in sent:
        pair = pairs[_pair(r.requester_id, r.requested_id)]
        pair["directions"].add(r.requester_id)
        pair["accepted"] |= r.status == RequestStatus.accepted
        pair["declined"] |= r.status == RequestStatus.declined
        pair["priority"] = max(pair["priority"], r.priority)

    stored = meetings(session, event_id=event_id)
    kept = [m for m in stored if m.status in FIXED]
    cancelled = {
        _pair(m.first_id, m.second_id) for m in stored if m.status == MeetingStatus.cancelled
    }
    for m in stored:
        if m.status == MeetingStatus.scheduled:
            session.delete(m)
    session.flush()
    unmet = [
        (key, DECLINED if pair["declined"] else CANCELLED)
        for key, pair in pairs.items()
        if (pair["declined"] or key in cancelled)
        and key not in {_pair(m.first_id, m.second_id) for m in kept}
    ]
    candidates = {
        key: pair for key, pair in pairs.items() if not pair["declined"] and key not in cancelled
    }
    for m in kept:
        candidates.setdefault(
            _pair(m.first_id, m.second_id),
            {"directions": set(), "accepted": m.mutual, "declined": False, "priority": m.priority},
        )
    keys = sorted(candidates)
    mutual = np.array(
        [candidates[k]["accepted"] or len(candidates[k]["directions"]) == 2 for k in keys],
        dtype=bool,
    )
    priority = np.array([candidates[k]["priority"] for k in keys], dtype=int)
    unavailable = np.zeros((len(people), event.slots), dtype=bool)
    for p in people:
        unavailable[index[p.id], [s - 1 for s in p.unavailable if s <= event.slots]] = True
    position = {k: r for r, k in enumerate(keys)}
    fixed = [
        scheduling.Fixed(position[_pair(m.first_id, m.second_id)], m.slot - 1, m.table_no - 1)
        for m in kept
    ]
    try:
        result = scheduling.schedule(
            [index[k[0]] for k in keys],
            [index[k[1]] for k in keys],
            priority=priority,
            mutual=mutual,
            unavailable=unavailable,
            tables=event.tables,
            fixed=fixed,
        )
    except scheduling.InvalidSchedule as error:
        raise InvalidReference("meetings", event_id, str(error)) from error
    fixed_rows = {f.request for f in fixed}
    for r, key in enumerate(keys):
        if result.slot[r] != scheduling.UNSCHEDULED and r not in fixed_rows:
            session.add(
                Meeting(
                    event_id=event_id,
                    first_id=key[0],
                    second_id=key[1],
                    slot=int(result.slot[r]) + 1,
                    table_no=int(result.table[r]) + 1,
                    mutual=bool(mutual[r]),
                    priority=int(priority[r]),
                )
            )
    unmet += [(keys[r], code) for r, code in result.reasons.items()]
    report = ScheduleReport(
        meetings=int(result.met.sum()),
        requests=len(sent),
        pairs=len(keys),
        mutual_met=result.mutual_met,
        mutual_total=result.mutual_total,
        one_sided_priority_met=result.priority_met,
        objective=result.objective,
        greedy_objective=result.greedy_objective,
        lp_bound=result.lp_bound,
        optimal=result.optimal,
        fixed=len(fixed),
        seconds=round(result.seconds, 3),
        unmet=[
            Unmet(first_id=k[0], second_id=k[1], reason=code, reason_label=REASONS[code])
            for k, code in sorted(unmet)
        ],
    )
    published = event.schedule_report.get("published", {})  # what participants were last told
    event.schedule_report = report.model_dump() | {"published": published}
    event.updated_at = utcnow()
    session.add(event)
    session.flush()
    return report


# ---------------------------------------------------------------- publication, changes, outcomes
def publish(session: Session, principal: Principal, event_id: int) -> Event:
    """Confirm the schedule; tell every participant whose agenda changed since the last time."""
    event = organised(session, principal, event_id)
    for m in meetings(session, event_id=event_id):
        if m.status == MeetingStatus.scheduled:
            m.status, m.updated_at = MeetingStatus.confirmed, utcnow()
            session.add(m)
    event.status, event.published_at = EventStatus.published, utcnow()
    session.add(event)
    _announce(session, event)
    session.flush()
    return event


def agenda_lines(session: Session, event: Event) -> dict[str, list[list[int]]]:
    """Per participant id: its live meetings as [slot, table, other], the published form."""
    lines: dict[str, list[list[int]]] = defaultdict(list)
    for m in meetings(session, event_id=event.id or 0):
        if m.status != MeetingStatus.cancelled:
            lines[str(m.first_id)].append([m.slot, m.table_no, m.second_id])
            lines[str(m.second_id)].append([m.slot, m.table_no, m.first_id])
    return dict(lines)


def _announce(session: Session, event: Event) -> None:
    """One ``event.agenda_changed`` naming the participants whose agenda differs from the last
    published one (all of them the first time), for their subscribers."""
    now = agenda_lines(session, event)
    before = event.schedule_report.get("published", {})
    changed = sorted(int(p) for p in set(now) | set(before) if now.get(p) != before.get(p))
    event.schedule_report = {**event.schedule_report, "published": now}
    if not changed:
        return
    rows = [session.get(Participant, p) for p in changed]
    outbox.emit(
        session,
        outbox.EVENT_AGENDA_CHANGED,
        {
            "event_id": event.id,
            "event": event.name,
            "participants": [{"id": p.id, "name": p.name} for p in rows if p],
            "principals": sorted(
                {p.principal for p in rows if p and p.principal} | {event.owner or ""} - {""}
            ),
            "cities": sorted({p.city for p in rows if p and p.city}),
        },
    )


PIPELINE_KINDS = {
    ParticipantKind.city: "cities",
    ParticipantKind.enterprise: "enterprises",
    ParticipantKind.university: "universities",
    ParticipantKind.expert: "experts",
    ParticipantKind.opportunity: "opportunities",
}


def _to_pipeline(
    session: Session, event: Event, meeting: Meeting, first: Participant, second: Participant
) -> None:
    """A held meeting moves the pair's pipeline to 会谈 (a no-op if it is already further on;
    a pair already at 落地 or 终止 stays closed)."""
    start, _ = slot_times(event)[meeting.slot - 1]
    with suppress(StageClosed):
        pipeline.advance(
            session,
            party_a=pipeline.PartyRef(PIPELINE_KINDS[first.kind], first.ref),
            party_b=pipeline.PartyRef(PIPELINE_KINDS[second.kind], second.ref),
            stage=Stage.meeting,
            actor=None,  # the caller's right was checked above: organiser or one of the sides
            source="event",
            at=start.replace(tzinfo=SHANGHAI).astimezone(UTC),
            note=f"对接会「{event.name}」第 {meeting.slot} 时段，{meeting.table_no} 号桌",
        )


def set_meeting_status(
    session: Session, principal: Principal, event_id: int, meeting_id: int, status: MeetingStatus
) -> Meeting:
    """Cancel a meeting (its participants are told), or report it held (the pair's pipeline
    moves to 会谈) or missed."""
    event = get_event(session, id=event_id)
    meeting = session.get(Meeting, meeting_id)
    if meeting is None or meeting.event_id != event_id:
        raise NotFound("meeting", meeting_id)
    sides = [
        session.get(Participant, meeting.first_id),
        session.get(Participant, meeting.second_id),
    ]
    if not organises(principal, event) and not any(
        p and acts_for(session, principal, p) for p in sides
    ):
        raise NotFound("meeting", meeting_id)
    if status in (MeetingStatus.scheduled, MeetingStatus.confirmed):
        raise InvalidReference("status", status.value, "a meeting is held, no_show or cancelled")
    meeting.status, meeting.updated_at = status, utcnow()
    session.add(meeting)
    session.flush()
    if status == MeetingStatus.cancelled and event.status == EventStatus.published:
        _announce(session, event)
        session.add(event)
    if status == MeetingStatus.held:
        first, second = sides
        _to_pipeline(session, event, meeting, first, second)
        outbox.emit(
            session,
            outbox.MEETING_HELD,
            {
                "event_id": event_id,
                "meeting_id": meeting.id,
                "parties": [
                    {"kind": p.kind.value, "ref": p.ref, "name": p.name}
                    for p in (first, second)
                    if p
                ],
                "principals": sorted({p.principal for p in sides if p and p.principal}),
                "cities": sorted({p.city for p in sides if p and p.city}),
            },
        )
    return meeting
