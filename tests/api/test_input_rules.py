"""One rule for text and strict types at the edge, the same on SQLite and PostgreSQL.

Control characters (NUL always) are refused with a 422 naming the field, in bodies, query and
path parameters and import files; tab and line feed stay allowed. Numbers refuse booleans and
date-times refuse bare numbers. Each test runs on PostgreSQL too (COUNTERPART_TEST_POSTGRES),
where a NUL once reached the driver and answered 500.
"""

import pytest
from fastapi.testclient import TestClient

from tests.api.test_profile_routes import NEW


def _fields(response) -> list[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return [e["field"] for e in response.json()["errors"]]


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\ud800"])
def test_control_characters_in_a_body_name_the_field(client: TestClient, character: str) -> None:
    body = NEW["enterprises"] | {"name": f"深圳{character}测试有限公司"}
    response = client.post(
        "/api/v1/enterprises",
        content=_json(body),
        headers={"content-type": "application/json"},
    )
    assert _fields(response) == ["name"]
    assert client.get("/api/v1/enterprises", params={"q": "测试有限公司"}).json()["items"] == []


def _json(body: dict) -> bytes:
    """JSON with lone surrogates escaped as JSON allows (httpx's encoder would refuse them)."""
    import json

    return json.dumps(body, ensure_ascii=True).encode()


def test_control_characters_inside_lists_and_nested_bodies(client: TestClient) -> None:
    body = NEW["enterprises"] | {"industry_keywords": ["电池", "储能\x00"]}
    assert _fields(client.post("/api/v1/enterprises", json=body)) == ["industry_keywords"]
    site = {"enterprise": NEW["enterprises"] | {"name": "某\x00公司"}}
    assert _fields(client.post("/api/v1/recommendations/sites", json=site)) == ["enterprise.name"]
    enterprise = client.get("/api/v1/enterprises", params={"limit": 1}).json()["items"][0]
    patch = {"contact": "电话\x00"}
    assert _fields(client.patch(f"/api/v1/enterprises/{enterprise['id']}", json=patch)) == [
        "contact"
    ]


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/api/v1/cities", {"q": "赣\x00"}, "q"),
        ("/api/v1/cities", {"province": "\x00"}, "province"),
        ("/api/v1/enterprises", {"q": "a\x00b"}, "q"),
        ("/api/v1/resolve", {"kind": "city", "q": "\x00"}, "q"),
        ("/api/v1/search", {"q": "稀土\x1f"}, "q"),
        ("/api/v1/recommendations/partners", {"city": "赣州\x00"}, "city"),
        ("/api/v1/admin/audit", {"principal": "\x00"}, "principal"),
    ],
)
def test_control_characters_in_query_parameters(
    client: TestClient, path: str, params: dict, field: str
) -> None:
    assert _fields(client.get(path, params=params)) == [field]


def test_control_characters_in_path_parameters(client: TestClient) -> None:
    assert _fields(client.get("/api/v1/base-areas/gan%00minyue")) == ["base_area_id"]


def test_tab_and_line_feed_stay_allowed(client: TestClient) -> None:
    body = NEW["universities"] | {"name": "测试文本学院", "notes": "第一行\n第二行\t制表"}
    created = client.post("/api/v1/universities", json=body)
    assert created.status_code == 201, created.text
    assert client.get(f"/api/v1/universities/{created.json()['id']}").json()["notes"] == (
        "第一行\n第二行\t制表"
    )


def test_an_import_cell_with_a_control_character_refuses_the_file(client: TestClient) -> None:
    csv = "name,hq_city,industry_codes\n深圳市好公司,440300,38\n深圳市坏\x00公司,440300,38\n"
    response = client.post(
        "/api/v1/enterprises/import", files={"file": ("e.csv", csv.encode(), "text/csv")}
    )
    assert response.status_code == 422, response.text
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(2, "row 2.name")]
    assert client.get("/api/v1/enterprises", params={"q": "好公司"}).json()["items"] == []


def test_numbers_refuse_booleans(client: TestClient) -> None:
    body = NEW["needs"] | {"headcount": True}
    assert _fields(client.post("/api/v1/needs", json=body)) == ["headcount"]
    body = NEW["enterprises"] | {"revenue_100m": False}
    assert _fields(client.post("/api/v1/enterprises", json=body)) == ["revenue_100m"]
    assert _fields(
        client.post("/api/v1/admin/keys", json={"principal": "x", "role": "viewer", "days": True})
    ) == ["days"]


def test_json_bodies_take_json_types(client: TestClient) -> None:
    """Found by the deep run: `"explain_excluded": 0` was taken for false."""
    site = {"enterprise": NEW["enterprises"], "explain_excluded": 0}
    assert _fields(client.post("/api/v1/recommendations/sites", json=site)) == ["explain_excluded"]
    body = NEW["enterprises"] | {"employees": "12"}
    assert _fields(client.post("/api/v1/enterprises", json=body)) == ["employees"]
    ok = client.get(
        "/api/v1/recommendations/sites",
        params={"enterprise": 1, "explain_excluded": "true", "max_distance_km": "800"},
    )
    assert ok.status_code == 200, ok.text  # query parameters are text, and stay so


@pytest.mark.parametrize("since", ["0.5", "1700000000", "-1"])
def test_timestamps_refuse_bare_numbers(client: TestClient, since: str) -> None:
    assert _fields(client.get("/api/v1/admin/audit", params={"since": since})) == ["since"]


def test_timestamps_take_iso_8601(client: TestClient) -> None:
    response = client.get("/api/v1/admin/audit", params={"since": "2026-01-01T00:00:00Z"})
    assert response.status_code == 200, response.text


NULLS = {
    "enterprises": ["industry_codes", "name", "places", "preferred_modes"],
    "universities": ["main_fields", "tags", "type"],
    "experts": ["programmes", "fields", "title"],
    "needs": ["headcount", "title"],
    "pairings": ["modes", "status"],
}


@pytest.mark.parametrize("kind", list(NULLS))
def test_patch_with_null_for_a_field_the_store_keeps_is_422(client: TestClient, kind: str) -> None:
    created = client.post(f"/api/v1/{kind}", json=NEW[kind])
    assert created.status_code == 201, created.text
    url = f"/api/v1/{kind}/{created.json()['id']}"
    for field in NULLS[kind]:
        assert _fields(client.patch(url, json={field: None})) == [field]
    unchanged = {k: v for k, v in created.json().items() if k != "resolved"}  # a write's report
    assert client.get(url).json() == unchanged


def test_patch_null_on_a_city_list_is_422(client: TestClient) -> None:
    assert _fields(client.patch("/api/v1/cities/360700", json={"resources": None})) == ["resources"]


def test_update_shapes_allow_null_exactly_where_the_store_does() -> None:
    """A PATCH field is nullable only when the stored field is (else null answered 500)."""
    from profiles import models

    for name in dir(models):
        update = getattr(models, name)
        if not name.endswith("Update") or not isinstance(update, type):
            continue
        base = getattr(models, name.removesuffix("Update") + "Base")
        for field, info in update.model_fields.items():
            stored = base.model_fields.get(field)
            if stored is not None:
                nullable = type(None) in getattr(info.annotation, "__args__", ())
                assert nullable == (type(None) in getattr(stored.annotation, "__args__", ())), (
                    f"{name}.{field}"
                )
