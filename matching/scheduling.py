"""Brokerage-event scheduling: one-to-one meetings into time slots and tables, exactly.

Plain arrays in, a schedule out (no database). Each *request* is an unordered pair of
participants who want (or are asked) to meet, with a weight class:

- a **mutual** request (both asked, or the asked side accepted) is worth ``big + priority``;
- a **one-sided** request is worth ``priority`` (1 … 5, 5 the most wanted);

where ``big`` exceeds the sum of every priority, so the optimum first holds as many mutual
meetings as any schedule can, and among those the greatest total priority of the rest
(lexicographic by weights, in one stage).

The integer programme (scipy's ``milp``, HiGHS branch and cut) has a binary ``x[r, s]`` for
each request ``r`` and slot ``s`` in which both participants are available:

    maximise    Σ w[r] x[r, s]
    subject to  Σ_s x[r, s] ≤ 1                        each request at most once
                Σ_{r ∋ p} x[r, s] ≤ 1                   no participant double-booked
                Σ_r x[r, s] ≤ tables − fixed[s]         no more meetings than free tables

Why no table index is needed: tables are interchangeable (any meeting may sit at any table),
and a table's only constraint is "one meeting per slot". Given any schedule that respects the
per-slot count, number the free tables of slot ``s`` 1 … k and seat its new meetings on them
in any order: no table is used twice in a slot, so a table-indexed solution of the same value
exists. Conversely every table-indexed solution respects the count. The two programmes
therefore have the same optimum, and the slot-only one is ``tables`` times smaller. (Confirmed
meetings keep their own tables; they only lower the count of free ones.)
``tests/matching/test_scheduling.py`` checks this against brute force over explicit tables.

Beside the optimum, ``schedule`` reports a greedy baseline (requests by weight, each in the
first slot that fits) and the bound of the LP relaxation. A request left out gets a reason:
``no_common_slot`` (the two are never both available), ``no_table`` (some slot finds both free
but every table taken) or ``participants_busy`` (each common slot holds another meeting of
one of them that is worth at least as much).

The answer is exact when ``optimal`` is true. HiGHS proves the default benchmark (300
participants, 12 slots, 40 tables, 2,000 requests) optimal in a few seconds; when tables are
plentiful and every participant is over-asked, the LP relaxation is weak and the time limit may
stop the search: then the schedule is the better of the solver's incumbent and the greedy
baseline, ``optimal`` is false, and the bound says how far from the optimum it may be.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from time import perf_counter

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

UNSCHEDULED = -1
NO_COMMON_SLOT = "no_common_slot"
NO_TABLE = "no_table"
PARTICIPANTS_BUSY = "participants_busy"
NOT_REACHED = "not_reached"  # only when the solver stopped at its time limit


class InvalidSchedule(ValueError):
    """Fixed meetings that contradict each other or the event (a double booking, no table)."""


@dataclass(frozen=True)
class Fixed:
    """A confirmed meeting that must stay: request ``request`` at ``slot``, ``table``."""

    request: int
    slot: int
    table: int


@dataclass
class Schedule:
    slot: np.ndarray  # per request: its slot, or UNSCHEDULED
    table: np.ndarray  # per request: its table, or UNSCHEDULED
    weights: np.ndarray
    objective: float
    lp_bound: float
    greedy_objective: float
    greedy_met: np.ndarray  # per request: whether the greedy baseline meets it
    mutual_met: int
    mutual_total: int
    priority_met: int  # total priority of the one-sided requests met
    optimal: bool
    seconds: float
    reasons: dict[int, str] = field(default_factory=dict)  # unmet request → reason code

    @property
    def met(self) -> np.ndarray:
        return self.slot != UNSCHEDULED


def weights(priority: np.ndarray, mutual: np.ndarray) -> np.ndarray:
    """Each request's worth: ``big + priority`` when mutual, else ``priority``."""
    priority = np.asarray(priority, dtype=float)
    big = priority.sum() + 1.0
    return np.where(np.asarray(mutual, dtype=bool), big + priority, priority)


def schedule(
    first: Sequence[int] | np.ndarray,
    second: Sequence[int] | np.ndarray,
    *,
    priority: Sequence[int] | np.ndarray,
    mutual: Sequence[bool] | np.ndarray,
    unavailable: np.ndarray,
    tables: int,
    fixed: Sequence[Fixed] = (),
    time_limit: float = 60.0,
) -> Schedule:
    """The best schedule of the requests ``(first[r], second[r])``.

    ``unavailable`` is participants × slots, True where a participant cannot meet. Fixed
    meetings stay where they are, whatever the participants' availability now says.
    """
    started = perf_counter()
    a, b = np.asarray(first, dtype=int), np.asarray(second, dtype=int)
    unavailable = np.asarray(unavailable, dtype=bool)
    n_people, n_slots = unavailable.shape
    n = len(a)
    if np.any(a == b):
        raise InvalidSchedule("a participant cannot meet itself")
    w = weights(priority, mutual)
    slot = np.full(n, UNSCHEDULED)
    table = np.full(n, UNSCHEDULED)
    busy, used = _place_fixed(fixed, a, b, slot, table, n_people, n_slots, tables)

    free = ~unavailable
    common = free[a] & free[b]  # requests × slots: both may attend
    open_ = common & ~busy[a] & ~busy[b] & (slot == UNSCHEDULED)[:, None]
    capacity = tables - used.sum(axis=1)
    rows, cols = np.nonzero(open_)
    fixed_value = float(w[slot != UNSCHEDULED].sum())

    baseline = greedy(a, b, w, common, busy, capacity, slot)
    lp_bound, optimal = fixed_value, True
    if len(rows):
        c, constraint = _programme(rows, cols, a, b, w, n, n_people, n_slots, capacity)
        limit = {"time_limit": time_limit}
        result = milp(
            c,
            constraints=constraint,
            integrality=np.ones(len(rows)),
            bounds=Bounds(0, 1),
            options=limit,
        )
        relaxed = milp(c, constraints=constraint, bounds=Bounds(0, 1), options=limit)
        optimal = result.status == 0
        # past the time limit, the branch and bound's own bound stands in for the LP's
        lp_bound = fixed_value - float(
            relaxed.fun if relaxed.status == 0 else result.mip_dual_bound
        )
        greedy_value = w[(baseline != UNSCHEDULED) & (slot == UNSCHEDULED)].sum()
        if result.x is not None and (optimal or -result.fun >= greedy_value):
            chosen = result.x > 0.5
            slot[rows[chosen]] = cols[chosen]
        else:  # stopped at the time limit behind the baseline: keep the baseline
            slot = baseline
    _seat(slot, table, used, fixed)

    met = slot != UNSCHEDULED
    mutual_mask = np.asarray(mutual, dtype=bool)
    greedy_met = baseline != UNSCHEDULED
    return Schedule(
        slot=slot,
        table=table,
        weights=w,
        objective=float(w[met].sum()),
        lp_bound=max(lp_bound, float(w[met].sum())),
        greedy_objective=float(w[greedy_met].sum()),
        greedy_met=greedy_met,
        mutual_met=int((met & mutual_mask).sum()),
        mutual_total=int(mutual_mask.sum()),
        priority_met=int(np.asarray(priority)[met & ~mutual_mask].sum()),
        optimal=optimal,
        seconds=perf_counter() - started,
        reasons=_reasons(a, b, slot, common, tables),
    )


def _place_fixed(
    fixed: Sequence[Fixed],
    a: np.ndarray,
    b: np.ndarray,
    slot: np.ndarray,
    table: np.ndarray,
    n_people: int,
    n_slots: int,
    tables: int,
) -> tuple[np.ndarray, np.ndarray]:
    busy = np.zeros((n_people, n_slots), dtype=bool)
    used = np.zeros((n_slots, tables), dtype=bool)
    for meeting in fixed:
        r, s, t = meeting.request, meeting.slot, meeting.table
        if not (0 <= s < n_slots and 0 <= t < tables):
            raise InvalidSchedule(f"confirmed meeting {r} is at slot {s}, table {t}: no such place")
        if slot[r] != UNSCHEDULED or used[s, t] or busy[a[r], s] or busy[b[r], s]:
            raise InvalidSchedule(f"confirmed meeting {r} clashes with another at slot {s}")
        busy[a[r], s] = busy[b[r], s] = used[s, t] = True
        slot[r], table[r] = s, t
    return busy, used


def _programme(
    rows: np.ndarray,
    cols: np.ndarray,
    a: np.ndarray,
    b: np.ndarray,
    w: np.ndarray,
    n: int,
    n_people: int,
    n_slots: int,
    capacity: np.ndarray,
) -> tuple[np.ndarray, LinearConstraint]:
    """The objective (negated: milp minimises) and the three families of constraints."""
    k = len(rows)
    variables = np.arange(k)
    once = rows
    person_a = n + a[rows] * n_slots + cols
    person_b = n + b[rows] * n_slots + cols
    per_slot = n + n_people * n_slots + cols
    matrix = csr_array(
        (
            np.ones(4 * k),
            (
                np.concatenate([once, person_a, person_b, per_slot]),
                np.tile(variables, 4),
            ),
        ),
        shape=(n + n_people * n_slots + n_slots, k),
    )
    upper = np.concatenate([np.ones(n + n_people * n_slots), capacity.astype(float)])
    return -w[rows], LinearConstraint(matrix, -np.inf, upper)


def _seat(slot: np.ndarray, table: np.ndarray, used: np.ndarray, fixed: Sequence[Fixed]) -> None:
    """Give each new meeting the lowest free table of its slot (fixed ones keep theirs)."""
    kept = {m.request for m in fixed}
    free = [list(np.flatnonzero(~used[s])) for s in range(used.shape[0])]
    for r in np.flatnonzero(slot != UNSCHEDULED):
        if r not in kept:
            table[r] = free[slot[r]].pop(0)


def greedy(
    a: np.ndarray,
    b: np.ndarray,
    w: np.ndarray,
    common: np.ndarray,
    busy: np.ndarray,
    capacity: np.ndarray,
    fixed_slot: np.ndarray,
) -> np.ndarray:
    """The baseline: requests by weight, heaviest first, each in the first slot that fits.

    Returns each request's slot (the fixed ones where they are), or UNSCHEDULED.
    """
    busy, left, slot = busy.copy(), capacity.copy(), fixed_slot.copy()
    for r in np.argsort(-w, kind="stable"):
        if slot[r] != UNSCHEDULED:
            continue
        fits = common[r] & ~busy[a[r]] & ~busy[b[r]] & (left > 0)
        if fits.any():
            s = int(np.argmax(fits))
            busy[a[r], s] = busy[b[r], s] = True
            left[s] -= 1
            slot[r] = s
    return slot


def _reasons(
    a: np.ndarray, b: np.ndarray, slot: np.ndarray, common: np.ndarray, tables: int
) -> dict[int, str]:
    """Why each unmet request is unmet, read off the final schedule."""
    n_slots = common.shape[1]
    met = slot != UNSCHEDULED
    n_people = int(max(a.max(initial=-1), b.max(initial=-1))) + 1
    busy = np.zeros((n_people, n_slots), dtype=bool)
    busy[a[met], slot[met]] = True
    busy[b[met], slot[met]] = True
    full = np.bincount(slot[met], minlength=n_slots) >= tables
    reasons = {}
    for r in np.flatnonzero(~met):
        if not common[r].any():
            reasons[int(r)] = NO_COMMON_SLOT
        elif (common[r] & ~busy[a[r]] & ~busy[b[r]]).any():
            both_free = common[r] & ~busy[a[r]] & ~busy[b[r]]
            reasons[int(r)] = NO_TABLE if full[both_free].all() else NOT_REACHED
        else:
            reasons[int(r)] = PARTICIPANTS_BUSY
    return reasons
