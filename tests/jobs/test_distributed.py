"""Batch jobs on a Dask cluster (two workers on loopback) write what the in-process run does."""

import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlmodel import Session, delete, select

from jobs import tasks
from jobs.tasks import Context
from profiles.models import DuplicateCandidate, RecommendationCache

distributed = pytest.importorskip("distributed", reason="the [dask] extra is not installed")


@pytest.fixture
def cluster() -> Iterator[object]:
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=False,
            protocol="tcp",
            host="127.0.0.1",
            dashboard_address=None,
        ) as local,
        distributed.Client(local) as client,
    ):
        yield client


def _enterprise_rows(ctx: Context) -> dict[str, tuple[list, str]]:
    with Session(ctx.engine) as session:
        rows = session.exec(
            select(RecommendationCache).where(RecommendationCache.subject.like("enterprise:%"))  # type: ignore[attr-defined]
        ).all()
        return {r.subject: (r.items, r.model_version) for r in rows}


def _here_then_on(
    cluster: object, ctx: Context, job: str, written: Callable[[Context], Any], table: Any
) -> tuple[Any, Any, Any, Any]:
    """``job`` run in-process, then (``table`` emptied) on ``cluster``: both runs, and what
    each wrote (read by ``written``)."""
    local = tasks.run(ctx, job)
    in_process = written(ctx)
    with Session(ctx.engine) as session:
        session.exec(delete(table))  # type: ignore[call-overload]
        session.commit()
    ctx.dask = cluster
    remote = tasks.run(ctx, job)
    return local, remote, in_process, written(ctx)


def test_refresh_on_two_dask_workers_matches_the_in_process_run(
    ctx: Context, cluster: object, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "counterpart.jobs")
    monkeypatch.setattr(tasks, "REFRESH_CHUNK", 100)  # several id-range blocks per worker
    local, remote, in_process, on_dask = _here_then_on(
        cluster, ctx, "refresh", _enterprise_rows, RecommendationCache
    )
    assert local.status == "succeeded" and len(in_process) > 600
    assert remote.status == "succeeded" and remote.counts == local.counts
    assert on_dask == in_process
    assert "dask: refresh scoring, block 7 of 7 done" in caplog.messages


def _candidates(ctx: Context) -> set[tuple[str, int, int, float]]:
    with Session(ctx.engine) as session:
        rows = session.exec(select(DuplicateCandidate)).all()
        return {(r.kind, r.first_id, r.second_id, r.score) for r in rows}


def test_dedupe_audit_on_two_dask_workers_matches_the_in_process_run(
    ctx: Context, cluster: object, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "counterpart.jobs")
    monkeypatch.setattr(tasks, "KEY_BLOCK", 500)  # several blocks of rows and of names
    monkeypatch.setattr(tasks, "PAIR_BLOCK", 300)
    local, remote, in_process, on_dask = _here_then_on(
        cluster, ctx, "dedupe-audit", _candidates, DuplicateCandidate
    )
    assert local.status == "succeeded" and len(in_process) >= 12  # the planted duplicates
    assert remote.status == "succeeded" and remote.counts == local.counts
    assert on_dask == in_process
    done = [m for m in caplog.messages if m.startswith("dask: dedupe pairs, block")]
    assert len(done) > 2
