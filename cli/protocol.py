"""How ``counterpart serve`` runs the app: uvicorn's h11 protocol with the request head capped.

uvicorn's default protocol (httptools) accepts request headers of any size — 8 MiB went
through. h11 buffers at most ``h11_max_incomplete_event_size`` bytes of request line and
headers (``HEAD_MAX_BYTES``) and refuses more; uvicorn answers that with a bare 400, so
``HeaderCappedH11`` answers it as what it is: 431 Request Header Fields Too Large, in
problem+json like every other error. Headers above the app's own cap
(``COUNTERPART_HEADER_MAX_BYTES``, 16 KiB, kept below this one) get the same 431 from the app.
"""

import json
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

HEAD_MAX_BYTES = 64 * 1024  # request line and headers the server reads at most
PROTOCOL = "cli.protocol:HeaderCappedH11"  # an import string: each worker imports it


def uvicorn_options() -> dict[str, Any]:
    """The ``uvicorn.run`` options that cap the request head."""
    return {"http": PROTOCOL, "h11_max_incomplete_event_size": HEAD_MAX_BYTES}


class HeaderCappedH11(H11Protocol):
    """h11, answering 431 (not 400) when the request head outgrows the buffer."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._refusal: int | None = None
        next_event = self.conn.next_event

        def noting_refusals() -> Any:
            try:
                return next_event()
            except h11.RemoteProtocolError as error:
                self._refusal = error.error_status_hint
                raise

        self.conn.next_event = noting_refusals  # type: ignore[method-assign]

    def send_400_response(self, msg: str) -> None:
        if self._refusal != 431:
            super().send_400_response(msg)
            return
        body = json.dumps(
            {
                "type": "https://counterpart.example/problems/431",
                "title": "Request header fields too large",
                "status": 431,
                "detail": "the request's headers are larger than this server accepts",
            }
        ).encode()
        headers = [(b"content-type", b"application/problem+json"), (b"connection", b"close")]
        for event in (
            h11.Response(
                status_code=431, headers=headers, reason=b"Request Header Fields Too Large"
            ),
            h11.Data(data=body),
            h11.EndOfMessage(),
        ):
            self.transport.write(self.conn.send(event))
        self.transport.close()
