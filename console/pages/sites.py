"""企业选址: an enterprise's profile and hard constraints → ranked sites, exclusions, downloads."""

import re
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import EngineStateDep, SessionDep
from console import charts, downloads, render
from console.deps import ViewerDep
from console.pages.cities import lonlat
from console.policy import require
from console.routing import ConsoleRoute
from matching.vocabulary import Mode, ZoneKind
from profiles import recommending
from profiles.models import EnterpriseCreate

router = APIRouter(route_class=ConsoleRoute)
SPLIT = re.compile(r"[，,、；;\s|]+")


class SiteForm(BaseModel):
    """The form's fields, as they travel in the URL (a shared link reproduces the view)."""

    model_config = ConfigDict(extra="ignore")
    name: str = Field("拟选址企业", max_length=100)
    industry: str = Field("", max_length=200)
    hq: str = Field("", max_length=40)
    resources: str = Field("", max_length=400)
    mode: Mode | None = None
    max_distance_km: float | None = Field(None, gt=0, le=10_000)
    provinces: str = Field("", max_length=400)
    require_airport: bool = False
    require_high_speed_rail: bool = False
    require_bonded_zone: bool = False
    zone_kind: ZoneKind | None = None
    min_population_10k: float | None = Field(None, ge=0, le=1e5)
    limit: int = Field(20, ge=1, le=100)

    @property
    def asked(self) -> bool:
        return bool(self.hq and self.industry)


def _words(text: str) -> list[str]:
    return [w for w in SPLIT.split(text) if w]


def _blank_to_none(request: Request) -> dict[str, Any]:
    return {k: v for k, v in request.query_params.items() if v != ""}


def _run(db: Any, state: Any, form: SiteForm) -> Any:
    return recommending.sites_for_profile(
        db,
        state,
        enterprise=EnterpriseCreate(
            name=form.name or "拟选址企业",
            hq_city=form.hq,
            industry_codes=[c.upper() if c.isalpha() else c for c in _words(form.industry)],
            needs_resources=_words(form.resources),
        ),
        mode=form.mode,
        limit=form.limit,
        constraints=recommending.Constraints(
            max_distance_km=form.max_distance_km,
            provinces=_words(form.provinces),
            require_airport=form.require_airport,
            require_high_speed_rail=form.require_high_speed_rail,
            require_bonded_zone=form.require_bonded_zone,
            zone_kind=form.zone_kind,
            min_population_10k=form.min_population_10k,
        ),
        explain_excluded=True,
    )


def _form(request: Request) -> SiteForm:
    return SiteForm.model_validate(_blank_to_none(request))


@router.get("/sites")
def sites_page(
    request: Request, db: SessionDep, state: EngineStateDep, principal: ViewerDep
) -> Response:
    require(request, principal, "POST", "/api/v1/recommendations/sites")
    form = _form(request)
    engine = state.get(db)
    result = _run(db, state, form) if form.asked else None
    hq = result.enterprise["hq_city"] if result else None
    distances = {i.city.adcode: i.distance_km for i in result.items} if result else {}
    return render.page(
        request,
        "sites.html",
        block="results",
        form=form,
        result=result,
        distances=distances,
        modes=list(Mode),
        zone_kinds=list(ZoneKind),
        map_data=_map(engine, hq, result, distances) if result else None,
    )


def _map(engine: Any, hq: str, result: Any, distances: dict[str, Any]) -> dict[str, Any]:
    home = lonlat(engine, hq)
    tips = {
        i.city.adcode: f"{i.rank}. {i.city.name} · 得分 {i.score:.2f}（{i.mode_label}）· 距总部约 {distances[i.city.adcode]:,.0f} 公里"
        for i in result.items
    }
    return {
        "view": {"center": home, "zoom": 2.6},
        "series": [
            charts.series(
                "总部", "points", [charts.point("总部", home, "企业总部")], size=13, accent=True
            ),
            charts.series(
                "候选落地城市",
                "points",
                [
                    charts.point(
                        i.city.name, [i.city.longitude, i.city.latitude], tips[i.city.adcode]
                    )
                    for i in result.items
                ],
                size=8,
            ),
            charts.series(
                "前五名",
                "lines",
                [
                    charts.line(home, [i.city.longitude, i.city.latitude], tips[i.city.adcode])
                    for i in result.items[:5]
                ],
            ),
        ],
    }


HEADERS = [
    "名次",
    "城市",
    "行政区划代码",
    "省份",
    "得分",
    "最适合的合作模式",
    "距总部（公里）",
    "推荐园区",
    "理由",
]


@router.get("/sites.{fmt}")
def sites_download(
    request: Request,
    db: SessionDep,
    state: EngineStateDep,
    principal: ViewerDep,
    fmt: Literal["csv", "xlsx"],
) -> Response:
    require(request, principal, "POST", "/api/v1/recommendations/sites")
    form = _form(request)
    result = _run(db, state, form)
    rows = [
        [
            i.rank,
            i.city.name,
            i.city.adcode,
            i.city.province,
            round(i.score, 4),
            i.mode_label,
            round(i.distance_km or 0),
            f"{i.zone.name}（{i.zone.kind_label}）" if i.zone else "",
            [r.text for r in i.reasons],
        ]
        for i in result.items
    ]
    excluded = [
        ["排除", e.name, e.adcode, "", "", "", "", "", e.reason] for e in result.excluded or []
    ]
    return downloads.table("企业选址", HEADERS, rows + excluded, fmt)
