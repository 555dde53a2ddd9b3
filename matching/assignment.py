"""Deciding many pairs at once: optimal assignment and stable matching under capacities.

Both take a score matrix (proposers × receivers, higher is better), each receiver's capacity,
pairs that must be kept and pairs that are forbidden (``-inf`` in ``scores``, or absent from
a preference list).

- ``optimal_assignment`` maximises the total score: the Hungarian method
  (``scipy.optimize.linear_sum_assignment``) on the matrix with each receiver's column repeated
  once per unit of capacity.
- ``fair_assignment`` maximises the lowest score first (the bottleneck assignment: a binary
  search over the scores for the highest bound at which a complete assignment exists, each
  check a Hopcroft–Karp maximum matching, ``scipy.sparse.csgraph.maximum_bipartite_matching``),
  then the total score among the assignments that respect that bound (the Hungarian method).
- ``deferred_acceptance`` is the proposer-proposing Gale–Shapley algorithm with quotas (as
  residency matches run it): stable, and the best stable outcome for the proposers.
- ``blocking_pairs`` counts the pairs that would both rather be together than where they are.
"""

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching

UNASSIGNED = -1


class Infeasible(ValueError):
    """The request cannot be satisfied; the message says why."""


@dataclass
class Assignment:
    match: np.ndarray  # receiver of each proposer, or UNASSIGNED

    def pairs(self) -> list[tuple[int, int]]:
        return [(i, int(j)) for i, j in enumerate(self.match) if j != UNASSIGNED]


def _check(scores: np.ndarray, capacity: np.ndarray, keep: Sequence[tuple[int, int]]) -> None:
    if np.any(capacity < 0):
        raise Infeasible("a capacity is negative")
    kept = [i for i, _ in keep]
    if len(kept) != len(set(kept)):
        raise Infeasible("a base city is kept with two partners")
    for i, j in keep:
        if not np.isfinite(scores[i, j]):
            raise Infeasible(f"kept pair ({i}, {j}) is forbidden")
    load = np.bincount([j for _, j in keep], minlength=scores.shape[1])
    if np.any(load > capacity):
        raise Infeasible("kept pairs exceed a partner's capacity")


def optimal_assignment(
    scores: np.ndarray, capacity: np.ndarray, keep: Sequence[tuple[int, int]] = ()
) -> Assignment:
    """Every proposer gets one receiver, capacities held, total score maximal."""
    n, m = scores.shape
    _check(scores, capacity, keep)
    if n > capacity.sum():
        raise Infeasible(f"{n} base cities but only {int(capacity.sum())} places in total")
    match = np.full(n, UNASSIGNED)
    left = capacity.astype(int).copy()
    for i, j in keep:
        match[i] = j
        left[j] -= 1
    free = np.flatnonzero(match == UNASSIGNED)
    if len(free) == 0:
        return Assignment(match)
    slots = np.repeat(np.arange(m), left)
    block = scores[np.ix_(free, slots)]
    finite = np.isfinite(block)
    if not finite.any(axis=1).all():
        stuck = free[~finite.any(axis=1)]
        raise Infeasible(f"no allowed partner with capacity for base row(s) {stuck.tolist()}")
    penalty = (np.abs(block[finite]).max() + 1.0) * (len(free) + 1)
    cost = np.where(finite, block, -penalty)
    rows, cols = linear_sum_assignment(cost, maximize=True)
    if not finite[rows, cols].all():
        raise Infeasible("the forbidden pairs leave no complete assignment")
    match[free[rows]] = slots[cols]
    return Assignment(match)


def _complete(allowed: np.ndarray) -> bool:
    """Whether every row can have its own column among the ``allowed`` cells."""
    matched = maximum_bipartite_matching(csr_matrix(allowed), perm_type="column")
    return bool((matched >= 0).all())


def fair_assignment(
    scores: np.ndarray, capacity: np.ndarray, keep: Sequence[tuple[int, int]] = ()
) -> Assignment:
    """Every proposer gets one receiver, capacities held, the lowest score of the free
    proposers as high as it can be, and the total maximal at that bound."""
    n, m = scores.shape
    _check(scores, capacity, keep)
    kept = {i for i, _ in keep}
    free = np.array([i for i in range(n) if i not in kept], dtype=int)
    left = capacity.astype(int) - np.bincount([j for _, j in keep], minlength=m)
    if len(free) == 0 or len(free) > left.sum():
        return optimal_assignment(scores, capacity, keep)  # trivial, or Infeasible says why
    block = scores[np.ix_(free, np.repeat(np.arange(m), left))]
    bounds = np.unique(block[np.isfinite(block)])
    if len(bounds) == 0 or not _complete(block >= bounds[0]):
        return optimal_assignment(scores, capacity, keep)  # Infeasible says why
    low, high = 0, len(bounds) - 1  # bounds[low] is always feasible
    while low < high:
        middle = (low + high + 1) // 2
        if _complete(block >= bounds[middle]):
            low = middle
        else:
            high = middle - 1
    bounded = scores.copy()
    bounded[free] = np.where(scores[free] >= bounds[low], scores[free], -np.inf)
    return optimal_assignment(bounded, capacity, keep)


def preferences(scores: np.ndarray, *, limit: int | None = None) -> list[list[int]]:
    """Each row's acceptable columns, best first (``-inf`` is unacceptable)."""
    order = np.argsort(-scores, axis=1, kind="stable")
    prefs = []
    for row, ranked in zip(scores, order, strict=True):
        acceptable = ranked[np.isfinite(row[ranked])]
        prefs.append(acceptable[:limit].tolist() if limit else acceptable.tolist())
    return prefs


def deferred_acceptance(
    proposer_prefs: Sequence[Sequence[int]],
    receiver_rank: np.ndarray,
    capacity: np.ndarray,
    keep: Sequence[tuple[int, int]] = (),
) -> Assignment:
    """Proposer-proposing deferred acceptance with quotas.

    ``receiver_rank[i, j]`` is how receiver ``j`` ranks proposer ``i`` (lower is better; ``inf``
    means unacceptable; equal ranks go to the lower index). Kept pairs are fixed before the
    round and use up capacity.
    """
    n = len(proposer_prefs)
    match = np.full(n, UNASSIGNED)
    left = capacity.astype(int).copy()
    for i, j in keep:
        match[i] = j
        left[j] -= 1
    # Each receiver's held proposers as a heap whose root is the worst: (−rank, −index).
    held: list[list[tuple[float, int]]] = [[] for _ in range(len(capacity))]
    next_choice = np.zeros(n, dtype=np.int64)
    free = [i for i in range(n) if match[i] == UNASSIGNED]
    while free:
        i = free.pop()
        prefs = proposer_prefs[i]
        while next_choice[i] < len(prefs):
            j = prefs[next_choice[i]]
            next_choice[i] += 1
            rank = receiver_rank[i, j]
            if not np.isfinite(rank) or left[j] <= 0:
                continue
            if len(held[j]) < left[j]:
                heapq.heappush(held[j], (-rank, -i))
                match[i] = j
                break
            worst_rank, worst = held[j][0]
            if (rank, i) < (-worst_rank, -worst):
                heapq.heapreplace(held[j], (-rank, -i))
                match[i] = j
                match[-worst] = UNASSIGNED
                free.append(-worst)
                break
    return Assignment(match)


def blocking_pairs(
    scores: np.ndarray,
    match: np.ndarray,
    capacity: np.ndarray,
    receiver_scores: np.ndarray | None = None,
    fixed: Sequence[int] = (),
) -> int:
    """Pairs (i, j) not matched together where i prefers j to its match and j has room or
    prefers i to someone it holds. Proposers in ``fixed`` (kept pairs) cannot move."""
    receiver_scores = scores if receiver_scores is None else receiver_scores
    n, m = scores.shape
    assigned = match != UNASSIGNED
    current = np.where(assigned, scores[np.arange(n), np.where(assigned, match, 0)], -np.inf)
    load = np.bincount(match[assigned], minlength=m)
    worst = np.full(m, np.inf)
    rows = np.flatnonzero(assigned)
    np.minimum.at(worst, match[rows], receiver_scores[rows, match[rows]])
    wants = np.isfinite(scores) & (scores > current[:, None])
    room = (load < capacity)[None, :] | (receiver_scores > worst[None, :])
    blocking = wants & room
    blocking[np.arange(n)[assigned], match[assigned]] = False
    if len(fixed):
        blocking[list(fixed), :] = False
    return int(blocking.sum())
