"""Building plans: a city-pairing round (optimal, stable, fair) and a talent-placement round.

Each use case resolves what the user named, runs the engine's solver, and saves the result as a
draft plan (``profiles.plans``). Every entry point calls these; none builds a plan by hand.
"""

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

import numpy as np
from pydantic import BaseModel
from sqlmodel import Session

from matching.assignment import Infeasible
from matching.engine import Engine
from matching.placement import PlacementResult, place
from matching.plans import Solution, city_pairing
from matching.talent import TalentArrays
from matching.vocabulary import Mode, PlanKind, PlanStatus, Programme
from profiles import plans, repository
from profiles.errors import InvalidReference, PlanInfeasible
from profiles.ranking import EngineState


class PlanOut(BaseModel):
    id: int
    kind: PlanKind
    status: PlanStatus
    model_version: str | None
    optimal: dict[str, Any] | None = None
    stable: dict[str, Any] | None = None
    fair: dict[str, Any] | None = None
    placement: dict[str, Any] | None = None


def plan_city_pairing(
    session: Session,
    state: EngineState,
    *,
    base_cities: Sequence[str],
    partners: Sequence[str],
    capacity: int | Mapping[str, int] = 1,
    mode: Mode | None = None,
    keep: Sequence[tuple[str, str]] = (),
    forbid: Sequence[tuple[str, str]] = (),
    title: str | None = None,
    owner: str | None = None,
) -> PlanOut:
    """Pair many base cities with partners: the optimal, stable and fair plans, saved as a draft.

    Cities may be adcodes or names; ``capacity`` is one number for every partner or a number
    per partner (unlisted partners take 1).
    """
    engine = state.get(session)
    bases = _adcodes(session, engine, base_cities, "base_cities")
    partner_codes = _adcodes(session, engine, partners, "partners")
    capacities = _capacities(session, partner_codes, capacity)
    kept = [_pair(session, engine, pair, f"keep.{k}") for k, pair in enumerate(keep)]
    forbidden = [_pair(session, engine, pair, f"forbid.{k}") for k, pair in enumerate(forbid)]
    try:
        solutions = city_pairing(
            engine, bases, partner_codes, capacities, mode=mode, keep=kept, forbid=forbidden
        )
    except Infeasible as error:
        raise PlanInfeasible(f"no plan satisfies the request: {error}") from error
    names = {r.adcode: r.name for r in engine.cities.records}
    outputs = {name: _solution(s, names) for name, s in solutions.items()}
    inputs = {
        "base_cities": bases,
        "partners": partner_codes,
        "capacity": capacities,
        "mode": mode,
        "keep": kept,
        "forbid": forbidden,
    }
    return _saved(
        session, PlanKind.city_pairing, inputs, outputs, engine.city_model.version, title, owner
    )


def plan_talent_placement(
    session: Session,
    state: EngineState,
    *,
    programme: Programme | None = None,
    experts: Sequence[int] | None = None,
    needs: Sequence[int] | None = None,
    preferences: Mapping[int, Sequence[int]] | None = None,
    rankings: Mapping[int, Sequence[int]] | None = None,
    headcounts: Mapping[int, int] | None = None,
    title: str | None = None,
    owner: str | None = None,
) -> PlanOut:
    """Place experts into posts by expert-proposing deferred acceptance, saved as a draft.

    By default the round takes every post of ``programme`` and every expert willing to join it;
    ``preferences`` (expert → posts) and ``rankings`` (post → experts) are best first.
    """
    arrays = state.talent(session, state.get(session))
    need_ids = list(needs) if needs is not None else _programme_needs(arrays, programme)
    expert_ids = list(experts) if experts is not None else _willing(arrays, programme)
    _check_known("needs", need_ids, arrays.need_index)
    _check_known("experts", expert_ids, arrays.expert_index)
    if not need_ids or not expert_ids:
        raise PlanInfeasible("the round has no posts or no experts")
    result = place(
        arrays,
        _rows([arrays.expert_index[i] for i in expert_ids]),
        _rows([arrays.need_index[i] for i in need_ids]),
        expert_preferences=_remap(preferences, arrays.expert_index, arrays.need_index),
        need_rankings=_remap(rankings, arrays.need_index, arrays.expert_index),
        headcounts={
            arrays.need_index[n]: c for n, c in (headcounts or {}).items() if n in arrays.need_index
        },
    )
    outputs = {"placement": _placement(arrays, result)}
    inputs = {"programme": programme, "experts": expert_ids, "needs": need_ids}
    return _saved(session, PlanKind.talent_placement, inputs, outputs, "talent-prior", title, owner)


# ---------------------------------------------------------------- city pairing
def _adcodes(session: Session, engine: Engine, values: Sequence[str], field: str) -> list[str]:
    result = []
    for k, value in enumerate(values):
        adcode = repository.resolve_city(session, value=value, field=f"{field}.{k}")
        if adcode not in engine.cities.index:
            raise InvalidReference(
                f"{field}.{k}", value, "not a prefecture-level city the engine ranks"
            )
        result.append(adcode)
    return result


def _pair(session: Session, engine: Engine, pair: Sequence[str], field: str) -> tuple[str, str]:
    base, partner = _adcodes(session, engine, pair, field)
    return base, partner


def _capacities(
    session: Session, partners: list[str], capacity: int | Mapping[str, int]
) -> list[int]:
    if isinstance(capacity, int):
        return [capacity] * len(partners)
    result = [1] * len(partners)
    for name, value in capacity.items():
        adcode = repository.resolve_city(session, value=name, field=f"capacity.{name}")
        if adcode not in partners:
            raise InvalidReference(f"capacity.{name}", name, "not among the partners")
        result[partners.index(adcode)] = value
    return result


def _solution(solution: Solution, names: dict[str, str]) -> dict[str, Any]:
    return {
        "pairs": [
            {
                "base": p.base,
                "base_name": names[p.base],
                "partner": p.partner,
                "partner_name": names[p.partner],
                "score": p.score,
                "reasons": [asdict(r) for r in p.reasons],
            }
            for p in solution.pairs
        ],
        "total_score": solution.total_score,
        "min_score": solution.min_score,
        "blocking_pairs": solution.blocking_pairs,
    }


# ---------------------------------------------------------------- talent placement
def _programme_needs(arrays: TalentArrays, programme: Programme | None) -> list[int]:
    return [n.id for n in arrays.needs if programme is None or n.programme == programme.value]


def _willing(arrays: TalentArrays, programme: Programme | None) -> list[int]:
    return [e.id for e in arrays.experts if programme is None or programme.value in e.programmes]


def _check_known(field: str, ids: list[int], index: Mapping[int, int]) -> None:
    unknown = [i for i in ids if i not in index]
    if unknown:
        raise InvalidReference(field, unknown[0], f"unknown id {unknown[0]}")


def _remap(
    lists: Mapping[int, Sequence[int]] | None, keys: Mapping[int, int], values: Mapping[int, int]
) -> dict[int, list[int]]:
    """Ids → rows on both sides; unknown ids are dropped."""
    return {
        keys[k]: [values[v] for v in vs if v in values]
        for k, vs in (lists or {}).items()
        if k in keys
    }


def _placement(arrays: TalentArrays, result: PlacementResult) -> dict[str, Any]:
    placed = [
        {
            "expert": arrays.experts[e].id,
            "expert_name": arrays.experts[e].name,
            "need": arrays.needs[n].id,
            "need_title": arrays.needs[n].title,
            "city": arrays.needs[n].city,
            "score": round(score, 4),
            "programme": arrays.needs[n].programme,
            "reasons": [asdict(r) for r in arrays.reasons(e, n)],
        }
        for e, n, score in result.placed
    ]
    unplaced = [
        {"expert": arrays.experts[e].id, "name": arrays.experts[e].name, "reason": c, "detail": t}
        for e, (c, t) in result.unplaced.items()
    ]
    return {
        "pairs": placed,
        "unplaced": unplaced,
        "placed_count": len(placed),
        "unplaced_count": len(unplaced),
        "blocking_pairs": result.blocking_pairs,
        "dropped_preferences": result.dropped_preferences,
    }


def _rows(values: list[int]) -> np.ndarray:
    return np.array(values, dtype=np.int64)


def _saved(
    session: Session,
    kind: PlanKind,
    inputs: dict[str, Any],
    outputs: dict[str, Any],
    model_version: str,
    title: str | None,
    owner: str | None,
) -> PlanOut:
    plan = plans.save_plan(
        session,
        kind=kind,
        inputs=inputs,
        outputs=outputs,
        model_version=model_version,
        title=title,
        owner=owner,
    )
    return PlanOut(
        id=plan.id or 0,
        kind=plan.kind,
        status=plan.status,
        model_version=plan.model_version,
        **outputs,
    )
