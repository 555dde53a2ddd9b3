"""The console's session: a signed cookie holding a session id and the id of the key signed in.

The API key itself is never stored in the cookie, a URL or a log: signing in checks it once
(``access.authenticate``) and keeps its row id; every request re-checks that row for revocation
and expiry (``access.principal_of_key``). The cookie is ``HttpOnly`` and ``SameSite=Strict``.
Every unsafe request must carry the CSRF token derived from the session id, as a form field or
the ``X-CSRF-Token`` header (htmx sends it).
"""

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from fastapi import Request, Response
from sqlmodel import Session

from console.settings import ConsoleSettings, get_console_settings
from profiles import access
from profiles.access import Principal
from profiles.db import read_only
from profiles.errors import AuthenticationFailed

COOKIE = "cp_console"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


@lru_cache
def _secret(configured: str | None, path: Path) -> bytes:
    if configured:
        return configured.encode()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:  # created once, atomically: the first worker wins, the others read it
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.write(handle, secrets.token_hex(32).encode())
            os.close(handle)
        except FileExistsError:
            pass
    return path.read_bytes().strip()


def secret(settings: ConsoleSettings | None = None) -> bytes:
    settings = settings or get_console_settings()
    return _secret(settings.secret, settings.secret_file.resolve())


def _sign(payload: bytes, key: bytes) -> str:
    return hmac.new(key, payload, hashlib.sha256).hexdigest()


@dataclass
class ConsoleSession:
    """Who is at the browser: the session id, the key row signed in (if any), and its principal."""

    sid: str
    key_id: int | None = None
    expires: int = 0
    principal: Principal | None = None
    fresh: bool = False  # the cookie must be (re)set on the response
    notices: list[str] = field(default_factory=list)

    @property
    def csrf(self) -> str:
        return _sign(f"csrf|{self.sid}".encode(), secret())

    def cookie_value(self) -> str:
        payload = json.dumps({"sid": self.sid, "key": self.key_id, "exp": self.expires}).encode()
        body = base64.urlsafe_b64encode(payload).decode().rstrip("=")
        return f"{body}.{_sign(body.encode(), secret())}"


def _new(settings: ConsoleSettings) -> ConsoleSession:
    return ConsoleSession(
        sid=secrets.token_urlsafe(16),
        expires=int(time.time()) + settings.session_hours * 3600,
        fresh=True,
    )


def _parse(value: str | None) -> ConsoleSession | None:
    if not value or "." not in value:
        return None
    body, _, signature = value.rpartition(".")
    if not hmac.compare_digest(signature, _sign(body.encode(), secret())):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except ValueError:
        return None
    if int(data.get("exp", 0)) < time.time():
        return None
    return ConsoleSession(sid=str(data["sid"]), key_id=data.get("key"), expires=int(data["exp"]))


def load(request: Request) -> ConsoleSession:
    """The request's session (a new anonymous one when the cookie is missing, forged or old)."""
    cached = getattr(request.state, "console_session", None)
    if cached is not None:
        return cached
    settings = get_console_settings()
    current = _parse(request.cookies.get(COOKIE)) or _new(settings)
    if current.key_id is not None:
        with Session(read_only(request.app.state.engine)) as lookup:
            try:
                current.principal = access.principal_of_key(lookup, current.key_id)
            except AuthenticationFailed:
                current = _new(settings)
                current.notices.append("登录已失效（密钥已吊销或过期），请重新登录。")
    request.state.console_session = current
    return current


def sign_in(request: Request, key: str) -> ConsoleSession:
    """Check ``key`` once and start a new session for it (a new id: no session fixation)."""
    with Session(read_only(request.app.state.engine)) as lookup:
        principal = access.authenticate(lookup, key.strip())
    signed = _new(get_console_settings())
    signed.key_id, signed.principal = principal.key_id, principal
    request.state.console_session = signed
    return signed


def sign_out(request: Request) -> ConsoleSession:
    fresh = _new(get_console_settings())
    request.state.console_session = fresh
    return fresh


def csrf_ok(request: Request, sent: str | None) -> bool:
    current = load(request)
    return bool(sent) and not current.fresh and hmac.compare_digest(sent, current.csrf)


def remember(response: Response, current: ConsoleSession) -> None:
    if current.fresh:
        response.set_cookie(
            COOKIE,
            current.cookie_value(),
            max_age=max(0, current.expires - int(time.time())),
            httponly=True,
            samesite="strict",
            secure=get_console_settings().secure_cookie,
            path="/",
        )
