"""方案: pick base cities and partners → optimal and stable plans side by side; save, approve,
download (CSV, .xlsx with Chinese headers) and print on A4."""

import re
from collections import Counter
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import EngineStateDep, SessionDep
from api.routes.catalogue import city_list
from console import charts, downloads, render
from console.deps import SignedInDep
from console.pages.cities import lonlat
from console.policy import require
from console.routing import ConsoleRoute
from matching.vocabulary import Mode, Scheme
from profiles import planning, plans, repository
from profiles.models import City
from profiles.queries import CityFilters

router = APIRouter(route_class=ConsoleRoute)
SPLIT = re.compile(r"[，,、；;\s|]+")
SOLUTIONS = {"optimal": "最优方案（总分最高）", "stable": "稳定方案（无阻塞对）"}
COOPERATION = Scheme.counterpart_cooperation.value


def _key_cities(db: Any) -> list[City]:
    return list(city_list(db, CityFilters(key_city=True, limit=100)).items)


def _names(engine: Any, rows: Any) -> list[dict[str, str]]:
    return [
        {"adcode": engine.cities.records[r].adcode, "name": engine.cities.records[r].name}
        for r in rows
    ]


@router.get("/plans")
def plans_page(
    request: Request, db: SessionDep, state: EngineStateDep, principal: SignedInDep
) -> HTMLResponse:
    require(request, principal, "GET", "/api/v1/plans")
    keys = _key_cities(db)
    return render.page(
        request,
        "plans.html",
        plans=plans.list_plans(db, limit=50),
        key_cities=keys,
        provinces=sorted({c.province for c in keys}),
        modes=list(Mode),
        problem=None,
        form={},
    )


def _choose_bases(db: Any, preset: str, province: str, listed: str) -> list[str]:
    if preset == "key":
        return [c.adcode for c in _key_cities(db)]
    if preset == "province":
        return [c.adcode for c in _key_cities(db) if c.province == province]
    return [w for w in SPLIT.split(listed) if w]


def _choose_partners(engine: Any, bases: list[str], preset: str, listed: str) -> list[str]:
    if preset == "candidates":
        return [engine.cities.records[r].adcode for r in engine.partner_rows]
    if preset == "existing":
        return sorted(
            {p for (b, p), s in engine.existing.items() if b in bases and COOPERATION in s}
        )
    return [w for w in SPLIT.split(listed) if w]


@router.post("/plans")
def create_plan(
    request: Request,
    db: SessionDep,
    state: EngineStateDep,
    principal: SignedInDep,
    base_preset: Annotated[Literal["key", "province", "list"], Form()] = "key",
    province: Annotated[str, Form(max_length=20)] = "",
    base_list: Annotated[str, Form(max_length=4000)] = "",
    partner_preset: Annotated[Literal["existing", "candidates", "list"], Form()] = "candidates",
    partner_list: Annotated[str, Form(max_length=4000)] = "",
    capacity: Annotated[int, Form(ge=1, le=100)] = 1,
    mode: Annotated[str, Form(max_length=40)] = "",
    keep_existing: Annotated[bool, Form()] = False,
    forbid: Annotated[str, Form(max_length=4000)] = "",
    title: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    require(request, principal, "POST", "/api/v1/plans/city-pairing")
    engine = state.get(db)
    bases = _choose_bases(db, base_preset, province, base_list)
    partners = _choose_partners(engine, [b for b in bases], partner_preset, partner_list)
    resolved_bases = {_resolve(db, v, f"base_cities.{k}") for k, v in enumerate(bases)}
    if partner_preset != "list":  # a city chosen as a base is not offered as its own partner
        partners = [p for p in partners if p not in resolved_bases]
    resolved_partners = {_resolve(db, v, f"partners.{k}") for k, v in enumerate(partners)}
    keep = (
        sorted(
            (b, p)
            for (b, p), schemes in engine.existing.items()
            if b in resolved_bases and p in resolved_partners and COOPERATION in schemes
        )
        if keep_existing
        else []
    )
    kept_load = Counter(p for _, p in keep)
    pairs = [line.split("-", 1) for line in re.split(r"[\n；;]+", forbid) if "-" in line]
    plan = planning.plan_city_pairing(
        db,
        state,
        base_cities=bases,
        partners=partners,
        capacity={p: max(capacity, kept_load.get(p, 0)) for p in resolved_partners},
        mode=Mode(mode) if mode else None,
        keep=keep,
        forbid=[(a.strip(), b.strip()) for a, b in pairs],
        title=title or None,
        owner=principal.id,
    )
    return RedirectResponse(f"/plans/{plan.id}", status_code=303)


def _resolve(db: Any, value: str, field: str) -> str:
    return repository.resolve_city(db, value=value, field=field)


def _thin(engine: Any, adcodes: list[str]) -> list[str]:
    """Cities whose profile is too thin to score with confidence (no industries, no resources)."""
    thin = []
    for adcode in adcodes:
        record = engine.cities.records[engine.cities.index[adcode]]
        if not record.industry_codes and not record.industry_words and not record.resources:
            thin.append(record.name)
    return thin


def _solution_view(engine: Any, name: str, solution: dict[str, Any]) -> dict[str, Any]:
    pairs = solution["pairs"]
    series = [
        charts.series(
            "老区城市",
            "points",
            [
                charts.point(p["base_name"], lonlat(engine, p["base"]), p["base_name"])
                for p in pairs
            ],
            size=7,
            accent=True,
        ),
        charts.series(
            "合作城市",
            "points",
            [
                charts.point(p["partner_name"], lonlat(engine, p["partner"]), p["partner_name"])
                for p in pairs
            ],
            size=8,
            symbol="diamond",
        ),
        charts.series(
            "结对",
            "lines",
            [
                charts.line(
                    lonlat(engine, p["base"]),
                    lonlat(engine, p["partner"]),
                    f"{p['base_name']} — {p['partner_name']} · 得分 {p['score']:.2f}",
                )
                for p in pairs
            ],
        ),
    ]
    ordered = sorted(pairs, key=lambda p: -p["score"])
    return {
        "name": name,
        "label": SOLUTIONS[name],
        "solution": solution,
        "map": {"series": series},
        "bars": charts.bars(
            [p["base_name"] for p in ordered],
            [("得分", [round(p["score"], 3) for p in ordered])],
            "得分",
        )
        | {"max": 1},
    }


@router.get("/plans/{plan_id}")
def plan_page(
    request: Request, db: SessionDep, state: EngineStateDep, principal: SignedInDep, plan_id: int
) -> HTMLResponse:
    require(request, principal, "GET", "/api/v1/plans/{plan_id}")
    engine = state.get(db)
    plan = plans.get_plan(db, id=plan_id)
    views = [_solution_view(engine, n, plan.outputs[n]) for n in SOLUTIONS if n in plan.outputs]
    approvable = {
        v["name"]: plan.status == "draft"
        and render.context(request)["may"]("POST", "/api/v1/plans/{plan_id}/approve")
        and plans.involves_only(plan, v["name"], principal.covers)
        for v in views
    }
    inputs = plan.inputs
    kept = {tuple(k) for k in inputs.get("keep", [])}
    return render.page(
        request,
        "plan.html",
        plan=plan,
        views=views,
        approvable=approvable,
        kept=kept,
        thin=_thin(engine, inputs.get("base_cities", [])) if plan.kind == "city_pairing" else [],
        printing=request.url.path.endswith("/print"),
    )


@router.get("/plans/{plan_id}/print")
def plan_print(
    request: Request, db: SessionDep, state: EngineStateDep, principal: SignedInDep, plan_id: int
) -> HTMLResponse:
    return plan_page(request, db, state, principal, plan_id)


@router.post("/plans/{plan_id}/approve")
def approve(
    request: Request,
    db: SessionDep,
    principal: SignedInDep,
    plan_id: int,
    solution: Annotated[Literal["optimal", "stable"], Form()],
) -> Response:
    require(request, principal, "POST", "/api/v1/plans/{plan_id}/approve")
    plans.approve_as(db, principal, id=plan_id, solution=solution)
    return RedirectResponse(f"/plans/{plan_id}", status_code=303)


HEADERS = [
    "序号",
    "老区城市",
    "老区城市代码",
    "合作城市",
    "合作城市代码",
    "得分",
    "保留的现有结对",
    "理由",
]


@router.get("/plans/{plan_id}/{solution}.{fmt}")
def plan_download(
    request: Request,
    db: SessionDep,
    principal: SignedInDep,
    plan_id: int,
    solution: Literal["optimal", "stable"],
    fmt: Literal["csv", "xlsx"],
) -> Response:
    require(request, principal, "GET", "/api/v1/plans/{plan_id}/export")
    plan = plans.get_plan(db, id=plan_id)
    kept = {tuple(k) for k in plan.inputs.get("keep", [])}
    rows = [
        [
            k,
            p["base_name"],
            p["base"],
            p["partner_name"],
            p["partner"],
            round(p["score"], 4),
            "是" if (p["base"], p["partner"]) in kept else "否",
            [r["text"] for r in p["reasons"]],
        ]
        for k, p in enumerate(plan.outputs.get(solution, {}).get("pairs", []), start=1)
    ]
    return downloads.table(f"方案{plan_id}-{SOLUTIONS[solution][:4]}", HEADERS, rows, fmt)
