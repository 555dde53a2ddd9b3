"""Enterprise sites over HTTP: learned from real investments, calibrated, honest about gaps."""

import math
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from matching.registry import ModelRegistry
from profiles.ranking import train_models

SITES = "/api/v1/recommendations/sites"
BATTERY = {
    "name": "某锂电池公司",
    "hq_city": "深圳",
    "industry_codes": ["38"],
    "industry_keywords": ["锂离子电池"],
}


def _all_sites(client: TestClient, enterprise: dict, **extra: object) -> dict:
    response = client.post(SITES, json={"enterprise": enterprise, "limit": 100} | extra)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_site_model_learned_from_real_investments_and_says_so(client: TestClient) -> None:
    body = _all_sites(client, BATTERY)
    facts = body["learned_from"]
    assert body["learned"] is True and body["model_version"].startswith("site-")
    # 119 sourced cases: 44 name no headquarters city, 8 no industry code, 5 lie outside the
    # base-area candidates (广安); the rest train
    assert facts["skipped"] == {"no_hq_city": 44, "no_industry_code": 8, "site_not_a_candidate": 5}
    assert facts["investments"] == 119 - 44 - 8 - 5 and facts["clusters"] < facts["investments"]
    assert f"{facts['investments']} 个真实投资案例" in body["note"]
    assert set(facts["prior_only"]) == {"resource_need", "workforce_share"}


def test_scores_are_choice_probabilities_not_all_near_one(client: TestClient) -> None:
    items = _all_sites(client, BATTERY)["items"]
    scores = [i["score"] for i in items]
    assert len(items) > 60 and scores == sorted(scores, reverse=True)
    assert math.isclose(sum(scores), 1.0, abs_tol=0.01)  # one choice among the candidates
    assert max(scores) < 0.85 and sum(0.85 <= s <= 0.99 for s in scores) == 0
    assert all(0 <= v <= 1 for i in items for v in i["mode_scores"].values())
    by_mode = _all_sites(client, BATTERY, mode="hq_base")["items"]
    assert [i["score"] for i in by_mode] == sorted((i["score"] for i in by_mode), reverse=True)


def test_every_site_carries_distance_coordinates_and_sources(client: TestClient) -> None:
    items = _all_sites(client, BATTERY | {"industry_keywords": []}, limit=10)["items"]
    shenzhen = client.get("/api/v1/cities/440300").json()
    for item in items:
        city = client.get(f"/api/v1/cities/{item['city']['adcode']}").json()
        assert (item["longitude"], item["latitude"]) == (city["longitude"], city["latitude"])
        lon1, lat1, lon2, lat2 = map(
            math.radians,
            (shenzhen["longitude"], shenzhen["latitude"], city["longitude"], city["latitude"]),
        )
        km = (
            2
            * 6371
            * math.asin(
                math.sqrt(
                    math.sin((lat2 - lat1) / 2) ** 2
                    + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
                )
            )
        )
        assert isinstance(item["distance_km"], float) and abs(item["distance_km"] - km) < 1
        figures = {(s["figure"], s["city"]): s for s in item["sources"]}
        assert "坐标与距离" in {figure for figure, _ in figures}
        for reason in item["reasons"]:
            assert "用地与用工成本" not in reason["text"] and "成本较低" not in reason["text"]
            own = {(s["figure"], s["city"]) for s in reason["sources"]}
            assert own and own <= set(figures), reason  # each sentence names its own sources
            if reason["feature"] == "log_distance":
                assert ("坐标与距离", None) in own
            if reason["feature"] in ("resource_need", "resource_chain", "industry_cluster"):
                assert ("行业代码", None) in own and ("产业、资源与交通资料", city["name"]) in own
            if reason["feature"] == "gdp_per_capita_gap":
                assert "人均GDP" in reason["text"] and "2023年" in reason["text"]
                source = figures[("人均GDP", city["name"])]
                assert source["year"] == 2023 and source["source"]
                assert {("人均GDP", city["name"]), ("人均GDP", "深圳市")} <= own
            if reason["feature"] in ("labour_pool", "workforce_share"):
                assert figures[("常住人口", city["name"])]["year"] == city["population_year"]


def test_needs_without_a_catalogue_figure_are_gaps_and_workforce_counts(
    client: TestClient,
) -> None:
    needs = BATTERY | {"land_mu": 500, "energy_intensity": "high"}
    items = _all_sites(client, needs)["items"]
    for item in items:
        gaps = {g["feature"]: g["text"] for g in item["data_gaps"]}
        assert "500 亩" in gaps["land_mu"] and "未计入排序" in gaps["land_mu"]
        assert "energy_intensity" in gaps
    plain = {i["city"]["adcode"]: i["score"] for i in items}
    staffed = {
        i["city"]["adcode"]: i for i in _all_sites(client, needs | {"workers": 50_000})["items"]
    }
    populations = {
        a: i["city"]["population_10k"] for a, i in staffed.items() if i["city"]["population_10k"]
    }
    smallest, largest = min(populations, key=populations.get), max(populations, key=populations.get)
    assert staffed[smallest]["score"] < plain[smallest]
    assert staffed[largest]["score"] > plain[largest]


def test_a_resource_need_is_met_by_code_and_named_in_the_reasons(client: TestClient) -> None:
    """A 深圳 battery maker needing 稀土: the sites holding it say which resource and code.

    (锂 reaches a code once the resource-word resolver is on main; the code-level rule itself,
    锂 0939 never met by copper 0911, is tested in tests/matching/test_site_ranker.py.)
    """
    body = _all_sites(client, BATTERY | {"needs_resources": ["稀土"]}, mode="enterprise_resource")
    by_city = {i["city"]["adcode"]: i for i in body["items"]}
    ganzhou = [r for r in by_city["360700"]["reasons"] if r["feature"] == "resource_need"]
    assert ganzhou and "稀土〔09〕合所需稀土〔09〕" in ganzhou[0]["text"]
    assert by_city["360700"]["rank"] <= 5
    for item in body["items"][:20]:
        resources = client.get(f"/api/v1/cities/{item['city']['adcode']}").json()["resources"]
        claimed = [r for r in item["reasons"] if r["feature"] == "resource_need"]
        gap = [g for g in item["data_gaps"] if g["feature"] == "resources"]
        if not resources:  # nothing known is nothing claimed: a gap instead
            assert not claimed and gap
        if claimed:
            assert "稀土" in claimed[0]["text"] and "〔" in claimed[0]["text"]


def test_a_battery_maker_needing_lithium_is_told_where_and_by_which_code(
    client: TestClient,
) -> None:
    """The 锂 journey: 深圳, 锂电, needs 锂. 宜春 (锂(锂云母) in the catalogue) says so, with the
    code the need was met at; every claim of a met need is checked against the city's data."""
    enterprise = BATTERY | {"industry_codes": ["锂电"], "needs_resources": ["锂"]}
    body = _all_sites(client, enterprise, mode="enterprise_resource")
    lithium = {r["input"]: r["codes"] for r in body["resolved"]}["锂"]
    assert "0939" in lithium  # 其他稀有金属矿采选 (锂矿)
    by_city = {i["city"]["adcode"]: i for i in body["items"]}
    yichun = [r for r in by_city["360900"]["reasons"] if r["feature"] == "resource_need"]
    assert yichun and "锂(锂云母)〔0939〕合所需锂〔0939〕" in yichun[0]["text"]
    assert by_city["360900"]["rank"] <= 10
    claims = 0
    for item in body["items"]:
        city = client.get(f"/api/v1/cities/{item['city']['adcode']}").json()
        for reason in item["reasons"]:
            if reason["feature"] != "resource_need":
                continue
            claims += 1
            held = reason["text"].removeprefix(city["name"] + "有").split("〔")[0]
            code = reason["text"].split("〔")[1].split("〕")[0]
            assert held in city["resources"] and code in lithium, (city["name"], reason["text"])
            plain = held.split("(")[0]  # 锂(锂云母) is 锂, of lithium mica
            placed = client.get("/api/v1/resolve", params={"kind": "industry", "q": plain}).json()
            assert code in {c["code"] for c in placed["items"]}
    assert claims >= 1


def test_verdicts_on_sites_teach_the_next_model(
    client: TestClient, engine: Engine, model_dir: Path
) -> None:
    params = {"enterprise": 3, "limit": 100}
    before = client.get(SITES, params=params).json()
    top = before["items"][0]["city"]["adcode"]
    for _ in range(4):
        response = client.post(
            "/api/v1/feedback",
            json={
                "kind": "enterprise_city",
                "base_city": top,
                "enterprise_id": 3,
                "verdict": "rejected",
            },
        )
        assert response.status_code == 201, response.text
    with Session(engine) as session:
        ModelRegistry(model_dir).save("site", train_models(session).site)
    after = client.get(SITES, params=params).json()
    assert after["learned_from"]["feedback"] == 4 and "4 条用户反馈" in after["note"]
    assert after["learned_from"]["investments"] == before["learned_from"]["investments"]
    score = {i["city"]["adcode"]: i["score"] for i in after["items"]}
    assert score[top] < before["items"][0]["score"]
