"""Request headers are capped: 431 above the cap, from the app and from the real server."""

import socket
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.durability.server import Server


def test_headers_above_the_cap_are_431(client: TestClient) -> None:
    response = client.get("/api/v1/health", headers={"x-padding": "a" * 20_000})
    assert response.status_code == 431
    assert response.headers["content-type"] == "application/problem+json"
    assert client.get("/api/v1/health", headers={"x-padding": "a" * 8_000}).status_code == 200


def _raw_status(port: int, header_bytes: int) -> bytes:
    """The status line the server answers to a GET carrying ``header_bytes`` of one header."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Padding: ")
        sent = 0
        try:
            while sent < header_bytes:
                chunk = min(65_536, header_bytes - sent)
                connection.sendall(b"a" * chunk)
                sent += chunk
            connection.sendall(b"\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before reading it all
        return connection.makefile("rb").readline()


def test_the_server_refuses_8_mib_of_headers_with_431(
    engine: Engine, model_dir: Path, tmp_path: Path
) -> None:
    """uvicorn's default protocol accepted 8 MiB of headers; the served one stops at the cap."""
    url = engine.url.render_as_string(hide_password=False)
    with Server(url, model_dir, tmp_path, env={"COUNTERPART_SCHEDULER_ENABLED": "false"}) as server:
        assert _raw_status(server.port, 8 * 1024 * 1024).startswith(b"HTTP/1.1 431")
        assert _raw_status(server.port, 20_000).startswith(b"HTTP/1.1 431")  # the app's cap
        assert _raw_status(server.port, 1_000).startswith(b"HTTP/1.1 200")
        for size in (100_000, 900_000):  # under the body cap: the head cap does not apply
            assert _raw_post_status(server.port, size).startswith(b"HTTP/1.1 401")


def _raw_post_status(port: int, body_bytes: int) -> bytes:
    """The status line the server answers to a keyless POST whose body (``body_bytes`` of JSON)
    arrives with its head in one write, as a client's large request often does."""
    body = b'{"name": "' + b"a" * (body_bytes - 12) + b'"}'
    head = "POST /api/v1/enterprises HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
    head += f"Content-Length: {len(body)}\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(head.encode() + body)
        return connection.makefile("rb").readline()
