"""Rendered answers to catalogue reads, kept while the tables they read are unchanged.

Catalogue lists and recommendations are read far more often than what they are built from
changes. A ``PageCache`` keeps the JSON bytes of recent answers, keyed by their parameters, for
one version of what they read: a ``profiles.versions.Versioned`` stamp of the tables (cities),
or the ranking engine itself (recommendations: it is rebuilt whenever its inputs change). Both
are checked as the engine is: within a second for another host's writes, at once for this
process's own. A hit is served as it was rendered: no query, no validation, no encoding.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Protocol

from fastapi import Response
from pydantic import BaseModel
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool


class _Recent:
    """The ``size`` most recently used answers."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._items: OrderedDict[Hashable, bytes] = OrderedDict()

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            body = self._items.get(key)
            if body is not None:
                self._items.move_to_end(key)
            return body

    def put(self, key: Hashable, body: bytes) -> None:
        with self._lock:
            self._items[key] = body
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


class Source(Protocol):
    """What answers are kept for: a version of the store, compared by identity."""

    def fresh(self) -> object | None:
        """The current version if it needs no check (no query), else None."""

    def get(self, session: Session) -> object:
        """The current version, read from the store if need be."""


class PageCache:
    """JSON answers for the current version of ``source``; at most ``size`` kept."""

    def __init__(self, source: Source, *, size: int = 256) -> None:
        self.source, self.size = source, size
        self._pages: tuple[object, _Recent] | None = None

    def _recent(self, version: object) -> _Recent:
        pages = self._pages
        if pages is None or pages[0] is not version:
            pages = self._pages = (version, _Recent(self.size))
        return pages[1]

    async def answer(
        self, session: Session, key: Hashable, render: Callable[[], BaseModel]
    ) -> Response:
        """The kept answer for ``key``, or ``render()``'s, encoded once and kept. A hit whose
        version needs no check is served on the event loop; anything that reads the store
        goes to a worker thread."""
        version = self.source.fresh()
        body = self._recent(version).get(key) if version is not None else None
        if body is None:
            body = await run_in_threadpool(self._render, session, key, render)
        return Response(body, media_type="application/json")

    def _render(self, session: Session, key: Hashable, render: Callable[[], BaseModel]) -> bytes:
        pages = self._recent(self.source.get(session))
        body = pages.get(key)
        if body is None:
            body = render().model_dump_json(by_alias=True).encode()  # as FastAPI would
            pages.put(key, body)
        return body
