"""Plans: city-pairing rounds and talent-placement rounds, saved, exported and approved."""

import csv
import io
from dataclasses import asdict
from typing import Annotated, Any, Literal

import numpy as np
from fastapi import APIRouter, Path, Query, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import select

from api.deps import EngineDep, EngineStateDep, SessionDep
from api.routes.common import ItemList
from api.security import allow
from matching.assignment import Infeasible
from matching.placement import place
from matching.plans import city_pairing
from matching.vocabulary import Mode, PlanKind, PlanStatus, Programme, Role
from profiles import plans, repository
from profiles.access import Principal
from profiles.errors import DomainError, InvalidReference, NotFound
from profiles.models import MAX_ID, Plan, PlanPublic
from profiles.shape import Shape

router = APIRouter(prefix="/plans", tags=["plans"], dependencies=[allow(Role.admin, Role.office)])
PlanId = Annotated[int, Path(ge=1, le=MAX_ID)]
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]
Places = Annotated[int, Field(ge=1, le=10_000)]
MAX_CITIES = 400


class PlanInfeasible(DomainError):
    """A plan request that no plan can satisfy (422, with the reason)."""


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


class PlanOut(BaseModel):
    id: int
    kind: PlanKind
    status: PlanStatus
    model_version: str | None
    optimal: dict[str, Any] | None = None
    stable: dict[str, Any] | None = None
    placement: dict[str, Any] | None = None


class Approval(BaseModel):
    plan: PlanPublic
    pairings_created: int
    pairings_already_present: int


def _adcodes(session: SessionDep, engine: EngineDep, values: list[str], field: str) -> list[str]:
    result = []
    for k, value in enumerate(values):
        adcode = repository.resolve_city(session, value=value, field=f"{field}.{k}")
        if adcode not in engine.cities.index:
            raise InvalidReference(
                f"{field}.{k}", value, "not a prefecture-level city the engine ranks"
            )
        result.append(adcode)
    return result


def _solution_dict(solution: Any, names: dict[str, str]) -> dict[str, Any]:
    return {
        "pairs": [
            {
                "base": p.base,
                "base_name": names[p.base],
                "partner": p.partner,
                "partner_name": names[p.partner],
                "score": p.score,
                "reasons": [asdict(r) for r in p.reasons],
            }
            for p in solution.pairs
        ],
        "total_score": solution.total_score,
        "min_score": solution.min_score,
        "blocking_pairs": solution.blocking_pairs,
    }


@router.post(
    "/city-pairing",
    response_model_exclude_none=True,
    status_code=status.HTTP_201_CREATED,
    summary="对口合作方案 Pair many base cities with partners: optimal and stable plans",
)
def city_pairing_plan(session: SessionDep, engine: EngineDep, body: CityPairingRequest) -> PlanOut:
    bases = _adcodes(session, engine, body.base_cities, "base_cities")
    partners = _adcodes(session, engine, body.partners, "partners")
    capacity = (
        [body.capacity] * len(partners) if isinstance(body.capacity, int) else [1] * len(partners)
    )
    if isinstance(body.capacity, dict):
        for name, value in body.capacity.items():
            adcode = repository.resolve_city(session, value=name, field=f"capacity.{name}")
            if adcode not in partners:
                raise InvalidReference(f"capacity.{name}", name, "not among the partners")
            capacity[partners.index(adcode)] = value
    keep = [
        tuple(_adcodes(session, engine, list(pair), f"keep.{k}"))
        for k, pair in enumerate(body.keep)
    ]
    forbid = [
        tuple(_adcodes(session, engine, list(pair), f"forbid.{k}"))
        for k, pair in enumerate(body.forbid)
    ]
    try:
        solutions = city_pairing(
            engine, bases, partners, capacity, mode=body.mode, keep=keep, forbid=forbid
        )  # type: ignore[arg-type]
    except Infeasible as error:
        raise PlanInfeasible(f"no plan satisfies the request: {error}") from error
    names = {r.adcode: r.name for r in engine.cities.records}
    outputs = {name: _solution_dict(s, names) for name, s in solutions.items()}
    inputs = {
        "base_cities": bases,
        "partners": partners,
        "capacity": capacity,
        "mode": body.mode,
        "keep": keep,
        "forbid": forbid,
    }
    return _saved(
        session, PlanKind.city_pairing, inputs, outputs, engine.city_model.version, body.title
    )


@router.post(
    "/talent-placement",
    response_model_exclude_none=True,
    status_code=status.HTTP_201_CREATED,
    summary="人才选派方案 Place experts into posts (expert-proposing deferred acceptance)",
)
def talent_placement_plan(
    session: SessionDep, engine: EngineDep, state: EngineStateDep, body: TalentPlacementRequest
) -> PlanOut:
    arrays = state.talent(session, engine)
    need_ids = (
        body.needs
        if body.needs is not None
        else [
            n.id
            for n in arrays.needs
            if body.programme is None or n.programme == body.programme.value
        ]
    )
    expert_ids = (
        body.experts
        if body.experts is not None
        else [
            e.id
            for e in arrays.experts
            if body.programme is None or body.programme.value in e.programmes
        ]
    )
    for field, ids, index in (
        ("needs", need_ids, arrays.need_index),
        ("experts", expert_ids, arrays.expert_index),
    ):
        unknown = [i for i in ids if i not in index]
        if unknown:
            raise InvalidReference(field, unknown[0], f"unknown id {unknown[0]}")
    if not need_ids or not expert_ids:
        raise PlanInfeasible("the round has no posts or no experts")
    experts = [arrays.expert_index[i] for i in expert_ids]
    needs = [arrays.need_index[i] for i in need_ids]
    result = place(
        arrays,
        _rows(experts),
        _rows(needs),
        expert_preferences={
            arrays.expert_index[e]: [arrays.need_index[n] for n in ns if n in arrays.need_index]
            for e, ns in body.preferences.items()
            if e in arrays.expert_index
        },
        need_rankings={
            arrays.need_index[n]: [arrays.expert_index[e] for e in es if e in arrays.expert_index]
            for n, es in body.rankings.items()
            if n in arrays.need_index
        },
        headcounts={
            arrays.need_index[n]: c for n, c in body.headcounts.items() if n in arrays.need_index
        },
    )
    placed = [
        {
            "expert": arrays.experts[e].id,
            "expert_name": arrays.experts[e].name,
            "need": arrays.needs[n].id,
            "need_title": arrays.needs[n].title,
            "city": arrays.needs[n].city,
            "score": round(score, 4),
            "programme": arrays.needs[n].programme,
            "reasons": [asdict(r) for r in arrays.reasons(e, n)],
        }
        for e, n, score in result.placed
    ]
    unplaced = [
        {
            "expert": arrays.experts[e].id,
            "name": arrays.experts[e].name,
            "reason": code,
            "detail": text,
        }
        for e, (code, text) in result.unplaced.items()
    ]
    outputs = {
        "placement": {
            "pairs": placed,
            "unplaced": unplaced,
            "placed_count": len(placed),
            "unplaced_count": len(unplaced),
            "blocking_pairs": result.blocking_pairs,
            "dropped_preferences": result.dropped_preferences,
        }
    }
    inputs = {"programme": body.programme, "experts": expert_ids, "needs": need_ids}
    return _saved(session, PlanKind.talent_placement, inputs, outputs, "talent-prior", body.title)


def _saved(
    session: SessionDep,
    kind: PlanKind,
    inputs: dict[str, Any],
    outputs: dict[str, Any],
    model_version: str,
    title: str | None,
) -> PlanOut:
    """Save the plan as a draft record and answer with it."""
    plan = plans.save_plan(
        session, kind=kind, inputs=inputs, outputs=outputs, model_version=model_version, title=title
    )
    return PlanOut(
        id=plan.id or 0,
        kind=plan.kind,
        status=plan.status,
        model_version=plan.model_version,
        **outputs,
    )


def _rows(values: list[int]) -> np.ndarray:
    return np.array(values, dtype=np.int64)


@router.get("", summary="方案列表 List plans")
def list_plans(
    session: SessionDep,
    kind: PlanKind | None = None,
    status: PlanStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ItemList[PlanPublic]:
    statement = select(Plan).order_by(Plan.id.desc()).limit(limit)  # type: ignore[union-attr]
    if kind:
        statement = statement.where(Plan.kind == kind)
    if status:
        statement = statement.where(Plan.status == status)
    return ItemList(items=list(session.exec(statement).all()))


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
    solution: Literal["optimal", "stable", "placement"] = "optimal",
) -> StreamingResponse:
    plan = plans.get_plan(session, id=plan_id)
    if solution not in plan.outputs:
        raise InvalidReference(
            "solution", solution, f"plan {plan_id} has {', '.join(plan.outputs)}"
        )
    rows = plan.outputs[solution]["pairs"]
    buffer = io.StringIO()
    columns = [c for c in rows[0] if c != "reasons"] + ["reasons"] if rows else ["empty"]
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow(
            [
                row.get(c) if c != "reasons" else "；".join(r["text"] for r in row["reasons"])
                for c in columns
            ]
        )
    headers = {"Content-Disposition": f'attachment; filename="plan-{plan_id}-{solution}.csv"'}
    return StreamingResponse(
        iter(["\ufeff" + buffer.getvalue()]), media_type="text/csv; charset=utf-8", headers=headers
    )


@router.post(
    "/{plan_id:int}/approve",
    summary="批准方案 Approve a draft: its pairings are created in one transaction",
)
def approve_plan(
    session: SessionDep,
    principal: Annotated[Principal, allow(Role.admin, Role.office)],
    plan_id: PlanId,
    solution: Literal["optimal", "stable", "placement"] = "optimal",
) -> Approval:
    if not plans.involves_only(plans.get_plan(session, id=plan_id), solution, principal.covers):
        raise NotFound("plan", plan_id)  # outside the office's scope: as if it did not exist
    plan, created, existing = plans.approve_plan(session, id=plan_id, solution=solution)
    return Approval(
        plan=PlanPublic.model_validate(plan),
        pairings_created=created,
        pairings_already_present=existing,
    )
