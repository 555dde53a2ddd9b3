"""Optimal and stable plans, checked against brute force on small random instances."""

import itertools

import numpy as np
import pytest

from matching.assignment import (
    UNASSIGNED,
    Infeasible,
    blocking_pairs,
    deferred_acceptance,
    fair_assignment,
    optimal_assignment,
    preferences,
)


def random_instance(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    n, m = int(rng.integers(2, 6)), int(rng.integers(2, 4))
    scores = rng.random((n, m)).round(3)
    scores[rng.random((n, m)) < 0.2] = -np.inf
    capacity = rng.integers(1, 3, size=m)
    return scores, capacity


def brute_force_best(
    scores: np.ndarray, capacity: np.ndarray, keep: list[tuple[int, int]]
) -> float | None:
    n, m = scores.shape
    best = None
    for choice in itertools.product(range(m), repeat=n):
        if any(choice[i] != j for i, j in keep):
            continue
        if np.any(np.bincount(choice, minlength=m) > capacity):
            continue
        values = [scores[i, j] for i, j in enumerate(choice)]
        if not np.all(np.isfinite(values)):
            continue
        total = float(sum(values))
        best = total if best is None or total > best else best
    return best


def instance_with_kept_pair(seed: int) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int]]]:
    """A random instance; every third seed also keeps one feasible pair fixed."""
    rng = np.random.default_rng(seed)
    scores, capacity = random_instance(rng)
    keep = []
    finite = np.argwhere(np.isfinite(scores))
    if seed % 3 == 0 and len(finite):
        keep = [tuple(int(x) for x in finite[int(rng.integers(len(finite)))])]
    return scores, capacity, keep


@pytest.mark.parametrize("seed", range(60))
def test_optimal_assignment_matches_brute_force(seed: int) -> None:
    scores, capacity, keep = instance_with_kept_pair(seed)
    best = brute_force_best(scores, capacity, keep)
    if best is None:
        with pytest.raises(Infeasible):
            optimal_assignment(scores, capacity, keep)
        return
    match = optimal_assignment(scores, capacity, keep).match
    assert (match != UNASSIGNED).all()
    assert np.all(np.bincount(match, minlength=len(capacity)) <= capacity)
    assert all(match[i] == j for i, j in keep)
    assert np.isfinite(scores[np.arange(len(match)), match]).all()
    assert scores[np.arange(len(match)), match].sum() == pytest.approx(best)


def brute_force_blocking(
    scores: np.ndarray, receiver: np.ndarray, match: np.ndarray, capacity: np.ndarray
) -> int:
    count = 0
    for i, j in itertools.product(range(scores.shape[0]), range(scores.shape[1])):
        if match[i] == j or not np.isfinite(scores[i, j]) or not np.isfinite(receiver[i, j]):
            continue
        prefers = match[i] == UNASSIGNED or scores[i, j] > scores[i, match[i]]
        members = [k for k in range(len(match)) if match[k] == j]
        room = len(members) < capacity[j] or any(receiver[i, j] > receiver[k, j] for k in members)
        count += bool(prefers and room)
    return count


@pytest.mark.parametrize("seed", range(80))
def test_deferred_acceptance_is_stable(seed: int) -> None:
    rng = np.random.default_rng(seed)
    scores, capacity = random_instance(rng)
    receiver = rng.random(scores.shape)  # receivers have their own, different preferences
    receiver[~np.isfinite(scores)] = -np.inf
    match = deferred_acceptance(preferences(scores), -receiver, capacity).match
    assert np.all(np.bincount(match[match != UNASSIGNED], minlength=len(capacity)) <= capacity)
    assert all(j == UNASSIGNED or np.isfinite(scores[i, j]) for i, j in enumerate(match))
    assert brute_force_blocking(scores, receiver, match, capacity) == 0
    assert blocking_pairs(scores, match, capacity, receiver_scores=receiver) == 0


def test_blocking_pairs_are_counted_in_an_unstable_match() -> None:
    scores = np.array([[0.9, 0.1], [0.8, 0.7]])
    capacity = np.array([1, 1])
    unstable = np.array([1, 0])  # both prefer partner 0, and partner 0 prefers base 0
    assert blocking_pairs(scores, unstable, capacity) == 1
    assert blocking_pairs(scores, np.array([0, 1]), capacity) == 0


def test_kept_pairs_and_capacity_in_deferred_acceptance() -> None:
    scores = np.array([[0.9, 0.1], [0.8, 0.7], [0.95, 0.2]])
    match = deferred_acceptance(preferences(scores), -scores, np.array([1, 2]), keep=[(1, 0)]).match
    assert match[1] == 0 and match[0] == 1 and match[2] == 1


@pytest.mark.parametrize(
    ("scores", "capacity", "keep", "words"),
    [
        (np.ones((3, 2)), np.array([1, 1]), [], "only 2 places"),
        (np.array([[-np.inf, 1.0], [1.0, 1.0]]), np.array([1, 1]), [(0, 0)], "forbidden"),
        (np.ones((2, 2)), np.array([1, 1]), [(0, 0), (1, 0)], "exceed"),
        (np.array([[-np.inf, -np.inf], [1.0, 1.0]]), np.array([1, 1]), [], "no allowed partner"),
    ],
)
def test_infeasible_requests_say_why(
    scores: np.ndarray, capacity: np.ndarray, keep: list, words: str
) -> None:
    with pytest.raises(Infeasible, match=words):
        optimal_assignment(scores, capacity, keep)


def brute_force_fair(
    scores: np.ndarray, capacity: np.ndarray, keep: list[tuple[int, int]]
) -> tuple[float, float] | None:
    """(lowest score of the rows not kept, total) of the best max-min assignment, by brute force."""
    n, m = scores.shape
    kept = {i for i, _ in keep}
    best = None
    for choice in itertools.product(range(m), repeat=n):
        if any(choice[i] != j for i, j in keep):
            continue
        if np.any(np.bincount(choice, minlength=m) > capacity):
            continue
        values = [scores[i, j] for i, j in enumerate(choice)]
        if not np.all(np.isfinite(values)):
            continue
        free = [v for i, v in enumerate(values) if i not in kept]
        key = (min(free, default=np.inf), float(sum(values)))
        best = key if best is None or key > best else best
    return best


@pytest.mark.parametrize("seed", range(60))
def test_fair_assignment_maximises_the_lowest_score_then_the_total(seed: int) -> None:
    scores, capacity, keep = instance_with_kept_pair(seed)
    best = brute_force_fair(scores, capacity, keep)
    if best is None:
        with pytest.raises(Infeasible):
            fair_assignment(scores, capacity, keep)
        return
    match = fair_assignment(scores, capacity, keep).match
    assert np.all(np.bincount(match, minlength=len(capacity)) <= capacity)
    assert all(match[i] == j for i, j in keep)
    chosen = scores[np.arange(len(match)), match]
    free = [v for i, v in enumerate(chosen) if i not in {i for i, _ in keep}]
    assert min(free, default=np.inf) == pytest.approx(best[0])
    assert chosen.sum() == pytest.approx(best[1])
    optimal = optimal_assignment(scores, capacity, keep).match
    assert chosen.min() >= scores[np.arange(len(optimal)), optimal].min()


def test_fair_gives_up_total_to_lift_the_worst_off() -> None:
    scores = np.array([[10.0, 10.0, 3.0], [10.0, 10.0, 3.0], [8.0, 0.0, 2.0]])
    capacity = np.ones(3, dtype=int)
    optimal = optimal_assignment(scores, capacity).match
    fair = fair_assignment(scores, capacity).match
    rows = np.arange(3)
    assert scores[rows, optimal].sum() == 22 and scores[rows, optimal].min() == 2
    assert scores[rows, fair].sum() == 21 and scores[rows, fair].min() == 3
