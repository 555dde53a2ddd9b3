"""Organisations and people: enterprises, universities, experts, and the talent needs of cities."""

from pydantic import field_validator
from sqlalchemy import JSON, UniqueConstraint
from sqlmodel import Field, SQLModel

from matching.vocabulary import (
    AffiliationType,
    Confidence,
    Degree,
    Level,
    Mode,
    Placement,
    Programme,
    Title,
    UniversityType,
)
from profiles.models.common import (
    MAX_ID,
    MONTH,
    STRICT,
    DemoProfile,
    OwnedProfile,
    check_industry_codes,
    check_optional_industry_codes,
    strings,
)


# ---------------------------------------------------------------- Enterprise
class EnterpriseBase(SQLModel):
    name: str = Field(
        min_length=2, max_length=100, schema_extra={"examples": ["深圳市华芯电子有限公司"]}
    )
    hq_city: str = Field(max_length=6, foreign_key="city.adcode", index=True)
    industry_codes: list[str] = Field(
        sa_type=JSON, min_length=1, max_length=20, schema_extra={"examples": [["39", "C"]]}
    )
    industry_keywords: list[str] = strings(max_items=50)
    employees: int | None = Field(default=None, ge=0, le=10_000_000, index=True)
    revenue_100m: float | None = Field(
        default=None, ge=0, le=1e6, index=True, description="营业收入（亿元）"
    )
    places: list[Placement] = Field(default_factory=list, sa_type=JSON, max_length=5)
    needs_resources: list[str] = strings(max_items=50)
    land_mu: float | None = Field(default=None, ge=0, le=1e6, description="用地需求（亩）")
    workers: int | None = Field(default=None, ge=0, le=1_000_000, description="用工需求（人）")
    energy_intensity: Level | None = None
    target_markets: list[str] = strings(max_items=50)
    preferred_modes: list[Mode] = Field(default_factory=list, sa_type=JSON, max_length=4)
    contact: str | None = Field(default=None, max_length=200)

    _codes = field_validator("industry_codes")(check_industry_codes)


class Enterprise(EnterpriseBase, DemoProfile, table=True):
    __table_args__ = (UniqueConstraint("name", "hq_city", name="uq_enterprise_name_city"),)
    id: int | None = Field(default=None, primary_key=True)
    duplicate_of: int | None = Field(default=None, description="planted near-duplicate (demo)")


class EnterpriseCreate(EnterpriseBase):
    model_config = STRICT

    hq_city: str = Field(
        max_length=40,
        description="adcode, or a name the resolver understands",
        schema_extra={"examples": ["440300"]},
    )


class EnterprisePublic(EnterpriseBase):
    id: int
    owner: str | None
    is_demo: bool
    archived: bool


class EnterpriseUpdate(SQLModel):
    model_config = STRICT

    name: str | None = Field(default=None, min_length=2, max_length=100)
    hq_city: str | None = Field(default=None, max_length=40)
    industry_codes: list[str] | None = Field(default=None, min_length=1, max_length=20)
    industry_keywords: list[str] | None = Field(default=None, max_length=50)
    employees: int | None = Field(default=None, ge=0, le=10_000_000)
    revenue_100m: float | None = Field(default=None, ge=0, le=1e6)
    places: list[Placement] | None = Field(default=None, max_length=5)
    needs_resources: list[str] | None = Field(default=None, max_length=50)
    land_mu: float | None = Field(default=None, ge=0, le=1e6)
    workers: int | None = Field(default=None, ge=0, le=1_000_000)
    energy_intensity: Level | None = None
    target_markets: list[str] | None = Field(default=None, max_length=50)
    preferred_modes: list[Mode] | None = Field(default=None, max_length=4)
    contact: str | None = Field(default=None, max_length=200)

    _codes = field_validator("industry_codes")(check_optional_industry_codes)


# ---------------------------------------------------------------- University
class UniversityBase(SQLModel):
    name: str = Field(min_length=2, max_length=60, schema_extra={"examples": ["赣南师范大学"]})
    english_name: str | None = Field(default=None, max_length=200)
    city: str = Field(max_length=6, foreign_key="city.adcode", index=True)
    type: UniversityType = Field(index=True)
    tags: list[str] = strings(max_items=20)
    first_class_disciplines: list[str] = strings()
    main_fields: list[str] = strings()
    source: str | None = Field(default=None, max_length=2000)
    confidence: Confidence | None = None
    notes: str | None = Field(default=None, max_length=2000)


class University(UniversityBase, OwnedProfile, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(min_length=2, max_length=60, unique=True)


class UniversityCreate(UniversityBase):
    model_config = STRICT

    city: str = Field(max_length=40, description="adcode, or a name the resolver understands")


class UniversityPublic(UniversityBase):
    id: int
    owner: str | None
    archived: bool


class UniversityUpdate(SQLModel):
    model_config = STRICT

    english_name: str | None = Field(default=None, max_length=200)
    type: UniversityType | None = None
    tags: list[str] | None = Field(default=None, max_length=20)
    first_class_disciplines: list[str] | None = Field(default=None, max_length=200)
    main_fields: list[str] | None = Field(default=None, max_length=200)
    notes: str | None = Field(default=None, max_length=2000)


# ---------------------------------------------------------------- Expert
class ExpertBase(SQLModel):
    name: str = Field(min_length=2, max_length=40, schema_extra={"examples": ["李华"]})
    affiliation_type: AffiliationType
    affiliation: str = Field(max_length=100, schema_extra={"examples": ["中山大学"]})
    university_id: int | None = Field(
        default=None, ge=1, le=MAX_ID, foreign_key="university.id", index=True
    )
    city: str = Field(max_length=6, foreign_key="city.adcode", index=True)
    fields: list[str] = Field(sa_type=JSON, min_length=1, max_length=20)
    industry_codes: list[str] = strings(max_items=20)
    title: Title
    degree: Degree
    programmes: list[Programme] = Field(default_factory=list, sa_type=JSON, max_length=12)
    available_from: str | None = Field(
        default=None, schema_extra={"pattern": MONTH}, description="YYYY-MM"
    )
    available_months: int | None = Field(default=None, ge=0, le=120)
    contact: str | None = Field(default=None, max_length=200)

    _codes = field_validator("industry_codes")(check_industry_codes)


class Expert(ExpertBase, DemoProfile, table=True):
    __table_args__ = (UniqueConstraint("name", "affiliation", name="uq_expert_name_affiliation"),)
    id: int | None = Field(default=None, primary_key=True)
    duplicate_of: int | None = Field(default=None, description="planted near-duplicate (demo)")


class ExpertCreate(ExpertBase):
    model_config = STRICT

    city: str = Field(max_length=40, description="adcode, or a name the resolver understands")


class ExpertPublic(ExpertBase):
    id: int
    owner: str | None
    is_demo: bool
    archived: bool


class ExpertUpdate(SQLModel):
    model_config = STRICT

    affiliation_type: AffiliationType | None = None
    affiliation: str | None = Field(default=None, max_length=100)
    fields: list[str] | None = Field(default=None, min_length=1, max_length=20)
    title: Title | None = None
    degree: Degree | None = None
    programmes: list[Programme] | None = Field(default=None, max_length=12)
    available_from: str | None = Field(default=None, schema_extra={"pattern": MONTH})
    available_months: int | None = Field(default=None, ge=0, le=120)
    contact: str | None = Field(default=None, max_length=200)


# ---------------------------------------------------------------- TalentNeed
class TalentNeedBase(SQLModel):
    city: str = Field(max_length=6, foreign_key="city.adcode", index=True)
    title: str = Field(
        min_length=2, max_length=100, schema_extra={"examples": ["稀土冶金工艺专家"]}
    )
    field: str = Field(max_length=40, schema_extra={"examples": ["材料科学与工程"]})
    industry_codes: list[str] = strings(max_items=20)
    programme: Programme = Field(index=True)
    headcount: int = Field(default=1, ge=1, le=10_000)
    period_months: int | None = Field(default=None, ge=1, le=120)
    starts: str | None = Field(default=None, schema_extra={"pattern": MONTH}, description="YYYY-MM")
    employer: str | None = Field(default=None, max_length=100, description="用人单位")
    description: str | None = Field(default=None, max_length=2000)

    _codes = field_validator("industry_codes")(check_industry_codes)


class TalentNeed(TalentNeedBase, DemoProfile, table=True):
    __tablename__ = "talent_need"
    __table_args__ = (
        UniqueConstraint("city", "title", "programme", name="uq_need_city_title_programme"),
    )
    id: int | None = Field(default=None, primary_key=True)


class TalentNeedCreate(TalentNeedBase):
    model_config = STRICT

    city: str = Field(max_length=40, description="adcode, or a name the resolver understands")


class TalentNeedPublic(TalentNeedBase):
    id: int
    is_demo: bool
    archived: bool


class TalentNeedUpdate(SQLModel):
    model_config = STRICT

    title: str | None = Field(default=None, min_length=2, max_length=100)
    field: str | None = Field(default=None, max_length=40)
    headcount: int | None = Field(default=None, ge=1, le=10_000)
    period_months: int | None = Field(default=None, ge=1, le=120)
    starts: str | None = Field(default=None, schema_extra={"pattern": MONTH})
    employer: str | None = Field(default=None, max_length=100)
    description: str | None = Field(default=None, max_length=2000)
