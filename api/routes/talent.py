"""Talent recommendations: experts for a post, posts for an expert, universities for a city."""

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import EngineDep, EngineStateDep, SessionDep
from api.security import ALL, allow
from matching.programmes import PROGRAMMES
from matching.talent import Scored, TalentArrays
from matching.vocabulary import Programme
from profiles import repository
from profiles.errors import InvalidReference, NotFound
from profiles.models import MAX_ID

router = APIRouter(
    prefix="/recommendations", tags=["recommendations"], dependencies=[allow(*ALL, read=True)]
)
Id = Annotated[int | None, Query(ge=1, le=MAX_ID)]
NOTE = "人才匹配暂无历史选派数据：按公开的先验权重（专业对口、意愿、职称学位、到岗时间）排序。"


class TalentItem(BaseModel):
    rank: int
    score: float
    programme: str | None = None
    programme_label: str | None = None
    clause: str | None = None
    expert: dict[str, Any] | None = None
    need: dict[str, Any] | None = None
    university: dict[str, Any] | None = None
    reasons: list[dict[str, Any]]


class TalentRecommendations(BaseModel):
    query: dict[str, Any]
    note: str
    items: list[TalentItem]


def expert_brief(arrays: TalentArrays, row: int) -> dict[str, Any]:
    e = arrays.experts[row]
    return {
        "id": e.id,
        "name": e.name,
        "affiliation": e.affiliation,
        "city": e.city,
        "fields": list(e.fields),
        "title": e.title,
        "degree": e.degree,
        "is_demo": e.is_demo,
    }


def need_brief(arrays: TalentArrays, row: int) -> dict[str, Any]:
    n = arrays.needs[row]
    return {
        "id": n.id,
        "title": n.title,
        "city": n.city,
        "field": n.field,
        "programme": n.programme,
        "headcount": n.headcount,
        "is_demo": n.is_demo,
    }


def _item(rank: int, item: Scored, programme: str, **brief: dict[str, Any]) -> TalentItem:
    """A ranked talent item with its programme, clause and reasons."""
    spec = PROGRAMMES[Programme(programme)]
    return TalentItem(
        rank=rank,
        score=item.score,
        programme=spec.programme.value,
        programme_label=spec.label,
        clause=spec.clause,
        reasons=[asdict(r) for r in item.reasons],
        **brief,
    )


def _row(index: dict[int, int], value: int, field: str, kind: str) -> int:
    if value not in index:
        raise NotFound(kind, value)
    return index[value]


@router.get(
    "/talent",
    response_model_exclude_none=True,
    summary="人才推荐 Experts for a post (need=ID) or posts for an expert (expert=ID)",
)
def talent(
    session: SessionDep,
    engine: EngineDep,
    state: EngineStateDep,
    need: Id = None,
    expert: Id = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> TalentRecommendations:
    if (need is None) == (expert is None):
        raise InvalidReference("need", need, "give exactly one of need or expert")
    arrays = state.talent(session, engine)
    if need is not None:
        row = _row(arrays.need_index, need, "need", "talent need")
        items = [
            _item(rank, item, arrays.needs[row].programme, expert=expert_brief(arrays, item.row))
            for rank, item in enumerate(arrays.experts_for(row, limit=limit), start=1)
        ]
        return TalentRecommendations(
            query={"need": need_brief(arrays, row)}, note=NOTE, items=items
        )
    row = _row(arrays.expert_index, expert or 0, "expert", "expert")
    items = [
        _item(rank, item, arrays.needs[item.row].programme, need=need_brief(arrays, item.row))
        for rank, item in enumerate(arrays.needs_for(row, limit=limit), start=1)
    ]
    return TalentRecommendations(
        query={"expert": expert_brief(arrays, row)}, note=NOTE, items=items
    )


@router.get(
    "/universities",
    response_model_exclude_none=True,
    summary="高校合作共建推荐 Universities for a base city (disciplines ↔ industries and posts)",
)
def universities(
    session: SessionDep,
    engine: EngineDep,
    state: EngineStateDep,
    city: Annotated[str, Query(max_length=40, examples=["360700"])],
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> TalentRecommendations:
    adcode = repository.resolve_city(session, value=city, field="city")
    arrays = state.talent(session, engine)
    if adcode not in engine.cities.index:
        raise InvalidReference("city", city, "not a prefecture-level city")
    partners = frozenset(p for (b, p) in engine.existing if b == adcode)
    items = []
    for rank, item in enumerate(
        arrays.universities_for(adcode, partners=partners, limit=limit), start=1
    ):
        u = arrays.universities[item.row]
        brief = {
            "id": u.id,
            "name": u.name,
            "city": u.city,
            "type": u.type,
            "disciplines": list(u.disciplines),
        }
        items.append(_item(rank, item, Programme.university_co_building.value, university=brief))
    return TalentRecommendations(query={"city": adcode}, note=NOTE, items=items)
