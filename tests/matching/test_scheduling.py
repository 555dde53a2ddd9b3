"""The event scheduler against brute force over explicit (slot, table) places."""

import numpy as np
import pytest

from matching.scheduling import (
    NO_COMMON_SLOT,
    NO_TABLE,
    PARTICIPANTS_BUSY,
    UNSCHEDULED,
    Fixed,
    InvalidSchedule,
    schedule,
    weights,
)


def random_event(seed: int, *, people: int = 6, slots: int = 3, tables: int = 2, requests: int = 7):
    rng = np.random.default_rng(seed)
    pairs = set()
    while len(pairs) < requests:
        i, j = sorted(rng.choice(people, size=2, replace=False).tolist())
        pairs.add((i, j))
    pairs = sorted(pairs)
    a = np.array([p[0] for p in pairs])
    b = np.array([p[1] for p in pairs])
    return {
        "first": a,
        "second": b,
        "priority": rng.integers(1, 6, size=requests),
        "mutual": rng.random(requests) < 0.4,
        "unavailable": rng.random((people, slots)) < 0.25,
        "tables": tables,
    }


def brute_force(event: dict, fixed: dict[int, tuple[int, int]] | None = None) -> float:
    """The best total weight over every assignment of requests to (slot, table) or nothing."""
    a, b, unavailable, tables = (
        event["first"],
        event["second"],
        event["unavailable"],
        event["tables"],
    )
    w = weights(event["priority"], event["mutual"])
    slots = unavailable.shape[1]
    fixed = fixed or {}
    best = -1.0

    def walk(r: int, people: set, places: set, value: float) -> None:
        nonlocal best
        if r == len(a):
            best = max(best, value)
            return
        if r in fixed:
            walk(r + 1, people, places, value)
            return
        walk(r + 1, people, places, value)
        for s in range(slots):
            if unavailable[a[r], s] or unavailable[b[r], s]:
                continue
            if (a[r], s) in people or (b[r], s) in people:
                continue
            for t in range(tables):
                if (s, t) not in places:
                    walk(r + 1, people | {(a[r], s), (b[r], s)}, places | {(s, t)}, value + w[r])
                    break  # tables are interchangeable for the search; see the next test

    people = {(p, s) for r, (s, _) in fixed.items() for p in (a[r], b[r])}
    places = set(fixed.values())
    walk(0, people, places, float(sum(w[r] for r in fixed)))
    return best


def assert_feasible(event: dict, result, fixed: dict[int, tuple[int, int]] | None = None) -> None:
    a, b, unavailable = event["first"], event["second"], event["unavailable"]
    places, seats = set(), set()
    for r in np.flatnonzero(result.slot != UNSCHEDULED):
        s, t = int(result.slot[r]), int(result.table[r])
        assert 0 <= t < event["tables"]
        assert (s, t) not in places, "a table is double-booked"
        places.add((s, t))
        for p in (a[r], b[r]):
            assert (p, s) not in seats, "a participant is double-booked"
            seats.add((p, s))
            if r not in (fixed or {}):
                assert not unavailable[p, s], "a meeting in an unavailable slot"
    for r, (s, t) in (fixed or {}).items():
        assert (result.slot[r], result.table[r]) == (s, t)


@pytest.mark.parametrize("seed", range(12))
def test_optimal_and_feasible_against_brute_force(seed: int) -> None:
    event = random_event(seed)
    result = schedule(**event)
    assert_feasible(event, result)
    assert result.optimal
    assert result.objective == pytest.approx(brute_force(event))
    assert result.greedy_objective <= result.objective + 1e-9
    assert result.objective <= result.lp_bound + 1e-6


def brute_force_every_table(event: dict) -> float:
    """Like ``brute_force`` but trying every table: the slot-only programme loses nothing."""
    a, b, unavailable, tables = (
        event["first"],
        event["second"],
        event["unavailable"],
        event["tables"],
    )
    w = weights(event["priority"], event["mutual"])
    choices = [(-1, -1)] + [(s, t) for s in range(unavailable.shape[1]) for t in range(tables)]
    best = 0.0
    for pick in np.ndindex(*([len(choices)] * len(a))):
        people, places, value = set(), set(), 0.0
        for r, c in enumerate(pick):
            s, t = choices[c]
            if s < 0:
                continue
            if unavailable[a[r], s] or unavailable[b[r], s] or (s, t) in places:
                break
            if (a[r], s) in people or (b[r], s) in people:
                break
            people |= {(a[r], s), (b[r], s)}
            places.add((s, t))
            value += w[r]
        else:
            best = max(best, value)
    return best


@pytest.mark.parametrize("seed", range(3))
def test_tables_are_interchangeable(seed: int) -> None:
    event = random_event(seed, people=5, slots=2, tables=2, requests=5)
    assert schedule(**event).objective == pytest.approx(brute_force_every_table(event))


def test_mutual_meetings_come_first() -> None:
    # 0–1 mutual (priority 1) and 0–2, 0–3 one-sided (priority 5 each) all need participant 0
    # in the only slot: one mutual meeting beats any number of one-sided ones.
    result = schedule(
        [0, 0, 0],
        [1, 2, 3],
        priority=[1, 5, 5],
        mutual=[True, False, False],
        unavailable=np.zeros((4, 1), dtype=bool),
        tables=5,
    )
    assert result.slot.tolist() == [0, UNSCHEDULED, UNSCHEDULED]
    assert result.mutual_met == 1 and result.priority_met == 0
    assert result.reasons == {1: PARTICIPANTS_BUSY, 2: PARTICIPANTS_BUSY}


def test_reasons_name_the_missing_slot_or_table() -> None:
    unavailable = np.array([[False, True], [True, False], [False, False], [False, False]])
    result = schedule(
        [0, 2, 0],
        [1, 3, 3],
        priority=[3, 3, 1],
        mutual=[False, True, False],
        unavailable=unavailable,
        tables=1,
    )
    assert result.reasons[0] == NO_COMMON_SLOT
    assert result.slot[1] != UNSCHEDULED
    # 0 and 3 are both free in one slot but its only table is taken
    assert result.slot[2] != UNSCHEDULED or result.reasons[2] == NO_TABLE


@pytest.mark.parametrize("seed", range(6))
def test_confirmed_meetings_stay_on_re_run(seed: int) -> None:
    event = random_event(seed, people=6, slots=3, tables=2, requests=7)
    first = schedule(**event)
    kept = np.flatnonzero(first.slot != UNSCHEDULED)[:2]
    fixed = {int(r): (int(first.slot[r]), int(first.table[r])) for r in kept}
    # the participants change their minds: now unavailable exactly where they were confirmed
    for r, (s, _) in fixed.items():
        event["unavailable"][event["first"][r], s] = True
    event["priority"] = event["priority"][::-1].copy()
    again = schedule(**event, fixed=[Fixed(r, s, t) for r, (s, t) in fixed.items()])
    assert_feasible(event, again, fixed)
    assert again.objective == pytest.approx(brute_force(event, fixed))


def test_clashing_confirmed_meetings_are_refused() -> None:
    with pytest.raises(InvalidSchedule, match="clashes"):
        schedule(
            [0, 0],
            [1, 2],
            priority=[1, 1],
            mutual=[False, False],
            unavailable=np.zeros((3, 2), dtype=bool),
            tables=2,
            fixed=[Fixed(0, 1, 0), Fixed(1, 1, 1)],
        )
