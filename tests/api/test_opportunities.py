"""Opportunities (合作机会) through the API: the 稀土深加工 journey, access rules, import."""

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from matching.records import major_codes
from profiles import opportunities
from profiles.opportunities import OutcomeLabel
from tests.conftest import bearer

REQUEST = {
    "type": "tech_request",
    "title": "稀土深加工技术需求",
    "city": "赣州",
    "industry_codes": ["32", "稀土永磁"],
    "keywords": ["稀土深加工", "分离提纯", "永磁材料"],
    "description": "寻求稀土分离提纯后的深加工与高性能永磁材料制备技术，可共建中试线。",
    "mode": "研发+制造",
    "quantity": 500,
    "unit": "万元",
    "closes_on": "2030-06-30",
    "contact": "稀土需求联系人 0797-0000000",
}
OFFER = {
    "type": "技术成果",
    "title": "稀土永磁材料深加工技术成果",
    "city": "上海",
    "industry_codes": ["3985", "32"],
    "keywords": ["稀土深加工", "永磁材料", "晶界扩散"],
    "description": "高性能钕铁硼永磁材料的晶界扩散与稀土深加工工艺，已完成中试。",
    "mode": "rnd_manufacturing",
    "closes_on": "2030-12-31",
    "contact": "成果转化办公室 021-0000000",
}


def post(client: TestClient, body: dict, principal: str) -> dict:
    response = client.post("/api/v1/opportunities", json=body, headers=bearer(principal))
    assert response.status_code == 201, response.json()
    return response.json()


def text_of(item: dict) -> str:
    parts = [item["title"], *item["keywords"], *item["industry_keywords"], item["description"]]
    return " ".join(p for p in parts if p)


def test_an_enterprise_posts_a_rare_earth_request_and_sees_offers_and_cities_with_reasons(
    client: TestClient,
) -> None:
    request = post(client, REQUEST, "某某科技")
    assert request["city"] == "360700" and request["owner"] == "某某科技"
    assert (
        request["industry_codes"] == ["32", "3985"] and "稀土永磁" in request["industry_keywords"]
    )
    offer = post(client, OFFER, "某大学")
    answer = client.get(f"/api/v1/opportunities/{request['id']}/matches").json()
    assert answer["complements"] == ["tech_offer"]
    assert answer["learned_from"]["labels"] == 0 and answer["learned_from"]["model"] == "prior"
    items = answer["opportunities"]
    assert items[0]["opportunity"]["id"] == offer["id"]
    assert {i["opportunity"]["type"] for i in items} == {"tech_offer"}
    assert [i["score"] for i in items] == sorted((i["score"] for i in items), reverse=True)
    reasons = {r["feature"]: r for r in items[0]["reasons"]}
    assert "稀土深加工" in reasons["text"]["terms"]
    assert {m["source_code"] for m in reasons["industry"]["matches"]} >= {"32"}
    assert reasons["mode"]["text"] == "合作模式一致：研发+制造"
    # every reason of every match claims only what both sides hold
    mine = text_of(request)
    for item in items:
        other = client.get(f"/api/v1/opportunities/{item['opportunity']['id']}").json()
        for reason in item["reasons"]:
            for term in reason["terms"]:
                assert term in mine and term in text_of(other), (term, other["title"])
            if reason["feature"] == "industry":
                for match in reason["matches"]:
                    assert match["source_code"] == match["target_code"]
                    assert match["source_code"] in major_codes(request["industry_codes"])
                    assert match["source_code"] in major_codes(other["industry_codes"])
    # a base-area request is answered by partner cities, each with what it holds
    cities = answer["cities"]
    assert cities and all(c["reasons"] for c in cities[:3])
    for city in cities[:3]:
        profile = client.get(f"/api/v1/cities/{city['city']['adcode']}").json()
        assert profile["is_partner_candidate"]
    # the offer's owner sees the request among the offer's matches, and the enterprise's own
    # city among the cities' matching opportunities
    back = client.get(f"/api/v1/opportunities/{offer['id']}/matches").json()
    assert back["opportunities"][0]["opportunity"]["id"] == request["id"]
    for_city = client.get("/api/v1/recommendations/opportunities", params={"city": "上海"})
    assert for_city.status_code == 200
    assert all(i["opportunity"]["city"] != "310000" for i in for_city.json()["items"])


def test_recommendations_for_an_enterprise_and_a_city(client: TestClient) -> None:
    post(client, REQUEST, "某某科技")
    enterprise = client.post(
        "/api/v1/enterprises",
        json={"name": "稀土永磁测试有限公司", "hq_city": "宁波", "industry_codes": ["32", "3985"]},
        headers=bearer("某某科技"),
    ).json()
    answer = client.get(
        "/api/v1/recommendations/opportunities", params={"enterprise": enterprise["id"]}
    ).json()
    assert answer["enterprise"]["id"] == enterprise["id"] and answer["items"]
    takes = {"investment_project", "capacity_request", "tech_offer", "specialty_product"}
    assert {i["opportunity"]["type"] for i in answer["items"]} <= takes | {"labour_supply"}
    both = client.get(
        "/api/v1/recommendations/opportunities", params={"city": "赣州", "enterprise": 1}
    )
    assert both.status_code == 422
    assert client.get("/api/v1/opportunities/999999/matches").status_code == 404


def test_only_the_owner_edits_and_contacts_stay_private(
    client: TestClient, anonymous: TestClient
) -> None:
    request = post(client, REQUEST, "某某科技")
    path = f"/api/v1/opportunities/{request['id']}"
    for principal in ("另一家公司", "赣州市发改委", "某大学"):
        refused = client.patch(path, json={"status": "closed"}, headers=bearer(principal))
        assert refused.status_code == 404, principal
        assert client.delete(path, headers=bearer(principal)).status_code == 404
    assert (
        client.patch(
            path, json={"title": "稀土深加工技术需求（更新）"}, headers=bearer("某某科技")
        ).status_code
        == 200
    )
    assert anonymous.get(path).json()["contact"] is None
    assert client.get(path, headers=bearer("另一家公司")).json()["contact"] is None
    assert client.get(path, headers=bearer("viewer")).json()["contact"] is None
    assert client.get(path, headers=bearer("某某科技")).json()["contact"] == REQUEST["contact"]
    assert client.get(path).json()["contact"] == REQUEST["contact"]  # admin
    listed = anonymous.get("/api/v1/opportunities", params={"owner": "某某科技"}).json()["items"]
    assert [i["contact"] for i in listed] == [None]
    assert anonymous.post("/api/v1/opportunities", json=REQUEST).status_code == 401
    viewer = client.post("/api/v1/opportunities", json=REQUEST, headers=bearer("viewer"))
    assert viewer.status_code == 403
    # an office posts in its own scope only
    office = REQUEST | {"title": "赣州稀土招商项目", "type": "investment_project"}
    assert (
        client.post(
            "/api/v1/opportunities", json=office, headers=bearer("赣州市发改委")
        ).status_code
        == 201
    )
    elsewhere = office | {"city": "深圳"}
    assert (
        client.post(
            "/api/v1/opportunities", json=elsewhere, headers=bearer("赣州市发改委")
        ).status_code
        == 403
    )
    closed = client.patch(path, json={"status": "closed"}, headers=bearer("某某科技")).json()
    assert closed["status"] == "closed"


def test_a_buyer_type_belongs_to_a_purchase_intent(client: TestClient) -> None:
    wrong = REQUEST | {"buyer_type": "canteen"}
    response = client.post("/api/v1/opportunities", json=wrong)
    assert response.status_code == 422
    intent = REQUEST | {
        "type": "采购意向（消费帮扶）",
        "title": "机关食堂采购赣南脐橙",
        "buyer_type": "canteen",
    }
    assert client.post("/api/v1/opportunities", json=intent).json()["buyer_type"] == "canteen"
    listed = client.get("/api/v1/opportunities", params={"buyer_type": "canteen", "count": True})
    assert listed.json()["total"] >= 1


HEADER = "类型,标题,城市,行业代码,关键词,合作模式,数量,单位,截止日期,联系方式\n"


def upload(client: TestClient, text: str, principal: str) -> object:
    return client.post(
        "/api/v1/opportunities/import",
        files={"file": ("opportunities.csv", text.encode("utf-8"))},
        headers=bearer(principal),
    )


def count(client: TestClient) -> int:
    return client.get("/api/v1/opportunities", params={"count": True, "limit": 1}).json()["total"]


def test_an_import_with_a_bad_row_writes_nothing(client: TestClient, anonymous: TestClient) -> None:
    good = (
        "特色产品（消费帮扶）,导入测试赣南脐橙供应,赣州,0151,脐橙|果业,市场+产品,300,吨,2030-01-31,甲 123\n"
        "用工需求,导入测试电子装配用工,深圳,39,电子装配|普工,总部+基地,200,人,2030-03-31,乙 456\n"
    )
    bad = good + "技术需求,导入测试坏行,亚特兰蒂斯,32,稀土,研发+制造,,,2030-01-31,\n"
    before = count(client)
    refused = upload(client, HEADER + bad, "某某科技")
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["row 3.city"]
    assert count(client) == before
    accepted = upload(client, HEADER + good, "某某科技")
    assert accepted.status_code == 200 and accepted.json()["created"] == 2
    assert count(client) == before + 2
    mine = client.get("/api/v1/opportunities", params={"owner": "某某科技"}).json()["items"]
    assert {i["title"] for i in mine} == {"导入测试赣南脐橙供应", "导入测试电子装配用工"}
    exported = anonymous.get(
        "/api/v1/opportunities/export", params={"owner": "某某科技", "format": "csv"}
    ).text
    assert "导入测试赣南脐橙供应" in exported and "甲 123" not in exported
    assert (
        "甲 123"
        in client.get(
            "/api/v1/opportunities/export", params={"owner": "某某科技"}, headers=bearer("某某科技")
        ).text
    )


def test_the_scorer_learns_from_graded_outcomes_and_every_answer_says_how_many(
    client: TestClient, engine: Engine
) -> None:
    request = post(client, REQUEST, "某某科技")
    offer = post(client, OFFER, "某大学")
    labels = [
        OutcomeLabel(opportunity_id=request["id"], key=str(offer["id"]), grade=4),  # 签约
        OutcomeLabel(opportunity_id=request["id"], counterpart="city", key="440300", grade=0),
        OutcomeLabel(opportunity_id=999_999, key=str(offer["id"]), grade=5),  # gone: skipped
    ]
    with Session(engine) as session:
        learned = opportunities.learn(session, client.app.state.engine_state, labels)
    assert learned.labels == 2 and learned.model == "learned"
    answer = client.get(f"/api/v1/opportunities/{request['id']}/matches").json()
    assert answer["learned_from"]["labels"] == 2 and answer["learned_from"]["model"] == "learned"
    city = client.get("/api/v1/recommendations/opportunities", params={"city": "赣州"}).json()
    assert city["learned_from"]["labels"] == 2
