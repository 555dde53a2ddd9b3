"""Dependencies injected into routes: the session and the settings."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.settings import ApiSettings, get_api_settings
from matching.engine import Engine as RankingEngine
from profiles.db import read_only
from profiles.ranking import EngineState


def get_db_engine(request: Request) -> Engine:
    return request.app.state.engine


def get_session(
    request: Request, engine: Annotated[Engine, Depends(get_db_engine)]
) -> Iterator[Session]:
    """One session per request: committed when the route succeeds, rolled back otherwise.

    ``SessionDep`` closes it as the route returns, so the commit happens before the response
    is sent: a client never sees success for a write that a crash could still lose. Reads
    (GET, HEAD) use a read-only transaction so they never queue behind writers. A POST with an
    Idempotency-Key runs on the session the idempotency middleware opened, which commits the
    route's writes together with the stored response.
    """
    shared = getattr(request.state, "idempotent_session", None)
    if shared is not None:
        try:
            yield shared
        except BaseException:
            shared.rollback()
            raise
        return
    bind = read_only(engine) if request.method in ("GET", "HEAD") else engine
    with Session(bind, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
# For streamed responses only (exports): the session lives until the last chunk is sent.
StreamingSessionDep = Annotated[Session, Depends(get_session)]


def get_engine_state(request: Request) -> EngineState:
    return request.app.state.engine_state


def get_ranking_engine(
    session: SessionDep, state: Annotated[EngineState, Depends(get_engine_state)]
) -> RankingEngine:
    return state.get(session)


EngineStateDep = Annotated[EngineState, Depends(get_engine_state)]
EngineDep = Annotated[RankingEngine, Depends(get_ranking_engine)]


def get_app_settings(request: Request) -> ApiSettings:
    return getattr(request.app.state, "settings", None) or get_api_settings()


SettingsDep = Annotated[ApiSettings, Depends(get_app_settings)]
