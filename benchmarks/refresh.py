"""The ``refresh`` job over N demo enterprises in a SQLite file, in-process (and on Dask).

    python benchmarks/refresh.py [--enterprises 1000000] [--store refresh.db] [--dask]

The store is seeded once and kept when ``--store`` names it: the scale-data generator's
enterprises (``counterpart fixtures generate``; a pool of 20,000, repeated under numbered names
up to N, since the generator itself takes minutes per million), bulk-inserted. Prints the job's time with
every enterprise stale (the cache emptied first; target ≤ 20 s for 1,000,000, the write-back
included), then with nothing changed; with ``--dask``, the first again on 1 and 2 local Dask
workers, and whether they wrote the same rows. The models are trained (or loaded) before the
timing, as in a job runner that has served before.
"""

import argparse
import logging
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, delete, select

from fixtures import demo
from jobs import tasks
from jobs.settings import JobSettings
from matching.registry import ModelRegistry
from profiles.db import make_engine, session_scope, upgrade_schema
from profiles.models import Enterprise, EnterpriseCreate, RecommendationCache
from profiles.ranking import EngineState
from profiles.seed import SeedReport, insert_missing, load_demo_catalogue, seed_catalogue
from profiles.settings import StoreSettings


def seeded_store(path: Path, count: int) -> Engine:
    """A SQLite store at ``path`` holding the catalogue and ``count`` more demo enterprises."""
    store = make_engine(StoreSettings(database_url=f"sqlite:///{path}"))
    upgrade_schema(store)
    with Session(store) as session:
        have = session.exec(select(func.count()).select_from(Enterprise)).one()
    if not have:
        started = time.perf_counter()
        with session_scope(store) as session:
            seed_catalogue(session)
        with Session(store) as session:
            catalogue = load_demo_catalogue(session)
            stored = set(session.exec(select(Enterprise.name, Enterprise.hq_city)).all())
        with session_scope(store) as session:
            report = SeedReport()
            insert_missing(session, Enterprise, demo_rows(catalogue, count), _key, stored, report)
        print(f"seeded {report.inserted} in {time.perf_counter() - started:.0f} s")
    elif have < count:
        raise SystemExit(f"{path} holds {have:,} enterprises, fewer than {count:,}")
    return store


def _key(row: dict) -> tuple[str, str]:
    return row["name"], row["hq_city"]


def demo_rows(catalogue: demo.Catalogue, count: int, pool: int = 20_000) -> Iterator[dict]:
    """``count`` validated demo enterprises: the generator's first ``pool``, then the same
    again under numbered names."""
    drawn = [
        EnterpriseCreate.model_validate(
            {k: v for k, v in r.items() if k in EnterpriseCreate.model_fields}
        ).model_dump()
        | {"is_demo": True, "owner": r["owner"]}
        for r in demo.enterprises(catalogue, min(count, pool), duplicates=0)
    ]
    for n in range(count):
        row = drawn[n % len(drawn)]
        yield row if n < len(drawn) else row | {"name": f"{row['name']}{n // len(drawn)}号"}


def timed_refresh(ctx: tasks.Context, *, empty: bool) -> tuple[float, dict]:
    if empty:
        with Session(ctx.engine) as session:
            session.exec(delete(RecommendationCache))  # type: ignore[call-overload]
            session.commit()
    started, cpu = time.perf_counter(), time.process_time()
    run = tasks.run(ctx, "refresh")
    took = time.perf_counter() - started
    assert run.status == "succeeded", run.error
    print(
        f"  (this process's CPU time {time.process_time() - cpu:.1f} s; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    return took, run.counts


def cached(store: Engine) -> dict[str, tuple[list, str]]:
    with Session(store) as session:
        rows = session.exec(select(RecommendationCache)).all()
        return {r.subject: (r.items, r.model_version) for r in rows}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=1_000_000)
    parser.add_argument("--store", type=Path, help="SQLite file to seed once and keep")
    parser.add_argument("--dask", action="store_true", help="also on 1 and 2 local Dask workers")
    args = parser.parse_args()
    progress = logging.StreamHandler()  # the job's progress, and nothing of Dask's own logs
    progress.setFormatter(logging.Formatter("%(relativeCreated)8.0f ms %(message)s"))
    logging.getLogger("counterpart").addHandler(progress)
    logging.getLogger("counterpart").setLevel(logging.INFO)
    with tempfile.TemporaryDirectory() as tmp:
        store = seeded_store(args.store or Path(tmp) / "refresh.db", args.enterprises)
        settings = JobSettings(dask_scheduler=None, job_timeout_seconds=3600)
        ctx = tasks.Context(store, EngineState(ModelRegistry(Path(tmp) / "models")), settings)
        with Session(store) as session:
            ctx.state.get(session)  # the models, trained once
        full, counts = timed_refresh(ctx, empty=True)
        print(f"refresh, every enterprise stale: {full:.1f} s {counts}; target ≤ 20 s")
        again, counts = timed_refresh(ctx, empty=False)
        print(f"refresh, nothing changed: {again:.1f} s {counts}")
        if args.dask:
            on_dask(ctx, full)


def on_dask(ctx: tasks.Context, in_process: float) -> None:
    """The stale refresh on a local Dask cluster of 1, then 2 worker processes (loopback TCP)."""
    from distributed import Client, LocalCluster

    expected = cached(ctx.engine)
    for workers in (1, 2):
        with (
            LocalCluster(
                n_workers=workers, threads_per_worker=1, host="127.0.0.1", dashboard_address=None
            ) as cluster,
            Client(cluster) as client,
        ):
            ctx.dask = client
            took, _ = timed_refresh(ctx, empty=True)
            ctx.dask = None
        same = cached(ctx.engine) == expected
        print(
            f"refresh on dask, {workers} worker(s): {took:.1f} s "
            f"({in_process / took:.2f}× in-process); same rows as in-process: {same}"
        )


if __name__ == "__main__":
    main()
