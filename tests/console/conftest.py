"""Console fixtures: a signed-in browser-like client per role (TestClient keeps cookies)."""

import re
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from api.main import create_app
from tests.conftest import KEYS

CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


def csrf_of(client: TestClient, path: str = "/") -> str:
    page = client.get(path)
    match = CSRF.search(page.text)
    assert match, page.text[:500]
    return match.group(1)


def sign_in(client: TestClient, principal: str) -> TestClient:
    token = csrf_of(client, "/signin")
    answer = client.post(
        "/signin",
        data={"api_key": KEYS[principal], "next": "/", "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text[:500]
    return client


@pytest.fixture
def browser(engine: Engine, model_dir) -> Iterator[Callable[[str | None], TestClient]]:
    """``browser(principal)``: a client signed in as ``principal`` (None: anonymous)."""
    clients: list[TestClient] = []

    def open_as(principal: str | None = None) -> TestClient:
        client = TestClient(create_app(engine, model_dir, start_scheduler=False))
        client.__enter__()
        clients.append(client)
        return sign_in(client, principal) if principal else client

    yield open_as
    for client in clients:
        client.__exit__(None, None, None)
