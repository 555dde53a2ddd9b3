"""招商: the enterprises a base city could invite, best first, with reasons."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.deps import EngineStateDep, SessionDep
from console import downloads, render
from console.deps import ViewerDep
from console.policy import require
from console.routing import ConsoleRoute
from matching.vocabulary import Mode
from profiles import recommending

router = APIRouter(route_class=ConsoleRoute)
City = Annotated[str, Query(max_length=40)]
Limit = Annotated[int, Query(ge=1, le=100)]


@router.get("/invest")
def invest_page(
    request: Request,
    db: SessionDep,
    state: EngineStateDep,
    principal: ViewerDep,
    city: City = "",
    mode: Mode | None = None,
    limit: Limit = 10,
) -> Response:
    require(request, principal, "GET", "/api/v1/recommendations/enterprises")
    result = (
        recommending.enterprises_to_invite(db, state, city=city, mode=mode, limit=limit)
        if city.strip()
        else None
    )
    return render.page(
        request,
        "invest.html",
        block="results",
        city=city,
        mode=mode,
        limit=limit,
        modes=list(Mode),
        result=result,
        city_names={r.adcode: r.name for r in state.get(db).cities.records},
    )


HEADERS = [
    "名次",
    "企业",
    "企业编号",
    "总部城市",
    "行业代码",
    "得分",
    "合作模式",
    "演示数据",
    "理由",
]


@router.get("/invest.{fmt}")
def invest_download(
    request: Request,
    db: SessionDep,
    state: EngineStateDep,
    principal: ViewerDep,
    fmt: Literal["csv", "xlsx"],
    city: City,
    mode: Mode | None = None,
    limit: Limit = 20,
) -> Response:
    require(request, principal, "GET", "/api/v1/recommendations/enterprises")
    result = recommending.enterprises_to_invite(db, state, city=city, mode=mode, limit=limit)
    names = {r.adcode: r.name for r in state.get(db).cities.records}
    rows = [
        [
            i.rank,
            i.enterprise.name,
            i.enterprise.id,
            names.get(i.enterprise.hq_city, i.enterprise.hq_city),
            i.enterprise.industry_codes,
            round(i.score, 4),
            i.mode_label,
            "是" if i.enterprise.is_demo else "否",
            [r.text for r in i.reasons],
        ]
        for i in result.items
    ]
    return downloads.table(f"招商-{result.city.name}", HEADERS, rows, fmt)
