"""Who may do what, for every route the app has: a matrix built from the route table."""

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.main import create_app
from api.security import policy_of
from matching.vocabulary import Role
from profiles.access import create_key, revoke_key
from profiles.models import ApiKey, utcnow
from tests.conftest import bearer

SAMPLES = {
    "adcode": "360700",
    "id": "1",
    "base_area_id": "ganminyue",
    "code": "39",
    "plan_id": "1",
    "candidate_id": "1",
    "subscription_id": "1",
    "delivery_id": "1",
    "key_id": "1",
    "name": "deliver",
    "entry_id": "1",
    "interest_id": "1",
    "pairing_id": "1",
}
PRINCIPAL_OF = {
    Role.admin: "admin",
    Role.office: "赣州市发改委",
    Role.enterprise: "某某科技",
    Role.university: "某大学",
    Role.viewer: "viewer",
}


def routes() -> list[tuple[str, str, APIRoute]]:
    app = create_app(start_scheduler=False)
    return [
        (method, path, route)
        for path, route in app.state.api_routes
        if isinstance(route, APIRoute)
        for method in sorted(route.methods)
    ]


ROUTES = routes()


def url(path: str) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: SAMPLES[m.group(1)], path)


@pytest.fixture
def keys(engine: Engine) -> Iterator[dict[str, str]]:
    with Session(engine) as session:
        expired = create_key(session, principal="expired", role=Role.admin, days=1)
        expired[0].expires_at = utcnow() - timedelta(days=1)
        revoked = create_key(session, principal="revoked", role=Role.admin)
        revoke_key(session, key_id=revoked[0].id)
        session.add(expired[0])
        session.commit()
    yield {"expired": expired[1], "revoked": revoked[1]}


def test_every_route_declares_a_policy() -> None:
    missing = [f"{method} {path}" for method, path, route in ROUTES if policy_of(route) is None]
    assert missing == []
    assert len(ROUTES) > 60


@pytest.mark.parametrize(
    ("method", "path", "route"), ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES]
)
def test_keys_are_checked_before_anything_else(
    anonymous: TestClient, keys: dict[str, str], method: str, path: str, route: APIRoute
) -> None:
    roles, read = policy_of(route)
    target = url(path)
    for bad in ("cpk_000000000000_nope", keys["expired"], keys["revoked"], "not-a-key"):
        response = anonymous.request(method, target, headers={"Authorization": f"Bearer {bad}"})
        assert response.status_code == 401, (bad, response.text)
        assert response.headers["www-authenticate"] == "Bearer"
    without = anonymous.request(method, target)
    if read:
        assert without.status_code != 401  # the public catalogue reads without a key (by default)
    else:
        assert without.status_code == 401
    for role in set(Role) - set(roles):
        wrong = anonymous.request(method, target, headers=bearer(PRINCIPAL_OF[role]))
        assert wrong.status_code == 403, (role, wrong.text)


def test_reads_can_require_a_key(engine: Engine, model_dir) -> None:
    from api.settings import ApiSettings

    app = create_app(
        engine, model_dir, start_scheduler=False, settings=ApiSettings(public_read=False)
    )
    with TestClient(app) as client:
        assert client.get("/api/v1/cities/360700").status_code == 401
        assert client.get("/api/v1/cities/360700", headers=bearer("viewer")).status_code == 200


ENTERPRISE = {
    "name": "所有权测试有限公司",
    "hq_city": "深圳",
    "industry_codes": ["39"],
    "contact": "张三 13800000000",
    "needs_resources": ["稀土"],
}


def test_another_principals_enterprise_is_not_found_and_unchanged(anonymous: TestClient) -> None:
    mine = anonymous.post("/api/v1/enterprises", json=ENTERPRISE, headers=bearer("某某科技")).json()
    assert mine["owner"] == "某某科技"
    other = bearer("另一家公司")
    for method, body in (("PATCH", {"employees": 1}), ("DELETE", None)):
        response = anonymous.request(
            method, f"/api/v1/enterprises/{mine['id']}", json=body, headers=other
        )
        assert response.status_code == 404 and str(mine["id"]) in response.json()["detail"]
    again = anonymous.get(f"/api/v1/enterprises/{mine['id']}", headers=bearer("某某科技")).json()
    assert again["employees"] is None and again["archived"] is False
    ok = anonymous.patch(
        f"/api/v1/enterprises/{mine['id']}", json={"employees": 7}, headers=bearer("某某科技")
    )
    assert ok.status_code == 200 and ok.json()["employees"] == 7


def test_offices_act_only_within_their_scope(anonymous: TestClient) -> None:
    ganzhou = bearer("赣州市发改委")
    assert (
        anonymous.patch(
            "/api/v1/cities/360700", json={"national_dev_zones": 2}, headers=ganzhou
        ).status_code
        == 200
    )
    assert (
        anonymous.patch(
            "/api/v1/cities/360721", json={"national_dev_zones": 1}, headers=ganzhou
        ).status_code
        == 200
    )
    assert (
        anonymous.patch(
            "/api/v1/cities/440300", json={"national_dev_zones": 9}, headers=ganzhou
        ).status_code
        == 404
    )
    assert (
        anonymous.patch(
            "/api/v1/cities/360800", json={"national_dev_zones": 9}, headers=bearer("江西省发改委")
        ).status_code
        == 200
    )
    need = {
        "city": "360700",
        "title": "范围测试岗位",
        "field": "稀土材料",
        "programme": "科技特派员",
    }
    assert anonymous.post("/api/v1/needs", json=need, headers=ganzhou).status_code == 201
    outside = anonymous.post("/api/v1/needs", json=need | {"city": "440300"}, headers=ganzhou)
    assert outside.status_code == 403
    enterprise = anonymous.post(
        "/api/v1/enterprises", json=ENTERPRISE | {"hq_city": "北京"}, headers=ganzhou
    )
    assert enterprise.status_code == 403


def test_an_import_with_rows_outside_the_scope_writes_nothing(anonymous: TestClient) -> None:
    csv = "city,title,field,programme\n360700,导入岗位一,材料,科技特派员\n440300,导入岗位二,材料,科技特派员\n"
    response = anonymous.post(
        "/api/v1/needs/import",
        files={"file": ("n.csv", csv.encode())},
        headers=bearer("赣州市发改委"),
    )
    assert response.status_code == 422 and response.json()["errors"][0]["row"] == 2
    assert anonymous.get("/api/v1/needs", params={"q": "导入岗位"}).json()["items"] == []


def test_universities_own_their_experts(anonymous: TestClient) -> None:
    expert = {
        "name": "归属专家",
        "affiliation_type": "university",
        "affiliation": "某大学",
        "city": "广州",
        "fields": ["材料"],
        "title": "senior",
        "degree": "doctorate",
        "contact": "expert@example.invalid",
        "available_from": "2026-09",
    }
    created = anonymous.post("/api/v1/experts", json=expert, headers=bearer("某大学")).json()
    assert created["owner"] == "某大学"
    assert (
        anonymous.delete(
            f"/api/v1/experts/{created['id']}", headers=bearer("另一家公司")
        ).status_code
        == 403
    )
    seen = anonymous.get(f"/api/v1/experts/{created['id']}").json()
    assert seen["contact"] is None and seen["available_from"] is None
    assert anonymous.get(f"/api/v1/experts/{created['id']}", headers=bearer("某大学")).json()[
        "contact"
    ]


def test_private_fields_never_reach_those_not_entitled(anonymous: TestClient) -> None:
    created = anonymous.post(
        "/api/v1/enterprises", json=ENTERPRISE, headers=bearer("某某科技")
    ).json()
    assert created["contact"] and created["needs_resources"] == ["稀土"]
    item = f"/api/v1/enterprises/{created['id']}"
    for headers in ({}, bearer("viewer"), bearer("另一家公司"), bearer("赣州市发改委")):
        single = anonymous.get(item, headers=headers).json()
        assert single["contact"] is None and single["needs_resources"] == [], headers
        listed = anonymous.get(
            "/api/v1/enterprises", params={"q": "所有权测试"}, headers=headers
        ).json()["items"]
        assert listed[0]["contact"] is None
        exported = anonymous.get(
            "/api/v1/enterprises/export",
            params={"q": "所有权测试", "format": "json"},
            headers=headers,
        ).json()["items"]
        assert exported[0]["contact"] is None and exported[0]["needs_resources"] == []
        csv = anonymous.get(
            "/api/v1/enterprises/export", params={"q": "所有权测试"}, headers=headers
        ).text
        assert "13800000000" not in csv and "稀土" not in csv.split("\n", 1)[1].split(",")[8:9]
        found = anonymous.get(
            "/api/v1/search", params={"q": "所有权测试有限公司"}, headers=headers
        ).text
        assert "13800000000" not in found
    for headers in (bearer("某某科技"), bearer("admin"), bearer("江西省发改委") | {}):
        seen = anonymous.get(item, headers=headers).json()
        entitled = headers == bearer("某某科技") or headers == bearer("admin")
        assert (seen["contact"] is not None) == entitled


def test_server_owned_fields_cannot_be_set_on_any_model(anonymous: TestClient) -> None:
    owner = bearer("admin")
    bodies = {
        "/api/v1/enterprises": ENTERPRISE | {"name": "字段测试有限公司"},
        "/api/v1/cities": {
            "adcode": "369902",
            "name": "测试市",
            "province": "江西省",
            "province_adcode": "360000",
            "level": "prefecture",
        },
        "/api/v1/subscriptions": {"url": "https://203.0.113.9/hook", "event": "plan.approved"},
        "/api/v1/feedback": {
            "kind": "city_city",
            "base_city": "360700",
            "partner_city": "440300",
            "verdict": "accepted",
        },
    }
    for path, body in bodies.items():
        for field, value in (
            ("id", 99),
            ("owner", "someone"),
            ("is_demo", True),
            ("created_at", "2020-01-01T00:00:00"),
            ("archived", True),
            ("secret", "whsec_x"),
            ("active", False),
        ):
            response = anonymous.post(path, json=body | {field: value}, headers=owner)
            assert response.status_code == 422, (path, field, response.text)
            assert response.json()["errors"][0]["field"] == field
    patch = anonymous.patch("/api/v1/enterprises/1", json={"owner": "me"}, headers=owner)
    assert patch.status_code == 422 and patch.json()["errors"][0]["field"] == "owner"


def test_subscriptions_belong_to_their_principal(
    anonymous: TestClient, allow_loopback_webhooks: None
) -> None:
    mine = anonymous.post(
        "/api/v1/subscriptions",
        json={"url": "http://127.0.0.1:9/hook", "event": "plan.approved"},
        headers=bearer("某某科技"),
    )
    assert mine.status_code == 201
    sid = mine.json()["id"]
    assert (
        anonymous.get(f"/api/v1/subscriptions/{sid}", headers=bearer("另一家公司")).status_code
        == 404
    )
    assert (
        anonymous.get("/api/v1/subscriptions", headers=bearer("另一家公司")).json()["items"] == []
    )
    assert (
        anonymous.get(f"/api/v1/subscriptions/{sid}", headers=bearer("某某科技")).status_code == 200
    )


def test_keys_rotate_and_revoke(anonymous: TestClient, engine: Engine) -> None:
    admin = bearer("admin")
    created = anonymous.post(
        "/api/v1/admin/keys", json={"principal": "新公司", "role": "enterprise"}, headers=admin
    )
    assert created.status_code == 201
    key = created.json()["key"]
    assert (
        anonymous.get("/api/v1/health", headers={"Authorization": f"Bearer {key}"}).status_code
        == 200
    )
    rotated = anonymous.post(
        f"/api/v1/admin/keys/{created.json()['id']}/rotate", headers=admin
    ).json()
    assert (
        anonymous.get("/api/v1/health", headers={"Authorization": f"Bearer {key}"}).status_code
        == 401
    )
    assert (
        anonymous.get(
            "/api/v1/health", headers={"Authorization": f"Bearer {rotated['key']}"}
        ).status_code
        == 200
    )
    assert rotated["principal"] == "新公司"
    listed = anonymous.get("/api/v1/admin/keys", headers=admin).json()["items"]
    assert all("key" not in item and "hash" not in item for item in listed)
    with Session(engine) as session:
        stored = session.get(ApiKey, rotated["id"])
        assert rotated["key"] not in (stored.hash, stored.prefix)
