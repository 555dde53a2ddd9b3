"""Access policy, limits and headers for every route.

Every route declares its policy with ``allow(...)`` (a dependency that returns the caller's
``Principal``); ``tests/api/test_authorization.py`` walks the app's route table and fails for a
route without one. Reads may be public (``COUNTERPART_PUBLIC_READ``); writes always need a key.
Object-level checks (someone else's object → 404) live with the routes, on top of this.
"""

import json
import time
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import HTTPBearer
from sqlalchemy import create_engine
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.deps import SessionDep, SettingsDep
from matching.vocabulary import Role
from profiles import access
from profiles.access import AuthenticationFailed, Forbidden, Principal
from profiles.db import read_only
from profiles.models import RateWindow

ALL = tuple(Role)
WRITERS = (Role.admin, Role.office, Role.enterprise, Role.university)
# Declares the scheme in OpenAPI (the docs' "Authorize" button); the header is parsed below so
# that a malformed one gets our own 401 rather than being silently ignored.
BEARER = HTTPBearer(auto_error=False, description="`counterpart keys create` 生成的 API 密钥")


def get_principal(
    request: Request, session: SessionDep, _documented: Annotated[Any, Security(BEARER)]
) -> Principal | None:
    """The caller, from ``Authorization: Bearer <key>``; None without the header.

    The key is checked in a short read-only session of its own, so that authenticating never
    opens (and, on SQLite, locks) the request's write transaction; the request's session is
    only told who acts, for the audit log.
    """
    header = request.headers.get("authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationFailed("send the key as Authorization: Bearer <key>")
    with Session(read_only(request.app.state.engine)) as lookup:
        principal = access.authenticate(lookup, token.strip())
    session.info["principal"] = principal.id
    return principal


PrincipalDep = Annotated[Principal | None, Depends(get_principal)]


def allow(*roles: Role, read: bool = False) -> Any:
    """The route's policy: which roles may call it, and whether it is a (possibly public) read."""

    def policy(principal: PrincipalDep, settings: SettingsDep) -> Principal | None:
        if principal is None:
            if read and settings.public_read:
                return None
            raise AuthenticationFailed("this needs an API key: Authorization: Bearer <key>")
        if principal.role not in roles:
            raise Forbidden(f"the {principal.role.value} role may not do this")
        return principal

    policy.roles = roles  # type: ignore[attr-defined]
    policy.read = read  # type: ignore[attr-defined]
    return Depends(policy)


Reader = Annotated[Principal | None, allow(*ALL, read=True)]
Writer = Annotated[Principal, allow(*WRITERS)]
Office = Annotated[Principal, allow(Role.admin, Role.office)]
Admin = Annotated[Principal, allow(Role.admin)]


def policy_of(route: Any) -> tuple[tuple[Role, ...], bool] | None:
    """The (roles, read) a route declared, for the route-table test."""
    stack = list(route.dependant.dependencies)
    while stack:
        dependency = stack.pop()
        if hasattr(dependency.call, "roles"):
            return dependency.call.roles, dependency.call.read
        stack.extend(dependency.dependencies)
    return None


# ---------------------------------------------------------------- limits
class Limits:
    """Pure ASGI: body size (413), rate per key and per client address (429), security headers."""

    def __init__(
        self, app: ASGIApp, *, settings_of: Callable[[], Any], rate: "RateLimiter | None"
    ) -> None:
        self.app = app
        self.settings_of = settings_of
        self.rate = rate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        settings = self.settings_of()
        headers = dict(scope.get("headers", []))
        limit = (
            settings.import_max_bytes
            if scope["path"].endswith("/import")
            else settings.body_max_bytes
        )
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _refuse(send, 413, "Payload too large", f"the body limit here is {limit} bytes")
            return
        if self.rate is not None:
            wait = await self.rate.check(_buckets(scope, headers))
            if wait:
                await _refuse(
                    send,
                    429,
                    "Too many requests",
                    "slow down",
                    [(b"retry-after", str(wait).encode())],
                )
                return
        if declared is None and scope["method"] in ("POST", "PUT", "PATCH"):
            body = await _read_at_most(receive, limit)
            if body is None:
                await _refuse(
                    send, 413, "Payload too large", f"the body limit here is {limit} bytes"
                )
                return
            receive = _replay(body)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


async def _read_at_most(receive: Receive, limit: int) -> bytes | None:
    """The whole body of a request without Content-Length, or None past ``limit`` bytes."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
]


async def _refuse(
    send: Send, status: int, title: str, detail: str, extra: list[tuple[bytes, bytes]] = ()
) -> None:
    body = json.dumps(
        {
            "type": f"https://counterpart.example/problems/{status}",
            "title": title,
            "status": status,
            "detail": detail,
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                *extra,
                *SECURITY_HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _buckets(scope: Scope, headers: dict[bytes, bytes]) -> list[str]:
    buckets = []
    token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")[2].strip()
    parts = token.split("_", 2)
    if len(parts) == 3 and parts[0] == "cpk":
        buckets.append(f"key:{parts[1]}")
    client = scope.get("client")
    buckets.append(f"ip:{client[0] if client else 'unknown'}")
    return buckets


class RateLimiter:
    """Fixed one-minute windows counted in a database table, so every worker process shares them.

    On PostgreSQL the service's own database holds the counts; on SQLite a separate file next to
    the store does, so that counting never waits behind the store's writers.
    """

    def __init__(self, engine: Engine, *, per_key: int, per_address: int) -> None:
        self.engine = _rate_engine(engine)
        self.limits = {"key": per_key, "ip": per_address}
        RateWindow.__table__.create(self.engine, checkfirst=True)  # type: ignore[attr-defined]

    async def check(self, buckets: list[str]) -> int:
        from starlette.concurrency import run_in_threadpool

        return await run_in_threadpool(self._hit, buckets)

    def _hit(self, buckets: list[str]) -> int:
        now = time.time()
        window = int(now // 60)
        insert = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        with self.engine.begin() as connection:
            for bucket in buckets:
                statement = insert(RateWindow).values(bucket=bucket, window=window, count=1)
                statement = statement.on_conflict_do_update(
                    index_elements=["bucket", "window"], set_={"count": RateWindow.count + 1}
                ).returning(RateWindow.count)
                count = connection.execute(statement).scalar_one()
                if count > self.limits[bucket.split(":", 1)[0]]:
                    return max(1, 60 - int(now % 60))
        return 0


def _rate_engine(engine: Engine) -> Engine:
    if engine.dialect.name != "sqlite":
        return engine
    database = make_url(str(engine.url)).database
    path = f"{database}-ratelimit" if database and database != ":memory:" else ":memory:"
    return create_engine(
        f"sqlite:///{path}", connect_args={"check_same_thread": False, "timeout": 30}
    )
