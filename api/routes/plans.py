"""Plans: city-pairing rounds and talent-placement rounds, saved, exported and approved."""

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, status
from fastapi.responses import StreamingResponse
from pydantic import ConfigDict, Field

from api.deps import EngineStateDep, SessionDep
from api.routes.common import ItemList
from api.security import allow
from matching.vocabulary import Mode, PlanKind, PlanStatus, Programme, Role
from profiles import planning, plans
from profiles.access import Principal
from profiles.models import MAX_ID, PlanPublic
from profiles.planning import PlanOut
from profiles.plans import Approval
from profiles.shape import Shape

router = APIRouter(prefix="/plans", tags=["plans"], dependencies=[allow(Role.admin, Role.office)])
Planner = Annotated[Principal, allow(Role.admin, Role.office)]
PlanId = Annotated[int, Path(ge=1, le=MAX_ID)]
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]
Places = Annotated[int, Field(ge=1, le=10_000)]
MAX_CITIES = 400


class CityPairingRequest(Shape):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "base_cities": ["360700", "吉安", "龙岩"],
                    "partners": ["440300", "东莞", "广州"],
                    "capacity": 1,
                    "mode": None,
                    "keep": [["360700", "440300"]],
                    "forbid": [],
                }
            ]
        },
    )
    base_cities: list[str] = Field(
        min_length=1, max_length=MAX_CITIES, description="adcodes or names"
    )
    partners: list[str] = Field(min_length=1, max_length=MAX_CITIES)
    capacity: int | dict[str, int] = Field(
        1,
        description="base cities each partner may take (one number, or per partner; unlisted partners take 1)",
    )
    mode: Mode | None = None
    keep: list[tuple[str, str]] = Field(
        [], max_length=MAX_CITIES, description="[base, partner] pairs that must stay"
    )
    forbid: list[tuple[str, str]] = Field([], max_length=10_000)
    title: str | None = Field(None, max_length=200)


class TalentPlacementRequest(Shape):
    model_config = ConfigDict(extra="forbid")
    programme: Programme | None = Field(
        None, description="the round's programme: its posts, and experts willing to join it"
    )
    experts: list[RowId] | None = Field(
        None, max_length=20_000, description="expert ids (default: all willing)"
    )
    needs: list[RowId] | None = Field(
        None, max_length=5_000, description="post ids (default: all of the programme)"
    )
    preferences: dict[RowId, list[RowId]] = Field(
        {}, description="expert id → post ids, best first"
    )
    rankings: dict[RowId, list[RowId]] = Field({}, description="post id → expert ids, best first")
    headcounts: dict[RowId, Places] = Field(
        {}, description="post id → places (default: the post's headcount)"
    )
    title: str | None = Field(None, max_length=200)


@router.post(
    "/city-pairing",
    response_model_exclude_none=True,
    status_code=status.HTTP_201_CREATED,
    summary="对口合作方案 Pair many base cities with partners: optimal, stable and fair plans",
)
def city_pairing_plan(
    session: SessionDep, state: EngineStateDep, principal: Planner, body: CityPairingRequest
) -> PlanOut:
    return planning.plan_city_pairing(
        session,
        state,
        base_cities=body.base_cities,
        partners=body.partners,
        capacity=body.capacity,
        mode=body.mode,
        keep=body.keep,
        forbid=body.forbid,
        title=body.title,
        owner=principal.id,
    )


@router.post(
    "/talent-placement",
    response_model_exclude_none=True,
    status_code=status.HTTP_201_CREATED,
    summary="人才选派方案 Place experts into posts (expert-proposing deferred acceptance)",
)
def talent_placement_plan(
    session: SessionDep, state: EngineStateDep, principal: Planner, body: TalentPlacementRequest
) -> PlanOut:
    return planning.plan_talent_placement(
        session,
        state,
        programme=body.programme,
        experts=body.experts,
        needs=body.needs,
        preferences=body.preferences,
        rankings=body.rankings,
        headcounts=body.headcounts,
        title=body.title,
        owner=principal.id,
    )


@router.get("", summary="方案列表 List plans")
def list_plans(
    session: SessionDep,
    kind: PlanKind | None = None,
    status: PlanStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ItemList[PlanPublic]:
    return ItemList(items=plans.list_plans(session, kind=kind, status=status, limit=limit))


@router.get("/{plan_id:int}", summary="方案详情 One plan with its inputs and outputs")
def get_plan(session: SessionDep, plan_id: PlanId) -> PlanPublic:
    return plans.get_plan(session, id=plan_id)


@router.get(
    "/{plan_id:int}/export",
    summary="导出方案 A plan's pairs as CSV, for the paperwork",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}},
)
def export_plan(
    session: SessionDep,
    plan_id: PlanId,
    solution: Literal["optimal", "stable", "fair", "placement"] = "optimal",
) -> StreamingResponse:
    text = plans.plan_csv(session, id=plan_id, solution=solution)
    headers = {"Content-Disposition": f'attachment; filename="plan-{plan_id}-{solution}.csv"'}
    return StreamingResponse(iter([text]), media_type="text/csv; charset=utf-8", headers=headers)


@router.post(
    "/{plan_id:int}/approve",
    summary="批准方案 Approve a draft: its pairings are created in one transaction",
)
def approve_plan(
    session: SessionDep,
    principal: Planner,
    plan_id: PlanId,
    solution: Literal["optimal", "stable", "fair", "placement"] = "optimal",
) -> Approval:
    return plans.approve_as(session, principal, id=plan_id, solution=solution)
