"""Job fixtures: a context on the test store, and real HTTP receivers on 127.0.0.1."""

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import Engine

from jobs.settings import JobSettings
from jobs.tasks import Context
from matching.registry import ModelRegistry
from profiles.ranking import EngineState

SETTINGS = JobSettings(
    webhook_allow_private=True,
    webhook_backoff_seconds=1.0,
    webhook_read_timeout=0.5,
    webhook_connect_timeout=0.5,
    webhook_max_attempts=4,
    lease_seconds=2,
)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        from datetime import timedelta

        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime.now(UTC))


@pytest.fixture
def ctx(engine: Engine, model_dir: Path, clock: Clock) -> Iterator[Context]:
    with httpx.Client(timeout=httpx.Timeout(SETTINGS.webhook_read_timeout, connect=0.5)) as http:
        yield Context(
            engine=engine,
            state=EngineState(ModelRegistry(model_dir)),
            settings=SETTINGS,
            clock=clock,
            http=http,
        )


class Receiver:
    """A real HTTP endpoint. ``script`` is what it answers, in order (an int status, or "hang");
    after the script it answers 200. Every request is recorded."""

    def __init__(self, script: list[int | str] | None = None) -> None:
        self.script = list(script or [])
        self.requests: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                answer = receiver.script.pop(0) if receiver.script else 200
                if answer == "hang":
                    time.sleep(2.0)
                    answer = 200
                self.send_response(int(answer))
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *_: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receivers() -> Iterator[list[Receiver]]:
    made: list[Receiver] = []
    yield made
    for receiver in made:
        receiver.close()
