"""Requests per minute, counted in a database table that every worker process shares."""

import time

from sqlalchemy import create_engine
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine, make_url
from starlette.concurrency import run_in_threadpool

from profiles.models import RateWindow


class RateLimiter:
    """Fixed one-minute windows counted in a database table, so every worker process shares them.

    On PostgreSQL the service's own database holds the counts; on SQLite a separate file next to
    the store does, so that counting never waits behind the store's writers.
    """

    def __init__(self, engine: Engine, *, per_key: int, per_address: int) -> None:
        self.engine = _rate_engine(engine)
        self.limits = {"key": per_key, "ip": per_address}
        RateWindow.__table__.create(self.engine, checkfirst=True)  # type: ignore[attr-defined]

    async def check(self, buckets: list[str]) -> int:
        """Count one request in each bucket; the seconds to wait if one is over, else 0."""
        return await run_in_threadpool(self._hit, buckets)

    def _hit(self, buckets: list[str]) -> int:
        now = time.time()
        window = int(now // 60)
        insert = pg_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        with self.engine.begin() as connection:
            for bucket in buckets:
                statement = insert(RateWindow).values(bucket=bucket, window=window, count=1)
                statement = statement.on_conflict_do_update(
                    index_elements=["bucket", "window"], set_={"count": RateWindow.count + 1}
                ).returning(RateWindow.count)
                count = connection.execute(statement).scalar_one()
                if count > self.limits[bucket.split(":", 1)[0]]:
                    return max(1, 60 - int(now % 60))
        return 0


def _rate_engine(engine: Engine) -> Engine:
    if engine.dialect.name != "sqlite":
        return engine
    database = make_url(str(engine.url)).database
    path = f"{database}-ratelimit" if database and database != ":memory:" else ":memory:"
    return create_engine(
        f"sqlite:///{path}", connect_args={"check_same_thread": False, "timeout": 30}
    )
