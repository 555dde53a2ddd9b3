"""Idempotency-Key on POST: replay, mismatch, in flight, takeover of a dead claim."""

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from profiles.models import IdempotencyRecord

BODY = {"name": "幂等测试有限公司", "hq_city": "深圳", "industry_codes": ["39"]}


def count(client: TestClient) -> int:
    return client.get("/api/v1/enterprises", params={"q": "幂等测试", "count": True}).json()[
        "total"
    ]


def test_same_key_and_body_replays_without_a_second_write(client: TestClient) -> None:
    first = client.post("/api/v1/enterprises", json=BODY, headers={"Idempotency-Key": "a"})
    again = client.post("/api/v1/enterprises", json=BODY, headers={"Idempotency-Key": "a"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    assert count(client) == 1
    other = client.post("/api/v1/enterprises", json=BODY, headers={"Idempotency-Key": "b"})
    assert other.status_code == 409  # a new key is a new request: the natural key conflicts


def test_same_key_with_another_body_is_refused(client: TestClient) -> None:
    client.post("/api/v1/enterprises", json=BODY, headers={"Idempotency-Key": "k"})
    changed = client.post(
        "/api/v1/enterprises", json=BODY | {"employees": 5}, headers={"Idempotency-Key": "k"}
    )
    assert changed.status_code == 422 and "different request" in changed.json()["detail"]


def test_a_key_in_flight_answers_409_and_a_dead_claim_is_taken_over(
    client: TestClient, engine: Engine
) -> None:
    now = datetime.now(UTC)
    first = client.post(
        "/api/v1/enterprises",
        json=BODY | {"name": "探针有限公司"},
        headers={"Idempotency-Key": "probe"},
    )
    fingerprint = None
    with Session(engine) as session:
        fingerprint = session.get(IdempotencyRecord, "probe").fingerprint
        session.add(
            IdempotencyRecord(
                key="busy",
                fingerprint=fingerprint,
                state="in_flight",
                lease_until=now + timedelta(minutes=5),
            )
        )
        session.add(
            IdempotencyRecord(
                key="dead",
                fingerprint=fingerprint,
                state="in_flight",
                lease_until=now - timedelta(minutes=5),
            )
        )
        session.commit()
    assert first.status_code == 201
    busy = client.post(
        "/api/v1/enterprises",
        json=BODY | {"name": "探针有限公司"},
        headers={"Idempotency-Key": "busy"},
    )
    assert busy.status_code == 409 and busy.headers["retry-after"] == "1"
    taken = client.post(
        "/api/v1/enterprises",
        json=BODY | {"name": "探针二号有限公司"},
        headers={"Idempotency-Key": "dead"},
    )
    assert taken.status_code == 422  # a different body from the dead claim's
    retry = client.post(
        "/api/v1/enterprises",
        json=BODY | {"name": "探针有限公司"},
        headers={"Idempotency-Key": "dead"},
    )
    assert retry.status_code == 409  # the dead claim is taken over and runs: the name now conflicts


def test_refusals_are_replayed_too_and_keys_are_bounded(client: TestClient) -> None:
    bad = BODY | {"industry_codes": ["ZZ"]}
    first = client.post("/api/v1/enterprises", json=bad, headers={"Idempotency-Key": "bad"})
    again = client.post("/api/v1/enterprises", json=bad, headers={"Idempotency-Key": "bad"})
    assert (
        first.status_code == again.status_code == 422
        and again.headers["idempotent-replayed"] == "true"
    )
    too_long = client.post("/api/v1/enterprises", json=BODY, headers={"Idempotency-Key": "x" * 300})
    assert too_long.status_code == 422
