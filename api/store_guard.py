"""Every request gets an answer while the store is missing, empty or unreachable: a 503
problem+json with ``Retry-After``; and the service recovers by itself when the store returns.

``StoreGuard`` wraps the whole app (rate limiting and idempotency, which use the store, too).
A database error that reaches it is weighed by a probe (``profiles.migrate.unready``: can we
connect, is the schema at head?). If the store is not ready, it answers 503 and, for the next
``RETRY_SECONDS``, answers 503 at once without touching the store; then it probes again before
letting a request through, and on the first good probe drops the pool's old connections and
serves normally. A store that is ready but failed one query (a timeout, a lock) gets a plain
503 with ``Retry-After``; any other error is a bug and stays a 500.

A schema is never created here: an empty database may be a restore in progress. Run
``counterpart db upgrade`` (or restore a backup) and the service picks it up.
"""

import logging
import time

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem
from profiles.migrate import unready

log = logging.getLogger("counterpart.api")
RETRY_SECONDS = 2


class StoreGuard:
    def __init__(self, app: ASGIApp, *, engine: Engine) -> None:
        self.app = app
        self.engine = engine
        self.down_until = 0.0  # monotonic time until which requests get 503 without a probe
        self.reason: str | None = None

    def mark_down(self, reason: str) -> None:
        if self.reason is None:
            log.error("store unavailable: %s", reason)
        self.reason, self.down_until = reason, time.monotonic() + RETRY_SECONDS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.reason is not None and not await self._recovered():
            await _unavailable(scope, receive, send, self.reason, self._retry_after())
            return
        started = False

        async def watching(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watching)
        except SQLAlchemyError as error:
            if started:
                raise  # a streamed answer already under way: nothing better to send
            reason = await run_in_threadpool(unready, self.engine)
            if reason is not None:
                self.mark_down(reason)
                await _unavailable(scope, receive, send, reason, self._retry_after())
            elif isinstance(error, OperationalError | PoolTimeout):
                log.warning("database error: %s", error)
                await _unavailable(
                    scope, receive, send, "the database could not answer; try again", 1
                )
            else:
                raise

    async def _recovered(self) -> bool:
        if time.monotonic() < self.down_until:
            return False
        reason = await run_in_threadpool(unready, self.engine)
        if reason is not None:
            self.mark_down(reason)
            return False
        log.warning("store available again")
        self.reason = None
        self.engine.dispose()  # connections to a dropped or replaced database are stale
        return True

    def _retry_after(self) -> int:
        return max(1, round(self.down_until - time.monotonic()))


async def _unavailable(scope: Scope, receive: Receive, send: Send, reason: str, wait: int) -> None:
    answer = problem(
        503, "Store unavailable", reason, slug="unavailable", headers={"retry-after": str(wait)}
    )
    await answer(scope, receive, send)
