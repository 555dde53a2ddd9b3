"""Recommendations: partners, base cities, relocation sites, enterprises to invite; feedback."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import select

from api.deps import EngineDep, EngineStateDep, SessionDep
from api.security import ALL, Writer, allow
from matching.engine import (
    EnterpriseProfile,
    Recommendation,
    SiteConstraints,
    SiteResult,
    mode_clause,
)
from matching.vocabulary import Mode
from profiles import repository
from profiles.industry_fields import Resolution, resolve_fields
from profiles.kinds import KINDS
from profiles.models import (
    MAX_ID,
    City,
    Enterprise,
    EnterpriseCreate,
    FeedbackCreate,
    FeedbackPublic,
    Pairing,
)
from profiles.snapshot import words

router = APIRouter(
    prefix="/recommendations", tags=["recommendations"], dependencies=[allow(*ALL, read=True)]
)
feedback_router = APIRouter(tags=["recommendations"])
ModeQuery = Annotated[
    Mode | None, Query(description="slug or Chinese label, e.g. rnd_manufacturing or 研发+制造")
]
Limit = Annotated[int, Query(ge=1, le=100)]
NO_HISTORY = "企业—选址暂无历史结对数据：按合作模式的先验权重排序，随用户反馈逐步学习。"


class CityBrief(BaseModel):
    adcode: str
    name: str
    province: str
    is_key_city: bool
    is_partner_candidate: bool
    gdp_100m: float | None
    gdp_year: int | None
    population_10k: float | None


class ReasonOut(BaseModel):
    feature: str
    text: str
    contribution: float


class ExistingPairing(BaseModel):
    schemes: list[str]
    pairings: list[dict[str, Any]] = []


class Item(BaseModel):
    rank: int
    score: float = Field(ge=0, le=1)
    mode: Mode
    mode_label: str
    clause: str
    mode_scores: dict[str, float]
    reasons: list[ReasonOut]


class CityItem(Item):
    city: CityBrief
    existing_pairing: ExistingPairing | None = None


class EnterpriseBrief(BaseModel):
    id: int
    name: str
    hq_city: str
    industry_codes: list[str]
    is_demo: bool


class EnterpriseItem(Item):
    enterprise: EnterpriseBrief


class CityRecommendations(BaseModel):
    city: CityBrief
    mode: Mode | None
    model_version: str
    learned: bool
    items: list[CityItem]


class ExcludedSite(BaseModel):
    adcode: str
    name: str
    reason: str


class SiteRecommendations(BaseModel):
    enterprise: dict[str, Any]
    mode: Mode | None
    model_version: str
    learned: bool
    note: str | None
    items: list[CityItem]
    excluded_count: int
    excluded: list[ExcludedSite] | None = None
    resolved: list[Resolution] | None = Field(
        None, description="how the profile's industry and resource words were read (POST only)"
    )


class EnterpriseRecommendations(BaseModel):
    city: CityBrief
    mode: Mode | None
    model_version: str
    learned: bool
    note: str | None
    items: list[EnterpriseItem]


class Constraints(BaseModel):
    """Hard constraints on sites (each applied exactly)."""

    model_config = ConfigDict(extra="forbid")
    max_distance_km: float | None = Field(None, gt=0, le=10_000, description="from headquarters")
    provinces: list[str] = Field(
        [], max_length=40, description="keep only these provinces (names or adcodes)"
    )
    exclude_provinces: list[str] = Field([], max_length=40)
    require_bonded_zone: bool = False
    require_airport: bool = False
    require_high_speed_rail: bool = False
    min_population_10k: float | None = Field(None, ge=0, le=1e5)


class SiteParams(Constraints):
    """GET /sites: a stored enterprise, and the constraints as query parameters."""

    enterprise: int = Field(ge=1, le=MAX_ID, description="enterprise id")
    mode: Mode | None = Field(None, description="slug or Chinese label")
    limit: int = Field(10, ge=1, le=100)
    explain_excluded: bool = False


class SiteQuery(BaseModel):
    """An unsaved enterprise profile and what it asks for."""

    model_config = ConfigDict(extra="forbid")
    enterprise: EnterpriseCreate
    mode: Mode | None = None
    limit: int = Field(10, ge=1, le=100)
    constraints: Constraints = Constraints()
    explain_excluded: bool = False


def _briefs(session: SessionDep, adcodes: list[str]) -> dict[str, CityBrief]:
    rows = session.exec(select(City).where(City.adcode.in_(adcodes))).all()  # type: ignore[attr-defined]
    return {c.adcode: CityBrief.model_validate(c, from_attributes=True) for c in rows}


def _item_fields(item: Recommendation) -> dict[str, Any]:
    clause, _ = mode_clause(item.mode)
    reasons = [
        ReasonOut(feature=r.feature, text=r.text, contribution=r.contribution) for r in item.reasons
    ]
    return {
        "rank": item.rank,
        "score": item.score,
        "mode": item.mode,
        "mode_label": item.mode.label,
        "clause": clause,
        "mode_scores": item.mode_scores,
        "reasons": reasons,
    }


def _city_items(session: SessionDep, items: list[Recommendation], pair_of: Any) -> list[CityItem]:
    briefs = _briefs(session, [i.key for i in items])
    result = []
    for item in items:
        existing = None
        if item.existing:
            base, partner = pair_of(item.key)
            rows = session.exec(
                select(Pairing).where(Pairing.base_city == base, Pairing.partner_city == partner)
            ).all()
            existing = ExistingPairing(
                schemes=list(item.existing),
                pairings=[
                    {
                        "id": p.id,
                        "scheme": p.scheme,
                        "since": p.since,
                        "status": p.status,
                        "source": p.source,
                    }
                    for p in rows
                ],
            )
        result.append(
            CityItem(city=briefs[item.key], existing_pairing=existing, **_item_fields(item))
        )
    return result


def _province_codes(session: SessionDep, values: list[str], field: str) -> tuple[str, ...]:
    codes = []
    for value in values:
        adcode = repository.resolve_city(session, value=value, field=field)
        codes.append(adcode[:2] + "0000")
    return tuple(codes)


def _site_response(
    session: SessionDep,
    engine: Any,
    profile: EnterpriseProfile,
    mode: Mode | None,
    limit: int,
    constraints: Constraints,
    explain_excluded: bool,
    enterprise: dict[str, Any],
) -> SiteRecommendations:
    rules = SiteConstraints(
        max_distance_km=constraints.max_distance_km,
        provinces=_province_codes(session, constraints.provinces, "provinces"),
        exclude_provinces=_province_codes(
            session, constraints.exclude_provinces, "exclude_provinces"
        ),
        require_bonded_zone=constraints.require_bonded_zone,
        require_airport=constraints.require_airport,
        require_high_speed_rail=constraints.require_high_speed_rail,
        min_population_10k=constraints.min_population_10k,
    )
    result: SiteResult = engine.sites(profile, mode=mode, limit=limit, constraints=rules)
    names = _briefs(session, list(result.excluded)) if explain_excluded else {}
    return SiteRecommendations(
        enterprise=enterprise,
        mode=mode,
        model_version=engine.site_model.version,
        learned=result.learned,
        note=None if result.learned else NO_HISTORY,
        items=_city_items(session, result.items, lambda key: (key, None)),
        excluded_count=len(result.excluded),
        excluded=[
            ExcludedSite(adcode=a, name=names[a].name, reason=r) for a, r in result.excluded.items()
        ]
        if explain_excluded
        else None,
    )


def _profile(data: EnterpriseCreate | Enterprise, hq_city: str) -> EnterpriseProfile:
    return EnterpriseProfile(
        name=data.name,
        hq_city=hq_city,
        industry_codes=tuple(data.industry_codes),
        industry_words=words(list(data.industry_keywords)),
        needs=words(list(data.needs_resources)),
        modes=tuple(str(m) for m in data.preferred_modes),
    )


def _city_answer(
    session: SessionDep,
    engine: Any,
    adcode: str,
    mode: Mode | None,
    items: list[Recommendation],
    pair_of: Any,
) -> CityRecommendations:
    return CityRecommendations(
        city=_briefs(session, [adcode])[adcode],
        mode=mode,
        model_version=engine.city_model.version,
        learned=engine.city_model.ranker.learned_,
        items=_city_items(session, items, pair_of),
    )


@router.get("/partners", summary="推荐合作城市 Partner cities for a base city")
def partners(
    session: SessionDep,
    engine: EngineDep,
    city: Annotated[str, Query(max_length=40, description="adcode or name", examples=["赣州"])],
    mode: ModeQuery = None,
    limit: Limit = 10,
    exclude_existing: bool = False,
) -> CityRecommendations:
    adcode = repository.resolve_city(session, value=city, field="city")
    items = engine.partners(adcode, mode=mode, limit=limit, exclude_existing=exclude_existing)
    return _city_answer(session, engine, adcode, mode, items, lambda key: (adcode, key))


@router.get("/base-cities", summary="推荐对口老区城市 Base-area cities for a developed city")
def base_cities(
    session: SessionDep,
    engine: EngineDep,
    city: Annotated[str, Query(max_length=40, examples=["深圳"])],
    mode: ModeQuery = None,
    limit: Limit = 10,
    exclude_existing: bool = False,
) -> CityRecommendations:
    adcode = repository.resolve_city(session, value=city, field="city")
    items = engine.base_cities(adcode, mode=mode, limit=limit, exclude_existing=exclude_existing)
    return _city_answer(session, engine, adcode, mode, items, lambda key: (key, adcode))


@router.get("/sites", summary="推荐落地城市 Relocation sites for a stored enterprise")
def sites(
    session: SessionDep, engine: EngineDep, params: Annotated[SiteParams, Query()]
) -> SiteRecommendations:
    row = repository.get_profile(session, kind=KINDS["enterprises"], id=params.enterprise)
    brief = EnterpriseBrief.model_validate(row, from_attributes=True).model_dump()
    constraints = Constraints.model_validate(
        params.model_dump(include=set(Constraints.model_fields))
    )
    return _site_response(
        session,
        engine,
        _profile(row, row.hq_city),
        params.mode,
        params.limit,
        constraints,
        params.explain_excluded,
        brief,
    )


@router.post("/sites", summary="推荐落地城市 Relocation sites for an unsaved enterprise profile")
def sites_for_profile(
    session: SessionDep, engine: EngineDep, body: SiteQuery
) -> SiteRecommendations:
    hq = repository.resolve_city(session, value=body.enterprise.hq_city, field="enterprise.hq_city")
    values = body.enterprise.model_dump()
    resolved = resolve_fields(values, prefix="enterprise.")
    profile = EnterpriseCreate.model_validate(values)
    enterprise = profile.model_dump(include={"name", "industry_codes"}) | {"hq_city": hq}
    answer = _site_response(
        session,
        engine,
        _profile(profile, hq),
        body.mode,
        body.limit,
        body.constraints,
        body.explain_excluded,
        enterprise,
    )
    return answer.model_copy(update={"resolved": resolved})


@router.get("/enterprises", summary="推荐招商企业 Enterprises for a base city to invite")
def enterprises(
    session: SessionDep,
    engine: EngineDep,
    state: EngineStateDep,
    city: Annotated[str, Query(max_length=40, examples=["360700"])],
    mode: ModeQuery = None,
    limit: Limit = 10,
) -> EnterpriseRecommendations:
    adcode = repository.resolve_city(session, value=city, field="city")
    arrays = state.enterprises(session, engine)
    rows, _, _ = engine.enterprises_for(adcode, arrays, mode=mode, limit=limit)
    ids = [int(arrays.ids[r]) for r in rows]
    stored = {e.id: e for e in session.exec(select(Enterprise).where(Enterprise.id.in_(ids))).all()}  # type: ignore[union-attr]
    items = []
    for rank, enterprise_id in enumerate(ids, start=1):
        row = stored[enterprise_id]
        result = engine.sites(
            _profile(row, row.hq_city), mode=mode, limit=len(engine.site_side.rows)
        )
        match = next(i for i in result.items if i.key == adcode)
        recommendation = Recommendation(
            rank=rank,
            key=str(enterprise_id),
            score=match.score,
            mode=match.mode,
            mode_scores=match.mode_scores,
            reasons=match.reasons,
        )
        brief = EnterpriseBrief.model_validate(row, from_attributes=True)
        items.append(EnterpriseItem(enterprise=brief, **_item_fields(recommendation)))
    return EnterpriseRecommendations(
        city=_briefs(session, [adcode])[adcode],
        mode=mode,
        model_version=engine.site_model.version,
        learned=engine.site_model.ranker.learned_,
        note=None if engine.site_model.ranker.learned_ else NO_HISTORY,
        items=items,
    )


@feedback_router.post(
    "/feedback",
    status_code=status.HTTP_201_CREATED,
    summary="反馈 Accept, contact or reject a recommended pair",
)
def feedback(session: SessionDep, principal: Writer, body: FeedbackCreate) -> FeedbackPublic:
    return repository.record_feedback(session, data=body, owner=principal.id)
