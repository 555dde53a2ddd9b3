"""Liveness (``/health``: one cheap read) and readiness with the catalogue's counts
(``/health/ready``: counted at most every ``COUNTERPART_READY_CACHE_SECONDS``)."""

import asyncio
import time
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.deps import SettingsDep
from api.security import ALL, allow
from profiles.db import read_only
from profiles.repository import catalogue_counts, ping

router = APIRouter(tags=["health"], dependencies=[allow(*ALL, read=True)])


class Health(BaseModel):
    status: str
    database: str


class Ready(Health):
    counts: dict[str, int]
    counted_seconds_ago: float


class SharedPing:
    """The store's liveness ping, one at a time: probes that arrive while a ping is under way
    share its answer instead of each taking a connection and a worker thread."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._running: asyncio.Future[None] | None = None

    async def __call__(self) -> None:
        if self.engine.dialect.name == "sqlite":
            ping(self.engine)  # a local file: microseconds, cheaper than a hop to a thread
            return
        if self._running is None:
            self._running = asyncio.ensure_future(run_in_threadpool(ping, self.engine))
            self._running.add_done_callback(self._finished)
        await asyncio.shield(self._running)

    def _finished(self, _: asyncio.Future[None]) -> None:
        self._running = None


@router.get("/health", summary="存活 Liveness: the service answers and its store is readable")
async def health(request: Request) -> Health:
    await request.app.state.ping()
    return Health(status="ok", database=request.app.state.engine.dialect.name)


@router.get("/health/ready", summary="就绪 Readiness, with the catalogue's counts (cached)")
async def ready(request: Request, settings: SettingsDep) -> Ready:
    engine = request.app.state.engine
    cached = getattr(request.app.state, "ready_counts", None)
    now = time.monotonic()
    if cached is None or now - cached[0] > settings.ready_cache_seconds:
        cached = (now, await run_in_threadpool(_read, engine, catalogue_counts))
        request.app.state.ready_counts = cached
    return Ready(
        status="ok",
        database=engine.dialect.name,
        counts=cached[1],
        counted_seconds_ago=round(now - cached[0], 3),
    )


def _read(engine: Engine, work: Callable[[Session], Any]) -> Any:
    with Session(read_only(engine)) as session:
        return work(session)
