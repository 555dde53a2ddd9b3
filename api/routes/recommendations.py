"""Recommendations: partners, base cities, relocation sites, enterprises to invite; feedback."""

from collections.abc import Callable
from typing import Annotated, Any, ClassVar, Literal

from fastapi import APIRouter, Query, Response, status
from pydantic import ConfigDict, Field
from sqlmodel import Session

from api.cache import PageCache
from api.deps import EngineStateDep, RecommendationPagesDep, SessionDep
from api.security import ALL, Writer, allow
from matching.vocabulary import Mode
from profiles import recommending, repository, zones
from profiles.models import MAX_ID, EnterpriseCreate, FeedbackCreate, FeedbackPublic
from profiles.ranking import EngineState
from profiles.recommending import (
    CityRecommendations,
    Constraints,
    EnterpriseRecommendations,
    SiteRecommendations,
)
from profiles.shape import Shape
from profiles.zones import ZoneRecommendations

router = APIRouter(
    prefix="/recommendations", tags=["recommendations"], dependencies=[allow(*ALL, read=True)]
)
feedback_router = APIRouter(tags=["recommendations"])
ModeQuery = Annotated[
    Mode | None, Query(description="slug or Chinese label, e.g. rnd_manufacturing or 研发+制造")
]
Limit = Annotated[int, Query(ge=1, le=100)]


class SiteParams(Constraints):
    """GET /sites: a stored enterprise, and the constraints as query parameters."""

    text_input: ClassVar[bool] = True
    enterprise: int = Field(ge=1, le=MAX_ID, description="enterprise id")
    mode: Mode | None = Field(None, description="slug or Chinese label")
    limit: int = Field(10, ge=1, le=100)
    explain_excluded: bool = False


class SiteQuery(Shape):
    """An unsaved enterprise profile and what it asks for."""

    model_config = ConfigDict(extra="forbid")
    enterprise: EnterpriseCreate
    mode: Mode | None = None
    limit: int = Field(10, ge=1, le=100)
    constraints: Constraints = Constraints()
    explain_excluded: bool = False


async def _kept(
    pages: PageCache,
    session: Session,
    recommend: Callable[..., CityRecommendations],
    state: EngineState,
    **query: Any,
) -> Response:
    """``recommend``'s answer, kept for the engine that computed it."""
    key = (recommend.__name__, *sorted(query.items()))
    return await pages.answer(session, key, lambda: recommend(session, state, **query))


@router.get(
    "/partners",
    summary="推荐合作城市 Partner cities for a base city",
    response_model=CityRecommendations,
)
async def partners(
    session: SessionDep,
    state: EngineStateDep,
    pages: RecommendationPagesDep,
    city: Annotated[str, Query(max_length=40, description="adcode or name", examples=["赣州"])],
    mode: ModeQuery = None,
    limit: Limit = 10,
    exclude_existing: bool = False,
) -> Response:
    return await _kept(
        pages,
        session,
        recommending.partners,
        state,
        city=city,
        mode=mode,
        limit=limit,
        exclude_existing=exclude_existing,
    )


@router.get(
    "/base-cities",
    summary="推荐对口老区城市 Base-area cities for a developed city",
    response_model=CityRecommendations,
)
async def base_cities(
    session: SessionDep,
    state: EngineStateDep,
    pages: RecommendationPagesDep,
    city: Annotated[str, Query(max_length=40, examples=["深圳"])],
    mode: ModeQuery = None,
    limit: Limit = 10,
    exclude_existing: bool = False,
) -> Response:
    return await _kept(
        pages,
        session,
        recommending.base_cities,
        state,
        city=city,
        mode=mode,
        limit=limit,
        exclude_existing=exclude_existing,
    )


@router.get("/sites", summary="推荐落地城市 Relocation sites for a stored enterprise")
def sites(
    session: SessionDep, state: EngineStateDep, params: Annotated[SiteParams, Query()]
) -> SiteRecommendations:
    return recommending.sites_for_enterprise(
        session,
        state,
        enterprise_id=params.enterprise,
        mode=params.mode,
        limit=params.limit,
        constraints=Constraints.model_validate(
            params.model_dump(include=set(Constraints.model_fields))
        ),
        explain_excluded=params.explain_excluded,
    )


@router.post("/sites", summary="推荐落地城市 Relocation sites for an unsaved enterprise profile")
def sites_for_profile(
    session: SessionDep, state: EngineStateDep, body: SiteQuery
) -> SiteRecommendations:
    return recommending.sites_for_profile(
        session,
        state,
        enterprise=body.enterprise,
        mode=body.mode,
        limit=body.limit,
        constraints=body.constraints,
        explain_excluded=body.explain_excluded,
    )


@router.get(
    "/zones",
    summary="开发区对接 Partner zones for a base-area zone (or base-area zones for a partner zone)",
    description="For a zone in a base-area city: 国家级新区, developed regions' 经开区 and 高新区, "
    "and eastern open platforms, ranked under the mode. For any other zone (the reverse): the "
    "base-area zones it could cooperate with. `direction` overrides the default.",
)
def zone_partners(
    session: SessionDep,
    state: EngineStateDep,
    zone: Annotated[
        str, Query(max_length=100, description="zone id or name", examples=["瑞金经开区"])
    ],
    mode: ModeQuery = None,
    limit: Limit = 10,
    direction: Literal["partners", "base_zones"] | None = None,
) -> ZoneRecommendations:
    return zones.zone_cooperation(
        session, state, zone=zone, mode=mode, limit=limit, direction=direction
    )


@router.get("/enterprises", summary="推荐招商企业 Enterprises for a base city to invite")
def enterprises(
    session: SessionDep,
    state: EngineStateDep,
    city: Annotated[str, Query(max_length=40, examples=["360700"])],
    mode: ModeQuery = None,
    limit: Limit = 10,
) -> EnterpriseRecommendations:
    return recommending.enterprises_to_invite(session, state, city=city, mode=mode, limit=limit)


@feedback_router.post(
    "/feedback",
    status_code=status.HTTP_201_CREATED,
    summary="反馈 Accept, contact or reject a recommended pair",
)
def feedback(session: SessionDep, principal: Writer, body: FeedbackCreate) -> FeedbackPublic:
    return repository.record_feedback(session, data=body, owner=principal.id)
