"""Cities, base areas, industries, health, resolution and search over HTTP."""

from fastapi.testclient import TestClient

PROBLEM = "application/problem+json"


def test_health_is_cheap_and_readiness_reports_the_counts(client: TestClient) -> None:
    body = client.get("/api/v1/health").json()
    assert body == {"status": "ok", "database": body["database"]}
    assert body["database"] in ("sqlite", "postgresql")
    ready = client.get("/api/v1/health/ready").json()
    assert ready["counts"]["cities"] == 3207 and ready["counts"]["key_cities"] == 20
    client.post(
        "/api/v1/enterprises",
        json={"name": "就绪计数企业", "hq_city": "440300", "industry_codes": ["39"]},
    )
    again = client.get("/api/v1/health/ready").json()  # counted a moment ago: from the cache
    assert again["counts"] == ready["counts"] and again["counted_seconds_ago"] > 0


def test_city_by_adcode_carries_its_figures_and_base_areas(client: TestClient) -> None:
    city = client.get("/api/v1/cities/360700").json()
    assert (city["name"], city["province"], city["is_key_city"]) == ("赣州市", "江西省", True)
    assert city["gdp_year"] == 2023 and "biechouwo" in city["gdp_source"]
    assert sorted(city["base_areas"]) == ["ganminyue", "xiangganbian"]


def test_unknown_city_is_a_problem_naming_it(client: TestClient) -> None:
    response = client.get("/api/v1/cities/999999")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == 404 and "999999" in body["detail"] and body["title"]
    bad = client.get("/api/v1/cities/abc")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "adcode"


def test_city_filters(client: TestClient) -> None:
    key = client.get("/api/v1/cities", params={"key_city": True, "count": True}).json()
    assert key["total"] == 20 and all(c["is_key_city"] for c in key["items"])
    jiangxi = client.get(
        "/api/v1/cities", params={"province": "江西省", "level": "prefecture", "limit": 100}
    ).json()
    assert len(jiangxi["items"]) == 11
    by_code = client.get(
        "/api/v1/cities", params={"province": "360000", "level": "地级", "limit": 100}
    ).json()
    assert by_code["items"] == jiangxi["items"]
    area = client.get("/api/v1/cities", params={"base_area": "dabieshan", "count": True}).json()
    assert {"341500", "411500"} <= {c["adcode"] for c in area["items"]}
    section = client.get("/api/v1/cities", params={"industry": "B", "count": True}).json()
    assert "360700" not in {
        c["adcode"] for c in section["items"]
    }  # 赣州 has 32 (C), not mining (B)
    mining = {"B", "06", "07", "08", "09", "10", "11", "12"}  # 门类 B and its 大类
    assert all(  # a code of any level counts under its 大类 (0911 is under 09)
        any(code[:2] in mining or code == "B" for code in c["industry_codes"])
        for c in section["items"]
    )
    partners = client.get("/api/v1/cities", params={"partner_candidate": True, "q": "深圳"}).json()
    assert [c["adcode"] for c in partners["items"]] == ["440300"]


def test_city_sort_by_gdp_descending(client: TestClient) -> None:
    items = client.get(
        "/api/v1/cities", params={"sort": "-gdp_100m", "limit": 3, "level": "municipality"}
    ).json()["items"]
    assert [c["name"] for c in items] == ["上海市", "北京市", "重庆市"]


def test_keyset_pages_cover_every_row_once(client: TestClient) -> None:
    seen: list[str] = []
    params = {"limit": 500, "level": "county"}
    cursor = None
    while True:
        page = client.get(
            "/api/v1/cities", params=params | ({"cursor": cursor} if cursor else {})
        ).json()
        seen += [c["adcode"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 2843


def test_limit_above_the_cap_is_refused_naming_the_cap(client: TestClient) -> None:
    response = client.get("/api/v1/cities", params={"limit": 501})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "limit" and "500" in response.json()["detail"]


def test_forged_cursor_and_unknown_filter_are_refused(client: TestClient) -> None:
    assert client.get("/api/v1/cities", params={"cursor": "!!!"}).status_code == 422
    assert client.get("/api/v1/cities", params={"cursor": "eyJ4IjogMX0"}).status_code == 422
    unknown = client.get("/api/v1/cities", params={"colour": "red"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "colour"
    assert client.get("/api/v1/cities", params={"industry": "ZZ"}).status_code == 422


def test_city_nested_pairings_and_needs(client: TestClient) -> None:
    pairings = client.get("/api/v1/cities/360700/pairings").json()["items"]
    assert any(
        p["partner_city"] == "440300" and p["scheme"] == "counterpart_cooperation" for p in pairings
    )
    needs = client.get("/api/v1/cities/360700/needs").json()["items"]
    assert needs and all(n["city"] == "360700" and n["is_demo"] for n in needs)
    assert client.get("/api/v1/cities/999999/needs").status_code == 404


def test_patch_city_and_delete_archives_a_referenced_city(client: TestClient) -> None:
    patched = client.patch(
        "/api/v1/cities/360700", json={"national_dev_zones": 3, "high_speed_rail": True}
    )
    assert patched.status_code == 200 and patched.json()["national_dev_zones"] == 3
    assert client.patch("/api/v1/cities/360700", json={"adcode": "111111"}).status_code == 422
    removed = client.delete("/api/v1/cities/360700").json()
    assert removed == {"id": "360700", "outcome": "archived"}
    assert client.get("/api/v1/cities/360700").status_code == 404
    kept = client.get("/api/v1/cities/360700", params={"include_archived": True})
    assert kept.json()["archived"] is True


def test_create_city_and_delete_an_unreferenced_one(client: TestClient) -> None:
    body = {
        "adcode": "369901",
        "name": "测试市",
        "province": "江西省",
        "province_adcode": "360000",
        "level": "prefecture",
        "longitude": 115.0,
        "latitude": 27.0,
    }
    assert client.post("/api/v1/cities", json=body).status_code == 201
    conflict = client.post("/api/v1/cities", json=body)
    assert conflict.status_code == 409 and conflict.json()["conflicting"]["id"] == "369901"
    assert client.delete("/api/v1/cities/369901").json()["outcome"] == "deleted"
    assert client.get("/api/v1/cities/369901").status_code == 404
    outside = client.post("/api/v1/cities", json=body | {"longitude": 150})
    assert outside.status_code == 422 and outside.json()["errors"][0]["field"] == "longitude"


def test_base_areas_and_their_cities(client: TestClient) -> None:
    areas = client.get("/api/v1/base-areas").json()["items"]
    assert len(areas) == 12 and all(a["city_count"] >= 1 for a in areas)
    cities = client.get("/api/v1/base-areas/ganminyue/cities").json()["items"]
    assert {"360700", "350800", "441400"} <= {c["adcode"] for c in cities}
    assert client.get("/api/v1/base-areas/atlantis").status_code == 404


def test_industries(client: TestClient) -> None:
    manufacturing = client.get("/api/v1/industries", params={"section": "C"}).json()["items"]
    assert len(manufacturing) == 1 + 31 + 179 + 609  # the 门类, its 大类, 中类 and 小类
    assert manufacturing[0]["code"] == "C"
    assert client.get("/api/v1/industries/39").json()["name"] == "计算机、通信和其他电子设备制造业"
    assert client.get("/api/v1/industries/99").status_code == 404


def test_resolve_city_by_pinyin_and_typo(client: TestClient) -> None:
    for query in ("ganzhou", "赣洲", "Gan Zhou"):
        items = client.get("/api/v1/resolve", params={"kind": "city", "q": query}).json()["items"]
        assert items[0]["adcode"] == "360700" and items[0]["name"] == "赣州市"
        assert "id" not in items[0]


def test_resolve_other_kinds_carry_id_or_code(client: TestClient) -> None:
    university = client.get(
        "/api/v1/resolve", params={"kind": "university", "q": "赣南师范"}
    ).json()["items"][0]
    assert university["name"] == "赣南师范大学" and isinstance(university["id"], int)
    industry = client.get("/api/v1/resolve", params={"kind": "industry", "q": "稀土"}).json()[
        "items"
    ]
    assert {"09", "32"} <= {i["code"] for i in industry}
    assert client.get("/api/v1/resolve", params={"kind": "planet", "q": "x"}).status_code == 422


def test_search_across_kinds(client: TestClient) -> None:
    hits = client.get("/api/v1/search", params={"q": "ganzhou"}).json()["items"]
    assert hits[0]["kind"] == "city" and hits[0]["adcode"] == "360700"
    hits = client.get("/api/v1/search", params={"q": "中山大学"}).json()["items"]
    assert hits[0]["kind"] == "university" and hits[0]["name"] == "中山大学"
