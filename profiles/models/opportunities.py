"""Cooperation opportunities (合作机会): offers and requests that others can answer.

Types (``OpportunityType``): 产品/产能供给 and 采购/产能需求, 技术成果 and 技术需求, 招商项目,
劳务输出 and 用工需求, 特色产品 and 采购意向 (消费帮扶, with the buyer's type). Each has an
owner (the principal who posted it), a city, industries (GB/T 4754 codes of any level or words),
free-text keywords, a cooperation mode, an amount or quantity with its unit, a closing date and
a status (open, closed, expired; the ``expire-opportunities`` job expires what has closed).
"""

from datetime import date

from pydantic import field_validator, model_validator
from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field

from matching.vocabulary import BuyerType, Mode, OpportunityStatus, OpportunityType
from profiles.models.common import (
    STRICT,
    DemoProfile,
    EnumText,
    check_industry_codes,
    check_optional_industry_codes,
    strings,
)
from profiles.shape import Shape, Stored


class OpportunityBase(Shape):
    type: OpportunityType = Field(
        sa_type=EnumText(OpportunityType, 24),
        index=True,
        description="capacity_offer 产品/产能供给 · capacity_request 采购/产能需求 · tech_offer "
        "技术成果 · tech_request 技术需求 · investment_project 招商项目 · labour_supply 劳务输出 · "
        "labour_demand 用工需求 · specialty_product 特色产品 · purchase_intent 采购意向",
    )
    title: str = Field(
        min_length=2, max_length=100, schema_extra={"examples": ["稀土深加工技术需求"]}
    )
    city: str = Field(max_length=6, foreign_key="city.adcode", index=True)
    industry_codes: list[str] = strings(max_items=20)
    industry_keywords: list[str] = strings(max_items=50)
    keywords: list[str] = Field(
        default_factory=list,
        sa_type=JSON,
        max_length=30,
        description="free-text keywords (稀土永磁, 分离提纯 …)",
    )
    description: str | None = Field(default=None, max_length=2000)
    mode: Mode | None = Field(default=None, sa_type=EnumText(Mode, 24))
    quantity: float | None = Field(
        default=None, ge=0, le=1e12, description="amount or quantity, in ``unit``"
    )
    unit: str | None = Field(
        default=None,
        max_length=20,
        description="万元, 吨/年, 人 …",
        schema_extra={"examples": ["万元"]},
    )
    closes_on: date | None = Field(default=None, index=True, description="closing date")
    status: OpportunityStatus = Field(
        default=OpportunityStatus.open, sa_type=EnumText(OpportunityStatus, 12), index=True
    )
    buyer_type: BuyerType | None = Field(
        default=None,
        sa_type=EnumText(BuyerType, 12),
        description="purchase_intent only: enterprise, canteen, retailer or platform",
    )
    contact: str | None = Field(default=None, max_length=200, description="private to the owner")

    _codes = field_validator("industry_codes")(check_industry_codes)


class Opportunity(OpportunityBase, DemoProfile, table=True):
    __table_args__ = (
        UniqueConstraint("type", "title", "city", name="uq_opportunity_type_title_city"),
    )
    id: int | None = Field(default=None, primary_key=True)


class OpportunityCreate(OpportunityBase):
    model_config = STRICT

    city: str = Field(
        max_length=40,
        description="adcode, or a name the resolver understands",
        schema_extra={"examples": ["赣州"]},
    )

    @model_validator(mode="after")
    def _consistent(self) -> "OpportunityCreate":
        if self.buyer_type is not None and self.type != OpportunityType.purchase_intent:
            raise ValueError("buyer_type is for purchase_intent (采购意向) only")
        if self.quantity is not None and not self.unit:
            raise ValueError("a quantity needs its unit (万元, 吨, 人 …)")
        return self


class OpportunityPublic(Stored, OpportunityBase):
    id: int
    owner: str | None
    is_demo: bool
    archived: bool


class OpportunityUpdate(Shape):
    model_config = STRICT

    title: str = Field(default=None, min_length=2, max_length=100)
    industry_codes: list[str] = Field(default=None, max_length=20)
    industry_keywords: list[str] = Field(default=None, max_length=50)
    keywords: list[str] = Field(default=None, max_length=30)
    description: str | None = Field(default=None, max_length=2000)
    mode: Mode | None = None
    quantity: float | None = Field(default=None, ge=0, le=1e12)
    unit: str | None = Field(default=None, max_length=20)
    closes_on: date | None = None
    status: OpportunityStatus = Field(default=None)
    buyer_type: BuyerType | None = None
    contact: str | None = Field(default=None, max_length=200)

    _codes = field_validator("industry_codes")(check_optional_industry_codes)
