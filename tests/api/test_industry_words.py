"""The whole of GB/T 4754-2017 over HTTP, and industry and resource words wherever codes are taken."""

import pytest
from fastapi.testclient import TestClient

from matching.industry_words import VIAS
from profiles.resolution import VIA

ENTERPRISE = {"name": "深圳市词语测试电池有限公司", "hq_city": "深圳"}


def count(client: TestClient) -> int:
    return client.get("/api/v1/enterprises", params={"count": True, "limit": 1}).json()["total"]


def test_every_level_of_the_standard_is_served_with_its_parent(client: TestClient) -> None:
    counts = {
        level: client.get("/api/v1/industries", params={"level": level}).json()["total"]
        for level in ("门类", "大类", "中类", "小类")
    }
    assert counts == {"门类": 20, "大类": 97, "中类": 473, "小类": 1381}
    lithium = client.get("/api/v1/industries/3841").json()
    assert (lithium["name"], lithium["level"], lithium["parent"], lithium["section"]) == (
        "锂离子电池制造",
        "小类",
        "384",
        "C",
    )
    batteries = client.get("/api/v1/industries", params={"parent": "384"}).json()["items"]
    assert [i["code"] for i in batteries] == ["3841", "3842", "3843", "3844", "3849"]
    manufacturing = client.get("/api/v1/industries", params={"section": "C", "level": "大类"})
    assert manufacturing.json()["total"] == 31
    assert client.get("/api/v1/industries/38").json()["parent"] == "C"
    assert client.get("/api/v1/industries/C").json()["parent"] is None
    assert client.get("/api/v1/industries/3999").status_code == 404
    assert client.get("/api/v1/industries/38411").status_code == 422


@pytest.mark.parametrize(
    ("word", "code"),
    [
        ("空调", "3852"),  # was 航空运输
        ("芯片", "3973"),  # was 农业
        ("手机", "3922"),  # was 通用设备
        ("印制电路板", "3982"),  # was nothing
        ("注塑", "2929"),  # was nothing
        ("PCB", "3982"),
        ("锂离子电池", "3841"),
    ],
)
def test_resolve_places_everyday_words_at_four_digits(
    client: TestClient, word: str, code: str
) -> None:
    items = client.get("/api/v1/resolve", params={"kind": "industry", "q": word}).json()["items"]
    assert items[0]["code"] == code and "确定" in items[0]["detail"]


def test_resolve_asks_when_a_word_is_vague(client: TestClient) -> None:
    items = client.get("/api/v1/resolve", params={"kind": "industry", "q": "车"}).json()["items"]
    assert len(items) >= 2 and all("待确认" in i["detail"] for i in items)


def test_enterprise_words_become_codes_and_the_answer_says_how(client: TestClient) -> None:
    body = ENTERPRISE | {"industry_codes": ["锂电", "39"], "needs_resources": ["锂", "稀土"]}
    created = client.post("/api/v1/enterprises", json=body)
    assert created.status_code == 201, created.json()
    item = created.json()
    assert item["industry_codes"] == ["3841", "39"] and "锂电" in item["industry_keywords"]
    resolved = {(r["field"], r["input"]): r for r in item["resolved"]}
    lithium = resolved[("industry_codes", "锂电")]
    assert (lithium["codes"], lithium["names"], lithium["via"]) == (
        ["3841"],
        ["锂离子电池制造"],
        "synonym",
    )
    assert resolved[("industry_codes", "39")]["via"] == "code"
    assert resolved[("needs_resources", "稀土")]["codes"] == ["09", "32"]
    stored = client.get(f"/api/v1/enterprises/{item['id']}").json()
    assert stored["industry_codes"] == ["3841", "39"] and "resolved" not in stored

    patched = client.patch(f"/api/v1/enterprises/{item['id']}", json={"industry_codes": ["空调"]})
    assert patched.status_code == 200, patched.json()
    assert patched.json()["industry_codes"] == ["3852"]
    assert {"锂电", "空调"} <= set(patched.json()["industry_keywords"])
    assert patched.json()["resolved"][0]["names"] == ["家用空气调节器制造"]


@pytest.mark.parametrize("word", ["车", "量子波动速读"])
def test_a_word_that_cannot_be_placed_is_refused_with_candidates(
    client: TestClient, word: str
) -> None:
    before = count(client)
    body = ENTERPRISE | {"industry_codes": ["38", word]}
    refused = client.post("/api/v1/enterprises", json=body)
    assert refused.status_code == 422
    problem = refused.json()
    assert problem["errors"][0]["field"] == "industry_codes.1"
    assert word in problem["detail"]
    if word == "车":  # vague: candidates to choose from, never a guessed code
        assert {"36"} <= {c["code"] for c in problem["candidates"]}
    assert count(client) == before


def test_a_resource_typo_gets_did_you_mean(client: TestClient) -> None:
    body = ENTERPRISE | {"industry_codes": ["38"], "needs_resources": ["锂", "稀士"]}
    refused = client.post("/api/v1/enterprises", json=body)
    assert refused.status_code == 422
    problem = refused.json()
    assert problem["errors"][0]["field"] == "needs_resources.1"
    assert problem["candidates"][0]["word"] == "稀土" and "稀土" in problem["detail"]


def test_a_city_resource_typo_gets_did_you_mean_and_real_words_keep_their_codes(
    client: TestClient,
) -> None:
    before = client.get("/api/v1/cities/360900").json()["resources"]
    refused = client.patch("/api/v1/cities/360900", json={"resources": ["锂(锂云母)", "稀士"]})
    assert refused.status_code == 422
    problem = refused.json()
    assert problem["errors"][0]["field"] == "resources.1"
    assert problem["candidates"][0]["word"] == "稀土" and "稀土" in problem["detail"]
    assert client.get("/api/v1/cities/360900").json()["resources"] == before
    # a bracketed note is read aside (锂 of 锂云母); 地热, which other cities' resources name,
    # passes as a word though no code is sure; a word no city uses and no code fits does not
    written = client.patch(
        "/api/v1/cities/360900", json={"resources": ["锂(锂云母)", "稀土", "地热"]}
    )
    assert written.status_code == 200, written.json()
    report = {r["input"]: r["codes"] for r in written.json()["resolved"]}
    assert "0939" in report["锂(锂云母)"] and "09" in report["稀土"] and report["地热"] == []
    assert written.json()["resources"] == ["锂(锂云母)", "稀土", "地热"]
    unknown = client.patch("/api/v1/cities/360900", json={"resources": ["量子波动速读"]})
    assert unknown.status_code == 422


def test_industry_filters_take_any_level_and_words(client: TestClient) -> None:
    body = ENTERPRISE | {"name": "深圳市过滤测试电池有限公司", "industry_codes": ["3841"]}
    created = client.post("/api/v1/enterprises", json=body).json()
    for value in ("C", "38", "384", "3841", "锂电", "锂电池"):
        items = client.get(
            "/api/v1/enterprises", params={"industry": value, "q": "过滤测试", "limit": 5}
        ).json()["items"]
        assert [i["id"] for i in items] == [created["id"]], value
    for value in ("39", "3842"):
        items = client.get(
            "/api/v1/enterprises", params={"industry": value, "q": "过滤测试"}
        ).json()["items"]
        assert items == [], value
    vague = client.get("/api/v1/enterprises", params={"industry": "车"})
    assert vague.status_code == 422 and vague.json()["candidates"]


def test_city_and_need_fields_take_words_too(client: TestClient) -> None:
    city = client.patch("/api/v1/cities/360700", json={"seeks_industries": ["PCB", "锂电"]})
    assert city.status_code == 200, city.json()
    assert city.json()["seeks_industries"] == ["3982", "3841"]
    assert [r["field"] for r in city.json()["resolved"]] == ["seeks_industries"] * 2
    need = {
        "city": "360700",
        "title": "注塑工艺岗位",
        "field": "材料",
        "programme": "科技特派员",
        "industry_codes": ["注塑"],
    }
    created = client.post("/api/v1/needs", json=need)
    assert created.status_code == 201 and created.json()["industry_codes"] == ["2929"]


def test_import_takes_words_in_the_code_column(client: TestClient) -> None:
    header = "名称,总部城市,行业代码\n"
    good = header + "导入词语测试有限公司,深圳,手机|38\n"
    response = client.post("/api/v1/enterprises/import", files={"file": ("e.csv", good.encode())})
    assert response.status_code == 200, response.json()
    item = client.get("/api/v1/enterprises", params={"q": "导入词语测试"}).json()["items"][0]
    assert item["industry_codes"] == ["3922", "38"]
    bad = header + "导入词语测试二有限公司,深圳,车\n"
    refused = client.post("/api/v1/enterprises/import", files={"file": ("e.csv", bad.encode())})
    assert refused.status_code == 422
    error = refused.json()["errors"][0]
    assert error["field"].endswith("industry_codes.0") and "36 汽车制造业" in error["message"]


def test_site_query_takes_words_and_reports_them(client: TestClient) -> None:
    body = {
        "enterprise": {
            "name": "某电池公司",
            "hq_city": "深圳",
            "industry_codes": ["锂电"],
            "needs_resources": ["锂"],
        },
        "limit": 3,
    }
    answer = client.post("/api/v1/recommendations/sites", json=body)
    assert answer.status_code == 200, answer.json()
    assert answer.json()["enterprise"]["industry_codes"] == ["3841"]
    assert answer.json()["resolved"][0]["field"] == "enterprise.industry_codes"
    body["enterprise"]["needs_resources"] = ["稀士"]
    refused = client.post("/api/v1/recommendations/sites", json=body)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "enterprise.needs_resources.0"


def test_every_way_of_matching_has_a_label() -> None:
    assert set(VIA) == set(VIAS)
