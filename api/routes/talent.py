"""Talent recommendations: experts for a post, posts for an expert, universities for a city."""

from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import EngineStateDep, SessionDep
from api.security import ALL, allow
from profiles import talent as talent_use
from profiles.models import MAX_ID
from profiles.talent import TalentRecommendations

router = APIRouter(
    prefix="/recommendations", tags=["recommendations"], dependencies=[allow(*ALL, read=True)]
)
Id = Annotated[int | None, Query(ge=1, le=MAX_ID)]


@router.get(
    "/talent",
    response_model_exclude_none=True,
    summary="人才推荐 Experts for a post (need=ID) or posts for an expert (expert=ID)",
)
def talent(
    session: SessionDep,
    state: EngineStateDep,
    need: Id = None,
    expert: Id = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> TalentRecommendations:
    return talent_use.talent(session, state, need=need, expert=expert, limit=limit)


@router.get(
    "/universities",
    response_model_exclude_none=True,
    summary="高校合作共建推荐 Universities for a base city (disciplines ↔ industries and posts)",
)
def universities(
    session: SessionDep,
    state: EngineStateDep,
    city: Annotated[str, Query(max_length=40, examples=["360700"])],
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> TalentRecommendations:
    return talent_use.universities(session, state, city=city, limit=limit)
