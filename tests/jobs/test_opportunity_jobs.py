"""Opportunity jobs: expiry by closing date, and new strong matches announced to subscribers."""

import json
from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from jobs import tasks
from jobs.tasks import Context
from profiles.models import OutboxEvent
from tests.api.test_opportunities import OFFER, REQUEST, post
from tests.jobs.conftest import Receiver
from tests.jobs.test_webhooks import subscribe


def test_the_expiry_job_expires_what_has_closed(client: TestClient) -> None:
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    past = post(client, REQUEST | {"closes_on": yesterday}, "某某科技")
    future = post(client, OFFER | {"closes_on": tomorrow}, "某大学")
    run = client.post("/api/v1/jobs/expire-opportunities/run").json()
    assert run["status"] == "succeeded" and run["counts"]["expired"] == 1
    assert client.get(f"/api/v1/opportunities/{past['id']}").json()["status"] == "expired"
    assert client.get(f"/api/v1/opportunities/{future['id']}").json()["status"] == "open"
    # an expired opportunity is no longer recommended to anyone
    matches = client.get(f"/api/v1/opportunities/{future['id']}/matches").json()
    assert past["id"] not in {i["opportunity"]["id"] for i in matches["opportunities"]}
    again = client.post("/api/v1/jobs/expire-opportunities/run").json()
    assert again["counts"]["expired"] == 0


def test_a_new_strong_match_reaches_the_subscriber_once(
    client: TestClient, ctx: Context, receivers: list[Receiver]
) -> None:
    receiver = Receiver()
    receivers.append(receiver)
    subscribe(ctx, receiver.url, event="opportunity.matched", city="360700")
    elsewhere = subscribe(ctx, receiver.url, event="opportunity.matched", city="110000")
    request = post(client, REQUEST, "某某科技")
    offer = post(client, OFFER, "某大学")
    counts = tasks.match_opportunities(ctx)
    assert counts["events"] >= 2  # each side hears of the other
    with Session(ctx.engine) as session:
        events = session.exec(
            select(OutboxEvent).where(OutboxEvent.type == "opportunity.matched")
        ).all()
    pairs = {(e.payload["opportunity"]["id"], e.payload["match"]["id"]) for e in events}
    assert {(request["id"], offer["id"]), (offer["id"], request["id"])} <= pairs
    assert all(e.payload["score"] >= ctx.settings.opportunity_match_min_score for e in events)
    delivered = tasks.deliver(ctx)
    assert delivered["delivered"] >= 2
    bodies = [json.loads(body) for _, body in receiver.requests]
    assert {b["type"] for b in bodies} == {"opportunity.matched"}
    for body in bodies:  # only the 赣州 subscription: one side of each match is in 赣州
        sides = (body["data"]["opportunity"]["city"], body["data"]["match"]["city"])
        assert "360700" in sides and body["data"]["reasons"]
    assert elsewhere.id is not None
    sent = len(receiver.requests)
    assert tasks.match_opportunities(ctx)["events"] == 0  # nothing new: nothing announced
    tasks.deliver(ctx)
    assert len(receiver.requests) == sent


def test_a_signed_pair_teaches_the_opportunity_scorer_at_the_next_retrain(
    client: TestClient,
) -> None:
    request = post(client, REQUEST, "某某科技")
    offer = post(client, OFFER, "某大学")
    path = f"/api/v1/opportunities/{request['id']}/matches"
    assert client.get(path).json()["learned_from"]["labels"] == 0
    moved = client.post(
        "/api/v1/pipeline",
        json={
            "party_a": {"kind": "opportunities", "id": str(request["id"])},
            "party_b": {"kind": "opportunities", "id": str(offer["id"])},
            "stage": "signed",
            "amount_100m": 0.05,
        },
    )
    assert moved.status_code in (200, 201), moved.json()
    run = client.post("/api/v1/jobs/retrain/run").json()
    assert run["status"] == "succeeded" and run["counts"]["opportunity_labels"] == 1
    learned = client.get(path).json()["learned_from"]
    assert learned["labels"] == 1 and learned["model"] == "learned"
