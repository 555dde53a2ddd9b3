"""The jobs on a controllable clock: recorded, idempotent per scheduled time, incremental."""

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from jobs import tasks
from jobs.scheduler import slot
from jobs.tasks import Context
from profiles.kinds import KINDS
from profiles.models import EnterpriseUpdate, JobRun, ProfileFlag
from profiles.repository import update_profile
from tests.conftest import contradict_the_pairings
from tests.jobs.conftest import SETTINGS, Clock


def test_a_scheduled_time_runs_once(ctx: Context) -> None:
    when = datetime(2026, 11, 30, 3, 45, tzinfo=UTC)
    first = tasks.run(ctx, "stale-profiles", trigger="schedule", scheduled_for=when)
    again = tasks.run(ctx, "stale-profiles", trigger="schedule", scheduled_for=when)
    assert first.status == "succeeded" and again.id == first.id
    with Session(ctx.engine) as session:
        assert len(session.exec(select(JobRun).where(JobRun.job == "stale-profiles")).all()) == 1


def test_the_slot_of_a_late_run_is_its_scheduled_time() -> None:
    late = datetime(2026, 11, 28, 12, 38, 10, tzinfo=UTC)
    assert slot("refresh", late, SETTINGS) == datetime(
        2026, 11, 28, 12, 30, tzinfo=UTC
    )  # */30, 8 min late
    too_late = datetime(2026, 11, 28, 12, 47, 10, tzinfo=UTC)
    assert (
        slot("refresh", too_late, SETTINGS) is None
    )  # beyond the 15-minute grace: skipped, not run late


def test_stale_profiles_follow_the_clock(ctx: Context, clock: Clock) -> None:
    assert tasks.run(ctx, "stale-profiles").counts["flagged"] > 0  # cities with 2020 figures
    clock.advance(400 * 86_400)  # a year on, nobody has confirmed the demo profiles
    counts = tasks.run(ctx, "stale-profiles").counts
    assert counts["flagged"] >= 600 + 2400 + 600 and counts["already_flagged"] > 0
    assert counts["inactive_pairings"] > 0  # and no pairing recorded any activity all year
    with Session(ctx.engine) as session:
        reasons = set(session.exec(select(ProfileFlag.reason)).all())
    assert reasons == {"statistics_old", "unconfirmed", "inactive"}
    assert tasks.run(ctx, "stale-profiles").counts["inactive_pairings"] == 0  # flagged once


def test_retrain_promotes_only_a_model_that_is_no_worse(ctx: Context) -> None:
    first = tasks.run(ctx, "retrain").counts
    assert first["promoted"] is True
    contradict_the_pairings(ctx.engine)
    second = tasks.run(ctx, "retrain").counts
    assert second["promoted"] is False and second["mrr"] < second["previous_mrr"]
    registry = ctx.state.registry
    assert registry.current_version("city") != second["city_version"]
    assert second["city_version"] in registry.versions("city")  # kept, to roll back or forward to


def test_refresh_is_incremental(ctx: Context) -> None:
    first = tasks.run(ctx, "refresh").counts
    assert first["recomputed"] > 600 and first["unchanged"] == 0
    assert tasks.run(ctx, "refresh").counts == {
        "recomputed": 0,
        "unchanged": first["recomputed"],
        "enterprises": 0,
    }
    with Session(ctx.engine) as session:
        update_profile(
            session, kind=KINDS["enterprises"], id=5, data=EnterpriseUpdate(employees=12345)
        )
        session.commit()
    third = tasks.run(ctx, "refresh").counts
    assert third["recomputed"] == 1 and third["enterprises"] == 1


def test_a_failing_job_is_recorded_and_the_next_run_goes_on(ctx: Context, monkeypatch) -> None:
    def broken(_: Context) -> dict:
        raise RuntimeError("boom")

    monkeypatch.setitem(tasks.JOBS, "stale-profiles", broken)
    failed = tasks.run(ctx, "stale-profiles")
    assert failed.status == "failed" and "boom" in failed.error and failed.finished_at is not None
    monkeypatch.undo()
    assert tasks.run(ctx, "stale-profiles").status == "succeeded"


def test_jobs_over_http(client: TestClient) -> None:
    listed = client.get("/api/v1/jobs").json()["items"]
    assert [j["name"] for j in listed] == list(tasks.JOBS)
    assert all(j["next_run"] and j["schedule"] for j in listed)
    run = client.post("/api/v1/jobs/dedupe-audit/run").json()
    assert run["status"] == "succeeded" and run["counts"]["new_candidates"] >= 24
    again = client.get("/api/v1/jobs").json()["items"]
    assert next(j for j in again if j["name"] == "dedupe-audit")["last_run"]["id"] == run["id"]
    assert client.post("/api/v1/jobs/nap/run").status_code == 404
    assert (
        client.get("/api/v1/jobs/runs", params={"job": "dedupe-audit"}).json()["items"][0]["id"]
        == run["id"]
    )


def test_stale_flags_over_http(client: TestClient) -> None:
    client.post("/api/v1/jobs/stale-profiles/run")
    flags = client.get("/api/v1/review/stale", params={"kind": "cities"}).json()["items"]
    assert flags and all(f["reason"] == "statistics_old" for f in flags)
