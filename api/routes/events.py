"""Brokerage events (对接会): registration, meeting requests, the schedule, agendas, outcomes."""

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, status
from fastapi.responses import HTMLResponse, Response
from pydantic import ConfigDict, Field

from api.deps import EngineStateDep, SessionDep
from api.routes.common import ItemList
from api.security import ALL, WRITERS, Office, Reader, allow
from profiles import agendas, event_proposals, events
from profiles.access import Principal
from profiles.agendas import Agenda, TableSheets
from profiles.events import ScheduleReport
from profiles.models import (
    MAX_ID,
    EventCreate,
    EventPublic,
    MeetingPublic,
    MeetingRequestCreate,
    MeetingRequestPublic,
    MeetingStatus,
    ParticipantCreate,
    ParticipantPublic,
    ParticipantUpdate,
)
from profiles.shape import Shape

router = APIRouter(prefix="/events", tags=["events"])
Participating = Annotated[Principal, allow(*WRITERS)]
Member = Annotated[Principal, allow(*ALL)]
EventId = Annotated[int, Path(ge=1, le=MAX_ID)]
RowId = Annotated[int, Path(ge=1, le=MAX_ID)]


class Outcome(Shape):
    model_config = ConfigDict(extra="forbid")
    status: Literal["held", "no_show", "cancelled"] = Field(
        description="held 已会谈 · no_show 未到场 · cancelled 取消（已发布的日程会通知双方）"
    )


@router.post("", status_code=status.HTTP_201_CREATED, summary="创建对接会 Create a brokerage event")
def create_event(session: SessionDep, principal: Office, body: EventCreate) -> EventPublic:
    return events.public(events.create_event(session, principal, body))


@router.get("", summary="对接会列表 List events, latest day first")
def list_events(
    session: SessionDep, _: Reader, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> ItemList[EventPublic]:
    return ItemList(items=[events.public(e) for e in events.list_events(session, limit=limit)])


@router.get("/{event_id}", summary="对接会详情 One event, with its slot times")
def get_event(session: SessionDep, _: Reader, event_id: EventId) -> EventPublic:
    return events.public(events.get_event(session, id=event_id))


@router.post(
    "/{event_id}/participants",
    status_code=status.HTTP_201_CREATED,
    summary="报名 Register a profile: by the organiser, or by the profile's own key",
)
def register(
    session: SessionDep, principal: Participating, event_id: EventId, body: ParticipantCreate
) -> ParticipantPublic:
    return events.register(session, principal, event_id, body)


@router.get("/{event_id}/participants", summary="参会方 The participants")
def list_participants(
    session: SessionDep, _: Reader, event_id: EventId
) -> ItemList[ParticipantPublic]:
    return ItemList(items=events.participants(session, event_id=event_id))


@router.patch(
    "/{event_id}/participants/{participant_id}",
    summary="不可参加的时段 Set the slots a participant cannot attend",
)
def update_participant(
    session: SessionDep,
    principal: Participating,
    event_id: EventId,
    participant_id: RowId,
    body: ParticipantUpdate,
) -> ParticipantPublic:
    return events.set_unavailable(session, principal, event_id, participant_id, body.unavailable)


@router.post(
    "/{event_id}/proposals",
    status_code=status.HTTP_201_CREATED,
    summary="系统建议 Propose meetings from the engine's recommendations (organiser)",
)
def propose(
    session: SessionDep,
    state: EngineStateDep,
    principal: Office,
    event_id: EventId,
    per_participant: Annotated[int, Query(ge=1, le=20)] = 5,
) -> ItemList[MeetingRequestPublic]:
    items = event_proposals.propose(
        session, state, principal, event_id, per_participant=per_participant
    )
    return ItemList(items=items)


@router.post(
    "/{event_id}/requests",
    status_code=status.HTTP_201_CREATED,
    summary="约见 Request a meeting (or send a proposal) as a participant",
)
def request_meeting(
    session: SessionDep, principal: Participating, event_id: EventId, body: MeetingRequestCreate
) -> MeetingRequestPublic:
    return MeetingRequestPublic.model_validate(
        events.request_meeting(session, principal, event_id, body)
    )


@router.get(
    "/{event_id}/requests",
    summary="约见请求 Requests the caller may see (all, for the organiser), with outcomes",
)
def list_requests(
    session: SessionDep,
    principal: Member,
    event_id: EventId,
    participant: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> ItemList[MeetingRequestPublic]:
    return ItemList(items=events.requests(session, principal, event_id, participant_id=participant))


@router.post("/{event_id}/requests/{request_id}/accept", summary="接受约见 Accept a request")
def accept(
    session: SessionDep, principal: Participating, event_id: EventId, request_id: RowId
) -> MeetingRequestPublic:
    row = events.answer(session, principal, event_id, request_id, accept=True)
    return MeetingRequestPublic.model_validate(row)


@router.post("/{event_id}/requests/{request_id}/decline", summary="谢绝约见 Decline a request")
def decline(
    session: SessionDep, principal: Participating, event_id: EventId, request_id: RowId
) -> MeetingRequestPublic:
    row = events.answer(session, principal, event_id, request_id, accept=False)
    return MeetingRequestPublic.model_validate(row)


@router.post(
    "/{event_id}/schedule",
    summary="排程 Build the schedule (exact): confirmed meetings stay; report vs greedy and LP",
)
def build_schedule(session: SessionDep, principal: Office, event_id: EventId) -> ScheduleReport:
    return events.build_schedule(session, principal, event_id)


@router.post(
    "/{event_id}/publish",
    summary="发布日程 Confirm the schedule; changed agendas are announced to subscribers",
)
def publish(session: SessionDep, principal: Office, event_id: EventId) -> EventPublic:
    return events.public(events.publish(session, principal, event_id))


@router.get("/{event_id}/meetings", summary="全部会见 Every meeting (organiser)")
def list_meetings(
    session: SessionDep, principal: Office, event_id: EventId
) -> ItemList[MeetingPublic]:
    events.organised(session, principal, event_id)
    return ItemList(items=events.meetings(session, event_id=event_id))


@router.post(
    "/{event_id}/meetings/{meeting_id}/status",
    summary="会见结果 Report a meeting held or missed, or cancel it",
)
def set_meeting_status(
    session: SessionDep,
    principal: Participating,
    event_id: EventId,
    meeting_id: RowId,
    body: Outcome,
) -> MeetingPublic:
    return events.set_meeting_status(
        session, principal, event_id, meeting_id, MeetingStatus(body.status)
    )


@router.get(
    "/{event_id}/participants/{participant_id}/agenda",
    summary="个人日程 A participant's agenda as JSON, CSV or iCalendar (.ics)",
    response_model=Agenda,
    responses={200: {"content": {"text/csv": {}, "text/calendar": {}}}},
)
def agenda(
    session: SessionDep,
    principal: Member,
    event_id: EventId,
    participant_id: RowId,
    format: Literal["json", "csv", "ics"] = "json",
) -> Agenda | Response:
    found = agendas.agenda(session, principal, event_id, participant_id)
    if format == "json":
        return found
    name = f"event-{event_id}-participant-{participant_id}"
    if format == "csv":
        return Response(
            agendas.agenda_csv(found),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    return Response(
        agendas.agenda_ics(found, stamp=datetime.now(UTC)),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.ics"'},
    )


@router.get("/{event_id}/tables", summary="洽谈桌日程 Every table's meetings, slot by slot")
def tables(session: SessionDep, principal: Office, event_id: EventId) -> TableSheets:
    return agendas.table_sheets(session, principal, event_id)


@router.get(
    "/{event_id}/sheet",
    response_class=HTMLResponse,
    summary="日程总表 A printable day sheet (A4 landscape): tables × slots",
)
def day_sheet(session: SessionDep, principal: Office, event_id: EventId) -> HTMLResponse:
    sheets = agendas.table_sheets(session, principal, event_id)
    event = events.get_event(session, id=event_id)
    return HTMLResponse(agendas.day_sheet_html(event, sheets))
