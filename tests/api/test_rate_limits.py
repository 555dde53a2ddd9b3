"""Rate limits from ``limits`` (moving window), in memory and on Redis.

Redis: ``COUNTERPART_TEST_REDIS`` (default ``redis://127.0.0.1:6379/7``, a database index of
the tests' own, emptied before and after); the Redis cases are skipped when none answers.
"""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from api.main import create_app
from api.settings import ApiSettings
from tests.conftest import KEYS, bearer

REDIS = os.environ.get("COUNTERPART_TEST_REDIS", "redis://127.0.0.1:6379/7")


def _redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture(params=["memory", "redis"])
def storage(request: pytest.FixtureRequest) -> Iterator[str]:
    if request.param == "memory":
        yield "memory://"
        return
    if not _redis_answers():
        pytest.skip(f"no Redis answers at {REDIS}")
    import redis

    client = redis.Redis.from_url(REDIS)
    client.flushdb()
    yield REDIS
    client.flushdb()


def _app(engine: Engine, model_dir: Path, storage: str, **limits: object):
    settings = ApiSettings(rate_limit_storage=storage, **limits)  # type: ignore[arg-type]
    return create_app(engine, model_dir, start_scheduler=False, settings=settings)


def test_a_key_gets_its_own_minute_and_redis_shares_it_between_workers(
    engine: Engine, model_dir: Path, storage: str
) -> None:
    first = _app(engine, model_dir, storage, rate_per_minute_key=5)
    # In memory each worker counts alone; on Redis a second worker shares the counts.
    second = (
        _app(engine, model_dir, storage, rate_per_minute_key=5) if "redis" in storage else first
    )
    with (
        TestClient(first, headers=bearer("viewer")) as a,
        TestClient(second, headers=bearer("viewer")) as b,
    ):
        answers = [client.get("/api/v1/health").status_code for client in (a, b, a, b, a)]
        assert answers == [200] * 5
        limited = b.get("/api/v1/health")
        assert limited.status_code == 429 and 1 <= int(limited.headers["retry-after"]) <= 60
        assert limited.headers["content-type"] == "application/problem+json"
        assert a.get("/api/v1/health", headers=bearer("admin")).status_code == 200  # its own count


def test_an_unverified_key_is_charged_to_the_address_not_to_the_key(
    engine: Engine, model_dir: Path, storage: str
) -> None:
    app = _app(engine, model_dir, storage, rate_per_minute_key=3, rate_per_minute_address=3)
    real = KEYS["viewer"]
    forged = real.rsplit("_", 1)[0] + "_" + "x" * 20  # the viewer's prefix, a wrong secret
    with TestClient(app) as client:
        codes = [
            client.get("/api/v1/health", headers={"Authorization": f"Bearer {forged}"}).status_code
            for _ in range(4)
        ]
        assert codes == [401, 401, 401, 429]
        # The viewer's quota is untouched by the forgeries: three verified requests pass.
        for _ in range(3):
            assert client.get("/api/v1/health", headers=bearer("viewer")).status_code == 200
        # And anonymous requests from the same address are still over the address's limit.
        assert client.get("/api/v1/cities/360700").status_code == 429


def test_x_forwarded_for_counts_only_from_a_trusted_proxy(
    engine: Engine, model_dir: Path, storage: str
) -> None:
    def spoofed(client: TestClient, n: int) -> int:
        headers = {"X-Forwarded-For": f"203.0.113.{n}"}
        return client.get("/api/v1/cities/360700", headers=headers).status_code

    untrusted = _app(engine, model_dir, storage, rate_per_minute_address=2)
    with TestClient(untrusted, client=("127.0.0.1", 5000)) as client:
        assert [spoofed(client, n) for n in range(3)] == [200, 200, 429]
    if "redis" in storage:  # a fresh count for the second app
        import redis

        redis.Redis.from_url(REDIS).flushdb()
    behind_proxy = _app(
        engine,
        model_dir,
        storage,
        rate_per_minute_address=2,
        trusted_proxies=["127.0.0.0/8"],
    )
    with TestClient(behind_proxy, client=("127.0.0.1", 5000)) as client:
        assert [spoofed(client, n) for n in range(3)] == [200, 200, 200]  # three clients
        assert [spoofed(client, 7) for _ in range(3)] == [200, 200, 429]  # one client, over


def test_no_rate_counts_in_the_store(engine: Engine) -> None:
    assert "rate_window" not in inspect(engine).get_table_names()
