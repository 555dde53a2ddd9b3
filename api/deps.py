"""Dependencies injected into routes: the session and the settings."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.cache import PageCache
from api.settings import ApiSettings, get_api_settings
from matching.engine import Engine as RankingEngine
from profiles.db import read_only
from profiles.ranking import EngineState
from profiles.text import text_problems


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request: committed when the route succeeds, rolled back otherwise.

    ``SessionDep`` closes it as the route returns, so the commit happens before the response
    is sent: a client never sees success for a write that a crash could still lose. Reads
    (GET, HEAD) use a read-only transaction so they never queue behind writers. A POST with an
    Idempotency-Key runs on the session the idempotency middleware opened, which commits the
    route's writes together with the stored response. Making the session costs nothing; only a
    session that began a transaction goes to a worker thread to commit or roll back.
    """
    shared = getattr(request.state, "idempotent_session", None)
    if shared is not None:
        try:
            yield shared
        except BaseException:
            await run_in_threadpool(shared.rollback)
            raise
        return
    engine: Engine = request.app.state.engine
    bind = read_only(engine) if request.method in ("GET", "HEAD") else engine
    session = Session(bind, expire_on_commit=False)
    try:
        yield session
        if _pending(session):
            await run_in_threadpool(session.commit)
    except BaseException:
        if _pending(session):
            await run_in_threadpool(session.rollback)
        raise
    finally:
        session.close()  # no transaction is left open: nothing to wait for


def _pending(session: Session) -> bool:
    return bool(session.in_transaction() or session.new or session.dirty or session.deleted)


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
# For streamed responses only (exports): the session lives until the last chunk is sent.
StreamingSessionDep = Annotated[Session, Depends(get_session)]


async def get_engine_state(request: Request) -> EngineState:
    return request.app.state.engine_state


def get_ranking_engine(
    session: SessionDep, state: Annotated[EngineState, Depends(get_engine_state)]
) -> RankingEngine:
    return state.get(session)


EngineStateDep = Annotated[EngineState, Depends(get_engine_state)]
EngineDep = Annotated[RankingEngine, Depends(get_ranking_engine)]


async def get_city_pages(request: Request) -> PageCache:
    return request.app.state.city_pages


async def get_recommendation_pages(request: Request) -> PageCache:
    return request.app.state.recommendation_pages


CityPagesDep = Annotated[PageCache, Depends(get_city_pages)]
RecommendationPagesDep = Annotated[PageCache, Depends(get_recommendation_pages)]


async def get_app_settings(request: Request) -> ApiSettings:
    return getattr(request.app.state, "settings", None) or get_api_settings()


SettingsDep = Annotated[ApiSettings, Depends(get_app_settings)]


async def refuse_control_text(request: Request) -> None:
    """The text rule (``profiles.text``) for every query and path parameter of every route,
    names included; bodies follow it through their ``Shape``. A 422 names the parameter."""
    if not request.scope.get("query_string") and not request.path_params:
        return
    found = [
        {"loc": (place, name), "msg": f"Value error, {reason}", "type": "value_error"}
        for place, params in (
            ("query", request.query_params.multi_items()),
            ("path", list(request.path_params.items())),
        )
        for name, value in params
        for _, reason in text_problems([name, value] if isinstance(value, str) else [name])
    ]
    if found:
        raise RequestValidationError(found)
