"""The catalogue: industries (GB/T 4754-2017), cities, the 重点革命老区 that cover them, and the
development zones and open platforms inside cities."""

from datetime import date

from pydantic import computed_field, field_validator
from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from matching.vocabulary import CityLevel, Confidence, Region, Scheme, TieLevel, ZoneKind, ZoneLevel
from profiles.models.common import (
    ADCODE,
    LATITUDE,
    LONGITUDE,
    STRICT,
    EnumText,
    OwnedProfile,
    Stamped,
    check_industry_codes,
    check_optional_industry_codes,
    strings,
)
from profiles.shape import Shape, Stored


# ---------------------------------------------------------------- Industry (GB/T 4754-2017)
class Industry(SQLModel, table=True):
    """A 门类 (letter), 大类 (2 digits), 中类 (3) or 小类 (4) of GB/T 4754-2017 国民经济行业分类."""

    code: str = Field(primary_key=True, max_length=4)
    name: str = Field(max_length=60)
    level: str = Field(default="大类", max_length=4, index=True, description="门类/大类/中类/小类")
    parent: str | None = Field(default=None, max_length=4, index=True, description="上级代码")
    section: str = Field(max_length=1, index=True, description="门类 letter (itself for a 门类)")
    keywords: list[str] = strings()


class IndustryPublic(SQLModel):
    code: str
    name: str
    level: str
    parent: str | None
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
    industry_codes: list[str] = strings()
    industry_keywords: list[str] = strings()
    resources: list[str] = strings()
    specialty_products: list[str] = strings()
    profile_source: str | None = Field(default=None, max_length=2000)
    profile_year: int | None = Field(
        default=None, ge=1949, le=2100, description="year of the profile's main source"
    )
    profile_confidence: Confidence | None = None
    airport: bool | None = None
    high_speed_rail: bool | None = None
    bonded_zone: bool | None = Field(default=None, description="综合保税区")
    cross_border_ecommerce_zone: bool | None = Field(default=None, description="跨境电商综试区")
    national_dev_zones: int | None = Field(default=None, ge=0, le=1000)
    seeks_industries: list[str] = strings()
    seeks_talent: list[str] = strings()

    _codes = field_validator("industry_codes", "seeks_industries")(check_industry_codes)


class City(CityBase, Stamped, table=True):
    adcode: str = Field(primary_key=True, max_length=6)
    archived: bool = Field(default=False, index=True)


class CityCreate(CityBase):
    model_config = STRICT

    adcode: str = Field(max_length=6, schema_extra={"pattern": ADCODE, "examples": ["360700"]})


class CityPublic(Stored, CityBase):
    adcode: str
    base_areas: list[str] = Field(
        default_factory=list, description="ids of the base areas covering it"
    )
    frameworks: list["CityFramework"] = Field(
        default_factory=list, description="the cooperation frameworks it belongs to, and its side"
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

    _codes = field_validator("industry_codes", "seeks_industries")(check_optional_industry_codes)


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


# ---------------------------------------------------------------- Framework
class FrameworkBase(SQLModel):
    """A cooperation framework: a scheme's one-way rule (helper → assisted) at some level.

    Each side is named as the source words it (``helper``), at a level (province, region, city),
    and expanded to the prefecture-level cities and municipalities it covers (``helper_cities``).
    Reference data: loaded from ``fixtures/reference/frameworks.csv`` by the seed, read-only.
    """

    scheme: Scheme = Field(index=True)
    programme: str = Field(max_length=60, description="the programme as its documents name it")
    round: str | None = Field(default=None, max_length=40, description="round or period")
    helper: str = Field(max_length=60)
    helper_level: TieLevel
    helper_adcode: str | None = Field(default=None, max_length=6, description="province or city")
    helper_cities: list[str] = strings(max_items=400)
    assisted: str = Field(max_length=60)
    assisted_level: TieLevel
    assisted_adcode: str | None = Field(default=None, max_length=6)
    assisted_cities: list[str] = strings(max_items=400)
    since: int | None = Field(default=None, ge=1949, le=2100)
    until: int | None = Field(default=None, ge=1949, le=2100)
    document: str | None = Field(default=None, max_length=400)
    source: str = Field(max_length=2000)
    confidence: Confidence
    notes: str | None = Field(default=None, max_length=2000)

    def is_active(self, year: int | None = None) -> bool:
        """In force in ``year`` (this year by default): begun, and not ended."""
        year = year or date.today().year
        return (self.since is None or self.since <= year) and (
            self.until is None or self.until >= year
        )

    def covers(self, adcode: str, side: str) -> bool:
        """Whether ``adcode`` (or, for a county, its prefecture) is on ``side`` of the tie."""
        return bool(self.covering([adcode], side))

    def covering(self, adcodes: list[str], side: str) -> list[str]:
        """Those of ``adcodes`` on ``side`` of the tie (a county where its prefecture is)."""
        cities = set(self.helper_cities if side == "helper" else self.assisted_cities)
        return [a for a in adcodes if a in cities or a[:4] + "00" in cities]


class Framework(FrameworkBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    natural_key: str = Field(
        max_length=400, unique=True, description="programme|round|helper|assisted"
    )


class FrameworkPublic(FrameworkBase):
    id: int
    scheme_label: str = Field(description="the scheme in Chinese, e.g. 东西部协作")
    active: bool


class CityFramework(SQLModel):
    """A framework a city belongs to, and on which side (帮扶方 helper / 受援方 assisted)."""

    id: int
    scheme: Scheme
    scheme_label: str
    programme: str
    round: str | None
    helper: str
    assisted: str
    side: str = Field(description="helper or assisted")
    side_label: str = Field(description="帮扶方 or 受援方")
    active: bool
    confidence: Confidence


def framework_key(framework: FrameworkBase) -> str:
    return "|".join(
        (framework.programme, framework.round or "", framework.helper, framework.assisted)
    )


# ---------------------------------------------------------------- Zone
class ZoneBase(Shape):
    """A development zone or open platform (Opinion §（四）) inside its host city."""

    kind: ZoneKind = Field(sa_type=EnumText(ZoneKind, 30), index=True)
    name: str = Field(
        min_length=2, max_length=100, index=True, schema_extra={"examples": ["瑞金经济技术开发区"]}
    )
    city: str = Field(max_length=6, foreign_key="city.adcode", index=True, description="所在城市")
    also_cities: list[str] = strings(max_items=10)
    level: ZoneLevel | None = Field(
        default=None, sa_type=EnumText(ZoneLevel, 12), description="国家级 / 省级 (from the kind)"
    )
    approved_year: int | None = Field(default=None, ge=1949, le=2100, description="批准年份")
    industry_codes: list[str] = strings(max_items=20)
    industry_keywords: list[str] = strings(max_items=50)
    land_available_mu: float | None = Field(
        default=None, ge=0, le=1e7, description="可供土地（亩）"
    )
    policies: str | None = Field(default=None, max_length=4000, description="优惠政策（自由文本）")
    contact: str | None = Field(default=None, max_length=200)
    source: str | None = Field(default=None, max_length=2000)
    confidence: Confidence | None = None
    notes: str | None = Field(default=None, max_length=2000)

    _codes = field_validator("industry_codes")(check_industry_codes)


class Zone(ZoneBase, OwnedProfile, table=True):
    __table_args__ = (UniqueConstraint("name", "city", name="uq_zone_name_city"),)
    id: int | None = Field(default=None, primary_key=True)


class ZoneCreate(ZoneBase):
    model_config = STRICT

    city: str = Field(
        max_length=40,
        description="the host city: adcode, or a name the resolver understands",
        schema_extra={"examples": ["赣州"]},
    )
    also_cities: list[str] = Field(
        default_factory=list, max_length=10, description="other host cities (adcodes or names)"
    )


class ZonePublic(Stored, ZoneBase):
    id: int
    owner: str | None
    archived: bool

    @computed_field  # type: ignore[prop-decorator]
    @property
    def kind_label(self) -> str:
        """The kind in Chinese, e.g. 国家级新区."""
        return self.kind.label


class ZoneUpdate(Shape):
    model_config = STRICT

    name: str = Field(default=None, min_length=2, max_length=100)
    approved_year: int | None = Field(default=None, ge=1949, le=2100)
    industry_codes: list[str] = Field(default=None, max_length=20)
    industry_keywords: list[str] = Field(default=None, max_length=50)
    land_available_mu: float | None = Field(default=None, ge=0, le=1e7)
    policies: str | None = Field(default=None, max_length=4000)
    contact: str | None = Field(default=None, max_length=200)
    source: str | None = Field(default=None, max_length=2000)
    confidence: Confidence | None = None
    notes: str | None = Field(default=None, max_length=2000)

    _codes = field_validator("industry_codes")(check_optional_industry_codes)
