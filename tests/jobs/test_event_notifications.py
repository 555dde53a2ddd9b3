"""A published agenda that changes reaches the subscribers of the participants concerned only."""

import json

from fastapi.testclient import TestClient

from jobs import tasks
from jobs.tasks import Context
from tests.api.events_factory import ask, make_event
from tests.jobs.conftest import Receiver
from tests.jobs.test_webhooks import subscribe


def test_agenda_changes_reach_the_participants_subscribers(
    client: TestClient, ctx: Context, receivers: list[Receiver]
) -> None:
    mine, stranger, office = Receiver(), Receiver(), Receiver()
    receivers += [mine, stranger, office]
    subscribe(ctx, mine.url, event="event.agenda_changed", owner="某某科技")
    subscribe(ctx, stranger.url, event="event.agenda_changed", owner="另一家公司")
    subscribe(ctx, office.url, event="event.agenda_changed", owner="江西省发改委", city="360700")
    setup = make_event(client, slots=3, tables=1)
    ask(client, setup, "某某科技", setup.enterprise, setup.ganzhou)
    client.post(f"{setup.url}/schedule")
    client.post(f"{setup.url}/publish")
    counts = tasks.deliver(ctx)
    assert counts["delivered"] == 2
    assert stranger.requests == []
    ((_, body),) = mine.requests
    data = json.loads(body)["data"]
    assert data["event_id"] == setup.event["id"] and "某某科技" in data["principals"]
    assert {p["id"] for p in data["participants"]} == {setup.enterprise, setup.ganzhou}
    assert len(office.requests) == 1  # 赣州 is in the office's city filter
