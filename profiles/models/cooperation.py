"""Cooperation: pairings between parties, feedback on recommendations, and decided plans."""

from datetime import datetime

from sqlalchemy import JSON, Index
from sqlmodel import Field, SQLModel

from matching.vocabulary import (
    Confidence,
    Mode,
    PairingKind,
    PairingStatus,
    PlanKind,
    PlanStatus,
    Scheme,
    Verdict,
)
from profiles.models.common import MAX_ID, STRICT, Owned
from profiles.shape import Shape, Stored


# ---------------------------------------------------------------- Pairing
class PairingBase(Shape):
    kind: PairingKind = Field(index=True)
    scheme: Scheme | None = Field(default=None, index=True)
    base_city: str | None = Field(
        default=None,
        max_length=6,
        foreign_key="city.adcode",
        index=True,
        description="the base-area side (or, for 东西部协作, the western side)",
    )
    partner_city: str | None = Field(
        default=None,
        max_length=6,
        foreign_key="city.adcode",
        index=True,
        description="the developed-region side",
    )
    enterprise_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, foreign_key="enterprise.id", index=True
    )
    university_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, foreign_key="university.id", index=True
    )
    expert_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, foreign_key="expert.id", index=True
    )
    need_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, foreign_key="talent_need.id", index=True
    )
    base_zone_id: int | None = Field(
        default=None,
        ge=1,
        le=MAX_ID,
        foreign_key="zone.id",
        index=True,
        description="the base-area zone of a 共建园区 (zone_zone) pairing",
    )
    partner_zone_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, foreign_key="zone.id", index=True
    )
    base_unit: str | None = Field(
        default=None, max_length=200, description="县区级单位（如 兴国县）"
    )
    partner_unit: str | None = Field(default=None, max_length=200)
    modes: list[Mode] = Field(default_factory=list, sa_type=JSON, max_length=4)
    since: int | None = Field(default=None, ge=1949, le=2100)
    status: PairingStatus = PairingStatus.active
    source: str | None = Field(default=None, max_length=2000)
    confidence: Confidence | None = None
    notes: str | None = Field(default=None, max_length=2000)


class Pairing(PairingBase, Owned, table=True):
    __table_args__ = (Index("ix_pairing_cities", "base_city", "partner_city"),)
    id: int | None = Field(default=None, primary_key=True)
    natural_key: str = Field(max_length=400, unique=True, description="derived, for upserts")


class PairingCreate(PairingBase):
    model_config = STRICT

    base_city: str | None = Field(default=None, max_length=40)
    partner_city: str | None = Field(default=None, max_length=40)
    base_zone: str | None = Field(
        default=None,
        max_length=100,
        description="共建园区: the base-area zone by id or name (instead of base_zone_id)",
    )
    partner_zone: str | None = Field(
        default=None, max_length=100, description="共建园区: the partner zone by id or name"
    )


class PairingPublic(Stored, PairingBase):
    id: int


class PairingUpdate(Shape):
    model_config = STRICT

    modes: list[Mode] = Field(default=None, max_length=4)
    since: int | None = Field(default=None, ge=1949, le=2100)
    status: PairingStatus = Field(default=None)
    source: str | None = Field(default=None, max_length=2000)
    notes: str | None = Field(default=None, max_length=2000)


PARTIES: dict[PairingKind, tuple[str, str]] = {
    PairingKind.city_city: ("base_city", "partner_city"),
    PairingKind.enterprise_city: ("enterprise_id", "base_city"),
    PairingKind.university_city: ("university_id", "base_city"),
    PairingKind.expert_need: ("expert_id", "need_id"),
    PairingKind.zone_zone: ("base_zone_id", "partner_zone_id"),
}


def pairing_key(pairing: PairingBase) -> str:
    """The natural key of a pairing: its kind, scheme, both parties and their units."""
    first, second = PARTIES[pairing.kind]
    parts = [
        pairing.kind.value,
        pairing.scheme.value if pairing.scheme else "",
        str(getattr(pairing, first) or ""),
        str(getattr(pairing, second) or ""),
        pairing.base_unit or "",
        pairing.partner_unit or "",
    ]
    return "|".join(parts)


# ---------------------------------------------------------------- Feedback
class FeedbackBase(Shape):
    kind: PairingKind = Field(
        description="city_city (partner ↔ base city) or enterprise_city (site)"
    )
    base_city: str = Field(max_length=6, foreign_key="city.adcode", index=True)
    partner_city: str | None = Field(default=None, max_length=6, foreign_key="city.adcode")
    enterprise_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, foreign_key="enterprise.id", index=True
    )
    mode: Mode | None = None
    verdict: Verdict
    note: str | None = Field(default=None, max_length=2000)


class Feedback(FeedbackBase, Owned, table=True):
    id: int | None = Field(default=None, primary_key=True)
    model_version: str | None = Field(default=None, max_length=80)


class FeedbackCreate(FeedbackBase):
    model_config = STRICT

    base_city: str = Field(max_length=40, description="adcode or name of the base-area city")
    partner_city: str | None = Field(default=None, max_length=40)
    model_version: str | None = Field(
        default=None, max_length=80, description="the model that recommended it"
    )


class FeedbackPublic(Stored, FeedbackBase):
    id: int
    model_version: str | None
    created_at: datetime


# ---------------------------------------------------------------- Plan
class Plan(Owned, table=True):
    """A decided set of pairs (a city-pairing round, a talent placement round), kept as a record."""

    id: int | None = Field(default=None, primary_key=True)
    kind: PlanKind = Field(index=True)
    status: PlanStatus = Field(default=PlanStatus.draft, index=True)
    title: str | None = Field(default=None, max_length=200)
    inputs: dict = Field(default_factory=dict, sa_type=JSON)
    outputs: dict = Field(default_factory=dict, sa_type=JSON)
    model_version: str | None = Field(default=None, max_length=80)
    approved_solution: str | None = Field(default=None, max_length=20)
    approved_at: datetime | None = None


class PlanPublic(SQLModel):
    id: int
    kind: PlanKind
    status: PlanStatus
    title: str | None
    inputs: dict
    outputs: dict
    model_version: str | None
    approved_solution: str | None
    approved_at: datetime | None
    created_at: datetime


# ---------------------------------------------------------------- SiteInvestment
class SiteInvestment(SQLModel, table=True):
    """A real investment of a developed-region enterprise in a base-area city (reference data).

    Seeded from ``fixtures/reference/site_investments.csv``: each row names its source page and
    confidence. The site ranker learns from the rows whose headquarters city is known.
    """

    __tablename__ = "site_investment"
    id: int | None = Field(default=None, primary_key=True)
    enterprise: str = Field(max_length=100, index=True)
    hq_city_text: str = Field(default="", max_length=40, description="总部 as the source gives it")
    hq_city: str | None = Field(
        default=None, max_length=6, foreign_key="city.adcode", description="总部城市 adcode"
    )
    site_city: str = Field(max_length=6, foreign_key="city.adcode", index=True)
    site_county: str | None = Field(default=None, max_length=60)
    industry_words: str = Field(default="", max_length=200)
    industry_codes: list[str] = Field(default_factory=list, sa_type=JSON, max_length=10)
    kind: str = Field(max_length=20, description="签约项目 / 生产基地 / 工厂 / 产业园 / 研发中心")
    amount_100m: float | None = Field(default=None, ge=0, description="announced (亿元)")
    year: int | None = Field(default=None, ge=1949, le=2100)
    source: str = Field(max_length=2000)
    source_title: str | None = Field(default=None, max_length=300)
    confidence: Confidence
    note: str | None = Field(default=None, max_length=4000)
    natural_key: str = Field(max_length=2500, unique=True)
