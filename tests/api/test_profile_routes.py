"""Every kind of profile over HTTP: create, read, update, delete or archive, list, filter."""

import pytest
from fastapi.testclient import TestClient

NEW = {
    "enterprises": {
        "name": "深圳市测试新能源有限公司",
        "hq_city": "深圳",
        "industry_codes": ["38"],
    },
    "universities": {
        "name": "测试理工学院",
        "city": "赣州",
        "type": "本科",
        "main_fields": ["工学"],
    },
    "experts": {
        "name": "测试专家",
        "affiliation_type": "university",
        "affiliation": "中山大学",
        "city": "广州",
        "fields": ["材料科学与工程"],
        "title": "正高级",
        "degree": "博士",
        "programmes": ["博士服务团"],
    },
    "needs": {
        "city": "360700",
        "title": "测试岗位",
        "field": "稀土材料",
        "programme": "科技特派员",
        "headcount": 2,
    },
    "pairings": {
        "kind": "city_city",
        "scheme": "对口合作",
        "base_city": "吉安",
        "partner_city": "苏州",
        "status": "proposed",
    },
}
PATCH = {
    "enterprises": ("employees", 1200),
    "universities": ("notes", "测试"),
    "experts": ("available_months", 6),
    "needs": ("headcount", 5),
    "pairings": ("status", "ended"),
}


@pytest.mark.parametrize("kind", list(NEW))
def test_create_read_update_delete(client: TestClient, kind: str) -> None:
    created = client.post(f"/api/v1/{kind}", json=NEW[kind])
    assert created.status_code == 201, created.json()
    item = created.json()
    report = item.pop("resolved", [])  # a write says how its industry words were read
    assert all(r["via"] == "code" for r in report)
    assert client.get(f"/api/v1/{kind}/{item['id']}").json() == item
    field, value = PATCH[kind]
    patched = client.patch(f"/api/v1/{kind}/{item['id']}", json={field: value})
    assert patched.status_code == 200 and patched.json()[field] == value
    assert client.delete(f"/api/v1/{kind}/{item['id']}").json()["outcome"] == "deleted"
    assert client.get(f"/api/v1/{kind}/{item['id']}").status_code == 404


@pytest.mark.parametrize("kind", list(NEW))
def test_unknown_id_is_404_naming_it(client: TestClient, kind: str) -> None:
    response = client.get(f"/api/v1/{kind}/987654")
    assert response.status_code == 404 and "987654" in response.json()["detail"]
    assert client.patch(f"/api/v1/{kind}/987654", json={}).status_code == 404
    assert client.delete(f"/api/v1/{kind}/987654").status_code == 404
    assert client.get(f"/api/v1/{kind}/0").status_code == 422
    assert client.get(f"/api/v1/{kind}/{2**70}").status_code == 422


@pytest.mark.parametrize("kind", list(NEW))
def test_duplicate_natural_key_is_409_naming_the_record(client: TestClient, kind: str) -> None:
    first = client.post(f"/api/v1/{kind}", json=NEW[kind]).json()
    again = client.post(f"/api/v1/{kind}", json=NEW[kind])
    assert again.status_code == 409
    assert again.json()["conflicting"]["id"] == first["id"]


@pytest.mark.parametrize("kind", list(NEW))
def test_server_owned_and_unknown_fields_are_refused(client: TestClient, kind: str) -> None:
    for extra in ({"id": 5}, {"is_demo": True}, {"owner": "x"}, {"colour": "red"}):
        response = client.post(f"/api/v1/{kind}", json=NEW[kind] | extra)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == next(iter(extra))


def test_validation_errors_name_every_field(client: TestClient) -> None:
    response = client.post(
        "/api/v1/enterprises", json={"name": "x", "industry_codes": ["ABC"], "employees": -3}
    )
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"name", "hq_city", "industry_codes.0", "employees"} <= fields or {
        "name",
        "hq_city",
        "employees",
    } <= fields


def test_malformed_bodies_never_answer_500(client: TestClient) -> None:
    for body in (b"{", b"[]", b"null", b'{"name": {"$gt": 1}}', "名称".encode("gbk")):
        response = client.post(
            "/api/v1/enterprises", content=body, headers={"content-type": "application/json"}
        )
        assert response.status_code in (400, 422), body
        assert response.headers["content-type"] == "application/problem+json"


def test_deleting_a_paired_enterprise_archives_it(client: TestClient) -> None:
    enterprise = client.post("/api/v1/enterprises", json=NEW["enterprises"]).json()
    pairing = {
        "kind": "enterprise_city",
        "enterprise_id": enterprise["id"],
        "base_city": "360700",
        "modes": ["hq_base"],
        "status": "proposed",
    }
    assert client.post("/api/v1/pairings", json=pairing).status_code == 201
    assert client.delete(f"/api/v1/enterprises/{enterprise['id']}").json()["outcome"] == "archived"
    url = f"/api/v1/enterprises/{enterprise['id']}"
    gone = client.get(url)
    assert gone.status_code == 404 and "include_archived=true" in gone.json()["detail"]
    assert client.patch(url, json={"employees": 3}).status_code == 404
    assert client.delete(url).status_code == 404
    assert client.get(url, params={"include_archived": True}).json()["archived"] is True
    listed = client.get("/api/v1/enterprises", params={"q": "测试新能源"}).json()["items"]
    assert listed == []
    archived = client.get(
        "/api/v1/enterprises", params={"q": "测试新能源", "archived": True}
    ).json()["items"]
    assert [e["id"] for e in archived] == [enterprise["id"]]


def test_pairing_needs_its_parties(client: TestClient) -> None:
    response = client.post(
        "/api/v1/pairings", json={"kind": "enterprise_city", "base_city": "360700"}
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "enterprise_id"
    ghost = client.post(
        "/api/v1/pairings",
        json={"kind": "enterprise_city", "enterprise_id": 10**9, "base_city": "360700"},
    )
    assert ghost.status_code == 422


def test_enterprise_filters(client: TestClient) -> None:
    params = {
        "province": "广东省",
        "industry": "C",
        "mode": "研发+制造",
        "demo": True,
        "count": True,
        "limit": 500,
    }
    body = client.get("/api/v1/enterprises", params=params).json()
    assert body["total"] == len(body["items"]) > 0
    for item in body["items"]:
        assert item["hq_city"].startswith("44") and item["is_demo"]
        assert "rnd_manufacturing" in item["preferred_modes"]
        assert any(  # 门类 C is 大类 13–43; a finer code counts under its 大类
            code == "C" or (code[:2].isdigit() and 13 <= int(code[:2]) <= 43)
            for code in item["industry_codes"]
        )
    real = client.get("/api/v1/enterprises", params={"demo": False, "count": True}).json()
    assert real["total"] == 0


def test_expert_and_need_filters(client: TestClient) -> None:
    experts = client.get(
        "/api/v1/experts", params={"programme": "western_light", "degree": "doctorate"}
    ).json()
    assert experts["items"] and all("western_light" in e["programmes"] for e in experts["items"])
    needs = client.get(
        "/api/v1/needs", params={"base_area": "dabieshan", "programme": "博士服务团"}
    ).json()
    assert all(n["programme"] == "doctoral_service_team" for n in needs["items"])
    universities = client.get(
        "/api/v1/universities", params={"type": "双一流", "province": "江西省"}
    ).json()
    assert [u["name"] for u in universities["items"]] == ["南昌大学"]


def test_sorted_pages_and_pagination_stay_stable_while_rows_are_added(client: TestClient) -> None:
    seen: list[int] = []
    cursor = None
    added = 0
    while True:
        params = {"limit": 100} | ({"cursor": cursor} if cursor else {})
        page = client.get("/api/v1/enterprises", params=params).json()
        seen += [e["id"] for e in page["items"]]
        if added < 5:
            body = {"name": f"并发测试企业{added}", "hq_city": "440300", "industry_codes": ["39"]}
            assert client.post("/api/v1/enterprises", json=body).status_code == 201
            added += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen))
    assert set(range(1, 613)) <= set(seen)
    biggest = client.get("/api/v1/enterprises", params={"sort": "-employees", "limit": 5}).json()[
        "items"
    ]
    employees = [e["employees"] for e in biggest]
    assert employees == sorted(employees, reverse=True)


@pytest.mark.parametrize("kind", ["experts", "needs"])
def test_deleted_expert_or_need_named_by_a_pairing_is_gone_for_a_plain_get(
    client: TestClient, kind: str
) -> None:
    """Was 200 after DELETE: archived records are reachable only with include_archived=true."""
    expert = client.post("/api/v1/experts", json=NEW["experts"]).json()
    need = client.post("/api/v1/needs", json=NEW["needs"]).json()
    pairing = {"kind": "expert_need", "expert_id": expert["id"], "need_id": need["id"]}
    assert client.post("/api/v1/pairings", json=pairing).status_code == 201
    url = f"/api/v1/{kind}/{(expert if kind == 'experts' else need)['id']}"
    assert client.delete(url).json()["outcome"] == "archived"
    assert client.get(url).status_code == 404
    assert client.get(url, params={"include_archived": True}).json()["archived"] is True
