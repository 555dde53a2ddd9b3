"""Limits (body, page, import; rate: test_rate_limits.py), the audit log, security headers, the keys CLI."""

import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from api.main import create_app
from api.settings import ApiSettings
from tests.conftest import bearer


def test_bodies_above_the_limit_are_413(engine: Engine, model_dir: Path) -> None:
    app = create_app(
        engine, model_dir, start_scheduler=False, settings=ApiSettings(body_max_bytes=2_000)
    )
    with TestClient(app, headers=bearer("admin")) as client:
        big = {"name": "大" * 1500, "hq_city": "440300", "industry_codes": ["39"]}
        assert client.post("/api/v1/enterprises", json=big).status_code == 413
        chunked = client.post(
            "/api/v1/enterprises",
            content=iter([b"{", b" " * 3000, b"}"]),
            headers={"content-type": "application/json"},
        )
        assert chunked.status_code == 413
        assert (
            client.post(
                "/api/v1/enterprises",
                json={"name": "小公司", "hq_city": "440300", "industry_codes": ["39"]},
            ).status_code
            == 201
        )


def test_imports_are_bounded_in_size_and_rows(engine: Engine, model_dir: Path) -> None:
    settings = ApiSettings(import_max_rows=3, import_max_bytes=5_000)
    with TestClient(
        create_app(engine, model_dir, start_scheduler=False, settings=settings),
        headers=bearer("admin"),
    ) as client:
        rows = "名称,总部城市,行业代码\n" + "".join(f"限额企业{i},深圳,39\n" for i in range(5))
        too_many = client.post(
            "/api/v1/enterprises/import", files={"file": ("e.csv", rows.encode())}
        )
        assert too_many.status_code == 422 and "3 rows" in too_many.json()["detail"]
        huge = client.post("/api/v1/enterprises/import", files={"file": ("e.csv", b"x" * 6_000)})
        assert huge.status_code == 413


def test_limits_are_refused_not_clamped(client: TestClient) -> None:
    page = client.get("/api/v1/enterprises", params={"limit": 100_000})
    assert page.status_code == 422 and "500" in page.json()["detail"]
    for path, params in (
        ("/api/v1/recommendations/partners", {"city": "360700", "limit": 101}),
        ("/api/v1/enterprises/99999999999999999999", {}),
        ("/api/v1/enterprises", {"q": "长" * 61}),
    ):
        assert client.get(path, params=params).status_code == 422
    plan = client.post(
        "/api/v1/plans/city-pairing", json={"base_cities": ["360700"] * 401, "partners": ["440300"]}
    )
    assert plan.status_code == 422 and plan.json()["errors"][0]["field"] == "base_cities"
    assert (
        client.post(
            "/api/v1/enterprises",
            json={
                "name": "大员工",
                "hq_city": "440300",
                "industry_codes": ["39"],
                "employees": 2**70,
            },
        ).status_code
        == 422
    )


def test_every_write_is_audited_and_the_log_is_read_only(client: TestClient) -> None:
    created = client.post(
        "/api/v1/enterprises",
        json={"name": "审计接口测试", "hq_city": "440300", "industry_codes": ["39"]},
    ).json()
    client.patch(f"/api/v1/enterprises/{created['id']}", json={"employees": 42})
    entries = client.get("/api/v1/admin/audit", params={"kind": "enterprise"}).json()["items"]
    update = next(e for e in entries if e["action"] == "update" and e["key"] == str(created["id"]))
    assert (
        update["principal"] == "admin"
        and update["before"]["employees"] is None
        and update["after"]["employees"] == 42
    )
    assert any(e["action"] == "create" and e["key"] == str(created["id"]) for e in entries)
    for method in ("POST", "PATCH", "DELETE"):
        assert client.request(method, "/api/v1/admin/audit").status_code == 405
    office = client.get("/api/v1/admin/audit", headers=bearer("赣州市发改委"))
    assert office.status_code == 403


def test_security_headers_and_no_internals_in_errors(client: TestClient) -> None:
    response = client.get("/api/v1/cities/999999")
    assert (
        response.headers["x-content-type-options"] == "nosniff"
        and response.headers["x-frame-options"] == "DENY"
    )
    assert "Traceback" not in response.text and "SELECT" not in response.text


def test_docs_can_be_turned_off(engine: Engine, model_dir: Path) -> None:
    with TestClient(
        create_app(
            engine, model_dir, start_scheduler=False, settings=ApiSettings(docs_enabled=False)
        )
    ) as client:
        assert (
            client.get("/docs").status_code == 404
            and client.get("/openapi.json").status_code == 404
        )


def test_a_key_for_an_enterprise_in_one_command(
    fresh_database: str, tmp_path: Path, engine: Engine, model_dir: Path
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    env = os.environ | {"DATABASE_URL": url}
    made = subprocess.run(
        [
            str(Path(sys.executable).with_name("counterpart")),
            "keys",
            "create",
            "--role",
            "enterprise",
            "--name",
            "命令行企业",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    key = made.stdout.strip().splitlines()[-1]
    assert key.startswith("cpk_")
    with TestClient(create_app(engine, model_dir, start_scheduler=False)) as client:
        created = client.post(
            "/api/v1/enterprises",
            json={"name": "命令行企业有限公司", "hq_city": "深圳", "industry_codes": ["39"]},
            headers={"Authorization": f"Bearer {key}"},
        )
        assert created.status_code == 201 and created.json()["owner"] == "命令行企业"
