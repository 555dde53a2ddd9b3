"""城市: search with typeahead, a city's profile, pairings, recommended partners, compare, feedback."""

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import EngineStateDep, SessionDep
from api.routes import catalogue
from console import charts, render
from console.deps import SignedInDep, ViewerDep
from console.policy import require
from console.routing import ConsoleRoute
from matching.vocabulary import Mode, Verdict
from profiles import recommending, repository
from profiles.atlas import base_area_names
from profiles.models import FeedbackCreate
from profiles.queries import CityFilters, PairingFilters
from profiles.resolution import resolve_candidates

router = APIRouter(route_class=ConsoleRoute)
Q = Annotated[str, Query(max_length=60)]
SUGGEST_KINDS = {"city", "industry", "enterprise", "university", "expert", "need"}


@router.get("/suggest/{kind}")
def suggest(
    request: Request,
    db: SessionDep,
    principal: ViewerDep,
    kind: str,
    target: Annotated[str, Query(max_length=40)] = "",
    field: Annotated[str, Query(max_length=40)] = "q",
) -> HTMLResponse:
    """Typeahead candidates (pinyin, short names, typos) from the resolver the API uses; the
    text typed arrives under the input's own name (``field``)."""
    q = request.query_params.get(field, "")[:60].strip()
    items = []
    if q and kind in SUGGEST_KINDS:
        items = resolve_candidates(db, kind=kind, query=q, limit=8)
    return render.page(request, "partials/suggest.html", kind=kind, items=items, q=q, target=target)


@router.get("/cities")
def find_city(request: Request, db: SessionDep, principal: ViewerDep, q: Q = "") -> Response:
    candidates = []
    if q.strip():
        candidates = resolve_candidates(db, kind="city", query=q.strip(), limit=10)
        best = candidates[0] if candidates else None
        runner_up = candidates[1]["score"] if len(candidates) > 1 else 0
        if best is not None and best["score"] >= 80 and best["score"] > runner_up:
            return RedirectResponse(f"/cities/{best['code']}", status_code=303)
    keys = catalogue.city_list(db, CityFilters(key_city=True, limit=50)).items
    return render.page(request, "city_search.html", q=q, candidates=candidates, key_cities=keys)


def _side(engine: Any, adcode: str) -> str | None:
    """'partners' for a base-area city, 'bases' for a partner candidate, None otherwise."""
    row = engine.cities.index.get(adcode)
    if row is None:
        return None
    if engine.cities.records[row].is_partner_candidate:
        return "bases"
    return "partners"


def _recommend(db: Any, state: Any, adcode: str, side: str, mode: Mode | None, limit: int) -> Any:
    call = recommending.partners if side == "partners" else recommending.base_cities
    return call(db, state, city=adcode, mode=mode, limit=limit)


@router.get("/cities/{adcode}")
def city_page(
    request: Request,
    db: SessionDep,
    state: EngineStateDep,
    principal: ViewerDep,
    adcode: Annotated[str, catalogue.Adcode],
    mode: Mode | None = None,
    compare: Annotated[list[str], Query(max_length=3)] = [],  # noqa: B006
) -> HTMLResponse:
    engine = state.get(db)
    city = catalogue.get_city(db, adcode)
    pairings = catalogue.city_pairings(db, adcode, PairingFilters(limit=100)).items
    side = _side(engine, adcode)
    result = _recommend(db, state, adcode, side, mode, 10) if side else None
    items = result.items if result else []
    if result and compare and not {c for c in compare} <= {i.city.adcode for i in items}:
        items_all = _recommend(db, state, adcode, side, mode, 100).items
    else:
        items_all = items
    distances = {i.city.adcode: i.distance_km for i in items_all}
    compared = [i for c in compare for i in items_all if i.city.adcode == c][:3]
    names = {p.base_city: None for p in pairings} | {p.partner_city: None for p in pairings}
    city_names = _names(db, [a for a in names if a])
    return render.page(
        request,
        "city.html",
        block="recommendations",
        city=city,
        area_names=base_area_names(db),
        pairings=pairings,
        city_names=city_names,
        side=side,
        result=result,
        items=items,
        compared=compared,
        compare=compare,
        distances=distances,
        mode=mode,
        modes=list(Mode),
        verdicts=list(Verdict),
        chart=_charts(engine, city, items, distances),
    )


def _names(db: Any, adcodes: list[str]) -> dict[str, str]:
    return {c.adcode: c.name for c in repository.cities_by_adcode(db, adcodes)}


def _charts(
    engine: Any, city: Any, items: list[Any], distances: dict[str, float | None]
) -> dict[str, Any]:
    """The map (this city, its top candidates, lines to them) and the mode-score bars."""
    here = [city.longitude, city.latitude]
    coords = {i.city.adcode: [i.city.longitude, i.city.latitude] for i in items}

    def tip(i: Any) -> str:
        km = distances.get(i.city.adcode)
        far = f" · 约 {km:,.0f} 公里" if km is not None else ""
        return f"{i.rank}. {i.city.name} · 得分 {i.score:.2f}（{i.mode_label}）{far}"

    top = items[:5]
    return {
        "map": {
            "view": {"center": here, "zoom": 2.2},
            "series": [
                charts.series(
                    "本市",
                    "points",
                    [charts.point(city.name, here, city.name)],
                    size=13,
                    accent=True,
                ),
                charts.series(
                    "推荐城市",
                    "points",
                    [charts.point(i.city.name, coords[i.city.adcode], tip(i)) for i in items],
                    size=8,
                ),
                charts.series(
                    "前五名",
                    "lines",
                    [
                        charts.line(here, coords[i.city.adcode], tip(i))
                        for i in top
                        if not i.existing_pairing
                    ],
                ),
                charts.series(
                    "已结对",
                    "lines",
                    [
                        charts.line(here, coords[i.city.adcode], tip(i) + " · 已有结对")
                        for i in items
                        if i.existing_pairing
                    ],
                ),
            ],
        },
        "modes": charts.bars(
            [m.label for m in Mode],
            [(i.city.name, [round(i.mode_scores.get(m.value, 0), 3) for m in Mode]) for i in top],
            "得分",
        ),
    }


def lonlat(engine: Any, adcode: str) -> list[float | None]:
    record = engine.cities.records[engine.cities.index[adcode]]
    return [record.longitude, record.latitude]


@router.post("/feedback")
def feedback(
    request: Request,
    db: SessionDep,
    principal: SignedInDep,
    base_city: Annotated[str, Form(max_length=6)],
    partner_city: Annotated[str, Form(max_length=6)],
    verdict: Annotated[Verdict, Form()],
    mode: Annotated[Mode | None, Form()] = None,
    model_version: Annotated[str | None, Form(max_length=80)] = None,
) -> HTMLResponse:
    require(request, principal, "POST", "/api/v1/feedback")
    body = FeedbackCreate(
        kind="city_city",
        base_city=base_city,
        partner_city=partner_city,
        verdict=verdict,
        mode=mode,
        model_version=model_version,
    )
    recorded = repository.record_feedback(db, data=body, owner=principal.id)
    return render.page(
        request,
        "feedback.html",
        block="done",
        recorded=recorded,
        verdict=Verdict(verdict),
        back=base_city,
    )
