"""``Idempotency-Key`` on POST: the same key and body replay the stored response, once written.

1. A short transaction claims the key (``in_flight`` with a lease), or finds it: ``done`` →
   replay the stored response; another body → 422; still in flight → 409 with Retry-After.
2. The request runs on a session shared with the route (``api.deps.get_session`` uses it), and
   its writes, the stored response and ``done`` are committed together, before the response
   is sent. A crash therefore leaves both or neither; a claim whose lease ran out (its request
   died before committing) is taken over by the next retry.
"""

import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem
from profiles.models import IdempotencyRecord

HEADER = b"idempotency-key"
MAX_KEY = 255


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Outcome:
    action: str  # "proceed" | "replay" | "mismatch" | "in_flight"
    record: IdempotencyRecord | None = None


def claim(engine: Engine, key: str, fingerprint: str, lease: timedelta) -> Outcome:
    """Claim ``key`` for this request, or say what to do instead."""
    for _ in range(3):
        with Session(engine) as session:
            record = session.get(IdempotencyRecord, key, with_for_update=True)
            now = _now()
            if record is None:
                session.add(
                    IdempotencyRecord(
                        key=key,
                        fingerprint=fingerprint,
                        state="in_flight",
                        lease_until=now + lease,
                        created_at=now,
                        updated_at=now,
                    )
                )
                try:
                    session.commit()
                except IntegrityError:  # another request claimed it between our read and write
                    continue
                return Outcome("proceed")
            if record.fingerprint != fingerprint:
                return Outcome("mismatch", record)
            if record.state == "done":
                session.expunge(record)
                return Outcome("replay", record)
            if _aware(record.lease_until) > now:
                return Outcome("in_flight", record)
            record.lease_until = (
                now + lease
            )  # the earlier request died before committing: take over
            record.updated_at = now
            session.commit()
            return Outcome("proceed")
    return Outcome("in_flight")


def release(engine: Engine, key: str) -> None:
    """Forget a claim whose request failed, so that a retry may run at once."""
    with Session(engine) as session:
        record = session.get(IdempotencyRecord, key)
        if record is not None and record.state == "in_flight":
            session.delete(record)
            session.commit()


class IdempotencyMiddleware:
    """Pure ASGI middleware (no buffering of anything but keyed POSTs)."""

    def __init__(self, app: ASGIApp, lease_seconds: float = 60.0) -> None:
        self.app = app
        self.lease = timedelta(seconds=lease_seconds)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = dict(scope.get("headers", [])).get(HEADER) if scope["type"] == "http" else None
        if key is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        text = key.decode("latin-1").strip()
        if not 0 < len(text) <= MAX_KEY:
            refusal = _refusal(
                422, "Invalid Idempotency-Key", f"the key must be 1–{MAX_KEY} characters"
            )
            await refusal(scope, receive, send)
            return
        body = await _read_body(receive)
        digest = hashlib.sha256(
            b"\n".join(
                [
                    scope["method"].encode(),
                    scope["path"].encode(),
                    scope.get("query_string", b""),
                    body,
                ]
            )
        ).hexdigest()
        engine: Engine = scope["app"].state.engine
        outcome = await run_in_threadpool(claim, engine, text, digest, self.lease)
        if outcome.action != "proceed":
            await self._answer(outcome)(scope, receive, send)
            return
        await self._run(scope, body, send, engine, text)

    @staticmethod
    def _answer(outcome: Outcome) -> Response:
        if outcome.action == "mismatch":
            return _refusal(
                422, "Idempotency-Key reused", "this key was used with a different request body"
            )
        if outcome.action == "in_flight":
            return _refusal(
                409,
                "Request in progress",
                "a request with this Idempotency-Key is still being processed",
                headers={"retry-after": "1"},
            )
        record = outcome.record
        assert record is not None
        return Response(
            (record.response or "").encode(),
            status_code=record.status_code or 200,
            headers={
                "content-type": record.content_type or "application/json",
                "idempotent-replayed": "true",
            },
        )

    async def _run(self, scope: Scope, body: bytes, send: Send, engine: Engine, key: str) -> None:
        session = Session(engine)
        scope.setdefault("state", {})["idempotent_session"] = session
        messages: list[Message] = []
        delivered = False

        async def replay_receive() -> Message:
            nonlocal delivered
            if delivered:
                return {"type": "http.disconnect"}
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def capture(message: Message) -> None:
            messages.append(message)

        try:
            await self.app(scope, replay_receive, capture)
            start = next(m for m in messages if m["type"] == "http.response.start")
            if start["status"] >= 500:
                await run_in_threadpool(session.rollback)
                await run_in_threadpool(release, engine, key)
            else:
                await run_in_threadpool(self._commit, session, key, start, messages)
                _fault_after_commit(key)
        except BaseException:
            await run_in_threadpool(session.rollback)
            await run_in_threadpool(release, engine, key)
            raise
        finally:
            await run_in_threadpool(session.close)
        for message in messages:
            await send(message)

    @staticmethod
    def _commit(session: Session, key: str, start: Message, messages: list[Message]) -> None:
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
        headers = {k.decode().lower(): v.decode() for k, v in start.get("headers", [])}
        record = session.get(IdempotencyRecord, key)
        if record is None:  # the claim was lost (expired and taken over): store nothing twice
            session.rollback()
            return
        record.state = "done"
        record.status_code = start["status"]
        record.content_type = headers.get("content-type")
        record.response = body.decode("utf-8", errors="replace")
        record.updated_at = _now()
        session.add(record)
        session.commit()


def _fault_after_commit(key: str) -> None:
    """Durability tests only: die between the commit and the response for one chosen key."""
    if os.environ.get("COUNTERPART_FAULT_CRASH_AFTER_COMMIT") == key:
        os._exit(137)


def _refusal(
    status: int, title: str, detail: str, *, headers: dict[str, str] | None = None
) -> Response:
    return problem(status, title, detail, slug=f"idempotency-{status}", headers=headers)


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message: dict[str, Any] = await receive()
        if message["type"] == "http.request":
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                return b"".join(chunks)
        elif message["type"] == "http.disconnect":
            return b"".join(chunks)
