"""总览 (the map of base areas, key cities and pairings), signing in and out."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import SessionDep
from console import charts, render, session
from console.deps import ViewerDep
from console.messages import Problem
from console.routing import ConsoleRoute
from jobs import tasks
from matching.vocabulary import Scheme
from profiles import plans as plan_records
from profiles import repository
from profiles.atlas import atlas
from profiles.errors import AuthenticationFailed

router = APIRouter(route_class=ConsoleRoute)


@router.get("/")
def overview(request: Request, db: SessionDep, principal: ViewerDep) -> HTMLResponse:
    layers = atlas(db)
    may = render.context(request)["may"]
    plans = plan_records.list_plans(db, limit=5) if may("GET", "/api/v1/plans") else None
    runs = tasks.recent_runs(db, limit=5) if may("GET", "/api/v1/jobs/runs") else None
    map_data = _map(layers)
    return render.page(
        request,
        "overview.html",
        counts=repository.catalogue_counts(db),
        layers=layers,
        map_data=map_data,
        plans=plans,
        runs=runs,
        schemes=Scheme,
    )


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


@router.get("/signin")
def signin_form(request: Request, next: str | None = None) -> HTMLResponse:
    return render.page(request, "signin.html", next=_safe_next(next), problem=None)


@router.post("/signin")
def signin(
    request: Request,
    api_key: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    try:
        session.sign_in(request, api_key)
    except AuthenticationFailed:
        problem = Problem(
            401, "无法登录：密钥无效、已过期或已吊销。", [("api_key", "请检查后重新粘贴")]
        )
        return render.page(
            request, "signin.html", status=401, next=_safe_next(next), problem=problem
        )
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/signout")
def signout(request: Request) -> Response:
    session.sign_out(request)
    return RedirectResponse("/", status_code=303)


def _map(layers: Any) -> dict[str, Any]:
    """Base-area cities, key base cities, partner cities, and pairings coloured by scheme."""
    areas = {}
    for area in layers.base_areas:
        for city in area["cities"]:
            areas.setdefault(city["adcode"], (city, []))[1].append(area["name"])
    base_points = [
        charts.point(c["name"], c["lonlat"], f"{c['name']}（{c['province']}）· {'、'.join(names)}")
        for c, names in areas.values()
    ]
    key_points = [
        charts.point(
            c["name"], c["lonlat"], f"{c['name']} · 革命老区重点城市（发改振兴〔2022〕766号）"
        )
        for c in layers.key_cities
    ]
    partners = {p["partner"]["adcode"]: p["partner"] for p in layers.pairings}
    partner_points = [
        charts.point(c["name"], c["lonlat"], f"{c['name']}（{c['province']}）· 合作城市")
        for c in partners.values()
    ]
    by_scheme: dict[str, list[dict[str, Any]]] = {}
    for p in layers.pairings:
        label = Scheme(p["scheme"]).label if p["scheme"] else "其他"
        note = charts.source_note(p["since"], p["source"], p["confidence"])
        tip = f"{p['base']['name']} — {p['partner']['name']} · {label}" + (
            f" · {note}" if note else ""
        )
        by_scheme.setdefault(label, []).append(
            charts.line(p["base"]["lonlat"], p["partner"]["lonlat"], tip)
        )
    return {
        "series": [
            charts.series("老区城市", "points", base_points, size=6),
            charts.series("重点城市", "points", key_points, size=11, accent=True),
            charts.series("合作城市", "points", partner_points, size=7, symbol="diamond"),
            *[charts.series(label, "lines", items) for label, items in by_scheme.items()],
        ]
    }
