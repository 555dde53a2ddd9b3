"""人才: experts for a post, posts for an expert, and a university's experts against the posts of
a programme — each eligibility rule shown as passed or failed."""

from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.deps import EngineStateDep, SessionDep
from console import render
from console.deps import ViewerDep
from console.policy import require
from console.routing import ConsoleRoute
from matching.programmes import PROGRAMMES
from matching.vocabulary import Degree, Programme, Title
from profiles import repository
from profiles import talent as talent_routes
from profiles.errors import InvalidReference
from profiles.kinds import KINDS
from profiles.models import MAX_ID, University

router = APIRouter(route_class=ConsoleRoute)


def _programme(value: str) -> Programme | None:
    try:
        return Programme(value) if value else None
    except ValueError as error:
        raise InvalidReference("programme", value, "请从列表中选择") from error


def _id(value: str, field: str) -> int | None:
    """A form's id field: empty means not chosen; anything else must be a valid id."""
    if not value.strip():
        return None
    if not value.strip().isdigit() or not 1 <= int(value) <= MAX_ID:
        raise InvalidReference(field, value, "请从候选中选择")
    return int(value)


def _labels() -> dict[str, dict[str, str]]:
    return {"title": Title.labels(), "degree": Degree.labels(), "programme": Programme.labels()}


def _university_view(arrays: Any, university: University, programme: Programme) -> dict[str, Any]:
    """The university's experts × the programme's posts: best eligible posts and every rule."""
    experts = np.array(
        [i for i, e in enumerate(arrays.experts) if e.affiliation == university.name],
        dtype=np.int64,
    )
    needs = np.array(
        [i for i, n in enumerate(arrays.needs) if n.programme == programme.value], dtype=np.int64
    )
    rows = []
    best = arrays.best_posts(experts, needs, top=3) if len(experts) and len(needs) else []
    for k, e in enumerate(experts):
        posts = best[k] if best else []
        probe = posts[0].row if posts else (int(needs[0]) if len(needs) else None)
        checks = arrays.rule_checks(int(e), probe) if probe is not None else []
        rows.append(
            {
                "expert": talent_routes.expert_brief(arrays, int(e)),
                "checks": checks,
                "posts": [
                    {
                        "need": talent_routes.need_brief(arrays, p.row),
                        "score": p.score,
                        "reasons": p.reasons,
                    }
                    for p in posts
                ],
            }
        )
    rows.sort(key=lambda r: -(r["posts"][0]["score"] if r["posts"] else -1))
    return {"university": university, "rows": rows, "post_count": len(needs)}


@router.get("/talent")
def talent_page(
    request: Request,
    db: SessionDep,
    state: EngineStateDep,
    principal: ViewerDep,
    programme_text: Annotated[str, Query(alias="programme", max_length=40)] = "",
    need_id: Annotated[str, Query(alias="need", max_length=12)] = "",
    expert_id: Annotated[str, Query(alias="expert", max_length=12)] = "",
    university_id: Annotated[str, Query(alias="university", max_length=12)] = "",
) -> HTMLResponse:
    require(request, principal, "GET", "/api/v1/recommendations/talent")
    need, expert = _id(need_id, "need"), _id(expert_id, "expert")
    university = _id(university_id, "university")
    programme = _programme(programme_text)
    engine = state.get(db)
    arrays = state.talent(db, engine)
    ranked = checks = None
    if need is not None or expert is not None:
        ranked = talent_routes.talent(
            db, state, need=need, expert=None if need else expert, limit=10
        )
        checks = _checks(arrays, ranked)
    own = None
    if university is None and principal is not None and principal.role == "university":
        owned = repository.owned_by(db, kind=KINDS["universities"], owner=principal.id)
        own = owned[0] if owned else None
    chosen = (
        repository.get_profile(db, kind=KINDS["universities"], id=university) if university else own
    )
    view = (
        _university_view(arrays, chosen, programme or Programme.doctoral_service_team)
        if chosen
        else None
    )
    needs = [n for n in arrays.needs if programme is None or n.programme == programme.value][:200]
    return render.page(
        request,
        "talent.html",
        block="results",
        programmes=list(PROGRAMMES.values()),
        programme=programme,
        need=need,
        expert=expert,
        university=chosen,
        ranked=ranked,
        checks=checks,
        view=view,
        needs=needs,
        labels_=_labels(),
        city_names={r.adcode: r.name for r in engine.cities.records},
    )


def _checks(arrays: Any, ranked: Any) -> dict[int, Any]:
    """Rule checks per listed item (keyed by its rank)."""
    query = ranked.query
    result = {}
    for item in ranked.items:
        if "need" in query:
            e, n = arrays.expert_index[item.expert["id"]], arrays.need_index[query["need"]["id"]]
        else:
            e, n = arrays.expert_index[query["expert"]["id"]], arrays.need_index[item.need["id"]]
        result[item.rank] = arrays.rule_checks(e, n)
    return result
