"""When the store is dropped, recreated empty, then restored, every request gets an answer
(503 problem+json with Retry-After) and the service recovers by itself — on both stores."""

import os
import shutil
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from api.main import create_app
from api.store_guard import RETRY_SECONDS
from tests.conftest import Databases, bearer, on_sqlite

REQUESTS = [
    ("GET", "/api/v1/health", {}),
    ("GET", "/api/v1/cities", {"params": {"q": "赣州"}}),
    ("GET", "/api/v1/enterprises/1", {}),
    ("GET", "/api/v1/recommendations/partners", {"params": {"city": "360700"}}),
    ("GET", "/api/v1/enterprises", {"headers": bearer("viewer")}),
    ("POST", "/api/v1/needs", {"headers": bearer("admin"), "json": {"title": "x"}}),
    ("POST", "/api/v1/feedback", {"headers": bearer("admin") | {"Idempotency-Key": "k1"}}),
]


def _all_unavailable(client: TestClient) -> None:
    for method, path, extra in REQUESTS:
        response = client.request(method, path, **extra)
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
    """Drop, recreate empty and restore the test's database, as an operator might."""

    def __init__(self, engine: Engine, databases: Databases, template: str) -> None:
        self.engine, self.databases, self.template = engine, databases, template
        self.name = engine.url.database or ""

    def drop(self) -> None:
        if on_sqlite(self.engine):
            for suffix in ("", "-wal", "-shm"):
                Path(self.name + suffix).unlink(missing_ok=True)
            self.engine.dispose()  # SQLite keeps a deleted file open; new connections see it gone
            os.chmod(Path(self.name).parent, 0o500)  # and cannot create it again: unreachable
        else:
            self.databases.drop(self.name)

    def recreate_empty(self) -> None:
        if on_sqlite(self.engine):
            os.chmod(Path(self.name).parent, 0o700)
        else:
            self.databases.create(self.name)

    def restore(self) -> None:
        if on_sqlite(self.engine):
            shutil.copy(self.databases.directory / f"{self.template}.db", self.name)
        else:
            self.databases.drop(self.name)
            self.databases.create(self.name, template=self.template)


def test_a_dropped_then_empty_store_answers_503_and_the_service_recovers(
    engine: Engine, model_dir: Path, databases: Databases, seeded_template: str
) -> None:
    store = Store(engine, databases, seeded_template)
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
