"""City-pairing plans: many base cities paired with partners at once: optimal, stable, fair.

The engine scores every (base, partner) pair; the optimal plan maximises the total score
under the partners' capacities, the stable plan runs deferred acceptance with the base cities
proposing (each prefers higher-scoring partners; each partner prefers higher-scoring bases),
and the fair plan maximises the lowest score first, then the total at that bound (every base
city gets a viable partner before any gets a second-best one). Kept pairs are fixed in all
three; forbidden pairs never appear.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from matching.assignment import (
    Infeasible,
    blocking_pairs,
    deferred_acceptance,
    fair_assignment,
    optimal_assignment,
    preferences,
)
from matching.engine import Engine
from matching.explain import Reason
from matching.vocabulary import Mode


@dataclass(frozen=True)
class PlannedPair:
    base: str
    partner: str
    score: float
    reasons: list[Reason]


@dataclass(frozen=True)
class Solution:
    pairs: list[PlannedPair]
    total_score: float
    min_score: float
    blocking_pairs: int


def city_pairing(
    engine: Engine,
    bases: Sequence[str],
    partners: Sequence[str],
    capacity: Sequence[int],
    *,
    mode: Mode | None = None,
    keep: Sequence[tuple[str, str]] = (),
    forbid: Sequence[tuple[str, str]] = (),
) -> dict[str, Solution]:
    """The three plans for the request; ``Infeasible`` says why none can exist."""
    if len(set(bases)) != len(bases) or len(set(partners)) != len(partners):
        raise Infeasible("a city is listed twice")
    if set(bases) & set(partners):
        raise Infeasible(f"{sorted(set(bases) & set(partners))} listed as both base and partner")
    base_at = {b: i for i, b in enumerate(bases)}
    partner_at = {p: j for j, p in enumerate(partners)}
    for b, p in [*keep, *forbid]:
        if b not in base_at or p not in partner_at:
            raise Infeasible(f"pair ({b}, {p}) names a city outside the request")
    if set(keep) & set(forbid):
        raise Infeasible(f"pair {sorted(set(keep) & set(forbid))[0]} is both kept and forbidden")
    scores = engine.score_city_pairs(bases, partners, mode)
    for b, p in forbid:
        scores[base_at[b], partner_at[p]] = -np.inf
    cap = np.asarray(capacity, dtype=int)
    kept = [(base_at[b], partner_at[p]) for b, p in keep]
    optimal = optimal_assignment(scores, cap, kept).match
    rank = np.where(np.isfinite(scores), -scores, np.inf)
    stable = deferred_acceptance(preferences(scores), rank, cap, kept).match
    fair = fair_assignment(scores, cap, kept).match
    reasons = engine.pair_reasons(bases, partners, mode)
    fixed = [i for i, _ in kept]
    return {
        name: _solution(bases, partners, scores, match, cap, fixed, reasons)
        for name, match in (("optimal", optimal), ("stable", stable), ("fair", fair))
    }


def _solution(
    bases: Sequence[str],
    partners: Sequence[str],
    scores: np.ndarray,
    match: np.ndarray,
    cap: np.ndarray,
    fixed: list[int],
    reasons: Callable[[int, int], list[Reason]],
) -> Solution:
    pairs = [
        PlannedPair(bases[i], partners[j], round(float(scores[i, j]), 4), reasons(i, j))
        for i, j in enumerate(match)
        if j >= 0
    ]
    chosen = [p.score for p in pairs]
    return Solution(
        pairs,
        round(float(sum(chosen)), 4),
        round(float(min(chosen, default=0.0)), 4),
        blocking_pairs(scores, match, cap, fixed=fixed),
    )
