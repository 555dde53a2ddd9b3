"""Cities, base areas and industries: the real catalogue."""

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response, status

from api.deps import CityPagesDep, SessionDep
from api.routes.common import IncludeArchived, ItemList, Removed, with_report, written
from api.security import ALL, Office, allow
from matching.vocabulary import Scheme
from profiles import access, repository, zones
from profiles.errors import Forbidden
from profiles.models import (
    INDUSTRY_CODE,
    BaseAreaPublic,
    City,
    CityCreate,
    CityPublic,
    CityUpdate,
    FrameworkPublic,
    IndustryPublic,
    Pairing,
    PairingPublic,
    TalentNeedPublic,
)
from profiles.queries import CityFilters, PairingFilters, city_query, paginate, pairing_query
from profiles.zones import Completeness

router = APIRouter(dependencies=[allow(*ALL, read=True)])
writes = APIRouter()
Adcode = Annotated[
    str, Path(pattern=r"^\d{6}$", description="GB/T 2260 adcode", examples=["360700"])
]


def _public(session: SessionDep, cities: list[City]) -> list[CityPublic]:
    adcodes = [c.adcode for c in cities]
    areas = repository.base_areas_of(session, adcodes)
    frameworks = repository.frameworks_of(session, adcodes)
    return [
        CityPublic.model_validate(
            c, update={"base_areas": areas[c.adcode], "frameworks": frameworks[c.adcode]}
        )
        for c in cities
    ]


def city_list(session: SessionDep, filters: CityFilters) -> ItemList[CityPublic]:
    """One page of cities, each with its base areas and frameworks."""
    resolved = repository.with_places_resolved(session, filters)
    query = city_query(resolved)
    page = paginate(session, query, pk=City.adcode, sort=resolved.sort, params=resolved)
    return ItemList(
        items=_public(session, page.items), next_cursor=page.next_cursor, total=page.total
    )


@router.get(
    "/cities", tags=["cities"], summary="城市列表 List cities", response_model=ItemList[CityPublic]
)
async def list_cities(
    session: SessionDep, pages: CityPagesDep, filters: Annotated[CityFilters, Query()]
) -> Response:
    key = (date.today().year, filters.model_dump_json())  # a framework's `active` is by year
    return await pages.answer(session, key, lambda: city_list(session, filters))


@router.get("/cities/{adcode}", tags=["cities"], summary="城市详情 One city by adcode")
def get_city(
    session: SessionDep, adcode: Adcode, include_archived: IncludeArchived = False
) -> CityPublic:
    city = repository.get_city(session, adcode=adcode, include_archived=include_archived)
    return _public(session, [city])[0]


CityWritten = written(CityPublic, CityUpdate)


@writes.post(
    "/cities",
    tags=["cities"],
    status_code=status.HTTP_201_CREATED,
    summary="新增城市 Add a division",
)
def create_city(session: SessionDep, principal: Office, body: CityCreate) -> CityWritten:
    if not access.may_create(principal, City, body.model_dump()):
        raise Forbidden("this division is outside your scope")
    city = _public(session, [repository.create_city(session, data=body)])[0]
    return with_report(CityPublic, city, body)


@writes.patch("/cities/{adcode}", tags=["cities"], summary="修改城市 Update a city's profile")
def update_city(
    session: SessionDep, principal: Office, adcode: Adcode, body: CityUpdate
) -> CityWritten:
    access.editable(principal, repository.get_city(session, adcode=adcode), "city", adcode)
    city = _public(session, [repository.update_city(session, adcode=adcode, data=body)])[0]
    return with_report(CityPublic, city, body)


@writes.delete(
    "/cities/{adcode}",
    tags=["cities"],
    summary="删除城市 Delete a city (archived when anything refers to it)",
    description="After `deleted` or `archived`, GET, PATCH and DELETE of the adcode answer 404; "
    "an archived city stays readable with `include_archived=true`.",
)
def delete_city(session: SessionDep, principal: Office, adcode: Adcode) -> Removed:
    city = access.editable(principal, repository.get_city(session, adcode=adcode), "city", adcode)
    outcome = repository.remove(
        session, city, references=repository.city_references(session, adcode=adcode)
    )
    return Removed(id=adcode, outcome=outcome)


@router.get(
    "/cities/{adcode}/pairings", tags=["cities"], summary="城市的结对关系 Pairings naming a city"
)
def city_pairings(
    session: SessionDep, adcode: Adcode, filters: Annotated[PairingFilters, Query()]
) -> ItemList[PairingPublic]:
    repository.get_city(session, adcode=adcode)
    filters = filters.model_copy(update={"city": adcode})
    page = paginate(
        session, pairing_query(filters), pk=Pairing.id, sort=filters.sort, params=filters
    )
    return ItemList(items=page.items, next_cursor=page.next_cursor, total=page.total)


@router.get(
    "/cities/{adcode}/needs", tags=["cities"], summary="城市的人才需求 A city's talent needs"
)
def city_needs(session: SessionDep, adcode: Adcode) -> ItemList[TalentNeedPublic]:
    rows = repository.needs_of_city(session, adcode=adcode)
    return ItemList(items=rows, total=len(rows))


@router.get("/frameworks", tags=["frameworks"], summary="合作框架 Cooperation frameworks (one-way)")
def list_frameworks(
    session: SessionDep,
    scheme: Annotated[Scheme | None, Query(description="slug or Chinese label")] = None,
    city: Annotated[
        str | None, Query(max_length=40, description="a city on either side (name or adcode)")
    ] = None,
    side: Annotated[Literal["helper", "assisted"] | None, Query()] = None,
    active: bool | None = None,
) -> ItemList[FrameworkPublic]:
    adcode = repository.resolve_city(session, value=city, field="city") if city else None
    items = repository.list_frameworks(
        session, scheme=scheme, city=adcode, side=side, active=active
    )
    return ItemList(items=items, total=len(items))


@router.get("/base-areas", tags=["base-areas"], summary="重点革命老区 The 12 key base areas")
def list_base_areas(session: SessionDep) -> ItemList[BaseAreaPublic]:
    areas = repository.base_areas(session)
    return ItemList(items=areas, total=len(areas))


@router.get("/base-areas/{base_area_id}", tags=["base-areas"], summary="老区详情 One base area")
def get_base_area(
    session: SessionDep, base_area_id: Annotated[str, Path(max_length=40)]
) -> BaseAreaPublic:
    return repository.get_base_area(session, id=base_area_id)


@router.get(
    "/base-areas/{base_area_id}/cities",
    tags=["base-areas"],
    summary="老区覆盖的城市 Cities a base area covers",
)
def base_area_cities(
    session: SessionDep, base_area_id: Annotated[str, Path(max_length=40)]
) -> ItemList[CityPublic]:
    cities = repository.base_area_cities(session, id=base_area_id)
    return ItemList(items=_public(session, cities), total=len(cities))


@router.get("/industries", tags=["industries"], summary="行业分类 GB/T 4754-2017 codes")
def list_industries(
    session: SessionDep,
    section: Annotated[str | None, Query(pattern=r"^[A-T]$", description="门类 letter")] = None,
    level: Annotated[Literal["门类", "大类", "中类", "小类"] | None, Query()] = None,
    parent: Annotated[
        str | None, Query(pattern=INDUSTRY_CODE, description="the codes one level under this")
    ] = None,
) -> ItemList[IndustryPublic]:
    rows = repository.industries(session, section=section, level=level, parent=parent)
    return ItemList(items=rows, total=len(rows))


@router.get("/industries/{code}", tags=["industries"], summary="行业详情 One industry code")
def get_industry(
    session: SessionDep, code: Annotated[str, Path(pattern=INDUSTRY_CODE)]
) -> IndustryPublic:
    return repository.get_industry(session, code=code)


@router.get(
    "/zones/completeness",
    tags=["zones"],
    summary="开发区名录完整度 How complete the list of zones is, per kind",
    description="Stored and shipped zones of each kind beside the national total where the "
    "reference README gives it (approximate where it says so; unknown for 省级开发区).",
)
def zone_completeness(session: SessionDep) -> Completeness:
    return zones.completeness(session)
