"""Resolution (one kind, best first) and search across kinds, for a search box."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import SessionDep
from api.security import ALL, allow
from profiles.resolution import resolve_candidates

router = APIRouter(tags=["search"], dependencies=[allow(*ALL, read=True)])
ResolveKind = Literal["city", "enterprise", "university", "expert", "need", "zone", "industry"]


class Resolved(BaseModel):
    """A candidate: cities carry ``adcode``, industries ``code``, other kinds ``id``."""

    name: str
    score: float
    adcode: str | None = None
    code: str | None = None
    id: int | None = None
    detail: str = ""


class SearchHit(Resolved):
    kind: ResolveKind


def _item(kind: str, candidate: dict[str, Any]) -> dict[str, Any]:
    key = {"city": "adcode", "industry": "code"}.get(kind, "id")
    return {
        key: candidate["code"],
        "name": candidate["name"],
        "score": candidate["score"],
        "detail": candidate["detail"],
    }


@router.get(
    "/resolve",
    response_model_exclude_none=True,
    summary="名称解析 Resolve a name (Chinese, pinyin, typos) to candidates",
)
def resolve(
    session: SessionDep,
    q: Annotated[str, Query(min_length=1, max_length=60, examples=["赣洲"])],
    kind: ResolveKind = "city",
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> dict[str, list[Resolved]]:
    candidates = resolve_candidates(session, kind=kind, query=q, limit=limit)
    return {"items": [Resolved(**_item(kind, c)) for c in candidates]}


@router.get(
    "/search", response_model_exclude_none=True, summary="全局搜索 Search every kind at once"
)
def search(
    session: SessionDep,
    q: Annotated[str, Query(min_length=1, max_length=60, examples=["ganzhou"])],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> dict[str, list[SearchHit]]:
    hits: list[SearchHit] = []
    for kind in ("city", "zone", "university", "enterprise", "expert", "need", "industry"):
        for candidate in resolve_candidates(session, kind=kind, query=q, limit=limit):
            if candidate["score"] >= 60:
                hits.append(SearchHit(kind=kind, **_item(kind, candidate)))  # type: ignore[arg-type]
    hits.sort(key=lambda h: -h.score)
    return {"items": hits[:limit]}
