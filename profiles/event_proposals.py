"""Meetings the service proposes at a brokerage event, from its own recommendations.

Each participant is offered the other participants that the engine already ranks for it, with
the engine's first reason ("建议会见 深圳市（研发+制造）：…"):

- a city: partner cities (``recommending.partners``) or, for a developed city, the base cities
  it could support (``recommending.base_cities``), and universities to build with
  (``talent.universities``);
- an enterprise: its ranked sites (``recommending.sites_for_enterprise``) among the cities;
- an expert: the posts it fits (``talent.talent``), as the posts' cities;
- an opportunity (its poster): its matches (``opportunities.matches``): the complementary
  opportunities, the cities and, for a 招商项目, the enterprises that take part.

A proposal is a request in status ``proposed``: nothing is sent until the requester sends it
(``POST …/requests`` for the same pair), and the scheduler ignores it until then.
"""

from collections.abc import Callable
from typing import Any

from sqlmodel import Session, select

from matching.engine import HelperCity, UnknownCity
from profiles import opportunities, recommending, talent
from profiles.access import Principal
from profiles.errors import DomainError
from profiles.events import organised, participants
from profiles.models.events import (
    MeetingRequest,
    MeetingRequestPublic,
    Participant,
    ParticipantKind,
    RequestStatus,
)
from profiles.ranking import EngineState

LIMIT = 100  # how deep each ranking is read for participants of this event


def _ranked(call: Callable[..., Any], *args: Any, **kwargs: Any) -> list[Any]:
    """The items of a ranking, or none when the engine does not rank this profile."""
    try:
        return list(call(*args, **kwargs).items)
    except (DomainError, UnknownCity, HelperCity):
        return []


def _text(other: Participant, reason: str, label: str | None = None) -> str:
    tag = f"（{label}）" if label else ""
    return f"建议会见 {other.name}{tag}：{reason}" if reason else f"建议会见 {other.name}{tag}"


def _suggestions(
    session: Session, state: EngineState, people: list[Participant]
) -> dict[int, list[tuple[int, str]]]:
    """Per requester id: (requested id, reason), best first."""
    by_kind: dict[ParticipantKind, dict[str, Participant]] = {k: {} for k in ParticipantKind}
    for p in people:
        by_kind[p.kind][p.ref] = p
    cities = by_kind[ParticipantKind.city]
    universities = by_kind[ParticipantKind.university]
    found: dict[int, list[tuple[int, str]]] = {}

    def add(requester: Participant, other: Participant | None, reason: str) -> None:
        if other is not None and other.id != requester.id:
            found.setdefault(requester.id or 0, []).append((other.id or 0, reason))

    for p in cities.values():
        for ask in (recommending.partners, recommending.base_cities):
            for item in _ranked(ask, session, state, city=p.ref, limit=LIMIT):
                other = cities.get(item.city.adcode)
                if other is not None:
                    add(
                        p,
                        other,
                        _text(other, item.reasons[0].text if item.reasons else "", item.mode_label),
                    )
        if universities:
            for item in _ranked(talent.universities, session, state, city=p.ref, limit=LIMIT):
                other = universities.get(str(item.university["id"]))
                if other is not None:
                    add(p, other, _text(other, item.reasons[0]["text"] if item.reasons else ""))
    if cities:
        for p in by_kind[ParticipantKind.enterprise].values():
            for item in _ranked(
                recommending.sites_for_enterprise,
                session,
                state,
                enterprise_id=int(p.ref),
                limit=LIMIT,
            ):
                other = cities.get(item.city.adcode)
                if other is not None:
                    add(
                        p,
                        other,
                        _text(other, item.reasons[0].text if item.reasons else "", item.mode_label),
                    )
        for p in by_kind[ParticipantKind.expert].values():
            for item in _ranked(talent.talent, session, state, expert=int(p.ref), limit=LIMIT):
                other = cities.get(item.need["city"])
                if other is not None:
                    reason = f"岗位「{item.need['title']}」" + (
                        f"，{item.reasons[0]['text']}" if item.reasons else ""
                    )
                    add(p, other, _text(other, reason))
    for p in by_kind[ParticipantKind.opportunity].values():
        _opportunity_matches(session, state, p, by_kind, add)
    return found


def _opportunity_matches(
    session: Session,
    state: EngineState,
    p: Participant,
    by_kind: dict[ParticipantKind, dict[str, Participant]],
    add: Callable[[Participant, Participant | None, str], None],
) -> None:
    """An opportunity's matches among the participants, each with its first reason."""
    try:
        found = opportunities.matches(session, state, id=int(p.ref), limit=LIMIT)
    except (DomainError, UnknownCity, HelperCity):
        return
    for items, kind, key in (
        (found.opportunities, ParticipantKind.opportunity, lambda i: str(i.opportunity.id)),
        (found.cities, ParticipantKind.city, lambda i: i.city.adcode),
        (found.enterprises, ParticipantKind.enterprise, lambda i: str(i.enterprise.id)),
    ):
        for item in items:
            other = by_kind[kind].get(key(item))
            if other is not None:
                add(p, other, _text(other, item.reasons[0].text if item.reasons else ""))


def propose(
    session: Session,
    state: EngineState,
    principal: Principal,
    event_id: int,
    *,
    per_participant: int = 5,
) -> list[MeetingRequestPublic]:
    """Proposals for every participant (organiser only): up to ``per_participant`` each, the
    first of a ranking at priority 5, the next ones lower. Pairs that already have a request,
    either way, get none."""
    organised(session, principal, event_id)
    people = participants(session, event_id=event_id)
    taken = {
        frozenset(pair)
        for pair in session.exec(
            select(MeetingRequest.requester_id, MeetingRequest.requested_id).where(
                MeetingRequest.event_id == event_id
            )
        ).all()
    }
    created = []
    for requester, options in _suggestions(session, state, people).items():
        count = 0
        for requested, reason in options:
            pair = frozenset((requester, requested))
            if pair in taken or count >= per_participant:
                continue
            taken.add(pair)
            row = MeetingRequest(
                event_id=event_id,
                requester_id=requester,
                requested_id=requested,
                priority=max(1, 5 - count),
                status=RequestStatus.proposed,
                proposed=True,
                reasons=[reason],
            )
            session.add(row)
            created.append(row)
            count += 1
    session.flush()
    created.sort(key=lambda r: r.id or 0)
    return [MeetingRequestPublic.model_validate(r) for r in created]
