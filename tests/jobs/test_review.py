"""The duplicate audit fills the review queue; merge keeps every pairing and feedback record."""

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from profiles.models import Enterprise, Expert


def test_the_queue_lists_the_planted_duplicates(client: TestClient, engine: Engine) -> None:
    client.post("/api/v1/jobs/dedupe-audit/run")
    queue = client.get("/api/v1/review/duplicates", params={"limit": 500}).json()["items"]
    found = {(c["kind"], frozenset((c["first_id"], c["second_id"]))) for c in queue}
    with Session(engine) as session:
        planted = {
            (kind, frozenset((i, d)))
            for kind, table in (("enterprises", Enterprise), ("experts", Expert))
            for i, d in session.exec(
                select(table.id, table.duplicate_of).where(table.duplicate_of.is_not(None))
            ).all()
        }
    assert len(planted) == 24 and planted <= found
    assert all(c["first_name"] and c["second_name"] for c in queue)


def test_merge_keeps_pairings_and_feedback(client: TestClient) -> None:
    client.post("/api/v1/jobs/dedupe-audit/run")
    candidate = next(
        c
        for c in client.get("/api/v1/review/duplicates", params={"kind": "enterprises"}).json()[
            "items"
        ]
    )
    gone = candidate["second_id"]
    pairing = client.post(
        "/api/v1/pairings",
        json={
            "kind": "enterprise_city",
            "enterprise_id": gone,
            "base_city": "360700",
            "status": "proposed",
        },
    ).json()
    feedback = client.post(
        "/api/v1/feedback",
        json={
            "kind": "enterprise_city",
            "base_city": "360700",
            "enterprise_id": gone,
            "verdict": "accepted",
        },
    ).json()
    merged = client.post(f"/api/v1/review/duplicates/{candidate['id']}/merge")
    assert merged.status_code == 200 and merged.json()["status"] == "merged"
    moved = client.get(f"/api/v1/pairings/{pairing['id']}").json()
    assert moved["enterprise_id"] == candidate["first_id"]
    assert client.get(f"/api/v1/enterprises/{gone}").status_code == 404
    kept = client.get(f"/api/v1/enterprises/{gone}", params={"include_archived": True})
    assert kept.json()["archived"] is True
    assert client.get("/api/v1/pairings", params={"enterprise_id": candidate["first_id"]}).json()[
        "items"
    ]
    assert feedback["id"]
    assert client.post(f"/api/v1/review/duplicates/{candidate['id']}/merge").status_code == 409


def test_dismiss(client: TestClient) -> None:
    client.post("/api/v1/jobs/dedupe-audit/run")
    candidate = client.get("/api/v1/review/duplicates").json()["items"][0]
    assert (
        client.post(f"/api/v1/review/duplicates/{candidate['id']}/dismiss").json()["status"]
        == "dismissed"
    )
    assert candidate["id"] not in [
        c["id"] for c in client.get("/api/v1/review/duplicates").json()["items"]
    ]
    assert client.post("/api/v1/review/duplicates/999999/dismiss").status_code == 404


def test_codes_of_one_major_class_block_together(client: TestClient) -> None:
    """锂离子电池制造 (3841) and its 大类 (38): the same business, so the audit compares them."""
    ids = [
        client.post(
            "/api/v1/enterprises",
            json={"name": name, "hq_city": "440300", "industry_codes": [code]},
        ).json()["id"]
        for name, code in (
            ("深圳市锂星电池科技有限公司", "3841"),
            ("锂星电池科技（深圳）有限公司", "38"),
        )
    ]
    client.post("/api/v1/jobs/dedupe-audit/run")
    queue = client.get(
        "/api/v1/review/duplicates", params={"kind": "enterprises", "limit": 500}
    ).json()["items"]
    assert frozenset(ids) in {frozenset((c["first_id"], c["second_id"])) for c in queue}
