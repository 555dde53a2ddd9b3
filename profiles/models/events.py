"""Brokerage events (对接会): the event, its participants, meeting requests and meetings."""

from datetime import date, datetime, time

from pydantic import field_validator, model_validator
from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from matching.vocabulary import LabelledEnum
from profiles.models.common import MAX_ID, STRICT, EnumText, Owned, Stamped
from profiles.shape import Shape, Stored

MAX_SLOTS = 48
MAX_TABLES = 500


class EventStatus(LabelledEnum):
    draft = "draft", "筹备中"
    published = "published", "日程已发布"
    closed = "closed", "已结束"


class ParticipantKind(LabelledEnum):
    city = "city", "城市"
    enterprise = "enterprise", "企业"
    university = "university", "高校"
    expert = "expert", "专家"
    opportunity = "opportunity", "合作机会发布方"


class RequestStatus(LabelledEnum):
    proposed = "proposed", "系统建议"
    pending = "pending", "待回复"
    accepted = "accepted", "已接受"
    declined = "declined", "已谢绝"


class MeetingStatus(LabelledEnum):
    scheduled = "scheduled", "已排定"
    confirmed = "confirmed", "已确认"
    held = "held", "已会谈"
    no_show = "no_show", "未到场"
    cancelled = "cancelled", "已取消"


FIXED = (MeetingStatus.confirmed, MeetingStatus.held, MeetingStatus.no_show)
"""Meetings a re-run of the scheduler keeps where they are."""


# ---------------------------------------------------------------- Event
class Break(Shape):
    model_config = STRICT

    after_slot: int = Field(ge=1, le=MAX_SLOTS, description="the break follows this slot (1-based)")
    minutes: int = Field(ge=1, le=600)


class EventBase(Shape):
    name: str = Field(min_length=1, max_length=200)
    city: str = Field(max_length=6, foreign_key="city.adcode", index=True)
    venue: str | None = Field(default=None, max_length=200)
    day: date
    start: time = Field(description="the first slot's start, Asia/Shanghai")
    slot_minutes: int = Field(default=20, ge=5, le=240)
    slots: int = Field(default=12, ge=1, le=MAX_SLOTS)
    breaks: list[dict] = Field(default_factory=list, sa_type=JSON, max_length=MAX_SLOTS)
    tables: int = Field(default=10, ge=1, le=MAX_TABLES)


class Event(EventBase, Owned, table=True):
    __tablename__ = "brokerage_event"
    id: int | None = Field(default=None, primary_key=True)
    status: EventStatus = Field(
        default=EventStatus.draft, sa_type=EnumText(EventStatus, 12), index=True
    )
    published_at: datetime | None = None
    schedule_report: dict = Field(default_factory=dict, sa_type=JSON)


class EventCreate(EventBase):
    model_config = STRICT

    city: str = Field(max_length=40, description="adcode or name of the host city")
    day: date = Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))
    breaks: list[Break] = Field(default_factory=list, max_length=MAX_SLOTS)

    @field_validator("start")
    @classmethod
    def _wall_clock(cls, value: time) -> time:
        if value.tzinfo is not None:
            raise ValueError("a local wall-clock time (Asia/Shanghai), without an offset")
        return value

    @model_validator(mode="after")
    def _breaks_inside(self) -> "EventCreate":
        for item in self.breaks:
            if item.after_slot >= self.slots:
                raise ValueError(f"a break after slot {item.after_slot} of {self.slots}")
        return self


class EventPublic(Stored, EventBase):
    start: str = Field(description="the first slot's start, HH:MM, Asia/Shanghai")
    id: int
    status: EventStatus
    owner: str | None
    published_at: datetime | None
    schedule_report: dict
    slot_times: list[list[str]] = Field(description="[start, end] of each slot, HH:MM")


# ---------------------------------------------------------------- Participant
def slot_numbers(value: list[int]) -> list[int]:
    """1-based slot numbers, sorted, each once."""
    if any(s < 1 or s > MAX_SLOTS for s in value):
        raise ValueError(f"slots are numbered 1 … {MAX_SLOTS}")
    return sorted(set(value))


class ParticipantBase(Shape):
    kind: ParticipantKind = Field(sa_type=EnumText(ParticipantKind, 12))
    ref: str = Field(max_length=40, description="the city's adcode or the profile's id")
    unavailable: list[int] = Field(
        default_factory=list, sa_type=JSON, max_length=MAX_SLOTS, description="1-based slots"
    )


class Participant(ParticipantBase, Stamped, table=True):
    __tablename__ = "event_participant"
    __table_args__ = (UniqueConstraint("event_id", "kind", "ref", name="uq_participant_profile"),)
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="brokerage_event.id", index=True)
    name: str = Field(max_length=200)
    city: str | None = Field(default=None, max_length=6, description="the profile's city")
    principal: str | None = Field(
        default=None, max_length=100, index=True, description="who acts for it besides offices"
    )
    registered_by: str | None = Field(default=None, max_length=100)


class ParticipantCreate(ParticipantBase):
    model_config = STRICT

    ref: str = Field(max_length=40, description="an adcode or city name, or a profile id")

    _slots = field_validator("unavailable")(lambda value: slot_numbers(value))


class ParticipantUpdate(Shape):
    model_config = STRICT

    unavailable: list[int] = Field(max_length=MAX_SLOTS)

    _slots = field_validator("unavailable")(lambda value: slot_numbers(value))


class ParticipantPublic(Stored, ParticipantBase):
    id: int
    event_id: int
    name: str
    city: str | None


# ---------------------------------------------------------------- MeetingRequest
class MeetingRequestBase(Shape):
    requested_id: int = Field(ge=1, le=MAX_ID, foreign_key="event_participant.id", index=True)
    priority: int = Field(default=3, ge=1, le=5, description="5 the most wanted")
    note: str | None = Field(default=None, max_length=500)


class MeetingRequest(MeetingRequestBase, Stamped, table=True):
    __tablename__ = "meeting_request"
    __table_args__ = (UniqueConstraint("requester_id", "requested_id", name="uq_request_pair"),)
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="brokerage_event.id", index=True)
    requester_id: int = Field(foreign_key="event_participant.id", index=True)
    status: RequestStatus = Field(
        default=RequestStatus.pending, sa_type=EnumText(RequestStatus, 12)
    )
    proposed: bool = Field(default=False, description="first suggested by the service")
    reasons: list[str] = Field(default_factory=list, sa_type=JSON)


class MeetingRequestCreate(MeetingRequestBase):
    model_config = STRICT

    requester_id: int = Field(ge=1, le=MAX_ID)


class MeetingRequestPublic(Stored, MeetingRequestBase):
    id: int
    event_id: int
    requester_id: int
    status: RequestStatus
    proposed: bool
    reasons: list[str]
    outcome: str | None = Field(
        None, description="after scheduling: scheduled, or why not (declined, no_common_slot …)"
    )


# ---------------------------------------------------------------- Meeting
class Meeting(Stamped, table=True):
    __table_args__ = (UniqueConstraint("event_id", "first_id", "second_id", name="uq_meeting"),)
    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="brokerage_event.id", index=True)
    first_id: int = Field(foreign_key="event_participant.id", index=True)
    second_id: int = Field(foreign_key="event_participant.id", index=True)
    slot: int = Field(ge=1, le=MAX_SLOTS, description="1-based")
    table_no: int = Field(ge=1, le=MAX_TABLES, description="1-based")
    mutual: bool = False
    priority: int = 0
    status: MeetingStatus = Field(
        default=MeetingStatus.scheduled, sa_type=EnumText(MeetingStatus, 12)
    )


class MeetingPublic(SQLModel):
    id: int
    event_id: int
    first_id: int
    second_id: int
    slot: int
    table_no: int
    mutual: bool
    priority: int
    status: MeetingStatus
