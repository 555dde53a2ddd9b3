"""The catalogue's tables, each with its Base / Create / Update / Public shapes.

Every API shape inherits from the entity's ``*Base`` data model, never from the table model;
table models are never request bodies. Lists (industry codes, resources …) are JSON columns.
"""

from datetime import UTC, datetime

from pydantic import ConfigDict, field_validator
from sqlalchemy import JSON, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from matching.vocabulary import (
    AffiliationType,
    CityLevel,
    Confidence,
    Degree,
    Level,
    Mode,
    PairingKind,
    PairingStatus,
    Placement,
    PlanKind,
    PlanStatus,
    Programme,
    Region,
    Role,
    Scheme,
    Title,
    UniversityType,
    Verdict,
)
from profiles.shape import Shape, Stored

ADCODE = r"^\d{6}$"
INDUSTRY_CODE = r"^([A-T]|\d{2})$"
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
# Mainland China's extent, with a margin: anything outside is a typo, not a place.
LONGITUDE = (73.0, 136.0)
LATITUDE = (3.0, 54.0)
MAX_ID = 2**31 - 1  # the largest id both stores keep (PostgreSQL INTEGER); larger ids are 422
STRICT = ConfigDict(extra="forbid")  # request bodies refuse fields they do not know


def utcnow() -> datetime:
    return datetime.now(UTC)


def _strings(*, max_items: int = 200) -> object:
    return Field(default_factory=list, sa_type=JSON, max_length=max_items)


def _check_industry_codes(codes: list[str]) -> list[str]:
    import re

    for code in codes:
        if not re.fullmatch(INDUSTRY_CODE, code):
            raise ValueError(f"'{code}' is not a GB/T 4754 门类 (A–T) or 大类 (01–97) code")
    return codes


# ---------------------------------------------------------------- Industry (GB/T 4754-2017)
class Industry(SQLModel, table=True):
    """A 门类 (letter) or 大类 (two digits) of GB/T 4754-2017 国民经济行业分类."""

    code: str = Field(primary_key=True, max_length=2)
    name: str = Field(max_length=60)
    section: str = Field(max_length=1, index=True, description="门类 letter (itself for a 门类)")
    keywords: list[str] = _strings()


class IndustryPublic(SQLModel):
    code: str
    name: str
    section: str
    keywords: list[str]


# ---------------------------------------------------------------- City
class CityBase(Shape):
    name: str = Field(max_length=40, index=True, schema_extra={"examples": ["赣州市"]})
    short_name: str = Field(default="", max_length=20)
    pinyin: str = Field(default="", max_length=60)
    province: str = Field(max_length=20, index=True, schema_extra={"examples": ["江西省"]})
    province_adcode: str = Field(schema_extra={"pattern": ADCODE}, max_length=6)
    parent_adcode: str | None = Field(default=None, schema_extra={"pattern": ADCODE}, max_length=6)
    level: CityLevel = Field(index=True)
    longitude: float | None = Field(default=None, ge=LONGITUDE[0], le=LONGITUDE[1])
    latitude: float | None = Field(default=None, ge=LATITUDE[0], le=LATITUDE[1])
    region: Region | None = None
    is_key_city: bool = Field(default=False, index=True, description="革命老区重点城市")
    is_partner_candidate: bool = Field(
        default=False, index=True, description="发达地区对口合作候选城市"
    )
    population_10k: float | None = Field(default=None, ge=0, le=1e5, description="常住人口（万人）")
    population_year: int | None = Field(default=None, ge=1949, le=2100)
    population_source: str | None = Field(default=None, max_length=2000)
    gdp_100m: float | None = Field(default=None, ge=0, le=1e7, description="地区生产总值（亿元）")
    gdp_year: int | None = Field(default=None, ge=1949, le=2100)
    gdp_source: str | None = Field(default=None, max_length=2000)
    gdp_per_capita: float | None = Field(default=None, ge=0, le=1e7, description="人均GDP（元）")
    gdp_per_capita_year: int | None = Field(default=None, ge=1949, le=2100)
    gdp_per_capita_source: str | None = Field(default=None, max_length=2000)
    primary_share: float | None = Field(default=None, ge=0, le=100, description="第一产业占比 %")
    secondary_share: float | None = Field(default=None, ge=0, le=100, description="第二产业占比 %")
    tertiary_share: float | None = Field(default=None, ge=0, le=100, description="第三产业占比 %")
    industry_codes: list[str] = _strings()
    industry_keywords: list[str] = _strings()
    resources: list[str] = _strings()
    specialty_products: list[str] = _strings()
    profile_source: str | None = Field(default=None, max_length=2000)
    profile_confidence: Confidence | None = None
    airport: bool | None = None
    high_speed_rail: bool | None = None
    bonded_zone: bool | None = Field(default=None, description="综合保税区")
    cross_border_ecommerce_zone: bool | None = Field(default=None, description="跨境电商综试区")
    national_dev_zones: int | None = Field(default=None, ge=0, le=1000)
    seeks_industries: list[str] = _strings()
    seeks_talent: list[str] = _strings()

    _codes = field_validator("industry_codes", "seeks_industries")(_check_industry_codes)


class City(CityBase, table=True):
    adcode: str = Field(primary_key=True, max_length=6)
    archived: bool = Field(default=False, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class CityCreate(CityBase):
    model_config = STRICT

    adcode: str = Field(max_length=6, schema_extra={"pattern": ADCODE, "examples": ["360700"]})


class CityPublic(Stored, CityBase):
    adcode: str
    base_areas: list[str] = Field(
        default_factory=list, description="ids of the base areas covering it"
    )
    archived: bool


class CityUpdate(Shape):
    model_config = STRICT

    name: str = Field(default=None, max_length=40)
    short_name: str = Field(default=None, max_length=20)
    longitude: float | None = Field(default=None, ge=LONGITUDE[0], le=LONGITUDE[1])
    latitude: float | None = Field(default=None, ge=LATITUDE[0], le=LATITUDE[1])
    is_key_city: bool = Field(default=None)
    is_partner_candidate: bool = Field(default=None)
    population_10k: float | None = Field(default=None, ge=0, le=1e5)
    population_year: int | None = Field(default=None, ge=1949, le=2100)
    population_source: str | None = Field(default=None, max_length=2000)
    gdp_100m: float | None = Field(default=None, ge=0, le=1e7)
    gdp_year: int | None = Field(default=None, ge=1949, le=2100)
    gdp_source: str | None = Field(default=None, max_length=2000)
    gdp_per_capita: float | None = Field(default=None, ge=0, le=1e7)
    gdp_per_capita_year: int | None = Field(default=None, ge=1949, le=2100)
    gdp_per_capita_source: str | None = Field(default=None, max_length=2000)
    industry_codes: list[str] = Field(default=None, max_length=200)
    industry_keywords: list[str] = Field(default=None, max_length=200)
    resources: list[str] = Field(default=None, max_length=200)
    specialty_products: list[str] = Field(default=None, max_length=200)
    airport: bool | None = None
    high_speed_rail: bool | None = None
    bonded_zone: bool | None = None
    cross_border_ecommerce_zone: bool | None = None
    national_dev_zones: int | None = Field(default=None, ge=0, le=1000)
    seeks_industries: list[str] = Field(default=None, max_length=200)
    seeks_talent: list[str] = Field(default=None, max_length=200)

    @field_validator("industry_codes", "seeks_industries")
    @classmethod
    def _codes(cls, codes: list[str] | None) -> list[str] | None:
        return None if codes is None else _check_industry_codes(codes)


# ---------------------------------------------------------------- BaseArea
class BaseAreaBase(Shape):
    name: str = Field(max_length=40, schema_extra={"examples": ["赣闽粤原中央苏区"]})
    full_name: str = Field(max_length=80)
    plan: str | None = Field(default=None, max_length=400, description="振兴规划或方案")
    source: str | None = Field(default=None, max_length=2000)


class BaseArea(BaseAreaBase, table=True):
    __tablename__ = "base_area"
    id: str = Field(primary_key=True, max_length=40, description="拼音 slug, e.g. shanganning")


class BaseAreaPublic(Stored, BaseAreaBase):
    id: str
    city_count: int = 0


class BaseAreaCity(SQLModel, table=True):
    """A city covered by a base area (全境 or 部分), with the source of the claim."""

    __tablename__ = "base_area_city"
    base_area_id: str = Field(foreign_key="base_area.id", primary_key=True, max_length=40)
    adcode: str = Field(foreign_key="city.adcode", primary_key=True, max_length=6, index=True)
    coverage: str = Field(max_length=40, description="全境 / 部分 / 未核实")
    counties_listed: str | None = Field(default=None, max_length=400)
    source: str | None = Field(default=None, max_length=2000)
    confidence: Confidence | None = None


# ---------------------------------------------------------------- Enterprise
class EnterpriseBase(Shape):
    name: str = Field(
        min_length=2, max_length=100, schema_extra={"examples": ["深圳市华芯电子有限公司"]}
    )
    hq_city: str = Field(max_length=6, foreign_key="city.adcode", index=True)
    industry_codes: list[str] = Field(
        sa_type=JSON, min_length=1, max_length=20, schema_extra={"examples": [["39", "C"]]}
    )
    industry_keywords: list[str] = _strings(max_items=50)
    employees: int | None = Field(default=None, ge=0, le=10_000_000, index=True)
    revenue_100m: float | None = Field(
        default=None, ge=0, le=1e6, index=True, description="营业收入（亿元）"
    )
    places: list[Placement] = Field(default_factory=list, sa_type=JSON, max_length=5)
    needs_resources: list[str] = _strings(max_items=50)
    land_mu: float | None = Field(default=None, ge=0, le=1e6, description="用地需求（亩）")
    workers: int | None = Field(default=None, ge=0, le=1_000_000, description="用工需求（人）")
    energy_intensity: Level | None = None
    target_markets: list[str] = _strings(max_items=50)
    preferred_modes: list[Mode] = Field(default_factory=list, sa_type=JSON, max_length=4)
    contact: str | None = Field(default=None, max_length=200)

    _codes = field_validator("industry_codes")(_check_industry_codes)


class Enterprise(EnterpriseBase, table=True):
    __table_args__ = (UniqueConstraint("name", "hq_city", name="uq_enterprise_name_city"),)
    id: int | None = Field(default=None, primary_key=True)
    owner: str | None = Field(default=None, max_length=100, index=True)
    is_demo: bool = Field(default=False, index=True)
    duplicate_of: int | None = Field(default=None, description="planted near-duplicate (demo)")
    archived: bool = Field(default=False, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class EnterpriseCreate(EnterpriseBase):
    model_config = STRICT

    hq_city: str = Field(
        max_length=40,
        description="adcode, or a name the resolver understands",
        schema_extra={"examples": ["440300"]},
    )


class EnterprisePublic(Stored, EnterpriseBase):
    id: int
    owner: str | None
    is_demo: bool
    archived: bool


class EnterpriseUpdate(Shape):
    model_config = STRICT

    name: str = Field(default=None, min_length=2, max_length=100)
    hq_city: str = Field(default=None, max_length=40)
    industry_codes: list[str] = Field(default=None, min_length=1, max_length=20)
    industry_keywords: list[str] = Field(default=None, max_length=50)
    employees: int | None = Field(default=None, ge=0, le=10_000_000)
    revenue_100m: float | None = Field(default=None, ge=0, le=1e6)
    places: list[Placement] = Field(default=None, max_length=5)
    needs_resources: list[str] = Field(default=None, max_length=50)
    land_mu: float | None = Field(default=None, ge=0, le=1e6)
    workers: int | None = Field(default=None, ge=0, le=1_000_000)
    energy_intensity: Level | None = None
    target_markets: list[str] = Field(default=None, max_length=50)
    preferred_modes: list[Mode] = Field(default=None, max_length=4)
    contact: str | None = Field(default=None, max_length=200)

    @field_validator("industry_codes")
    @classmethod
    def _codes(cls, codes: list[str] | None) -> list[str] | None:
        return None if codes is None else _check_industry_codes(codes)


# ---------------------------------------------------------------- University
class UniversityBase(Shape):
    name: str = Field(min_length=2, max_length=60, schema_extra={"examples": ["赣南师范大学"]})
    english_name: str | None = Field(default=None, max_length=200)
    city: str = Field(max_length=6, foreign_key="city.adcode", index=True)
    type: UniversityType = Field(index=True)
    tags: list[str] = _strings(max_items=20)
    first_class_disciplines: list[str] = _strings()
    main_fields: list[str] = _strings()
    source: str | None = Field(default=None, max_length=2000)
    confidence: Confidence | None = None
    notes: str | None = Field(default=None, max_length=2000)


class University(UniversityBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(min_length=2, max_length=60, unique=True)
    owner: str | None = Field(default=None, max_length=100, index=True)
    archived: bool = Field(default=False, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class UniversityCreate(UniversityBase):
    model_config = STRICT

    city: str = Field(max_length=40, description="adcode, or a name the resolver understands")


class UniversityPublic(Stored, UniversityBase):
    id: int
    owner: str | None
    archived: bool


class UniversityUpdate(Shape):
    model_config = STRICT

    english_name: str | None = Field(default=None, max_length=200)
    type: UniversityType = Field(default=None)
    tags: list[str] = Field(default=None, max_length=20)
    first_class_disciplines: list[str] = Field(default=None, max_length=200)
    main_fields: list[str] = Field(default=None, max_length=200)
    notes: str | None = Field(default=None, max_length=2000)


# ---------------------------------------------------------------- Expert
class ExpertBase(Shape):
    name: str = Field(min_length=2, max_length=40, schema_extra={"examples": ["李华"]})
    affiliation_type: AffiliationType
    affiliation: str = Field(max_length=100, schema_extra={"examples": ["中山大学"]})
    university_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, foreign_key="university.id", index=True
    )
    city: str = Field(max_length=6, foreign_key="city.adcode", index=True)
    fields: list[str] = Field(sa_type=JSON, min_length=1, max_length=20)
    industry_codes: list[str] = _strings(max_items=20)
    title: Title
    degree: Degree
    programmes: list[Programme] = Field(default_factory=list, sa_type=JSON, max_length=12)
    available_from: str | None = Field(
        default=None, schema_extra={"pattern": MONTH}, description="YYYY-MM"
    )
    available_months: int | None = Field(default=None, ge=0, le=120)
    contact: str | None = Field(default=None, max_length=200)

    _codes = field_validator("industry_codes")(_check_industry_codes)


class Expert(ExpertBase, table=True):
    __table_args__ = (UniqueConstraint("name", "affiliation", name="uq_expert_name_affiliation"),)
    id: int | None = Field(default=None, primary_key=True)
    owner: str | None = Field(default=None, max_length=100, index=True)
    is_demo: bool = Field(default=False, index=True)
    duplicate_of: int | None = Field(default=None, description="planted near-duplicate (demo)")
    archived: bool = Field(default=False, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ExpertCreate(ExpertBase):
    model_config = STRICT

    city: str = Field(max_length=40, description="adcode, or a name the resolver understands")


class ExpertPublic(Stored, ExpertBase):
    id: int
    owner: str | None
    is_demo: bool
    archived: bool


class ExpertUpdate(Shape):
    model_config = STRICT

    affiliation_type: AffiliationType = Field(default=None)
    affiliation: str = Field(default=None, max_length=100)
    fields: list[str] = Field(default=None, min_length=1, max_length=20)
    title: Title = Field(default=None)
    degree: Degree = Field(default=None)
    programmes: list[Programme] = Field(default=None, max_length=12)
    available_from: str | None = Field(default=None, schema_extra={"pattern": MONTH})
    available_months: int | None = Field(default=None, ge=0, le=120)
    contact: str | None = Field(default=None, max_length=200)


# ---------------------------------------------------------------- TalentNeed
class TalentNeedBase(Shape):
    city: str = Field(max_length=6, foreign_key="city.adcode", index=True)
    title: str = Field(
        min_length=2, max_length=100, schema_extra={"examples": ["稀土冶金工艺专家"]}
    )
    field: str = Field(max_length=40, schema_extra={"examples": ["材料科学与工程"]})
    industry_codes: list[str] = _strings(max_items=20)
    programme: Programme = Field(index=True)
    headcount: int = Field(default=1, ge=1, le=10_000)
    period_months: int | None = Field(default=None, ge=1, le=120)
    starts: str | None = Field(default=None, schema_extra={"pattern": MONTH}, description="YYYY-MM")
    employer: str | None = Field(default=None, max_length=100, description="用人单位")
    description: str | None = Field(default=None, max_length=2000)

    _codes = field_validator("industry_codes")(_check_industry_codes)


class TalentNeed(TalentNeedBase, table=True):
    __tablename__ = "talent_need"
    __table_args__ = (
        UniqueConstraint("city", "title", "programme", name="uq_need_city_title_programme"),
    )
    id: int | None = Field(default=None, primary_key=True)
    owner: str | None = Field(default=None, max_length=100, index=True)
    is_demo: bool = Field(default=False, index=True)
    archived: bool = Field(default=False, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class TalentNeedCreate(TalentNeedBase):
    model_config = STRICT

    city: str = Field(max_length=40, description="adcode, or a name the resolver understands")


class TalentNeedPublic(Stored, TalentNeedBase):
    id: int
    is_demo: bool
    archived: bool


class TalentNeedUpdate(Shape):
    model_config = STRICT

    title: str = Field(default=None, min_length=2, max_length=100)
    field: str = Field(default=None, max_length=40)
    headcount: int = Field(default=None, ge=1, le=10_000)
    period_months: int | None = Field(default=None, ge=1, le=120)
    starts: str | None = Field(default=None, schema_extra={"pattern": MONTH})
    employer: str | None = Field(default=None, max_length=100)
    description: str | None = Field(default=None, max_length=2000)


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


class Pairing(PairingBase, table=True):
    __table_args__ = (Index("ix_pairing_cities", "base_city", "partner_city"),)
    id: int | None = Field(default=None, primary_key=True)
    natural_key: str = Field(max_length=400, unique=True, description="derived, for upserts")
    owner: str | None = Field(default=None, max_length=100, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class PairingCreate(PairingBase):
    model_config = STRICT

    base_city: str | None = Field(default=None, max_length=40)
    partner_city: str | None = Field(default=None, max_length=40)


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


class Feedback(FeedbackBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    model_version: str | None = Field(default=None, max_length=80)
    owner: str | None = Field(default=None, max_length=100, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


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
class Plan(SQLModel, table=True):
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
    owner: str | None = Field(default=None, max_length=100, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


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


# ---------------------------------------------------------------- Idempotency
class IdempotencyRecord(SQLModel, table=True):
    """A POST's Idempotency-Key: claimed while in flight, then its stored response.

    ``done`` is written in the same transaction as the request's own writes, so a crash leaves
    either both or neither; an ``in_flight`` claim whose lease has run out is taken over.
    """

    __tablename__ = "idempotency_key"
    key: str = Field(primary_key=True, max_length=255)
    fingerprint: str = Field(max_length=64, description="sha256 of method, path and body")
    state: str = Field(max_length=12, description="in_flight | done")
    status_code: int | None = None
    content_type: str | None = Field(default=None, max_length=100)
    response: str | None = Field(default=None, sa_type=Text)
    lease_until: datetime = Field(default_factory=utcnow)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


# ---------------------------------------------------------------- Jobs, review queues, webhooks
class JobRun(SQLModel, table=True):
    """One run of a background job; unique per job and scheduled time (runs are idempotent)."""

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job", "scheduled_for", name="uq_job_run_schedule"),)
    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=40, index=True)
    trigger: str = Field(max_length=20, description="schedule | manual")
    scheduled_for: datetime | None = None
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    status: str = Field(
        default="running", max_length=20, description="running | succeeded | failed"
    )
    counts: dict = Field(default_factory=dict, sa_type=JSON)
    error: str | None = Field(default=None, sa_type=Text)


class RecommendationCache(SQLModel, table=True):
    """Cached top-k recommendations for one subject (a city or an enterprise)."""

    __tablename__ = "recommendation_cache"
    subject: str = Field(
        primary_key=True, max_length=40, description="base:360700, partner:440300, enterprise:12"
    )
    items: list = Field(default_factory=list, sa_type=JSON)
    model_version: str = Field(max_length=80)
    stamp: str = Field(max_length=64, description="fingerprint of the inputs it was computed from")
    computed_at: datetime = Field(default_factory=utcnow)


class DuplicateCandidate(SQLModel, table=True):
    """A likely duplicate pair found by the dedupe audit, waiting for review."""

    __tablename__ = "duplicate_candidate"
    __table_args__ = (UniqueConstraint("kind", "first_id", "second_id", name="uq_duplicate_pair"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20, index=True, description="enterprises | universities | experts")
    first_id: int
    second_id: int
    score: float
    status: str = Field(
        default="open", max_length=12, index=True, description="open | merged | dismissed"
    )
    detected_at: datetime = Field(default_factory=utcnow)
    resolved_at: datetime | None = None


class ProfileFlag(SQLModel, table=True):
    """A profile whose owner should update it (old statistics, unconfirmed for a year)."""

    __tablename__ = "profile_flag"
    __table_args__ = (UniqueConstraint("kind", "key", "reason", name="uq_profile_flag"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20, index=True)
    key: str = Field(max_length=40)
    reason: str = Field(max_length=40)
    detail: str = Field(max_length=400)
    flagged_at: datetime = Field(default_factory=utcnow)


class SubscriptionBase(Shape):
    url: str = Field(max_length=500, description="https, or a loopback address the operator allows")
    event: str = Field(
        max_length=40, description="enterprise.upserted | recommendation.updated | plan.approved"
    )
    city: str | None = Field(
        default=None, max_length=6, description="the city the subscriber cares about"
    )
    mode: Mode | None = None
    min_score: float = Field(default=0.0, ge=0, le=1)
    description: str | None = Field(default=None, max_length=400)


class Subscription(SubscriptionBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    secret: str = Field(max_length=100)
    active: bool = Field(default=True, index=True)
    owner: str | None = Field(default=None, max_length=100, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class SubscriptionCreate(SubscriptionBase):
    model_config = STRICT

    city: str | None = Field(default=None, max_length=40, description="adcode or name")


class SubscriptionPublic(Stored, SubscriptionBase):
    id: int
    active: bool
    created_at: datetime


class OutboxEvent(SQLModel, table=True):
    """A change worth telling subscribers about, written in the same transaction as the change."""

    __tablename__ = "outbox_event"
    id: str = Field(primary_key=True, max_length=40, description="msg_… unique event id")
    type: str = Field(max_length=40, index=True)
    payload: dict = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow)
    dispatched_at: datetime | None = Field(default=None, index=True)


class Delivery(SQLModel, table=True):
    """One event to one subscriber: attempts, backoff and outcome."""

    __table_args__ = (UniqueConstraint("subscription_id", "event_id", name="uq_delivery_event"),)
    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(foreign_key="subscription.id", index=True)
    event_id: str = Field(foreign_key="outbox_event.id", max_length=40)
    body: str = Field(sa_type=Text)
    status: str = Field(
        default="pending", max_length=12, index=True, description="pending | delivered | dead"
    )
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    last_status: int | None = None
    last_error: str | None = Field(default=None, max_length=500)
    delivered_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class SchedulerLease(SQLModel, table=True):
    """Who runs the scheduler now (SQLite; PostgreSQL uses an advisory lock)."""

    __tablename__ = "scheduler_lease"
    name: str = Field(primary_key=True, max_length=40)
    holder: str = Field(max_length=100)
    expires_at: datetime


# ---------------------------------------------------------------- Access control
class ApiKey(SQLModel, table=True):
    """An API key: stored as a hash only; ``prefix`` finds it, ``principal`` owns what it writes."""

    __tablename__ = "api_key"
    id: int | None = Field(default=None, primary_key=True)
    prefix: str = Field(max_length=16, unique=True, index=True)
    hash: str = Field(max_length=64)
    principal: str = Field(
        max_length=100, index=True, description="who acts: owns what the key creates"
    )
    role: Role
    scopes: list[str] = Field(
        default_factory=list, sa_type=JSON, description="adcodes an office may act on"
    )
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class ApiKeyPublic(SQLModel):
    id: int
    prefix: str
    principal: str
    role: Role
    scopes: list[str]
    expires_at: datetime | None
    revoked_at: datetime | None
    created_at: datetime


class AuditEntry(SQLModel, table=True):
    """Who did what to which record, before and after; written in the change's transaction."""

    __tablename__ = "audit_entry"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    principal: str = Field(max_length=100, index=True)
    action: str = Field(max_length=20, description="create | update | delete | import")
    kind: str = Field(max_length=40, index=True)
    key: str = Field(max_length=80)
    before: dict | None = Field(default=None, sa_type=JSON)
    after: dict | None = Field(default=None, sa_type=JSON)


class RateWindow(SQLModel, table=True):
    """Requests per client per minute, shared by every worker process."""

    __tablename__ = "rate_window"
    bucket: str = Field(primary_key=True, max_length=120)
    window: int = Field(primary_key=True, description="minutes since the epoch")
    count: int = 0
