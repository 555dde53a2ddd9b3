"""End to end: the running service, its scheduler, a subscriber on 127.0.0.1."""

import json
import time
from pathlib import Path

import httpx
from sqlalchemy.engine import Engine

from jobs import webhooks
from tests.conftest import bearer
from tests.durability.server import Server
from tests.jobs.conftest import Receiver


def test_a_fitting_enterprise_reaches_the_subscriber_within_one_delivery_cycle(
    engine: Engine, model_dir: Path, tmp_path: Path, receivers: list[Receiver]
) -> None:
    receiver = Receiver()
    receivers.append(receiver)
    env = {
        "COUNTERPART_SCHEDULE_DELIVER": "*/2 * * * * *",
        "COUNTERPART_WEBHOOK_ALLOW_PRIVATE": "true",
        "COUNTERPART_LEASE_SECONDS": "2",
    }
    with Server(
        engine.url.render_as_string(hide_password=False), model_dir, tmp_path, env=env
    ) as server:
        api = httpx.Client(base_url=f"{server.url}/api/v1", timeout=30, headers=bearer("admin"))
        profile = {
            "name": "端到端订阅测试有限公司",
            "hq_city": "深圳",
            "industry_codes": ["38"],
            "needs_resources": ["稀土"],
        }
        site = api.post(
            "/recommendations/sites", json={"enterprise": profile, "mode": "hq_base", "limit": 1}
        ).json()
        city = site["items"][0]["city"]["adcode"]
        subscription = api.post(
            "/subscriptions",
            json={
                "url": receiver.url,
                "event": "enterprise.upserted",
                "city": city,
                "mode": "hq_base",
            },
        ).json()
        created = api.post("/enterprises", json=profile).json()
        deadline = time.monotonic() + 20
        while not receiver.requests and time.monotonic() < deadline:
            time.sleep(0.2)
        jobs = {j["name"]: j for j in api.get("/jobs").json()["items"]}
        api.close()
    assert receiver.requests, "no delivery within the deadline"
    headers, body = receiver.requests[0]
    assert webhooks.verify(subscription["secret"], headers, body)
    event = json.loads(body)
    assert event["data"]["enterprise"]["id"] == created["id"] and event["data"]["site"] == city
    assert jobs["deliver"]["last_run"]["status"] == "succeeded" and jobs["deliver"]["next_run"]
