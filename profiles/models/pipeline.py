"""The pipeline: what became of a pairing of two parties, and the expressions of interest behind it.

A party is a profile of any kind (``profiles.kinds``) or a city, named by its kind's slug and
its id (an adcode for ``cities``). A pair is unordered: ``pair_key`` names it once, whichever
side asked. Every change of stage is a ``PipelineChange`` row, with its time and who made it.
"""

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict
from sqlmodel import Field, SQLModel

from matching.vocabulary import InterestStatus, Stage
from profiles.models.common import MAX_ID, STRICT, EnumText, Stamped, utcnow
from profiles.shape import Shape


class PartyIn(Shape):
    """A party as a request names it: its kind and id (an adcode or a name for ``cities``)."""

    model_config = STRICT
    kind: str = Field(
        max_length=20,
        description="cities | enterprises | universities | experts | needs | opportunities",
    )
    id: str = Field(
        max_length=40, description="adcode (or a city's name) for cities; the numeric id otherwise"
    )


class PartyOut(BaseModel):
    kind: str
    id: str
    name: str | None
    city: str | None = None


# ---------------------------------------------------------------- PipelineEntry
class PipelineEntry(Stamped, table=True):
    """A pairing of two parties and the stage it has reached."""

    __tablename__ = "pipeline_entry"
    id: int | None = Field(default=None, primary_key=True)
    pair_key: str = Field(max_length=80, unique=True, description="kind:id|kind:id, sorted")
    a_kind: str = Field(max_length=20)
    a_id: str = Field(max_length=20)
    b_kind: str = Field(max_length=20)
    b_id: str = Field(max_length=20)
    a_city: str | None = Field(default=None, max_length=6, index=True)
    b_city: str | None = Field(default=None, max_length=6, index=True)
    base_city: str | None = Field(
        default=None, max_length=6, index=True, description="the base-area side's city"
    )
    partner_city: str | None = Field(default=None, max_length=6, index=True)
    a_owner: str | None = Field(default=None, max_length=100, index=True)
    b_owner: str | None = Field(default=None, max_length=100, index=True)
    stage: Stage = Field(sa_type=EnumText(Stage, 12), index=True)
    stage_at: datetime = Field(default_factory=utcnow, index=True)
    amount_100m: float | None = Field(default=None, ge=0, description="签约金额（亿元）")
    landed_on: date | None = Field(default=None, description="落地日期")
    reason: str | None = Field(default=None, max_length=400, description="终止原因")
    source: str = Field(
        max_length=20, description="recommendation | interest | event | plan | manual"
    )
    opened_by: str = Field(max_length=100, index=True)


class PipelineChange(SQLModel, table=True):
    """One change of an entry's stage: when, by whom, from where."""

    __tablename__ = "pipeline_change"
    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="pipeline_entry.id", index=True, ge=1, le=MAX_ID)
    from_stage: Stage | None = Field(default=None, sa_type=EnumText(Stage, 12))
    to_stage: Stage = Field(sa_type=EnumText(Stage, 12), index=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    principal: str = Field(max_length=100)
    source: str = Field(max_length=20)
    amount_100m: float | None = None
    landed_on: date | None = None
    reason: str | None = Field(default=None, max_length=400)
    note: str | None = Field(default=None, max_length=2000)


class ChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    from_stage: Stage | None
    to_stage: Stage
    to_label: str
    at: datetime
    principal: str
    source: str
    amount_100m: float | None
    landed_on: date | None
    reason: str | None
    note: str | None


class PipelineEntryPublic(BaseModel):
    id: int
    party_a: PartyOut
    party_b: PartyOut
    base_city: str | None
    partner_city: str | None
    stage: Stage
    stage_label: str
    stage_at: datetime
    amount_100m: float | None
    landed_on: date | None
    reason: str | None
    source: str
    opened_by: str
    created_at: datetime
    updated_at: datetime
    history: list[ChangeOut] = []


class AdvanceRequest(Shape):
    """Move a pair to a stage (creating the entry when the pair has none)."""

    model_config = STRICT
    party_a: PartyIn
    party_b: PartyIn
    stage: Stage
    amount_100m: float | None = Field(None, ge=0, le=1e6, description="签约金额（亿元）, for 签约")
    landed_on: date | None = Field(None, description="落地日期, for 落地")
    reason: str | None = Field(None, min_length=1, max_length=400, description="终止原因, for 终止")
    note: str | None = Field(None, max_length=2000)


# ---------------------------------------------------------------- Interest
class Interest(Stamped, table=True):
    """A party's expression of interest (意向) in another, answered by the other side."""

    __tablename__ = "interest"
    id: int | None = Field(default=None, primary_key=True)
    party_kind: str = Field(max_length=20)
    party_id: str = Field(max_length=20)
    target_kind: str = Field(max_length=20)
    target_id: str = Field(max_length=20)
    status: InterestStatus = Field(
        default=InterestStatus.pending, sa_type=EnumText(InterestStatus, 12), index=True
    )
    note: str | None = Field(default=None, max_length=2000)
    party_contact: str | None = Field(default=None, max_length=200)
    target_contact: str | None = Field(default=None, max_length=200)
    reason: str | None = Field(default=None, max_length=400, description="why it was declined")
    created_by: str = Field(max_length=100, index=True)
    responded_by: str | None = Field(default=None, max_length=100)
    responded_at: datetime | None = None
    entry_id: int = Field(foreign_key="pipeline_entry.id", index=True, ge=1, le=MAX_ID)


class InterestCreate(Shape):
    model_config = STRICT
    party: PartyIn = Field(description="who expresses interest: a profile (or city) you act for")
    target: PartyIn = Field(description="in what: an opportunity, a recommended city or site, …")
    note: str | None = Field(None, max_length=2000)
    contact: str | None = Field(
        None, max_length=200, description="your contact, shown to the other side once it accepts"
    )


class InterestAnswer(Shape):
    model_config = STRICT
    contact: str | None = Field(
        None, max_length=200, description="your contact, shown to the other side (accept)"
    )
    reason: str | None = Field(None, max_length=400, description="why not (decline)")


class InterestPublic(BaseModel):
    id: int
    party: PartyOut
    target: PartyOut
    status: InterestStatus
    status_label: str
    note: str | None
    reason: str | None
    created_by: str
    created_at: datetime
    responded_at: datetime | None
    entry_id: int
    stage: Stage
    contacts: dict[str, str | None] | None = None
