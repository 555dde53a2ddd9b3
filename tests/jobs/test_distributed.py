"""``refresh`` on a Dask cluster (two workers on loopback) writes what the in-process run does."""

from collections.abc import Iterator

import pytest
from sqlmodel import Session, delete, select

from jobs import tasks
from jobs.tasks import Context
from profiles.models import RecommendationCache

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


def test_refresh_on_two_dask_workers_matches_the_in_process_run(
    ctx: Context, cluster: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tasks, "REFRESH_CHUNK", 100)  # several id-range blocks per worker
    local = tasks.run(ctx, "refresh")
    in_process = _enterprise_rows(ctx)
    assert local.status == "succeeded" and len(in_process) > 600
    with Session(ctx.engine) as session:
        session.exec(delete(RecommendationCache))  # type: ignore[call-overload]
        session.commit()
    ctx.dask = cluster
    remote = tasks.run(ctx, "refresh")
    assert remote.status == "succeeded" and remote.counts == local.counts
    assert _enterprise_rows(ctx) == in_process
