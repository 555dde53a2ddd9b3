"""What the engine says must be true: one-way frameworks, candidates by who asks, real matches."""

import itertools

from fastapi.testclient import TestClient

from fixtures.catalogue import CAPITALS, EASTERN
from matching.disciplines import BROAD, matching_fields
from matching.matches import chain_links
from matching.records import major_codes
from matching.vocabulary import Mode
from profiles.industries import industry_catalogue

PARTNERS = "/api/v1/recommendations/partners"
PLACEHOLDERS = ("农特产品", "主导产业与", "相关产业", "下游产业", "所高校，其中", "资源 ↔")


def _city(client: TestClient, adcode: str) -> dict:
    return client.get(f"/api/v1/cities/{adcode}").json()


def test_a_helper_city_is_pointed_to_base_cities(client: TestClient) -> None:
    response = client.get(PARTNERS, params={"city": "深圳"})
    assert response.status_code == 422
    body = response.json()
    assert body["errors"][0]["field"] == "city"
    assert body["see"].startswith("/api/v1/recommendations/base-cities")
    assert "base-cities" in body["detail"]
    assert client.get(body["see"]).status_code == 200


def test_no_eastern_base_city_gets_an_inland_capital_unless_a_framework_ties_them(
    client: TestClient,
) -> None:
    bases = client.get(
        "/api/v1/cities", params={"region": "east", "level": "prefecture", "limit": 500}
    ).json()["items"]
    eastern_bases = [c for c in bases if c["base_areas"] or c["is_key_city"]]
    assert len(eastern_bases) >= 10
    capitals = {
        c["adcode"]
        for name in CAPITALS
        for c in client.get("/api/v1/cities", params={"q": name}).json()["items"]
        if c["name"] == name and c["province_adcode"][:2] not in EASTERN
    }
    assert {"610100", "510100", "640100", "450100"} <= capitals  # 西安, 成都, 银川, 南宁
    for base in eastern_bases:
        response = client.get(PARTNERS, params={"city": base["adcode"], "limit": 5})
        if response.status_code == 422:  # a city that frameworks name only as a helper
            assert response.json()["errors"][0]["type"] == "helper_city"
            continue
        for item in response.json()["items"]:
            if item["city"]["adcode"] in capitals:
                assert item["frameworks"], (base["name"], item["city"]["name"])


def test_every_claimed_match_is_a_real_match(client: TestClient) -> None:
    """Property over many recommendations: each match's words are the cities' own words, mapped
    onto the codes it names, and each step of its path is a link of the chain table."""
    links, catalogue = chain_links(), industry_catalogue()
    keys = client.get("/api/v1/cities", params={"key_city": True, "limit": 50}).json()["items"]
    profiles: dict[str, dict] = {}
    checked = 0
    for base in keys:
        for mode in (None, *Mode):
            params = {"city": base["adcode"], "limit": 10} | ({"mode": mode.value} if mode else {})
            for item in client.get(PARTNERS, params=params).json()["items"]:
                partner = profiles.setdefault(
                    item["city"]["adcode"], _city(client, item["city"]["adcode"])
                )
                for reason in item["reasons"]:
                    assert not any(p in reason["text"] for p in PLACEHOLDERS), reason["text"]
                    for match in reason["matches"]:
                        _assert_real(match, base, partner, links, catalogue)
                        assert match["source_word"] in reason["text"]
                        checked += 1
    assert checked >= 50


def _assert_real(match: dict, base: dict, partner: dict, links: dict, catalogue) -> None:
    base_words = base["resources"] + base["industry_keywords"]
    partner_words = partner["industry_keywords"] + base["industry_keywords"]
    assert match["source_word"] in base_words + partner["industry_keywords"]
    assert match["target_word"] in partner_words
    # matches are at 大类; a word may be mapped finer (工程机械 → 3514)
    assert match["source_code"] in major_codes(catalogue.codes_for(match["source_word"]))
    assert match["target_code"] in major_codes(catalogue.codes_for(match["target_word"]))
    path = match["path"]
    assert path[0] == match["source_code"] and path[-1] == match["target_code"]
    assert all((a, b) in links for a, b in itertools.pairwise(path))
    assert len(match["steps"]) == len(path) - 1


def test_talent_counts_only_what_the_catalogue_knows(client: TestClient) -> None:
    items = client.get(PARTNERS, params={"city": "赣州", "limit": 30}).json()["items"]
    texts = [r["text"] for i in items for r in i["reasons"]]
    assert all("双一流”高校" in t for t in texts if "高校" in t)
    for item in items:
        for reason in item["reasons"]:
            if reason["feature"] == "talent_supply":
                assert reason["year"] == 2022 and reason["source"]


def test_thin_profiles_are_gaps_not_poor_scores(client: TestClient) -> None:
    baoding = client.get(PARTNERS, params={"city": "保定", "limit": 5}).json()  # no resources
    assert baoding["items"]
    for item in baoding["items"]:
        gaps = {g["feature"] for g in item["data_gaps"]}
        assert "resource_fit" in gaps
        assert all(r["feature"] != "resource_fit" for r in item["reasons"])


def test_a_county_level_city_named_by_a_pairing_may_ask(client: TestClient) -> None:
    for name in ("瑞金", "龙南"):
        answer = client.get(PARTNERS, params={"city": name, "limit": 5}).json()
        assert answer["city"]["name"].startswith(name) and answer["items"]
        assert any(g["feature"] == "figures" for i in answer["items"] for g in i["data_gaps"])


def test_frameworks_are_listed_one_way_and_shown_on_city_profiles(client: TestClient) -> None:
    assisted = client.get("/api/v1/frameworks", params={"city": "西安", "side": "assisted"}).json()[
        "items"
    ]
    assert any(f["helper"] == "江苏省" for f in assisted)
    helper = client.get("/api/v1/frameworks", params={"city": "西安", "side": "helper"}).json()
    assert helper["items"] == []
    shenzhen = _city(client, "440300")
    sides = {(f["programme"], f["side"]) for f in shenzhen["frameworks"]}
    assert ("东北地区与东部地区对口合作", "helper") in sides
    assert all(f["side_label"] in ("帮扶方", "受援方") for f in shenzhen["frameworks"])
    schemes = client.get("/api/v1/frameworks", params={"scheme": "对口支援"}).json()
    assert schemes["total"] >= 20 and all(f["scheme_label"] == "对口支援" for f in schemes["items"])


def test_province_filters_accept_what_the_resolver_accepts(client: TestClient) -> None:
    totals = {
        value: client.get("/api/v1/cities", params={"province": value, "count": True}).json()[
            "total"
        ]
        for value in ("江西省", "江西", "jiangxi", "360000")
    }
    assert len(set(totals.values())) == 1 and totals["江西"] > 10
    nothing = client.get("/api/v1/cities", params={"province": "亚特兰蒂斯"})
    assert nothing.status_code == 422 and nothing.json()["errors"][0]["field"] == "province"
    by_name = client.get("/api/v1/enterprises", params={"city": "深圳", "count": True}).json()
    by_code = client.get("/api/v1/enterprises", params={"city": "440300", "count": True}).json()
    assert by_name["total"] == by_code["total"] > 0
    unknown = client.get("/api/v1/pairings", params={"city": "亚特兰蒂斯"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "city"
    ambiguous = client.get("/api/v1/enterprises", params={"province": "fuzhou"})
    assert ambiguous.status_code == 422 and len(ambiguous.json()["candidates"]) >= 2


def test_talent_fields_match_at_the_discipline_level(client: TestClient) -> None:
    """Property over many posts: every claimed field match is a discipline-level match."""
    needs = client.get("/api/v1/needs", params={"limit": 40}).json()["items"]
    claims = 0
    for need in needs:
        body = client.get(
            "/api/v1/recommendations/talent", params={"need": need["id"], "limit": 5}
        ).json()
        for item in body["items"]:
            for reason in item["reasons"]:
                if reason["feature"] != "field_match":
                    continue
                claimed = reason["text"].split("：", 1)[1].split(" ↔ ")[0].split("、")
                assert all(c in item["expert"]["fields"] for c in claimed)
                assert all(c not in BROAD and matching_fields([c], need["field"]) for c in claimed)
                claims += 1
    assert claims >= 20
