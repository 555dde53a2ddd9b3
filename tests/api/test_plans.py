"""Plans over HTTP: city pairing (optimal and stable), talent placement, approval, export."""

from fastapi.testclient import TestClient

from tests.conftest import bearer

PAIRING = "/api/v1/plans/city-pairing"


def key_cities(client: TestClient) -> list[str]:
    return [
        c["adcode"] for c in client.get("/api/v1/cities", params={"key_city": True}).json()["items"]
    ]


def partners(client: TestClient) -> list[str]:
    items = client.get("/api/v1/cities", params={"partner_candidate": True, "limit": 200}).json()[
        "items"
    ]
    return [c["adcode"] for c in items]


def test_city_pairing_gives_both_plans_with_reasons(client: TestClient) -> None:
    bases, candidates = key_cities(client), partners(client)
    body = {
        "base_cities": bases,
        "partners": candidates,
        "capacity": {"深圳": 3, "440100": 2},
        "keep": [["360700", "440300"]],
        "forbid": [["360800", "441900"]],
        "mode": None,
    }
    response = client.post(PAIRING, json=body)
    assert response.status_code == 201, response.json()
    plan = response.json()
    for name in ("optimal", "stable", "fair"):
        solution = plan[name]
        pairs = {(p["base"], p["partner"]) for p in solution["pairs"]}
        assert len(pairs) == len(bases) and {p["base"] for p in solution["pairs"]} == set(bases)
        assert ("360700", "440300") in pairs and ("360800", "441900") not in pairs
        load = {}
        for p in solution["pairs"]:
            load[p["partner"]] = load.get(p["partner"], 0) + 1
            assert p["reasons"] and p["base_name"] and p["partner_name"]
        assert load.get("440300", 0) <= 3 and load.get("440100", 0) <= 2
        assert all(v <= 1 for k, v in load.items() if k not in ("440300", "440100"))
        assert solution["min_score"] == min(p["score"] for p in solution["pairs"])
        assert abs(solution["total_score"] - sum(p["score"] for p in solution["pairs"])) < 1e-3
    assert plan["stable"]["blocking_pairs"] == 0
    assert plan["optimal"]["total_score"] >= plan["stable"]["total_score"] - 1e-9
    assert plan["fair"]["min_score"] >= plan["optimal"]["min_score"]
    assert plan["optimal"]["total_score"] >= plan["fair"]["total_score"] - 1e-9
    stored = client.get(f"/api/v1/plans/{plan['id']}").json()
    assert stored["status"] == "draft" and stored["inputs"]["keep"] == [["360700", "440300"]]
    approved = client.post(f"/api/v1/plans/{plan['id']}/approve", params={"solution": "fair"})
    assert approved.status_code == 200, approved.text


def test_infeasible_plans_say_why(client: TestClient) -> None:
    bases, candidates = key_cities(client), partners(client)
    too_few = client.post(
        PAIRING, json={"base_cities": bases, "partners": candidates[:3], "capacity": 2}
    )
    assert (
        too_few.status_code == 422
        and "20 base cities but only 6 places" in too_few.json()["detail"]
    )
    clash = client.post(
        PAIRING,
        json={
            "base_cities": bases,
            "partners": candidates,
            "keep": [["360700", "440300"]],
            "forbid": [["赣州", "深圳"]],
        },
    )
    assert clash.status_code == 422 and "both kept and forbidden" in clash.json()["detail"]
    unknown = client.post(
        PAIRING, json={"base_cities": ["360700", "亚特兰蒂斯"], "partners": candidates}
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "base_cities.1"
    outsider = client.post(
        PAIRING, json={"base_cities": ["360700"], "partners": ["440300"], "capacity": {"广州": 2}}
    )
    assert outsider.status_code == 422 and outsider.json()["errors"][0]["field"] == "capacity.广州"


def test_approval_creates_pairings_once_and_supersedes(client: TestClient) -> None:
    body = {
        "base_cities": ["360700", "360800", "350800"],
        "partners": ["440300", "441900", "440100"],
    }
    plan = client.post(PAIRING, json=body).json()
    before = client.get("/api/v1/pairings", params={"count": True, "limit": 1}).json()["total"]
    approved = client.post(f"/api/v1/plans/{plan['id']}/approve", params={"solution": "stable"})
    assert approved.status_code == 200
    result = approved.json()
    assert (
        result["plan"]["status"] == "approved" and result["plan"]["approved_solution"] == "stable"
    )
    assert result["pairings_created"] + result["pairings_already_present"] == 3
    after = client.get("/api/v1/pairings", params={"count": True, "limit": 1}).json()["total"]
    assert after == before + result["pairings_created"]
    assert client.post(f"/api/v1/plans/{plan['id']}/approve").status_code == 409
    second = client.post(PAIRING, json=body).json()
    client.post(f"/api/v1/plans/{second['id']}/approve")
    assert client.get(f"/api/v1/plans/{plan['id']}").json()["status"] == "superseded"


def test_plan_export_for_the_paperwork(client: TestClient) -> None:
    plan = client.post(
        PAIRING, json={"base_cities": ["360700", "360800"], "partners": ["440300", "441900"]}
    ).json()
    csv = client.get(f"/api/v1/plans/{plan['id']}/export", params={"solution": "optimal"})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("base,base_name,partner") and len(lines) == 3
    assert (
        client.get(
            f"/api/v1/plans/{plan['id']}/export", params={"solution": "placement"}
        ).status_code
        == 422
    )
    assert client.get("/api/v1/plans/999999").status_code == 404


def test_doctoral_round_places_only_eligible_experts_stably(client: TestClient) -> None:
    response = client.post("/api/v1/plans/talent-placement", json={"programme": "博士服务团"})
    assert response.status_code == 201, response.json()
    placement = response.json()["placement"]
    assert placement["placed_count"] > 0 and placement["blocking_pairs"] == 0
    taken: dict[int, int] = {}
    for pair in placement["pairs"]:
        expert = client.get(f"/api/v1/experts/{pair['expert']}").json()
        need = client.get(f"/api/v1/needs/{pair['need']}").json()
        assert expert["degree"] == "doctorate" and need["programme"] == "doctoral_service_team"
        assert pair["reasons"]
        taken[need["id"]] = taken.get(need["id"], 0) + 1
        assert taken[need["id"]] <= need["headcount"]
    assert {u["reason"] for u in placement["unplaced"]} <= {
        "ineligible",
        "no_acceptable_post",
        "outranked",
    }
    ineligible = [u for u in placement["unplaced"] if u["reason"] == "ineligible"]
    assert all("博士" in u["detail"] for u in ineligible)


def test_stated_preferences_and_rankings_are_used(client: TestClient) -> None:
    needs = client.get(
        "/api/v1/needs", params={"programme": "science_commissioner", "limit": 2}
    ).json()["items"]
    experts = client.get(
        "/api/v1/experts", params={"programme": "science_commissioner", "limit": 50}
    ).json()["items"]
    chosen = [
        e for e in experts if e["title"] in ("intermediate", "associate", "senior", "academician")
    ][:3]
    body = {
        "experts": [e["id"] for e in chosen],
        "needs": [n["id"] for n in needs],
        "preferences": {str(chosen[0]["id"]): [needs[1]["id"]]},
        "rankings": {str(needs[1]["id"]): [chosen[0]["id"]]},
        "headcounts": {str(needs[1]["id"]): 1},
    }
    placement = client.post("/api/v1/plans/talent-placement", json=body).json()["placement"]
    assert {"expert": chosen[0]["id"], "need": needs[1]["id"]}.items() <= next(
        p for p in placement["pairs"] if p["expert"] == chosen[0]["id"]
    ).items()
    bad = client.post(
        "/api/v1/plans/talent-placement", json={"experts": [10**9], "needs": [needs[0]["id"]]}
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "experts"


def test_approving_a_placement_is_atomic(client: TestClient) -> None:
    needs = client.get(
        "/api/v1/needs", params={"programme": "science_commissioner", "limit": 3}
    ).json()["items"]
    expert = client.post(
        "/api/v1/experts",
        json={
            "name": "临时专家",
            "affiliation_type": "university",
            "affiliation": "测试大学",
            "city": "广州",
            "fields": [needs[0]["field"]],
            "title": "senior",
            "degree": "doctorate",
            "programmes": ["science_commissioner"],
        },
    ).json()
    others = client.get(
        "/api/v1/experts",
        params={"programme": "science_commissioner", "degree": "doctorate", "limit": 3},
    ).json()["items"]
    ids = [expert["id"], *(e["id"] for e in others)]
    plan = client.post(
        "/api/v1/plans/talent-placement", json={"experts": ids, "needs": [n["id"] for n in needs]}
    ).json()
    assert any(p["expert"] == expert["id"] for p in plan["placement"]["pairs"])
    before = client.get(
        "/api/v1/pairings", params={"kind": "expert_need", "count": True, "limit": 1}
    ).json()["total"]
    assert client.delete(f"/api/v1/experts/{expert['id']}").json()["outcome"] == "deleted"
    failed = client.post(f"/api/v1/plans/{plan['id']}/approve", params={"solution": "placement"})
    assert failed.status_code == 409
    after = client.get(
        "/api/v1/pairings", params={"kind": "expert_need", "count": True, "limit": 1}
    ).json()["total"]
    assert after == before
    assert client.get(f"/api/v1/plans/{plan['id']}").json()["status"] == "draft"


def test_talent_recommendations(client: TestClient) -> None:
    western = client.get(
        "/api/v1/needs", params={"programme": "western_light", "limit": 500}
    ).json()["items"]
    assert western and all(
        client.get(f"/api/v1/cities/{n['city']}").json()["region"] == "west" for n in western
    )
    body = client.get("/api/v1/recommendations/talent", params={"need": western[0]["id"]}).json()
    assert body["items"] and all(
        i["expert"]["degree"] in ("master", "doctorate") for i in body["items"]
    )
    first = client.get("/api/v1/needs", params={"limit": 1}).json()["items"][0]
    body = client.get(
        "/api/v1/recommendations/talent", params={"need": first["id"], "limit": 5}
    ).json()
    scores = [i["score"] for i in body["items"]]
    assert (
        scores == sorted(scores, reverse=True)
        and body["items"][0]["reasons"]
        and "（十" in body["items"][0]["clause"]
    )
    posts = client.get(
        "/api/v1/recommendations/talent", params={"expert": body["items"][0]["expert"]["id"]}
    ).json()
    assert posts["items"] and all(i["need"] for i in posts["items"])
    assert (
        client.get("/api/v1/recommendations/talent", params={"need": 1, "expert": 1}).status_code
        == 422
    )
    assert client.get("/api/v1/recommendations/talent", params={"need": 999999}).status_code == 404
    universities = client.get(
        "/api/v1/recommendations/universities", params={"city": "赣州"}
    ).json()["items"]
    assert universities and all(u["university"]["city"] != "360700" for u in universities)
    assert any("材料" in " ".join(u["university"]["disciplines"]) for u in universities[:5])


def test_an_office_approves_only_plans_involving_its_cities(
    client: TestClient, anonymous: TestClient
) -> None:
    office = bearer("赣州市发改委")  # scope 360700
    own = client.post(PAIRING, json={"base_cities": ["360700"], "partners": ["440300"]}).json()
    wider = client.post(
        PAIRING, json={"base_cities": ["360700", "360800"], "partners": ["440300", "441900"]}
    ).json()
    refused = anonymous.post(f"/api/v1/plans/{wider['id']}/approve", headers=office)
    assert refused.status_code == 404
    assert client.get(f"/api/v1/plans/{wider['id']}").json()["status"] == "draft"
    approved = anonymous.post(f"/api/v1/plans/{own['id']}/approve", headers=office)
    assert approved.status_code == 200 and approved.json()["plan"]["status"] == "approved"
