"""Dependencies injected into routes: the session and the settings."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.settings import ApiSettings, get_api_settings
from matching.engine import Engine as RankingEngine
from profiles.db import read_only
from profiles.ranking import EngineState
from profiles.text import text_problems


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


def refuse_control_text(request: Request) -> None:
    """The text rule (``profiles.text``) for every query and path parameter of every route,
    names included; bodies follow it through their ``Shape``. A 422 names the parameter."""
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
