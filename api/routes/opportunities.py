"""Matches of opportunities (合作机会): for one opportunity, for a city, for an enterprise.

The opportunities themselves (list, filters, export, import, CRUD) are one of the profile
kinds (``/opportunities``, see ``api.routes.profiles``).
"""

from typing import Annotated

from fastapi import APIRouter, Path, Query

from api.deps import EngineStateDep, SessionDep
from api.security import ALL, allow
from profiles import opportunities
from profiles.errors import InvalidReference
from profiles.models import MAX_ID
from profiles.opportunities import OpportunityMatches, RecommendedOpportunities

router = APIRouter(tags=["opportunities"], dependencies=[allow(*ALL, read=True)])
Limit = Annotated[int, Query(ge=1, le=100)]


@router.get(
    "/opportunities/{id:int}/matches",
    summary="合作机会匹配 Complementary opportunities, cities and enterprises for an opportunity",
)
def matches(
    session: SessionDep,
    state: EngineStateDep,
    id: Annotated[int, Path(ge=1, le=MAX_ID, description="the opportunity's id")],
    limit: Limit = 10,
) -> OpportunityMatches:
    return opportunities.matches(session, state, id=id, limit=limit)


@router.get(
    "/recommendations/opportunities",
    summary="推荐合作机会 Open opportunities for a city or an enterprise",
    description="Give exactly one of `city` (adcode or name) and `enterprise` (id).",
)
def recommended(
    session: SessionDep,
    state: EngineStateDep,
    city: Annotated[str | None, Query(max_length=40, examples=["赣州"])] = None,
    enterprise: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: Limit = 10,
) -> RecommendedOpportunities:
    if (city is None) == (enterprise is None):
        raise InvalidReference("city", city, "give exactly one of city and enterprise")
    if city is not None:
        return opportunities.for_city(session, state, city=city, limit=limit)
    return opportunities.for_enterprise(session, state, enterprise_id=enterprise or 0, limit=limit)
