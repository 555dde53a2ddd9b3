"""Schemathesis against the app's own OpenAPI schema, with a key for every role, on seeded data.

Two tests, each on SQLite and on PostgreSQL (``COUNTERPART_TEST_POSTGRES``):

- every operation, valid and invalid requests (``COUNTERPART_FUZZ_EXAMPLES`` of each, 25 by
  default), each sent with the key of one role drawn per example (admin, a city office, an
  enterprise, a university, a viewer, or no key). Every failure of every operation is collected
  before the test fails, so one run names them all.
- stateful: sequences that follow the links Schemathesis infers from the schema (create an
  enterprise → read, patch, delete it; list → read one …), for every role, checking also that
  what was created can be read and that what was deleted is gone.

The checks: no server error, only documented status codes and content types, bodies that
conform to their schemas; on sequences, no use after delete and no missing resource after
create. A night-long hunt: ``COUNTERPART_FUZZ_EXAMPLES=500 COUNTERPART_FUZZ_STEPS=200
.venv/bin/pytest tests/api/test_fuzz.py -s`` (see README, "Fuzzing").
"""

import os
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ensure_resource_availability,
    response_schema_conformance,
    status_code_conformance,
    use_after_free,
)
from sqlalchemy.engine import Engine

from api.main import create_app
from api.settings import ApiSettings
from tests.conftest import bearer

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
STATEFUL_CHECKS = [*CHECKS, use_after_free, ensure_resource_availability]
PRINCIPALS = ("admin", "赣州市发改委", "某某科技", "某大学", "viewer", None)
# Random ids and codes almost never name a stored record, so half the valid requests use real
# ones: ids of seeded rows, adcodes inside and outside the base areas (440300 found the
# StopIteration), real base areas, industries and jobs.
IDS = st.integers(1, 40)
CITIES = st.sampled_from(["440300", "360700", "110000", "360781", "522600", "深圳", "赣州"])
REAL = {
    "id": IDS,
    "plan_id": IDS,
    "key_id": IDS,
    "candidate_id": IDS,
    "subscription_id": IDS,
    "delivery_id": IDS,
    "enterprise": IDS,
    "expert": IDS,
    "need": IDS,
    "enterprise_id": IDS,
    "expert_id": IDS,
    "need_id": IDS,
    "university_id": IDS,
    "adcode": CITIES.filter(str.isdigit),
    "city": CITIES,
    "base_area_id": st.sampled_from(["ganminyue", "shanganning", "dabieshan"]),
    "code": st.sampled_from(["39", "C", "06"]),
    "name": st.sampled_from(["refresh", "dedupe-audit", "stale-profiles", "deliver"]),
}
EXAMPLES = int(os.environ.get("COUNTERPART_FUZZ_EXAMPLES", "25"))
STEPS = int(os.environ.get("COUNTERPART_FUZZ_STEPS", "8"))
# A talent-placement round over the whole catalogue takes seconds, and more on a loaded CI
# machine; Schemathesis's default (10 s) then reports a timeout, not a fault.
TIMEOUT = 120


def _headers(principal: str | None) -> dict[str, str]:
    return {} if principal is None else bearer(principal)


@pytest.fixture
def schema(engine: Engine, model_dir: Path) -> Any:
    app = create_app(
        engine, model_dir, start_scheduler=False, settings=ApiSettings(rate_limit_enabled=False)
    )
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def _hypothesis(examples: int, **extra: Any) -> settings:
    """Deterministic, and without shrinking: a failure is reported as found (with its curl
    command), rather than after minutes of minimising it."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
        **extra,
    )


def _use_real_values(case: Any, data: st.DataObject) -> None:
    """Replace the generated ids and codes of a valid request with ones that exist."""
    for where in (case.path_parameters, case.query):
        for name in list(where or {}):
            if name in REAL and not isinstance(where[name], list):
                where[name] = data.draw(REAL[name], label=name)


def _strings(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, str):
        return [path]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _strings(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _strings(v, (*path, i))]
    return []


def _insert_control_character(case: Any, data: st.DataObject) -> None:
    """Put NUL (or another control character) into one string of the request: PostgreSQL
    answered 500 to a NUL, and random text reaches the store with one too rarely."""
    places = [("query", p) for p in _strings(case.query or {})]
    places += [("body", p) for p in _strings(case.body) if isinstance(case.body, dict | list)]
    if not places:
        return
    where, path = data.draw(st.sampled_from(places), label="string")
    character = data.draw(st.sampled_from(["\x00", "\x1b", "\x85"]), label="character")
    container = case.query if where == "query" else case.body
    for key in path[:-1]:
        container = container[key]
    at = data.draw(st.integers(0, len(container[path[-1]])), label="position")
    container[path[-1]] = container[path[-1]][:at] + character + container[path[-1]][at:]


def test_no_server_errors_and_an_honest_schema(schema: Any) -> None:
    operations = [result.ok() for result in schema.get_all_operations()]
    calls: dict[str | None, int] = dict.fromkeys(PRINCIPALS, 0)
    failures: list[str] = []

    for operation, mode in ((o, m) for o in operations for m in GenerationMode):

        @given(
            case=operation.as_strategy(generation_mode=mode),
            who=st.sampled_from(PRINCIPALS),
            data=st.data(),
        )
        @_hypothesis(EXAMPLES)
        def run(case: Any, who: str | None, data: st.DataObject) -> None:
            positive = mode is GenerationMode.POSITIVE  # noqa: B023 (run() runs in this iteration)
            if positive and data.draw(st.booleans(), label="real"):
                _use_real_values(case, data)
            if positive and data.draw(st.booleans(), label="control character"):
                _insert_control_character(case, data)
            calls[who] += 1
            case.call_and_validate(headers=_headers(who), checks=CHECKS, timeout=TIMEOUT)

        try:
            run()
        except Unsatisfiable:
            continue  # no invalid request exists for this operation (nothing to break)
        except Exception as error:
            failures.append(f"{operation.label} ({mode.value}): {error}")
    total = sum(calls.values())
    per_role = ", ".join(f"{p or 'anonymous'}: {n}" for p, n in calls.items())
    print(f"schemathesis: {len(operations)} operations, {total} calls ({per_role}), ", end="")
    print(f"{len(failures)} failing")
    assert not failures, "\n\n".join(failures)
    assert len(operations) > 60 and total > len(operations) * EXAMPLES
    assert all(calls.values()), calls


@pytest.mark.parametrize("principal", ["admin", "赣州市发改委", "某某科技", "某大学", "viewer"])
def test_stateful_sequences_follow_the_links(schema: Any, principal: str) -> None:
    calls = 0

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            nonlocal calls
            calls += 1
            return {"headers": _headers(principal), "timeout": TIMEOUT}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            case.validate_response(
                response,
                checks=STATEFUL_CHECKS,
                transport_kwargs=kwargs,
                recorder=getattr(self, "recorder", None),
            )

    Workflow.run(settings=_hypothesis(EXAMPLES, stateful_step_count=STEPS))
    print(f"schemathesis stateful ({principal}): {calls} calls")
    assert calls > 0
