"""Kill the real server at random moments, collide writers, retry: nothing acknowledged is lost.

Each test is bounded in time. ``COUNTERPART_STRESS_TRIALS`` raises the number of kill -9
trials for the longer stress run (see the README).
"""

import contextlib
import os
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from profiles.models import Enterprise
from tests.conftest import bearer
from tests.durability.server import Server

TRIALS = int(os.environ.get("COUNTERPART_STRESS_TRIALS", "5"))


def stored(engine: Engine, prefix: str) -> list[str]:
    with Session(engine) as session:
        return list(
            session.exec(select(Enterprise.name).where(Enterprise.name.startswith(prefix))).all()
        )


def assert_store_is_sound(engine: Engine) -> None:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        else:
            dangling = connection.execute(
                text(
                    "SELECT count(*) FROM enterprise e LEFT JOIN city c ON c.adcode = e.hq_city WHERE c.adcode IS NULL"
                )
            ).scalar()
            assert dangling == 0


def url_of(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def writer(
    base: str, prefix: str, numbers: "iter", stop: threading.Event, acknowledged: list[str]
) -> None:
    with httpx.Client(base_url=base, timeout=10, headers=bearer("admin")) as client:
        while not stop.is_set():
            name = f"{prefix}{next(numbers):06d}号有限公司"
            try:
                response = client.post(
                    "/api/v1/enterprises",
                    json={"name": name, "hq_city": "440300", "industry_codes": ["39"]},
                )
            except httpx.HTTPError:
                return  # the server died mid-request: this write was never acknowledged
            assert response.status_code < 500, response.text
            if response.status_code == 201:
                acknowledged.append(name)


def test_kill9_during_writes_loses_nothing_acknowledged(
    engine: Engine, model_dir: Path, tmp_path: Path
) -> None:
    rng = random.Random(2026)
    acknowledged: list[str] = []
    counter = iter(range(10**6))
    lock = threading.Lock()

    def numbers() -> "iter":
        while True:
            with lock:
                yield next(counter)

    for _ in range(TRIALS):
        server = Server(url_of(engine), model_dir, tmp_path)
        stop = threading.Event()
        threads = [
            threading.Thread(
                target=writer, args=(server.url, "崩溃测试", numbers(), stop, acknowledged)
            )
            for _ in range(4)
        ]
        for thread in threads:
            thread.start()
        # kill it mid-stream: once writes are being acknowledged (a worker that has just started
        # may still be warming its engine), then at a random moment
        first = len(acknowledged)
        deadline = time.monotonic() + 120
        while len(acknowledged) == first and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(rng.uniform(0.3, 1.5))
        server.kill()
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    names = stored(engine, "崩溃测试")
    assert acknowledged and set(acknowledged) <= set(names)
    assert len(names) == len(set(names))
    assert_store_is_sound(engine)
    with Server(
        url_of(engine), model_dir, tmp_path
    ) as server:  # it restarts cleanly after the last kill
        assert httpx.get(f"{server.url}/api/v1/health/ready").json()["counts"][
            "enterprises"
        ] >= len(acknowledged)


def test_concurrent_writers_and_importers_lose_and_double_nothing(
    engine: Engine, model_dir: Path, tmp_path: Path
) -> None:
    writers, writes, imports, rows = 8, 25, 2, 150
    with Server(url_of(engine), model_dir, tmp_path, workers=2) as server:

        def write(w: int) -> list[int]:
            with httpx.Client(base_url=server.url, timeout=60, headers=bearer("admin")) as client:
                return [
                    client.post(
                        "/api/v1/enterprises",
                        json={
                            "name": f"并发{w}-{i}有限公司",
                            "hq_city": "广州",
                            "industry_codes": ["36"],
                        },
                    ).status_code
                    for i in range(writes)
                ]

        def load(k: int) -> list[int]:
            csv = "名称,总部城市,行业代码\n" + "".join(
                f"并发导入{k}-{i}有限公司,深圳,39\n" for i in range(rows)
            )
            with httpx.Client(base_url=server.url, timeout=120, headers=bearer("admin")) as client:
                return [
                    client.post(
                        "/api/v1/enterprises/import", files={"file": ("e.csv", csv.encode())}
                    ).status_code
                ]

        with ThreadPoolExecutor(writers + imports) as pool:
            results = [
                s
                for f in [
                    *(pool.submit(write, w) for w in range(writers)),
                    *(pool.submit(load, k) for k in range(imports)),
                ]
                for s in f.result()
            ]
    assert results.count(201) == writers * writes and results.count(200) == imports
    assert len(stored(engine, "并发")) == writers * writes + imports * rows
    assert_store_is_sound(engine)


def test_idempotent_retries_under_concurrency_write_once(
    engine: Engine, model_dir: Path, tmp_path: Path
) -> None:
    body = {"name": "幂等并发有限公司", "hq_city": "深圳", "industry_codes": ["39"]}
    with Server(url_of(engine), model_dir, tmp_path, workers=2) as server:

        def send(_: int) -> httpx.Response:
            return httpx.post(
                f"{server.url}/api/v1/enterprises",
                json=body,
                headers={"Idempotency-Key": "same-key"} | bearer("admin"),
                timeout=30,
            )

        with ThreadPoolExecutor(8) as pool:
            responses = list(pool.map(send, range(8)))
        final = httpx.post(
            f"{server.url}/api/v1/enterprises",
            json=body,
            headers={"Idempotency-Key": "same-key"} | bearer("admin"),
        )
    assert {r.status_code for r in responses} <= {201, 409}
    ids = {r.json()["id"] for r in responses if r.status_code == 201}
    assert len(ids) == 1 and final.status_code == 201 and final.json()["id"] in ids
    assert stored(engine, "幂等并发") == ["幂等并发有限公司"]


def test_idempotency_across_a_crash_between_commit_and_response(
    engine: Engine, model_dir: Path, tmp_path: Path
) -> None:
    body = {"name": "提交后崩溃有限公司", "hq_city": "深圳", "industry_codes": ["39"]}
    headers = {"Idempotency-Key": "crash-after-commit"} | bearer("admin")
    with (
        Server(
            url_of(engine),
            model_dir,
            tmp_path,
            env={"COUNTERPART_FAULT_CRASH_AFTER_COMMIT": "crash-after-commit"},
        ) as server,
        pytest.raises(httpx.HTTPError),
    ):
        httpx.post(f"{server.url}/api/v1/enterprises", json=body, headers=headers, timeout=30)
    assert stored(engine, "提交后崩溃") == [
        "提交后崩溃有限公司"
    ]  # committed, though never acknowledged
    with Server(url_of(engine), model_dir, tmp_path) as server:
        retry = httpx.post(
            f"{server.url}/api/v1/enterprises", json=body, headers=headers, timeout=30
        )
    assert retry.status_code == 201 and retry.headers["idempotent-replayed"] == "true"
    assert stored(engine, "提交后崩溃") == ["提交后崩溃有限公司"]


def test_an_import_killed_half_way_leaves_nothing(
    engine: Engine, model_dir: Path, tmp_path: Path
) -> None:
    csv = "名称,总部城市,行业代码\n" + "".join(
        f"半途导入{i:06d}有限公司,深圳,39\n" for i in range(80_000)
    )
    with Server(url_of(engine), model_dir, tmp_path) as server:
        thread = threading.Thread(target=lambda: _post_quietly(server.url, csv), daemon=True)
        thread.start()
        time.sleep(2.0)
        server.kill()
        thread.join(timeout=30)
    assert stored(engine, "半途导入") == []
    assert_store_is_sound(engine)


def _post_quietly(url: str, csv: str) -> None:
    with contextlib.suppress(httpx.HTTPError):
        httpx.post(
            f"{url}/api/v1/enterprises/import",
            files={"file": ("e.csv", csv.encode())},
            timeout=120,
            headers=bearer("admin"),
        )
