"""Outgoing webhooks: Standard Webhooks signatures, a guard against server-side request
forgery, bounded timeouts and response sizes, and retries with exponential backoff."""

import base64
import hashlib
import hmac
import random
import secrets
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import httpx

from jobs.addresses import is_public, parse
from jobs.settings import JobSettings

USER_AGENT = "Counterpart-Webhooks/1"


class UnsafeUrl(ValueError):
    """The URL would reach a private, loopback or link-local address, or is not http(s)."""


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """``v1,<base64 HMAC-SHA256 over "id.timestamp.body">`` with the secret's key bytes."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def verify(secret: str, headers: dict[str, str], body: bytes, *, tolerance: int = 300) -> bool:
    """What a receiver does: recompute the signature and check the timestamp is fresh."""
    timestamp = int(headers["webhook-timestamp"])
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = sign(secret, headers["webhook-id"], timestamp, body)
    return any(
        hmac.compare_digest(expected, candidate)
        for candidate in headers["webhook-signature"].split()
    )


def check_url(url: str, settings: JobSettings) -> str | None:
    """Refuse URLs that resolve to addresses the service must not call (unless allowed).

    Returns the checked address to connect to (None for an exempt host), so that a delivery
    never resolves the name a second time (DNS rebinding)."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise UnsafeUrl("the URL must be http(s) with a host")
    if parts.hostname in settings.webhook_allowed_hosts or settings.webhook_allow_private:
        return None
    if parts.scheme != "https":
        raise UnsafeUrl("webhook URLs must use https")
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except socket.gaierror as error:
        raise UnsafeUrl(f"cannot resolve {parts.hostname}") from error
    for address in addresses:
        ip = parse(address)
        if not is_public(ip):
            raise UnsafeUrl(f"{parts.hostname} resolves to a non-public address ({ip})")
    return sorted(addresses)[0]


def _pinned(url: str, address: str | None) -> tuple[str, dict[str, str], dict[str, str]]:
    """The URL aimed at the checked address, with the Host header and TLS name of the original."""
    if address is None:
        return url, {}, {}
    parts = urlsplit(url)
    host = f"[{parse(address)}]" if ":" in address else address
    userinfo, at, original = parts.netloc.rpartition("@")
    netloc = userinfo + at + host + (f":{parts.port}" if parts.port else "")
    return (
        parts._replace(netloc=netloc).geturl(),
        {"host": original},
        {"sni_hostname": parts.hostname or ""},
    )


@dataclass(frozen=True)
class Attempt:
    delivered: bool
    gone: bool  # 410: the receiver asks us to stop
    status: int | None
    error: str | None
    unsafe: bool = False  # refused before sending: dead-lettered at once, never retried


def post(
    client: httpx.Client, url: str, secret: str, message_id: str, body: bytes, settings: JobSettings
) -> Attempt:
    """One signed delivery attempt; the response body is read only up to the cap."""
    try:
        target, host, extensions = _pinned(url, check_url(url, settings))
    except UnsafeUrl as error:
        return Attempt(False, False, None, f"unsafe URL: {error}"[:500], unsafe=True)
    timestamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, message_id, timestamp, body),
    } | host
    try:
        with client.stream(
            "POST", target, content=body, headers=headers, extensions=extensions
        ) as response:
            read = 0
            for chunk in response.iter_bytes():
                read += len(chunk)
                if read >= settings.webhook_max_response_bytes:
                    break
            status = response.status_code
    except httpx.HTTPError as error:
        return Attempt(False, False, None, f"{type(error).__name__}: {error}"[:500])
    return Attempt(
        200 <= status < 300, status == 410, status, None if status < 400 else f"HTTP {status}"
    )


def client(settings: JobSettings) -> httpx.Client:
    timeout = httpx.Timeout(settings.webhook_read_timeout, connect=settings.webhook_connect_timeout)
    return httpx.Client(timeout=timeout, follow_redirects=False)


def next_attempt(
    now: datetime, attempts: int, settings: JobSettings, rng: random.Random
) -> datetime:
    """Exponential backoff with full jitter: base · 2^(attempts−1) · U(0.5, 1.5)."""
    delay = settings.webhook_backoff_seconds * 2 ** max(attempts - 1, 0) * rng.uniform(0.5, 1.5)
    return now + timedelta(seconds=min(delay, 86_400))
