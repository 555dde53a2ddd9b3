"""Resolve a free-text name to scored candidates of one kind (cities, profiles, industries)."""

from typing import Any

from sqlmodel import Session, select

from profiles.industries import industry_catalogue
from profiles.kinds import KINDS
from profiles.models import City, Zone
from profiles.repository import city_index, profile_index, zone_index

RESOLVABLE = ("city", "enterprise", "university", "expert", "need", "zone", "industry")
_PLURAL = {
    "enterprise": "enterprises",
    "university": "universities",
    "expert": "experts",
    "need": "needs",
}


def resolve_candidates(
    session: Session, *, kind: str, query: str, limit: int = 10
) -> list[dict[str, Any]]:
    """Candidates for ``query``, best first: ``{"code", "name", "score", "detail"}``.

    ``code`` is the adcode for a city, the industry code for an industry, the id otherwise.
    """
    if kind == "city":
        found = city_index(session).search(query, limit=limit)
        cities = {
            c.adcode: c
            for c in session.exec(
                select(City).where(City.adcode.in_([code for code, _ in found]))  # type: ignore[attr-defined]
            ).all()
        }
        return [
            {
                "code": code,
                "name": c.name,
                "score": c.score,
                "detail": f"{cities[code].province} · {cities[code].level.label}",
            }
            for code, c in found
        ]
    if kind == "industry":
        return _industry_candidates(query, limit)
    if kind == "zone":
        found = zone_index(session).search(query, limit=limit)
        zones = {
            z.id: z
            for z in session.exec(select(Zone).where(Zone.id.in_([k for k, _ in found]))).all()  # type: ignore[union-attr]
        }
        return [
            {"code": key, "name": c.name, "score": c.score, "detail": zones[key].kind.label}
            for key, c in found
        ]
    if kind not in _PLURAL:
        raise ValueError(f"kind must be one of {', '.join(RESOLVABLE)}")
    found = profile_index(session, KINDS[_PLURAL[kind]]).search(query, limit=limit)
    return [{"code": key, "name": c.name, "score": c.score, "detail": ""} for key, c in found]


VIA = {
    "code": "代码",
    "synonym": "同义词",
    "name": "标准名称",
    "part": "标准名称之一",
    "contains": "包含",
    "similar": "相近",
}


def _industry_candidates(query: str, limit: int) -> list[dict[str, Any]]:
    """The resolver's candidates; ``detail`` gives the level, how it matched and whether the
    resolver is sure enough to answer with it (确定) or asks (待确认)."""
    catalogue = industry_catalogue()
    answer = catalogue.resolve(query)
    return [
        {
            "code": c.code,
            "name": c.name,
            "score": round(c.score, 1),
            "detail": f"{catalogue.by_code[c.code].level} · {VIA[c.via]}「{c.matched}」 · "
            + ("确定 certain" if c.code in answer.codes else "待确认 uncertain"),
        }
        for c in answer.candidates[:limit]
    ]
