"""Development zones and open platforms through the API: the shipped list and how complete it
is, the shared profile machinery (filters, import, access), zone-to-zone cooperation with true
reasons, and sites named down to a zone."""

import re

from fastapi.testclient import TestClient

from tests.conftest import bearer

ZONES = "/api/v1/zones"
COOPERATION = "/api/v1/recommendations/zones"
OPEN_KINDS = {"comprehensive_bonded_zone", "cbec_pilot_zone", "free_trade_zone_area"}


def upload(client: TestClient, kind: str, text: str, **params: object):
    return client.post(
        f"/api/v1/{kind}/import", files={"file": ("zones.csv", text.encode())}, params=params
    )


def total(client: TestClient, **filters: object) -> int:
    return client.get(ZONES, params={"count": True, "limit": 1, **filters}).json()["total"]


def zone_named(client: TestClient, name: str) -> dict:
    return client.get(ZONES, params={"q": name}).json()["items"][0]


def test_the_19_national_new_areas_are_listed_with_their_sources(client: TestClient) -> None:
    page = client.get(ZONES, params={"kind": "national_new_area", "count": True, "limit": 50})
    body = page.json()
    assert page.status_code == 200 and body["total"] == 19 and len(body["items"]) == 19
    names = {z["name"] for z in body["items"]}
    assert {"上海浦东新区", "河北雄安新区", "江西赣江新区", "陕西西咸新区"} <= names
    assert all(z["source"] and z["confidence"] == "high" for z in body["items"])
    assert all(z["kind_label"] == "国家级新区" and z["level"] == "national" for z in body["items"])
    ganjiang = next(z for z in body["items"] if z["name"] == "江西赣江新区")
    assert (ganjiang["city"], ganjiang["also_cities"], ganjiang["approved_year"]) == (
        "360100",
        ["360400"],
        2016,
    )
    assert total(client, kind="国家级新区") == 19  # the Chinese label filters too
    assert total(client, kind="national_new_area", province="江西") == 1


def test_completeness_says_what_is_missing_kind_by_kind(client: TestClient) -> None:
    body = client.get(f"{ZONES}/completeness").json()
    kinds = {item["kind"]: item for item in body["items"]}
    assert kinds["national_new_area"] | {"note": ""} == {
        "kind": "national_new_area",
        "label": "国家级新区",
        "stored": 19,
        "shipped": 19,
        "national_total": 19,
        "approximate": False,
        "share": 1.0,
        "complete": True,
        "note": "",
    }
    bonded = kinds["comprehensive_bonded_zone"]
    assert (bonded["shipped"], bonded["national_total"], bonded["complete"]) == (3, 160, False)
    assert bonded["approximate"] and bonded["share"] < 0.05
    assert kinds["provincial_zone"]["national_total"] is None
    assert not kinds["provincial_zone"]["complete"]
    assert sum(k["shipped"] for k in kinds.values()) == 135
    assert "不完整" in body["note"]


def test_a_base_area_zone_gets_partner_zones_with_true_reasons(client: TestClient) -> None:
    answer = client.get(COOPERATION, params={"zone": "瑞金经开区", "limit": 10})
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["zone"]["name"] == "瑞金经济技术开发区" and body["direction"] == "partners"
    items = body["items"]
    assert len(items) == 10
    assert [i["rank"] for i in items] == list(range(1, 11))
    assert [i["score"] for i in items] == sorted((i["score"] for i in items), reverse=True)
    frameworks = client.get(
        "/api/v1/frameworks", params={"city": "360700", "side": "assisted", "active": True}
    ).json()["items"]
    for item in items:
        partner = item["zone"]
        assert partner["city"] != "360700"
        # the Opinion's pairing: a development zone meets a new area or a developed zone
        assert partner["kind"] in {"national_new_area", "national_etdz", "national_htz"}
        texts = {r["feature"]: r["text"] for r in item["reasons"]}
        assert partner["name"] in texts["platform_pairing"]
        assert "国家级新区及发达地区开发区" in texts["platform_pairing"]
        assert "资料可信度低" in texts["platform_pairing"]  # 瑞金's national status is inferred
        if "log_distance" in texts:
            km = int(re.search(r"约 ([\d,]+) 公里", texts["log_distance"])[1].replace(",", ""))
            assert abs(km - item["distance_km"]) <= 1
        if "framework_tie" in texts:  # a framework names the partner city as 赣州's helper
            assert item["frameworks"]
            helpers = [f for f in frameworks if partner["city"] in f["helper_cities"]]
            assert helpers, (partner, texts["framework_tie"])
    shenzhen = next(i for i in items if i["zone"]["city"] == "440300")
    assert any("深圳市 → 赣州市" in f for f in shenzhen["frameworks"])


def test_a_base_area_bonded_zone_is_paired_with_eastern_open_platforms(
    client: TestClient,
) -> None:
    created = client.post(
        ZONES,
        json={
            "kind": "综合保税区",
            "name": "测试老区综合保税区",
            "city": "赣州",
            "industry_codes": ["电子信息"],
        },
    )
    assert created.status_code == 201, created.json()
    body = client.get(
        COOPERATION, params={"zone": created.json()["id"], "mode": "market_product"}
    ).json()
    assert body["items"] and body["mode"] == "market_product"
    regions = {}
    for item in body["items"]:
        partner = item["zone"]
        assert partner["kind"] in OPEN_KINDS
        city = client.get(f"/api/v1/cities/{partner['city']}").json()
        regions[partner["city"]] = city["region"]
        text = next(r["text"] for r in item["reasons"] if r["feature"] == "platform_pairing")
        assert f"{city['name']}（东部地区）" in text and "东部沿海地区开放平台联动发展" in text
    assert set(regions.values()) == {"east"}
    bonded = [i for i in body["items"] if i["zone"]["kind"] == "comprehensive_bonded_zone"]
    assert {i["zone"]["name"] for i in bonded} >= {"上海浦东机场综合保税区"}
    # the zone's own industries are unknown on the partner side: a gap, not a claim
    assert all(
        any(g["feature"] == "zone_industries" for g in i["data_gaps"]) for i in body["items"]
    )


def test_the_reverse_lists_base_area_zones_for_a_developed_zone(client: TestClient) -> None:
    body = client.get(COOPERATION, params={"zone": "深圳高新区"}).json()
    assert body["direction"] == "base_zones"
    assert "瑞金经济技术开发区" in {i["zone"]["name"] for i in body["items"]}
    refused = client.get(COOPERATION, params={"zone": "深圳高新区", "direction": "partners"})
    assert refused.status_code == 422 and "direction=base_zones" in refused.json()["detail"]
    unknown = client.get(COOPERATION, params={"zone": "亚特兰蒂斯开发区"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "zone"


def test_a_site_names_the_best_zone_of_its_city(client: TestClient) -> None:
    zone = client.post(
        ZONES,
        json={
            "kind": "provincial_zone",
            "name": "测试锂电产业园",
            "city": "360700",
            "industry_codes": ["锂电"],
        },
    ).json()
    answer = client.post(
        "/api/v1/recommendations/sites",
        json={
            "enterprise": {"name": "某锂电池公司", "hq_city": "深圳", "industry_codes": ["3841"]},
            "constraints": {"zone_kind": "provincial_zone"},
            "explain_excluded": True,
            "limit": 5,
        },
    )
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert [i["city"]["adcode"] for i in body["items"]] == ["360700"]
    site = body["items"][0]
    assert site["zone"]["id"] == zone["id"] and site["zone"]["kind_label"] == "省级开发区"
    fit = next(r for r in site["zone"]["reasons"] if r["feature"] == "zone_industry_fit")
    assert fit["matches"][0]["source_code"] == fit["matches"][0]["target_code"] == "38"
    assert body["excluded_count"] == len(body["excluded"]) > 0
    assert all("省级开发区" in e["reason"] for e in body["excluded"])


def test_sites_require_a_kind_of_zone_and_name_one_of_that_kind(client: TestClient) -> None:
    enterprise = client.get("/api/v1/enterprises", params={"limit": 1}).json()["items"][0]
    body = client.get(
        "/api/v1/recommendations/sites",
        params={"enterprise": enterprise["id"], "zone_kind": "national_etdz", "limit": 5},
    ).json()
    assert body["items"]
    for item in body["items"]:
        zone = client.get(f"{ZONES}/{item['zone']['id']}").json()
        assert zone["kind"] == "national_etdz"
        assert item["city"]["adcode"] in (zone["city"], *zone["also_cities"])
    plain = client.get(
        "/api/v1/recommendations/sites", params={"enterprise": enterprise["id"], "limit": 100}
    ).json()
    with_zone = {i["city"]["adcode"] for i in plain["items"] if i["zone"]}
    assert "360700" in with_zone  # 赣州 hosts 瑞金经济技术开发区
    assert all(i["zone"] is None for i in plain["items"] if i["city"]["adcode"] == "360200")


def test_an_import_with_one_bad_row_writes_nothing_and_names_the_row(
    client: TestClient,
) -> None:
    before = total(client)
    header = "开发区类型,名称,所在城市,批准年份,来源\n"
    good = "省级开发区,测试导入工业园,吉安,2006,https://example.org/a\n"
    for bad, field, candidates in (
        ("省级开发区,测试导入二园,亚特兰蒂斯,2006,x\n", "city", None),
        ("省级开发区,测试导入三园,fuzhou,2006,x\n", "city", {"350100", "361000"}),
        ("national_etdz,瑞金经开区,赣州,,x\n", "name", None),
    ):
        response = upload(client, "zones", header + good + bad + good.replace("工业园", "四园"))
        assert response.status_code == 422, response.json()
        error = response.json()["errors"][0]
        assert (error["row"], error["field"]) == (2, f"row 2.{field}")
        if candidates:
            assert {c["adcode"] for c in error["candidates"]} >= candidates
        if field == "name":  # the same zone spelled another way, with the stored one named
            assert error["candidates"][0]["name"] == "瑞金经济技术开发区"
        assert total(client) == before
    done = upload(client, "zones", header + good)
    assert done.status_code == 200 and done.json()["created"] == 1
    assert total(client) == before + 1


def test_a_co_built_park_pairs_two_zones_and_an_ambiguous_zone_is_refused(
    client: TestClient,
) -> None:
    pairing = client.post(
        "/api/v1/pairings",
        json={"kind": "zone_zone", "base_zone": "瑞金经开区", "partner_zone": "深圳高新区"},
    )
    assert pairing.status_code == 201, pairing.json()
    assert (pairing.json()["base_city"], pairing.json()["partner_city"]) == ("360700", "440300")
    for city in ("吉安", "赣州"):
        created = client.post(
            ZONES, json={"kind": "provincial_zone", "name": "产业转移示范园", "city": city}
        )
        assert created.status_code == 201
    rows = "关系类型,老区园区,合作园区\nzone_zone,产业转移示范园,深圳高新区\n"
    refused = upload(client, "pairings", rows)
    assert refused.status_code == 422
    error = refused.json()["errors"][0]
    assert error["field"] == "row 1.base_zone"
    assert {c["city"] for c in error["candidates"]} == {"360800", "360700"}
    zone = zone_named(client, "瑞金经济技术开发区")
    assert client.delete(f"{ZONES}/{zone['id']}").json()["outcome"] == "archived"


def test_an_office_edits_the_zones_in_its_scope_and_sees_their_contacts(
    client: TestClient, anonymous: TestClient
) -> None:
    office = bearer("赣州市发改委")
    mine = client.post(
        ZONES,
        json={
            "kind": "provincial_zone",
            "name": "测试赣州园区",
            "city": "赣州",
            "contact": "0797-1",
        },
        headers=office,
    )
    assert mine.status_code == 201 and mine.json()["contact"] == "0797-1"
    elsewhere = client.post(
        ZONES,
        json={"kind": "provincial_zone", "name": "测试深圳园区", "city": "深圳"},
        headers=office,
    )
    assert elsewhere.status_code == 403
    ruijin, shenzhen = zone_named(client, "瑞金经济技术开发区"), zone_named(client, "深圳高新")
    patch = {"policies": "土地出让优惠"}
    assert client.patch(f"{ZONES}/{ruijin['id']}", json=patch, headers=office).status_code == 200
    assert client.patch(f"{ZONES}/{shenzhen['id']}", json=patch, headers=office).status_code == 404
    assert (
        client.post(
            ZONES,
            json={"kind": "provincial_zone", "name": "企业园", "city": "深圳"},
            headers=bearer("某某科技"),
        ).status_code
        == 403
    )
    assert anonymous.get(f"{ZONES}/{mine.json()['id']}").json()["contact"] is None
    assert client.get(f"{ZONES}/{mine.json()['id']}", headers=office).json()["contact"] == "0797-1"


def test_zones_export_and_import_again_to_the_same_values(client: TestClient) -> None:
    exported = client.get(f"{ZONES}/export", params={"kind": "national_new_area"})
    assert exported.status_code == 200
    again = upload(client, "zones", exported.text)
    assert again.status_code == 200, again.json()
    assert (again.json()["created"], again.json()["updated"]) == (0, 19)
    sheet = client.get(f"{ZONES}/export", params={"kind": "national_htz", "format": "xlsx"})
    assert sheet.status_code == 200 and sheet.content[:2] == b"PK"
    found = client.get("/api/v1/resolve", params={"kind": "zone", "q": "雄安新区"}).json()
    assert found["items"][0]["name"] == "河北雄安新区"
