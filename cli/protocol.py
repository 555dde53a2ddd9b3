"""How ``counterpart serve`` runs the app: uvicorn's httptools protocol with the request head capped.

httptools (llhttp) is uvicorn's fast parser, but it accepts request headers of any size — 8 MiB
went through. ``HeaderCappedHttpTools`` counts the bytes of each request head as they arrive
and, once more than ``HEAD_MAX_BYTES`` have come without the head ending, answers 431 Request
Header Fields Too Large in problem+json, like every other error, and closes the connection.
Headers above the app's own cap (``COUNTERPART_HEADER_MAX_BYTES``, 16 KiB, kept below this
one) get the same 431 from the app. A head that ends inside one read is at most one read long
(uvicorn reads 256 KiB at a time) and is then measured exactly by the app.
"""

import json
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEAD_MAX_BYTES = 64 * 1024  # request line and headers the server reads at most
PROTOCOL = "cli.protocol:HeaderCappedHttpTools"  # an import string: each worker imports it

_BODY = json.dumps(
    {
        "type": "https://counterpart.example/problems/431",
        "title": "Request header fields too large",
        "status": 431,
        "detail": "the request's headers are larger than this server accepts",
    }
).encode()
REFUSAL = b"".join(
    [
        b"HTTP/1.1 431 Request Header Fields Too Large\r\n",
        b"content-type: application/problem+json\r\n",
        b"content-length: " + str(len(_BODY)).encode() + b"\r\n",
        b"connection: close\r\n\r\n",
        _BODY,
    ]
)


def uvicorn_options() -> dict[str, Any]:
    """The ``uvicorn.run`` options of ``counterpart serve``: the capped parser, and no
    ``X-Forwarded-For`` rewriting by uvicorn (the app honours it only from
    ``COUNTERPART_TRUSTED_PROXIES``). A worker builds its ranking engine as it starts, which
    holds the GIL for a while on a busy machine: uvicorn's 5 s health check would kill it."""
    return {"http": PROTOCOL, "proxy_headers": False, "timeout_worker_healthcheck": 120}


class HeaderCappedHttpTools(HttpToolsProtocol):
    """httptools, answering 431 when a request head outgrows ``HEAD_MAX_BYTES``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._in_head = True  # a connection starts with a request head
        self._head_bytes = 0
        self._ended = False  # a head ended in the read being parsed

    def data_received(self, data: bytes) -> None:
        counting, self._ended = self._in_head, False
        super().data_received(data)
        # Count a read only if it was all head: a read in which a head ended also carried
        # that request's body (and perhaps the start of the next head), which are not head.
        if not counting or not self._in_head or self._ended or self.transport.is_closing():
            return
        self._head_bytes += len(data)
        if self._head_bytes > HEAD_MAX_BYTES:
            self.transport.write(REFUSAL)
            self.transport.close()

    def on_headers_complete(self) -> None:
        self._in_head, self._head_bytes, self._ended = False, 0, True
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head = True
