"""Talent recommendations as every entry point asks for them: experts ↔ posts, universities.

Each use case takes a session, the process's ``EngineState`` and domain arguments, and returns a
typed answer with the programme, its clause in the Opinion, and the reasons of each match.
"""

from dataclasses import asdict
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session

from matching.programmes import PROGRAMMES
from matching.talent import Scored, TalentArrays
from matching.vocabulary import Programme
from profiles import repository
from profiles.errors import InvalidReference, NotFound
from profiles.ranking import EngineState

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


def _row(index: dict[int, int], value: int, kind: str) -> int:
    if value not in index:
        raise NotFound(kind, value)
    return index[value]


def talent(
    session: Session,
    state: EngineState,
    *,
    need: int | None = None,
    expert: int | None = None,
    limit: int = 10,
) -> TalentRecommendations:
    """Experts for a post (``need``), or posts for an expert (``expert``): exactly one of them."""
    if (need is None) == (expert is None):
        raise InvalidReference("need", need, "give exactly one of need or expert")
    arrays = state.talent(session, state.get(session))
    if need is not None:
        row = _row(arrays.need_index, need, "talent need")
        items = [
            _item(rank, item, arrays.needs[row].programme, expert=expert_brief(arrays, item.row))
            for rank, item in enumerate(arrays.experts_for(row, limit=limit), start=1)
        ]
        return TalentRecommendations(
            query={"need": need_brief(arrays, row)}, note=NOTE, items=items
        )
    row = _row(arrays.expert_index, expert or 0, "expert")
    items = [
        _item(rank, item, arrays.needs[item.row].programme, need=need_brief(arrays, item.row))
        for rank, item in enumerate(arrays.needs_for(row, limit=limit), start=1)
    ]
    return TalentRecommendations(
        query={"expert": expert_brief(arrays, row)}, note=NOTE, items=items
    )


def universities(
    session: Session, state: EngineState, *, city: str, limit: int = 10
) -> TalentRecommendations:
    """Universities for a base city to build with (disciplines ↔ its industries and posts)."""
    adcode = repository.resolve_city(session, value=city, field="city")
    engine = state.get(session)
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
