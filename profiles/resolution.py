"""Resolve a free-text name to scored candidates of one kind (cities, profiles, industries)."""

from typing import Any

from sqlmodel import Session, select

from profiles.industries import industry_catalogue
from profiles.kinds import KINDS
from profiles.models import City
from profiles.repository import city_index, profile_index

RESOLVABLE = ("city", "enterprise", "university", "expert", "need", "industry")
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
        return [
            {"code": code, "name": name, "score": score, "detail": "GB/T 4754-2017"}
            for code, name, score in industry_catalogue().search(query, limit=limit)
        ]
    if kind not in _PLURAL:
        raise ValueError(f"kind must be one of {', '.join(RESOLVABLE)}")
    found = profile_index(session, KINDS[_PLURAL[kind]]).search(query, limit=limit)
    return [{"code": key, "name": c.name, "score": c.score, "detail": ""} for key, c in found]
