"""The scheduler: APScheduler 3 with its jobs in our database, run by the lease holder only.

Every process of the service may start a ``SchedulerService``; only the one holding the lease
(``jobs.lease``) runs the APScheduler; the others wait and take over when the holder dies.
Jobs have explicit ids, coalesce missed runs, run once when late by less than the grace, and
call ``jobs.scheduler:scheduled`` (an importable function, as the SQLAlchemy job store pickles
references).
"""

import logging
import threading
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.engine import Engine

from jobs.lease import Lease
from jobs.settings import JobSettings, get_job_settings
from jobs.tasks import JOBS, Context, run
from matching.registry import ModelRegistry
from profiles.db import get_engine
from profiles.ranking import EngineState, get_engine_settings

log = logging.getLogger("counterpart.scheduler")


def schedule_of(name: str, settings: JobSettings) -> str:
    return getattr(settings, "schedule_" + name.replace("-", "_"))


def trigger_of(name: str, settings: JobSettings) -> CronTrigger:
    """Cron syntax; six fields put seconds first ("*/5 * * * * *": every five seconds)."""
    fields = schedule_of(name, settings).split()
    if len(fields) == 6:
        second, minute, hour, day, month, weekday = fields
        return CronTrigger(
            second=second,
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=weekday,
            timezone=UTC,
        )
    return CronTrigger.from_crontab(" ".join(fields), timezone=UTC)


def slot(name: str, now: datetime, settings: JobSettings) -> datetime | None:
    """The latest scheduled time of ``name`` at or before ``now`` (within the misfire grace)."""
    trigger = trigger_of(name, settings)
    fire = trigger.get_next_fire_time(None, now - timedelta(seconds=settings.misfire_grace_seconds))
    latest = None
    while fire is not None and fire <= now:
        latest = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(microseconds=1))
    return latest


@lru_cache
def default_context() -> Context:
    return Context(
        engine=get_engine(), state=EngineState(ModelRegistry(get_engine_settings().model_dir))
    )


def scheduled(name: str) -> None:
    """Entry point of every scheduled run: the run is keyed by its scheduled time."""
    ctx = default_context()
    run(ctx, name, trigger="schedule", scheduled_for=slot(name, ctx.clock(), ctx.settings))


def build(engine: Engine, settings: JobSettings) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename="apscheduler_jobs")},
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": settings.misfire_grace_seconds,
        },
        timezone=UTC,
    )
    for name in JOBS:
        scheduler.add_job(
            "jobs.scheduler:scheduled",
            trigger_of(name, settings),
            args=[name],
            id=name,
            name=name,
            replace_existing=True,
        )
    return scheduler


class SchedulerService:
    """Holds (or waits for) the lease, and runs the scheduler while it holds it."""

    def __init__(self, engine: Engine, settings: JobSettings | None = None) -> None:
        self.engine = engine
        self.settings = settings or get_job_settings()
        self.lease = Lease(engine, seconds=self.settings.lease_seconds)
        self.scheduler: BackgroundScheduler | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def active(self) -> bool:
        return self.scheduler is not None

    def tick(self) -> None:
        """Renew or take the lease; start or stop the scheduler to match."""
        held = self.lease.acquire()
        if held and self.scheduler is None:
            log.info("lease taken by %s: starting the scheduler", self.lease.holder)
            self.scheduler = build(self.engine, self.settings)
            self.scheduler.start()
        elif not held and self.scheduler is not None:
            log.warning("lease lost: stopping the scheduler")
            self.scheduler.shutdown(wait=False)
            self.scheduler = None

    def start(self) -> None:
        def loop() -> None:
            while not self._stop.is_set():
                try:
                    self.tick()
                except Exception:  # the database may be briefly unreachable; try again
                    log.exception("scheduler lease check failed")
                self._stop.wait(max(self.settings.lease_seconds / 3, 0.5))

        self._thread = threading.Thread(target=loop, name="scheduler-lease", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
        self.lease.release()

    def next_runs(self) -> dict[str, datetime | None]:
        if self.scheduler is None:
            return {}
        return {job.id: job.next_run_time for job in self.scheduler.get_jobs()}
