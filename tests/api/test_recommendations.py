"""Recommendations over HTTP on the real catalogue: shapes, invariants, reasons, feedback."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from matching.registry import ModelRegistry
from profiles.ranking import train_models

PARTNERS = "/api/v1/recommendations/partners"
SITES = "/api/v1/recommendations/sites"


def test_partners_for_ganzhou_are_ranked_and_explained(client: TestClient) -> None:
    response = client.get(PARTNERS, params={"city": "赣州", "limit": 10})
    assert response.status_code == 200
    body = response.json()
    assert (
        body["city"]["adcode"] == "360700"
        and body["mode"] is None
        and body["model_version"].startswith("city-")
    )
    items = body["items"]
    assert [i["rank"] for i in items] == list(range(1, 11))
    scores = [i["score"] for i in items]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    for item in items:
        assert item["city"]["adcode"] != "360700"
        assert isinstance(item["distance_km"], float) and item["city"]["longitude"]
        assert (
            item["mode"] in item["mode_scores"]
            and "（四）" in item["clause"]
            and item["mode_label"]
        )
        assert item["reasons"] and all(
            r["text"] and isinstance(r["contribution"], float) for r in item["reasons"]
        )
    shenzhen = next(i for i in items if i["city"]["adcode"] == "440300")
    assert shenzhen["existing_pairing"]["schemes"] == ["counterpart_cooperation"]
    assert shenzhen["existing_pairing"]["pairings"][0]["since"] == 2022
    assert any("赣州市" in r["text"] for i in items for r in i["reasons"])


def test_the_same_query_gives_the_same_answer(client: TestClient) -> None:
    params = {"city": "360700", "mode": "rnd_manufacturing", "limit": 5}
    assert client.get(PARTNERS, params=params).json() == client.get(PARTNERS, params=params).json()


def test_mode_by_slug_or_label_and_exclusion_of_existing(client: TestClient) -> None:
    by_slug = client.get(PARTNERS, params={"city": "赣州", "mode": "market_product"}).json()
    by_label = client.get(PARTNERS, params={"city": "赣州", "mode": "市场+产品"}).json()
    assert by_slug["items"] == by_label["items"] and by_slug["mode"] == "market_product"
    assert all(i["mode"] == "market_product" for i in by_slug["items"])
    excluded = client.get(
        PARTNERS, params={"city": "赣州", "exclude_existing": True, "limit": 50}
    ).json()
    assert "440300" not in [i["city"]["adcode"] for i in excluded["items"]]


def test_unknown_city_or_mode_is_named(client: TestClient) -> None:
    mode = client.get(PARTNERS, params={"city": "赣州", "mode": "飞行+制造"})
    assert mode.status_code == 422 and mode.json()["errors"][0]["field"] == "mode"
    city = client.get(PARTNERS, params={"city": "亚特兰蒂斯"})
    assert city.status_code == 422 and city.json()["errors"][0]["field"] == "city"
    county = client.get(PARTNERS, params={"city": "360721"})
    assert county.status_code == 404 and "360721" in county.json()["detail"]
    ambiguous = client.get(PARTNERS, params={"city": "fuzhou"}).json()
    assert {c["adcode"] for c in ambiguous["candidates"]} == {"350100", "361000"}


def test_base_cities_for_a_partner_flag_its_existing_pairings(client: TestClient) -> None:
    body = client.get(
        "/api/v1/recommendations/base-cities", params={"city": "深圳", "limit": 100}
    ).json()
    flagged = {i["city"]["adcode"] for i in body["items"] if i["existing_pairing"]}
    assert {"441500", "451000"} <= flagged  # 汕尾, 百色
    labels = {
        label
        for i in body["items"]
        if i["existing_pairing"]
        for label in i["existing_pairing"]["labels"]
    }
    assert "对口合作" in labels
    assert all(i["city"]["adcode"] != "440300" for i in body["items"])


def test_sites_honour_every_hard_constraint(client: TestClient) -> None:
    params = {
        "enterprise": 3,
        "limit": 50,
        "max_distance_km": 900,
        "require_airport": True,
        "exclude_provinces": ["福建省"],
        "min_population_10k": 200,
        "explain_excluded": True,
    }
    body = client.get(SITES, params=params).json()
    assert body["learned"] is True and "真实投资案例" in body["note"]
    assert body["items"] and body["excluded_count"] == len(body["excluded"]) > 0
    for item in body["items"]:
        city = client.get(f"/api/v1/cities/{item['city']['adcode']}").json()
        assert (
            city["airport"] is True
            and city["province"] != "福建省"
            and city["population_10k"] >= 200
        )
    reasons = {e["reason"] for e in body["excluded"]}
    assert any("超过上限 900 公里" in r for r in reasons) and any("福建省" in r for r in reasons)
    kept = {i["city"]["adcode"] for i in body["items"]}
    assert kept.isdisjoint({e["adcode"] for e in body["excluded"]})


def test_sites_for_an_unsaved_profile(client: TestClient) -> None:
    query = {
        "enterprise": {
            "name": "某新能源电池公司",
            "hq_city": "深圳",
            "industry_codes": ["38"],
            "needs_resources": ["稀土", "石墨"],
        },
        "mode": "企业+资源",
        "limit": 5,
        "constraints": {"provinces": ["江西省", "湖南省"]},
    }
    body = client.post(SITES, json=query).json()
    assert body["enterprise"]["hq_city"] == "440300" and len(body["items"]) == 5
    assert all(
        i["city"]["province"] in ("江西省", "湖南省") and i["mode"] == "enterprise_resource"
        for i in body["items"]
    )
    assert any("稀土" in r["text"] for i in body["items"] for r in i["reasons"])
    bad = client.post(SITES, json=query | {"constraints": {"max_distance_km": -5}})
    assert (
        bad.status_code == 422 and bad.json()["errors"][0]["field"] == "constraints.max_distance_km"
    )
    unknown = client.post(
        SITES, json=query | {"enterprise": query["enterprise"] | {"hq_city": "亚特兰蒂斯"}}
    )
    assert (
        unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "enterprise.hq_city"
    )


def test_enterprises_for_a_city_to_invite(client: TestClient) -> None:
    body = client.get(
        "/api/v1/recommendations/enterprises", params={"city": "赣州", "limit": 5}
    ).json()
    items = body["items"]
    assert len(items) == 5 and body["note"]
    assert [i["score"] for i in items] == sorted((i["score"] for i in items), reverse=True)
    assert all(i["enterprise"]["is_demo"] and i["enterprise"]["hq_city"] != "360700" for i in items)
    assert all(i["reasons"] for i in items)


@pytest.mark.parametrize("city", ["440300", "北京", "110101"])
def test_enterprises_for_a_city_outside_the_base_areas_is_404(
    anonymous: TestClient, city: str
) -> None:
    """Was a 500 (StopIteration): only base-area cities are sites to invite enterprises to."""
    response = anonymous.get("/api/v1/recommendations/enterprises", params={"city": city})
    assert response.status_code == 404, response.text
    assert response.json()["kind"] == "city"


@pytest.mark.parametrize("city", ["640400", "150800"])
def test_base_cities_for_a_city_with_no_candidates_excluding_existing(
    anonymous: TestClient, city: str
) -> None:
    """Found by the deep run: an empty candidate list with exclude_existing was a 500."""
    response = anonymous.get(
        "/api/v1/recommendations/base-cities", params={"city": city, "exclude_existing": True}
    )
    assert response.status_code == 200, response.text
    assert response.json()["items"] == []


def test_feedback_is_stored_and_changes_the_next_model(
    client: TestClient, engine: Engine, model_dir: Path
) -> None:
    params = {"city": "360700", "limit": 30}
    before = client.get(PARTNERS, params=params).json()
    score_before = next(i["score"] for i in before["items"] if i["city"]["adcode"] == "440300")
    for _ in range(5):
        response = client.post(
            "/api/v1/feedback",
            json={
                "kind": "city_city",
                "base_city": "赣州",
                "partner_city": "深圳",
                "verdict": "rejected",
                "note": "测试",
                "model_version": before["model_version"],
            },
        )
        assert response.status_code == 201 and response.json()["base_city"] == "360700"
    with Session(engine) as session:
        trained = train_models(session)
    ModelRegistry(model_dir).save("city", trained.city)
    after = client.get(PARTNERS, params=params).json()
    assert after["model_version"] != before["model_version"]
    score_after = next(i["score"] for i in after["items"] if i["city"]["adcode"] == "440300")
    assert score_after < score_before


def test_feedback_is_validated(client: TestClient) -> None:
    missing = client.post(
        "/api/v1/feedback", json={"kind": "city_city", "base_city": "360700", "verdict": "accepted"}
    )
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "partner_city"
    ghost = client.post(
        "/api/v1/feedback",
        json={
            "kind": "enterprise_city",
            "base_city": "360700",
            "enterprise_id": 10**9,
            "verdict": "accepted",
        },
    )
    assert ghost.status_code == 404
    verdict = client.post(
        "/api/v1/feedback",
        json={
            "kind": "city_city",
            "base_city": "360700",
            "partner_city": "440300",
            "verdict": "maybe",
        },
    )
    assert verdict.status_code == 422 and verdict.json()["errors"][0]["field"] == "verdict"
