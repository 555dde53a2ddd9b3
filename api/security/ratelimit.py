"""Requests per minute, counted by the ``limits`` library (a moving window of one minute).

Two kinds of bucket: ``key`` (a verified API key, by its id) and ``ip`` (the client address).
A request with a key is charged to the key only once the key is verified
(``api.security.policy.get_principal``); a request without one, or with a key that does not
verify, is charged to its address. So nobody can spend another key's quota by knowing its
prefix, and made-up keys cost their sender.

Storage: in memory by default — counted per worker process, so with ``--workers N`` a client
gets up to N times the limit — or Redis when ``COUNTERPART_RATE_LIMIT_STORAGE=redis://…``,
which every worker and every host shares. Either way nothing is written to the store.

The client address is the peer's, unless the peer is one of ``COUNTERPART_TRUSTED_PROXIES``
(addresses or networks; none by default): then it is the last address in ``X-Forwarded-For``
that is not itself a trusted proxy.
"""

import ipaddress
import math
import time
from collections.abc import Sequence

from limits import RateLimitItem, RateLimitItemPerMinute
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter
from starlette.concurrency import run_in_threadpool
from starlette.types import Scope

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class RateLimited(Exception):
    """Over a bucket's limit; ``wait`` seconds until a request would count again."""

    def __init__(self, wait: int) -> None:
        super().__init__(f"slow down: try again in {wait} s")
        self.wait = wait


class RateLimiter:
    """Per-minute limits for keys and addresses, over ``storage`` (a ``limits`` storage URI)."""

    def __init__(
        self,
        *,
        per_key: int,
        per_address: int,
        storage: str = "memory://",
        trusted_proxies: Sequence[str] = (),
    ) -> None:
        self.storage = storage_from_string(storage)
        self.window = MovingWindowRateLimiter(self.storage)
        self.limits: dict[str, RateLimitItem] = {
            "key": RateLimitItemPerMinute(per_key),
            "ip": RateLimitItemPerMinute(per_address),
        }
        self.trusted: tuple[Network, ...] = tuple(
            ipaddress.ip_network(p, strict=False) for p in trusted_proxies
        )
        # Memory answers at once; a network storage is asked from a worker thread.
        self._local = isinstance(self.storage, MemoryStorage)

    async def charge(self, kind: str, who: str) -> None:
        """Count one request in bucket ``kind:who``; ``RateLimited`` if it is over its limit."""
        wait = (
            self._hit(kind, who) if self._local else await run_in_threadpool(self._hit, kind, who)
        )
        if wait:
            raise RateLimited(wait)

    def _hit(self, kind: str, who: str) -> int:
        item = self.limits[kind]
        if self.window.hit(item, kind, who):
            return 0
        reset = self.window.get_window_stats(item, kind, who).reset_time
        return max(1, math.ceil(reset - time.time()))

    def address(self, scope: Scope) -> str:
        """The client's address: the peer's, or the one a trusted proxy forwarded."""
        client = scope.get("client")
        peer = client[0] if client else "unknown"
        if not self.trusted or not self._is_trusted(peer):
            return peer
        forwarded = [
            value.decode("latin-1")
            for name, value in scope.get("headers", [])
            if name == b"x-forwarded-for"
        ]
        hops = [hop.strip() for value in forwarded for hop in value.split(",") if hop.strip()]
        for hop in reversed(hops):
            if not self._is_trusted(hop):
                return hop
        return peer

    def _is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.trusted)

    def reset(self) -> None:
        """Forget every count (tests; an operator's escape hatch)."""
        self.storage.reset()


_PENDING = "rate_pending"


def defer(scope: Scope, limiter: RateLimiter, address: str) -> None:
    """Note that this request is still to be charged, and to which address."""
    scope.setdefault("state", {})[_PENDING] = (limiter, address)


async def settle(scope: Scope, key_id: str | None) -> None:
    """Charge the request once: to its verified key, or (``key_id`` None) to its address."""
    pending = scope.get("state", {}).pop(_PENDING, None)
    if pending is None:
        return
    limiter, address = pending
    if key_id is None:
        await limiter.charge("ip", address)
    else:
        await limiter.charge("key", key_id)
