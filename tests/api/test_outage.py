"""When the store is dropped, recreated empty, then restored, every request gets an answer
(503 problem+json with Retry-After) and the service recovers by itself — on both stores."""

import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from api.main import create_app
from api.store_guard import RETRY_SECONDS
from profiles.backup import backup, restore
from tests.conftest import Databases, bearer, on_sqlite

REQUESTS = [
    ("GET", "/api/v1/health", {}),
    ("GET", "/api/v1/cities", {"params": {"q": "赣州"}}),
    ("GET", "/api/v1/enterprises/1", {}),
    ("GET", "/api/v1/recommendations/partners", {"params": {"city": "360700"}}),
    ("GET", "/api/v1/enterprises", {"key": "viewer"}),
    ("POST", "/api/v1/needs", {"key": "admin", "json": {"title": "x"}}),
    ("POST", "/api/v1/feedback", {"key": "admin", "headers": {"Idempotency-Key": "k1"}}),
]


def _all_unavailable(client: TestClient) -> None:
    for method, path, extra in REQUESTS:
        extra = dict(extra)
        key = extra.pop("key", None)
        headers = extra.pop("headers", {}) | (bearer(key) if key else {})
        response = client.request(method, path, headers=headers, **extra)
        assert response.status_code == 503, (method, path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert 1 <= int(response.headers["retry-after"]) <= RETRY_SECONDS


def _recovered(client: TestClient) -> bool:
    deadline = time.monotonic() + 3 * RETRY_SECONDS
    while time.monotonic() < deadline:
        if client.get("/api/v1/health").status_code == 200:
            return True
        time.sleep(0.2)
    return False


class Store:
    """Back up, drop, recreate empty and restore the test's database, as an operator would."""

    def __init__(self, engine: Engine, databases: Databases, directory: Path) -> None:
        self.engine, self.databases = engine, databases
        self.name = engine.url.database or ""
        self.backup = backup(engine, directory / "store.backup")

    def drop(self) -> None:
        if on_sqlite(self.engine):
            for suffix in ("", "-wal", "-shm"):
                Path(self.name + suffix).unlink(missing_ok=True)
            self.engine.dispose()  # SQLite keeps a deleted file open; new connections see it gone
        else:
            self.databases.drop(self.name)

    def recreate_empty(self) -> None:
        if not on_sqlite(self.engine):  # SQLite made an empty file at the next connection
            self.databases.create(self.name)

    def restore(self) -> None:
        restore(self.engine, self.backup)  # what `counterpart db restore` does


def test_a_dropped_then_empty_store_answers_503_and_the_service_recovers(
    engine: Engine, model_dir: Path, databases: Databases, tmp_path: Path
) -> None:
    store = Store(engine, databases, tmp_path)
    app = create_app(engine, model_dir, start_scheduler=False)
    with TestClient(app) as client:
        assert client.get("/api/v1/health").status_code == 200
        store.drop()
        _all_unavailable(client)
        store.recreate_empty()
        time.sleep(RETRY_SECONDS)
        _all_unavailable(client)
        assert "empty" in client.get("/api/v1/health").json()["detail"]
        store.restore()
        assert _recovered(client)
        assert client.get("/api/v1/cities/360700").json()["name"] == "赣州市"
        assert client.get("/api/v1/enterprises", headers=bearer("viewer")).status_code == 200
