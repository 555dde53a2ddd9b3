"""The recommendation cache as ``refresh`` writes it: stamps, items as JSON text, upserts.

A million enterprises' top-k are written back as fast as they are scored: each row's items
are JSON text assembled from fixed-width byte pieces (every item reads
``{"key": "360700", "score": 0.1234}``, the score rounded to 4 places as ``round`` does), not
``json.dumps`` per row, and stored with one upsert per row, batched (no delete first).
"""

import hashlib
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
from sqlmodel import Session

from profiles.models import RecommendationCache

BATCH = 10_000  # rows per executemany
_SCORE = "{:.4f}}}, "  # a score in [0, 1] to 4 places, the item's closing brace, a separator


def stamp(*parts: Any) -> str:
    """A fingerprint of the inputs a cached row was computed from."""
    return hashlib.sha256(json.dumps(parts, default=str, sort_keys=True).encode()).hexdigest()[:32]


class ItemTexts:
    """Top-k city rows and scores → each row's items as JSON text, ``[{"key": adcode,
    "score": s}, …]`` with ``s`` rounded to 4 places, built as one byte matrix per block."""

    def __init__(self, adcodes: Sequence[str]) -> None:
        if {len(a) for a in adcodes} - {6}:
            raise ValueError("adcodes are 6 digits")
        keys = "".join(f'{{"key": "{a}", "score": ' for a in adcodes).encode()
        self.keys = np.frombuffer(keys, np.uint8).reshape(len(adcodes), -1)
        scores = "".join(_SCORE.format(q / 10_000) for q in range(10_001)).encode()
        self.scores = np.frombuffer(scores, np.uint8).reshape(10_001, -1)

    def __call__(self, top: np.ndarray, scores: np.ndarray) -> list[str]:
        n, k = top.shape
        if k == 0:
            return ["[]"] * n
        # float32 × 10⁴ is exact in float64, so rint rounds half to even as round(x, 4) does
        ten_thousandths = np.rint(scores.astype(np.float64) * 10_000).astype(np.intp)
        cut = self.keys.shape[1]
        out = np.empty((n, 1 + k * (cut + self.scores.shape[1])), np.uint8)
        out[:, 0] = ord("[")
        items = out[:, 1:].reshape(n, k, -1)
        items[:, :, :cut] = self.keys[top]
        items[:, :, cut:] = self.scores[ten_thousandths]
        out[:, -2] = ord("]")  # the last separator closes the list
        size = out.shape[1] - 1
        text = out[:, :-1].tobytes().decode("ascii")
        return [text[i * size : (i + 1) * size] for i in range(n)]


def write(
    session: Session,
    subjects: Sequence[str],
    items: Sequence[str],
    stamps: Sequence[str],
    *,
    version: str,
    now: datetime,
) -> int:
    """Insert or replace the cache rows of ``subjects`` (``items`` as JSON text), in batches
    of the driver's own ``executemany`` (SQLAlchemy's per-row processing would cost more
    than the database's work)."""
    connection = session.connection()
    dialect = connection.dialect
    table = RecommendationCache.__table__  # type: ignore[attr-defined]
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    items_mark = mark if dialect.name == "sqlite" else f"CAST({mark} AS JSON)"
    columns = ("items", "model_version", "stamp", "computed_at")
    statement = (
        f"INSERT INTO {table.name} (subject, {', '.join(columns)}) "
        f"VALUES ({mark}, {items_mark}, {mark}, {mark}, {mark}) ON CONFLICT (subject) DO UPDATE "
        f"SET {', '.join(f'{c} = excluded.{c}' for c in columns)}"
    )
    process = table.c.computed_at.type.bind_processor(dialect)
    at = process(now) if process else now  # as SQLAlchemy would store it
    for begin in range(0, len(subjects), BATCH):
        end = begin + BATCH
        connection.exec_driver_sql(
            statement,
            [
                (s, i, version, t, at)
                for s, i, t in zip(
                    subjects[begin:end], items[begin:end], stamps[begin:end], strict=True
                )
            ],
        )
    return len(subjects)
