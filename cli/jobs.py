"""``counterpart jobs`` and ``counterpart scheduler``: the background jobs."""

import time
from typing import Annotated

import typer

from cli.store import prepare_store

jobs_app = typer.Typer(help="Background jobs.", no_args_is_help=True)


def scheduler() -> None:
    """Run the scheduler on its own (it waits while another process holds the lease)."""
    import signal
    import threading

    from jobs.scheduler import SchedulerService
    from profiles.db import get_engine

    prepare_store(seed=False)
    service = SchedulerService(get_engine())
    service.start()
    typer.echo(f"scheduler {service.lease.holder} started; it runs jobs while it holds the lease")
    stopped = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopped.set())
    stopped.wait()
    service.stop()


@jobs_app.command("list")
def jobs_list() -> None:
    """Every job, its schedule, and its last run."""
    from sqlmodel import Session

    from jobs.scheduler import schedule_of
    from jobs.settings import get_job_settings
    from jobs.tasks import JOBS, last_runs
    from profiles.db import get_engine

    with Session(get_engine()) as session:
        last = last_runs(session)
    for name in JOBS:
        run = last.get(name)
        status = f"{run.status} at {run.started_at:%Y-%m-%d %H:%M}" if run else "never run"
        typer.echo(f"{name:16} {schedule_of(name, get_job_settings()):14} {status}")


@jobs_app.command("run")
def jobs_run(
    name: Annotated[
        str, typer.Argument(help="retrain | refresh | dedupe-audit | stale-profiles | deliver")
    ],
) -> None:
    """Run a job now and print its run record."""
    from jobs.scheduler import default_context
    from jobs.tasks import UnknownJob, run

    prepare_store(seed=True)
    started = time.perf_counter()
    try:
        record = run(default_context(), name)
    except UnknownJob as error:
        raise typer.BadParameter(str(error), param_hint="NAME") from error
    typer.echo(
        f"{name}: {record.status} in {time.perf_counter() - started:.1f} s  {record.counts}"
        + (f"  error: {record.error}" if record.error else "")
    )
    if record.status != "succeeded":
        raise typer.Exit(1)
