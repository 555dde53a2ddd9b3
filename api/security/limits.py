"""Limits on every request, as pure ASGI: body size (413), rate (429) and security headers."""

from collections.abc import Callable
from typing import Any

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem
from api.security.ratelimit import RateLimiter
from profiles.access import key_prefix

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
]


class Limits:
    """Body size (413), rate per key and per client address (429), security headers on all."""

    def __init__(
        self, app: ASGIApp, *, settings_of: Callable[[], Any], rate: RateLimiter | None
    ) -> None:
        self.app = app
        self.settings_of = settings_of
        self.rate = rate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        settings = self.settings_of()
        headers = dict(scope.get("headers", []))
        limit = (
            settings.import_max_bytes
            if scope["path"].endswith("/import")
            else settings.body_max_bytes
        )
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(limit)(scope, receive, with_headers)
            return
        if self.rate is not None:
            wait = await self.rate.check(_buckets(scope, headers))
            if wait:
                slow_down = problem(
                    429,
                    "Too many requests",
                    "slow down",
                    slug="429",
                    headers={"retry-after": str(wait)},
                )
                await slow_down(scope, receive, with_headers)
                return
        if declared is None and scope["method"] in ("POST", "PUT", "PATCH"):
            body = await _read_at_most(receive, limit)
            if body is None:
                await _too_large(limit)(scope, receive, with_headers)
                return
            receive = _replay(body)
        await self.app(scope, receive, with_headers)


def _too_large(limit: int) -> Response:
    return problem(413, "Payload too large", f"the body limit here is {limit} bytes", slug="413")


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


def _buckets(scope: Scope, headers: dict[bytes, bytes]) -> list[str]:
    """The rate buckets a request counts against: its key (when well-formed) and its address."""
    buckets = []
    token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")[2].strip()
    prefix = key_prefix(token)
    if prefix is not None:
        buckets.append(f"key:{prefix}")
    client = scope.get("client")
    buckets.append(f"ip:{client[0] if client else 'unknown'}")
    return buckets
