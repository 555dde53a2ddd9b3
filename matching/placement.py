"""A programme round: experts placed into posts with headcounts, stably.

Experts propose in the order of their stated preferences (or, when they state none, the
engine's ranking of the posts they are eligible for); each post ranks its proposers by its own
ranking (or the engine's score) and keeps the best up to its headcount. Only eligible
(expert, post) pairs are ever considered, and everyone left unplaced gets a reason.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from matching.assignment import UNASSIGNED, blocking_pairs, deferred_acceptance
from matching.talent import TalentArrays

PREFERENCES = 10


@dataclass
class PlacementResult:
    placed: list[tuple[int, int, float]]  # (expert row, need row, score)
    unplaced: dict[int, tuple[str, str]] = field(default_factory=dict)  # expert row → (code, text)
    blocking_pairs: int = 0
    dropped_preferences: int = 0  # stated preferences for posts the expert is not eligible for


def top_columns(scores: np.ndarray, k: int) -> np.ndarray:
    """Each row's k best columns, best first; equal scores go to the lower column.

    Scores are float32 values (≥ 6e-8 apart near 1), so subtracting column × 1e-12 orders ties
    by column without reordering any two distinct scores; then argpartition and a sort of k.
    """
    k = min(k, scores.shape[1])
    key = scores - np.arange(scores.shape[1]) * 1e-12
    top = np.argpartition(-key, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(key, top, axis=1), axis=1)
    return np.take_along_axis(top, order, axis=1)


def place(
    arrays: TalentArrays,
    experts: np.ndarray,
    needs: np.ndarray,
    *,
    expert_preferences: Mapping[int, Sequence[int]] | None = None,
    need_rankings: Mapping[int, Sequence[int]] | None = None,
    headcounts: Mapping[int, int] | None = None,
    preferences: int = PREFERENCES,
) -> PlacementResult:
    """Expert-proposing deferred acceptance over ``experts`` × ``needs`` (rows of ``arrays``).

    ``expert_preferences`` maps an expert row to need rows, best first; ``need_rankings`` maps
    a need row to expert rows, best first (unranked proposers come after the ranked ones, by
    score). ``headcounts`` overrides a post's headcount.
    """
    expert_preferences = expert_preferences or {}
    need_rankings = need_rankings or {}
    scores = arrays.scores(experts, needs).astype(np.float64)
    eligible = arrays.eligible(experts, needs)
    scores[~eligible] = -np.inf
    need_position = {int(n): k for k, n in enumerate(needs)}
    prefs, dropped = [], 0
    ranked = top_columns(scores, preferences)
    for i, expert in enumerate(experts):
        stated = expert_preferences.get(int(expert))
        if stated is not None:
            columns = [need_position[n] for n in stated if n in need_position]
            keep = [c for c in columns if eligible[i, c]]
            dropped += len(columns) - len(keep)
            prefs.append(keep)
        else:
            prefs.append([int(c) for c in ranked[i] if np.isfinite(scores[i, c])])
    rank = -scores  # lower is better; ineligible stays +inf
    for need, order in need_rankings.items():
        if need in need_position:
            column = need_position[need]
            position = {int(e): k for k, e in enumerate(order)}
            stated = np.array([position.get(int(e), len(order)) for e in experts], dtype=float)
            rank[:, column] = np.where(
                np.isfinite(rank[:, column]), stated - scores[:, column] / 10, np.inf
            )
    capacity = np.array([(headcounts or {}).get(int(n), arrays.needs[n].headcount) for n in needs])
    match = deferred_acceptance(prefs, rank, capacity).match
    expert_side = np.full(scores.shape, -np.inf)  # each expert's own order: earlier is better
    for i, chosen in enumerate(prefs):
        expert_side[i, chosen] = -np.arange(len(chosen), dtype=float)
    result = PlacementResult(
        placed=[
            (int(experts[i]), int(needs[j]), float(scores[i, j]))
            for i, j in enumerate(match)
            if j != UNASSIGNED
        ],
        blocking_pairs=blocking_pairs(expert_side, match, capacity, receiver_scores=-rank),
        dropped_preferences=dropped,
    )
    for i, expert in enumerate(experts):
        if match[i] != UNASSIGNED:
            continue
        if not eligible[i].any():
            result.unplaced[int(expert)] = (
                "ineligible",
                arrays.refusal(int(expert), int(needs[0])) or "不符合本轮项目要求",
            )
        elif not prefs[i]:
            result.unplaced[int(expert)] = ("no_acceptable_post", "所填志愿中没有符合条件的岗位")
        else:
            result.unplaced[int(expert)] = (
                "outranked",
                f"所申请的 {len(prefs[i])} 个岗位均已由排名更靠前者录满",
            )
    return result
