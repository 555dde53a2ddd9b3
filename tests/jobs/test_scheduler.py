"""Exactly one scheduler: a second process waits while the first holds the lease, then takes over."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from jobs import tasks
from jobs.lease import Lease

COUNTERPART = str(Path(sys.executable).with_name("counterpart"))


def start(engine: Engine, model_dir: Path, workdir: Path, name: str) -> subprocess.Popen:
    env = os.environ | {
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "COUNTERPART_MODEL_DIR": str(model_dir),
        "COUNTERPART_LEASE_SECONDS": "2",
    }
    with (workdir / f"{name}.log").open(
        "w"
    ) as log:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [COUNTERPART, "scheduler"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


JOBS = set(tasks.JOBS)  # every job the service defines


def stored_jobs(engine: Engine) -> set[str]:
    """The job ids in APScheduler's table in our database (none before it is created)."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("apscheduler_jobs"):
            return set()
        return set(connection.execute(text("SELECT id FROM apscheduler_jobs")).scalars())


def holder_pid(lease: Lease) -> int | None:
    holder = lease.current_holder()
    return int(holder.rsplit(":", 1)[1]) if holder else None


def test_a_second_scheduler_stays_passive_then_takes_over(
    engine: Engine, model_dir: Path, tmp_path: Path
) -> None:
    lease = Lease(engine, seconds=2)
    first = start(engine, model_dir, tmp_path, "first")
    second = None
    try:
        assert wait_for(lambda: holder_pid(lease) == first.pid), (
            "the first scheduler never took the lease"
        )
        # the lease holder's APScheduler stores its jobs with us (just after taking the lease)
        assert wait_for(lambda: stored_jobs(engine) == JOBS), stored_jobs(engine)
        second = start(engine, model_dir, tmp_path, "second")
        time.sleep(5)  # more than two lease periods: the second keeps waiting
        assert holder_pid(lease) == first.pid
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        assert wait_for(lambda: holder_pid(lease) == second.pid), (
            "the second scheduler never took over"
        )
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
