"""Schemathesis against the app's own OpenAPI schema, with a key for every role, on seeded data.

For every operation Schemathesis generates requests (valid and invalid); each is sent with the
key of each role. The checks: no server error, only documented status codes, the declared
content types, and response bodies that conform to their schemas.
"""

import os
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
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
PRINCIPALS = ("admin", "赣州市发改委", "某某科技", "某大学", "viewer")
EXAMPLES = int(os.environ.get("COUNTERPART_FUZZ_EXAMPLES", "5"))


def test_no_server_errors_and_an_honest_schema(engine: Engine, model_dir: Path) -> None:
    app = create_app(
        engine, model_dir, start_scheduler=False, settings=ApiSettings(rate_limit_enabled=False)
    )
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    calls = 0

    for operation, mode in ((o, m) for o in operations for m in GenerationMode):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case) -> None:
            nonlocal calls
            for principal in PRINCIPALS:
                case.call_and_validate(headers=bearer(principal), checks=CHECKS)
                calls += 1

        try:
            run()
        except Unsatisfiable:
            continue  # no invalid request exists for this operation (nothing to break)
    print(
        f"schemathesis: {len(operations)} operations, {calls} calls ({len(PRINCIPALS)} roles), no failures"
    )
    assert len(operations) > 60 and calls > len(operations) * len(PRINCIPALS)
