"""Limits on every request, as pure ASGI: header size (431), body size (413), rate (429) and
security headers."""

from collections.abc import Callable
from contextlib import suppress
from typing import Any

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import problem, rate_limited
from api.security.ratelimit import RateLimited, RateLimiter, defer, settle

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
]


class Limits:
    """Header size (431), body size (413), rate per key and per client address (429), security
    headers on all. ``counterpart serve`` also caps the head it reads (``cli.protocol``)."""

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
        size = sum(len(name) + len(value) for name, value in scope.get("headers", []))
        if size > settings.header_max_bytes:
            cap = settings.header_max_bytes
            too_large = problem(
                431,
                "Request header fields too large",
                f"request headers may total at most {cap} bytes",
                slug="431",
            )
            await too_large(scope, receive, with_headers)
            return
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
        keyed = False
        if self.rate is not None:
            # A keyed request is charged once its key is verified (``get_principal``), to the
            # key, or to the address if it does not verify; any other, to the address, now.
            keyed = b"authorization" in headers
            defer(scope, self.rate, self.rate.address(scope))
            if not keyed:
                try:
                    await settle(scope, None)
                except RateLimited as limited:
                    await too_many(limited)(scope, receive, with_headers)
                    return
        if declared is None and scope["method"] in ("POST", "PUT", "PATCH"):
            body = await _read_at_most(receive, limit)
            if body is None:
                await _too_large(limit)(scope, receive, with_headers)
                return
            receive = _replay(body)
        await self.app(scope, receive, with_headers)
        if keyed:  # a route that never looked at the key: the address pays (already answered,
            with suppress(RateLimited):  # the count stands for the next request)
                await settle(scope, None)


def too_many(limited: RateLimited) -> Response:
    return rate_limited(None, limited)


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
