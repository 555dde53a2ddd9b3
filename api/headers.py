"""Request headers capped at ``COUNTERPART_HEADER_MAX_BYTES``: 431 above it (RFC 6585).

The server caps the head it buffers (see ``api.server``); this answers the same 431 for any
server (or test client) that passes larger headers through.
"""

import json
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send


class HeaderCap:
    """Pure ASGI: the sum of header names and values must stay within the cap."""

    def __init__(self, app: ASGIApp, *, settings_of: Callable[[], Any]) -> None:
        self.app = app
        self.settings_of = settings_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            cap = self.settings_of().header_max_bytes
            size = sum(len(name) + len(value) for name, value in scope.get("headers", []))
            if size > cap:
                await _too_large(send, cap)
                return
        await self.app(scope, receive, send)


async def _too_large(send: Send, cap: int) -> None:
    body = json.dumps(
        {
            "type": "https://counterpart.example/problems/431",
            "title": "Request header fields too large",
            "status": 431,
            "detail": f"request headers may total at most {cap} bytes",
        }
    ).encode()
    headers = [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": 431, "headers": headers})
    await send({"type": "http.response.body", "body": body})
