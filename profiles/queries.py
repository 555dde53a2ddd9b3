"""Listing: typed filters per kind, and pagination that stays fast on a million rows.

The default order is the primary key, paged by keyset (``WHERE id > last``): constant cost per
page and stable while rows are added. Any other sort pages by offset, capped at ``MAX_OFFSET``.
Cursors are opaque to clients.
"""

import base64
import binascii
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from pydantic import ConfigDict, Field
from sqlalchemy import String, cast, func, or_
from sqlalchemy.sql import ColumnElement, Select
from sqlmodel import Session, SQLModel, select

from matching.vocabulary import (
    AffiliationType,
    BuyerType,
    CityLevel,
    Degree,
    Mode,
    OpportunityStatus,
    OpportunityType,
    PairingKind,
    PairingStatus,
    Placement,
    Programme,
    Region,
    Scheme,
    Title,
    UniversityType,
)
from profiles.errors import InvalidReference
from profiles.industries import industry_catalogue
from profiles.industry_fields import resolve_filter
from profiles.models import (
    MAX_ID,
    BaseAreaCity,
    City,
    Enterprise,
    Expert,
    Opportunity,
    Pairing,
    TalentNeed,
    University,
)
from profiles.shape import Shape

MAX_OFFSET = 10_000
MAX_LIMIT = 500
EXPORT_CHUNK = 2_000


class ListParams(Shape):
    """Paging shared by every list."""

    model_config = ConfigDict(extra="forbid")
    text_input: ClassVar[bool] = True  # query parameters arrive as text
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description=f"page size, at most {MAX_LIMIT}")
    cursor: str | None = Field(
        None, max_length=200, description="`next_cursor` of the previous page"
    )
    count: bool = Field(False, description="also return the total number of matching rows")


class CityFilters(ListParams):
    q: str | None = Field(
        None, max_length=40, description="name or pinyin contains", examples=["赣州"]
    )
    province: str | None = Field(
        None, max_length=20, description="province name or adcode", examples=["江西省"]
    )
    level: CityLevel | None = None
    region: Region | None = None
    base_area: str | None = Field(None, max_length=40, description="base-area id, e.g. ganminyue")
    key_city: bool | None = Field(None, description="革命老区重点城市 only")
    partner_candidate: bool | None = Field(
        None, description="developed-region partner candidates only"
    )
    industry: str | None = Field(
        None, max_length=40, description="GB/T 4754 code of any level (C, 39, 384, 3841) or a word"
    )
    archived: bool = False
    sort: Literal[
        "adcode",
        "name",
        "population_10k",
        "-population_10k",
        "gdp_100m",
        "-gdp_100m",
        "gdp_per_capita",
        "-gdp_per_capita",
    ] = "adcode"


class ProfileFilters(ListParams):
    q: str | None = Field(None, max_length=60, description="name contains")
    city: str | None = Field(None, max_length=40, description="a city: adcode or any name")
    province: str | None = Field(None, max_length=20, description="province name or adcode")
    base_area: str | None = Field(None, max_length=40, description="base-area id")
    industry: str | None = Field(
        None, max_length=40, description="GB/T 4754 code of any level (C, 39, 384, 3841) or a word"
    )
    demo: bool | None = Field(None, description="true: demo data only; false: real data only")
    archived: bool = False


class EnterpriseFilters(ProfileFilters):
    mode: Mode | None = None
    place: Placement | None = None
    sort: Literal["id", "name", "-employees", "employees", "-revenue_100m", "revenue_100m"] = "id"


class UniversityFilters(ProfileFilters):
    type: UniversityType | None = None
    sort: Literal["id", "name"] = "id"


class ExpertFilters(ProfileFilters):
    programme: Programme | None = None
    title: Title | None = None
    degree: Degree | None = None
    affiliation_type: AffiliationType | None = None
    sort: Literal["id", "name"] = "id"


class NeedFilters(ProfileFilters):
    programme: Programme | None = None
    sort: Literal["id", "-headcount", "headcount"] = "id"


class OpportunityFilters(ProfileFilters):
    type: OpportunityType | None = Field(None, description="slug or Chinese label")
    status: OpportunityStatus | None = None
    mode: Mode | None = None
    buyer_type: BuyerType | None = None
    owner: str | None = Field(None, max_length=100, description="who posted it")
    sort: Literal["id", "closes_on", "-closes_on", "quantity", "-quantity"] = "id"


class PairingFilters(ListParams):
    city: str | None = Field(None, max_length=40, description="either side: adcode or any name")
    kind: PairingKind | None = None
    scheme: Scheme | None = None
    status: PairingStatus | None = None
    enterprise_id: int | None = Field(None, ge=1, le=MAX_ID)
    university_id: int | None = Field(None, ge=1, le=MAX_ID)
    expert_id: int | None = Field(None, ge=1, le=MAX_ID)
    need_id: int | None = Field(None, ge=1, le=MAX_ID)
    sort: Literal["id", "since", "-since"] = "id"


# ---------------------------------------------------------------- filter building
def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def json_contains(column: Any, value: str) -> ColumnElement[bool]:
    """A JSON list column contains ``value`` (portable: SQLite and PostgreSQL)."""
    return cast(column, String).like(_like(json.dumps(value, ensure_ascii=False)), escape="\\")


def industry_condition(column: Any, value: str) -> ColumnElement[bool]:
    """Profiles whose codes fall under ``value`` (a code of any level, or a word placed with
    confidence): 38 matches 38, 384 and 3841; a 门类 letter matches every code in it."""
    conditions = []
    for code in resolve_filter("industry", value):
        prefixes = [code]
        if code.isalpha():
            prefixes += [e.code for e in industry_catalogue().entries if e.parent == code]
        conditions += [_json_prefix(column, prefix) for prefix in prefixes]
    return or_(*conditions)


def _json_prefix(column: Any, prefix: str) -> ColumnElement[bool]:
    """A JSON list column holds a string starting with ``prefix`` (codes are letters/digits)."""
    return cast(column, String).like(_like('"' + prefix), escape="\\")


def _province(value: str) -> ColumnElement[bool]:
    return City.province_adcode == value if value.isdigit() else City.province == value


def _in_base_area(column: Any, base_area: str) -> ColumnElement[bool]:
    members = select(BaseAreaCity.adcode).where(BaseAreaCity.base_area_id == base_area)
    return column.in_(members)


def city_query(filters: CityFilters) -> Select[Any]:
    statement = select(City).where(City.archived == filters.archived)
    if filters.q:
        statement = statement.where(
            or_(
                City.name.like(_like(filters.q), escape="\\"),
                City.pinyin.like(_like(filters.q.lower()), escape="\\"),
            )
        )
    if filters.province:
        statement = statement.where(_province(filters.province))
    for column, value in (
        (City.level, filters.level),
        (City.region, filters.region),
        (City.is_key_city, filters.key_city),
        (City.is_partner_candidate, filters.partner_candidate),
    ):
        if value is not None:
            statement = statement.where(column == value)
    if filters.base_area:
        statement = statement.where(_in_base_area(City.adcode, filters.base_area))
    if filters.industry:
        statement = statement.where(industry_condition(City.industry_codes, filters.industry))
    return statement


def profile_query(table: type[SQLModel], city_column: Any, filters: ProfileFilters) -> Select[Any]:
    """The statement for one kind of profile under its filters."""
    statement = select(table).where(table.archived == filters.archived)  # type: ignore[attr-defined]
    name = getattr(table, "name", None) or table.title
    if filters.q:
        statement = statement.where(name.like(_like(filters.q), escape="\\"))
    if filters.city:
        statement = statement.where(city_column == filters.city)
    if filters.province:
        statement = statement.where(
            city_column.in_(select(City.adcode).where(_province(filters.province)))
        )
    if filters.base_area:
        statement = statement.where(_in_base_area(city_column, filters.base_area))
    if filters.industry and hasattr(table, "industry_codes"):
        statement = statement.where(industry_condition(table.industry_codes, filters.industry))  # type: ignore[attr-defined]
    if filters.demo is not None and hasattr(table, "is_demo"):
        statement = statement.where(table.is_demo == filters.demo)  # type: ignore[attr-defined]
    return statement.where(*_kind_conditions(filters))


def _kind_conditions(filters: ProfileFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if isinstance(filters, EnterpriseFilters):
        if filters.mode:
            conditions.append(json_contains(Enterprise.preferred_modes, filters.mode.value))
        if filters.place:
            conditions.append(json_contains(Enterprise.places, filters.place.value))
    if isinstance(filters, UniversityFilters) and filters.type:
        conditions.append(University.type == filters.type)
    if isinstance(filters, ExpertFilters):
        if filters.programme:
            conditions.append(json_contains(Expert.programmes, filters.programme.value))
        for column, value in (
            (Expert.title, filters.title),
            (Expert.degree, filters.degree),
            (Expert.affiliation_type, filters.affiliation_type),
        ):
            if value is not None:
                conditions.append(column == value)
    if isinstance(filters, OpportunityFilters):
        for column, value in (
            (Opportunity.type, filters.type),
            (Opportunity.status, filters.status),
            (Opportunity.mode, filters.mode),
            (Opportunity.buyer_type, filters.buyer_type),
            (Opportunity.owner, filters.owner),
        ):
            if value is not None:
                conditions.append(column == value)
    if isinstance(filters, NeedFilters) and filters.programme:
        conditions.append(TalentNeed.programme == filters.programme)
    return conditions


def pairing_query(filters: PairingFilters) -> Select[Any]:
    statement = select(Pairing)
    if filters.city:
        statement = statement.where(
            or_(Pairing.base_city == filters.city, Pairing.partner_city == filters.city)
        )
    for column, value in (
        (Pairing.kind, filters.kind),
        (Pairing.scheme, filters.scheme),
        (Pairing.status, filters.status),
        (Pairing.enterprise_id, filters.enterprise_id),
        (Pairing.university_id, filters.university_id),
        (Pairing.expert_id, filters.expert_id),
        (Pairing.need_id, filters.need_id),
    ):
        if value is not None:
            statement = statement.where(column == value)
    return statement


# ---------------------------------------------------------------- pagination
@dataclass
class Page:
    items: list[Any]
    next_cursor: str | None
    total: int | None


def _encode(state: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(state).encode()).decode().rstrip("=")


def _decode(cursor: str | None) -> dict[str, Any]:
    if not cursor:
        return {}
    try:
        state = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise InvalidReference("cursor", cursor, "not a cursor this service issued") from error
    if not isinstance(state, dict) or not ({"after", "offset"} & state.keys()):
        raise InvalidReference("cursor", cursor, "not a cursor this service issued")
    return state


def paginate(
    session: Session, statement: Select[Any], *, pk: Any, sort: str, params: ListParams
) -> Page:
    """One page of ``statement``: keyset on ``pk`` for the default sort, capped offset otherwise."""
    total = (
        session.exec(select(func.count()).select_from(statement.subquery())).one()
        if params.count
        else None
    )
    state = _decode(params.cursor)
    if sort == pk.key:
        if "after" in state:
            statement = statement.where(pk > state["after"])
        rows = session.exec(statement.order_by(pk).limit(params.limit + 1)).all()
        more = len(rows) > params.limit
        rows = rows[: params.limit]
        cursor = _encode({"after": getattr(rows[-1], pk.key)}) if more else None
        return Page(list(rows), cursor, total)
    offset = int(state.get("offset", 0))
    if not 0 <= offset <= MAX_OFFSET:
        raise InvalidReference(
            "cursor",
            params.cursor,
            f"paging by '{sort}' stops at {MAX_OFFSET} rows; narrow the filters or sort by the key",
        )
    column = getattr(pk.class_, sort.lstrip("-"))
    order = column.desc().nulls_last() if sort.startswith("-") else column.asc().nulls_last()
    rows = session.exec(statement.order_by(order, pk).offset(offset).limit(params.limit + 1)).all()
    more = len(rows) > params.limit and offset + params.limit < MAX_OFFSET
    return Page(
        list(rows[: params.limit]),
        _encode({"offset": offset + params.limit}) if more else None,
        total,
    )


def stream(session: Session, statement: Select[Any], *, pk: Any) -> Iterator[Any]:
    """Every row of ``statement`` in key order, fetched in chunks (constant memory)."""
    last = None
    while True:
        page = statement if last is None else statement.where(pk > last)
        rows = session.exec(page.order_by(pk).limit(EXPORT_CHUNK)).all()
        if not rows:
            return
        yield from rows
        last = getattr(rows[-1], pk.key)
