"""Subscriptions and webhooks, delivered to real HTTP receivers on 127.0.0.1."""

import json
from dataclasses import replace

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from jobs import tasks, webhooks
from jobs.tasks import Context
from profiles.models import Delivery, OutboxEvent, Subscription
from tests.jobs.conftest import SETTINGS, Clock, Receiver

ENTERPRISE = {
    "name": "订阅测试新能源有限公司",
    "hq_city": "深圳",
    "industry_codes": ["38", "36"],
    "needs_resources": ["稀土"],
    "places": ["headquarters"],
}


def subscribe(ctx: Context, url: str, **filters: object) -> Subscription:
    with Session(ctx.engine) as session:
        subscription = Subscription(
            url=url, secret=webhooks.new_secret(), **({"event": "enterprise.upserted"} | filters)
        )
        session.add(subscription)
        session.commit()
        session.refresh(subscription)
        return subscription


def best_site(client: TestClient, mode: str) -> tuple[str, float]:
    query = {
        "enterprise": {
            k: ENTERPRISE[k] for k in ("name", "hq_city", "industry_codes", "needs_resources")
        },
        "mode": mode,
        "limit": 1,
    }
    item = client.post("/api/v1/recommendations/sites", json=query).json()["items"][0]
    return item["city"]["adcode"], item["score"]


def test_a_new_enterprise_that_fits_reaches_the_subscriber_signed(
    client: TestClient, ctx: Context, receivers: list[Receiver]
) -> None:
    receiver = Receiver()
    receivers.append(receiver)
    site, score = best_site(client, "hq_base")
    subscription = subscribe(
        ctx, receiver.url, city=site, mode="hq_base", min_score=min(score, 0.7)
    )
    elsewhere = subscribe(
        ctx, receiver.url, city="110000", mode="hq_base"
    )  # a city it does not fit
    created = client.post("/api/v1/enterprises", json=ENTERPRISE).json()
    counts = tasks.deliver(ctx)
    assert counts["deliveries_created"] == 1 and counts["delivered"] == 1
    ((headers, body),) = receiver.requests
    assert webhooks.verify(subscription.secret, headers, body)
    assert not webhooks.verify(elsewhere.secret, headers, body)
    event = json.loads(body)
    assert event["type"] == "enterprise.upserted" and headers["webhook-id"] == event["id"]
    assert event["data"]["enterprise"]["id"] == created["id"] and event["data"]["site"] == site
    assert event["data"]["reasons"]
    assert tasks.deliver(ctx)["delivered"] == 0 and len(receiver.requests) == 1  # never twice


def test_failures_are_retried_with_backoff_then_delivered(
    ctx: Context, clock: Clock, receivers: list[Receiver]
) -> None:
    receiver = Receiver([500, 503])
    receivers.append(receiver)
    subscription = subscribe(ctx, receiver.url, event="plan.approved")
    with Session(ctx.engine) as session:
        session.add(
            OutboxEvent(
                id="msg_retry_test", type="plan.approved", payload={"plan_id": 1, "cities": []}
            )
        )
        session.commit()
    assert tasks.deliver(ctx)["retrying"] == 1
    assert tasks.deliver(ctx)["retrying"] == 0  # not due yet: the backoff holds it
    clock.advance(60)
    assert tasks.send_due(ctx)["retrying"] == 1
    clock.advance(600)
    assert tasks.send_due(ctx)["delivered"] == 1
    ids = {headers["webhook-id"] for headers, _ in receiver.requests}
    assert len(receiver.requests) == 3 and ids == {"msg_retry_test"}  # the same id on every attempt
    with Session(ctx.engine) as session:
        delivery = session.exec(
            select(Delivery).where(Delivery.subscription_id == subscription.id)
        ).one()
    assert (delivery.status, delivery.attempts, delivery.last_status) == ("delivered", 3, 200)


def test_a_hanging_receiver_times_out_and_dead_letters_after_the_limit(
    ctx: Context, clock: Clock, receivers: list[Receiver]
) -> None:
    receiver = Receiver(["hang"] * 10)
    receivers.append(receiver)
    subscribe(ctx, receiver.url, event="plan.approved")
    with Session(ctx.engine) as session:
        session.add(OutboxEvent(id="msg_hang_test", type="plan.approved", payload={"cities": []}))
        session.commit()
    tasks.deliver(ctx)
    for _ in range(SETTINGS.webhook_max_attempts):
        clock.advance(3_600)
        tasks.send_due(ctx)
    with Session(ctx.engine) as session:
        delivery = session.exec(select(Delivery)).one()
    assert delivery.status == "dead" and delivery.attempts == SETTINGS.webhook_max_attempts
    assert "Timeout" in delivery.last_error


def test_410_gone_stops_the_subscription(ctx: Context, receivers: list[Receiver]) -> None:
    receiver = Receiver([410])
    receivers.append(receiver)
    subscription = subscribe(ctx, receiver.url, event="plan.approved")
    with Session(ctx.engine) as session:
        session.add(OutboxEvent(id="msg_gone_test", type="plan.approved", payload={"cities": []}))
        session.commit()
    assert tasks.deliver(ctx)["dead"] == 1
    with Session(ctx.engine) as session:
        assert session.get(Subscription, subscription.id).active is False


def test_outbox_events_survive_a_crash_before_delivery(
    client: TestClient, ctx: Context, receivers: list[Receiver]
) -> None:
    receiver = Receiver()
    receivers.append(receiver)
    subscribe(ctx, receiver.url)  # any enterprise, any site
    client.post(
        "/api/v1/enterprises", json=ENTERPRISE
    )  # committed with its event; then the process "dies"
    restarted = Context(
        engine=ctx.engine,
        state=type(ctx.state)(ctx.state.registry),
        settings=SETTINGS,
        clock=ctx.clock,
        http=ctx.http,
    )
    assert tasks.deliver(restarted)["delivered"] == 1 and len(receiver.requests) == 1


def test_subscriptions_over_http(
    client: TestClient, receivers: list[Receiver], allow_loopback_webhooks: None
) -> None:
    receiver = Receiver()
    receivers.append(receiver)
    body = {
        "url": receiver.url,
        "event": "enterprise.upserted",
        "city": "赣州",
        "mode": "总部+基地",
        "min_score": 0.5,
    }
    created = client.post("/api/v1/subscriptions", json=body)
    assert created.status_code == 201
    subscription = created.json()
    assert subscription["secret"].startswith("whsec_") and subscription["city"] == "360700"
    assert "secret" not in client.get(f"/api/v1/subscriptions/{subscription['id']}").json()
    assert (
        client.get(f"/api/v1/subscriptions/{subscription['id']}/deliveries").json()["items"] == []
    )
    bad_event = client.post("/api/v1/subscriptions", json=body | {"event": "weather"})
    assert bad_event.status_code == 422 and bad_event.json()["errors"][0]["field"] == "event"
    url = f"/api/v1/subscriptions/{subscription['id']}"
    gone = client.delete(url).json()
    assert gone["active"] is False
    assert client.get(url).status_code == 404 and client.delete(url).status_code == 404
    assert client.get(url, params={"include_archived": True}).json()["active"] is False
    assert all(s["id"] != gone["id"] for s in client.get("/api/v1/subscriptions").json()["items"])


def test_redelivery_on_request(
    client: TestClient, ctx: Context, receivers: list[Receiver], allow_loopback_webhooks: None
) -> None:
    receiver = Receiver()
    receivers.append(receiver)
    subscription = subscribe(ctx, receiver.url, event="plan.approved")
    with Session(ctx.engine) as session:
        session.add(OutboxEvent(id="msg_again", type="plan.approved", payload={"cities": []}))
        session.commit()
    tasks.deliver(ctx)
    delivery = client.get(f"/api/v1/subscriptions/{subscription.id}/deliveries").json()["items"][0]
    again = client.post(
        f"/api/v1/subscriptions/{subscription.id}/deliveries/{delivery['id']}/redeliver"
    )
    assert again.status_code == 200 and again.json()["status"] == "delivered"
    assert [h["webhook-id"] for h, _ in receiver.requests] == ["msg_again", "msg_again"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/hook",
        "https://10.1.2.3/hook",
        "https://169.254.169.254/x",
        "ftp://example.com/x",
        "https://localhost/hook",
        # the same places spelled otherwise: IPv4-mapped, -compatible, NAT64, 6to4, Teredo …
        "https://[::ffff:127.0.0.1]/hook",
        "https://[::ffff:7f00:1]/hook",
        "https://[::127.0.0.1]/hook",
        "https://[64:ff9b::127.0.0.1]/hook",
        "https://[64:ff9b::a9fe:a9fe]/latest",
        "https://[64:ff9b:1::a00:1]/hook",
        "https://[2002:7f00:1::1]/hook",
        "https://[2002:a9fe:a9fe::]/latest",
        "https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hook",
        "https://[fe80::5efe:a9fe:a9fe]/hook",
        "https://[fec0::1]/hook",
        "https://[fd00:ec2::254]/latest",
        "https://[::1]/hook",
        "https://[::]/hook",
        "https://2130706433/hook",  # 127.0.0.1 as one decimal number
        "https://0x7f000001/hook",
        "https://127.1/hook",
        "https://0/hook",
        "https://100.64.0.1/hook",
        "https://192.0.0.8/hook",
        "https://198.18.0.1/hook",
    ],
)
def test_private_and_link_local_addresses_are_refused(url: str) -> None:
    with pytest.raises(webhooks.UnsafeUrl):
        webhooks.check_url(url, type(SETTINGS)())


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "::ffff:8.8.8.8", "64:ff9b::808:808", "2606:4700::1111"]
)
def test_global_addresses_stay_allowed(address: str) -> None:
    from jobs.addresses import is_public, parse

    assert is_public(parse(address))


def test_an_unsafe_delivery_is_dead_lettered_at_once_with_its_reason(
    ctx: Context, receivers: list[Receiver]
) -> None:
    """It stayed pending and was retried; now the first refusal is final and says why."""
    receiver = Receiver()
    receivers.append(receiver)
    subscribe(
        ctx,
        receiver.url.replace("http://127.0.0.1", "https://[::ffff:127.0.0.1]"),
        event="plan.approved",
    )
    strict = replace(ctx, settings=SETTINGS.model_copy(update={"webhook_allow_private": False}))
    with Session(ctx.engine) as session:
        session.add(OutboxEvent(id="msg_unsafe", type="plan.approved", payload={"cities": []}))
        session.commit()
    assert tasks.deliver(strict)["dead"] == 1
    with Session(ctx.engine) as session:
        delivery = session.exec(select(Delivery)).one()
    assert delivery.status == "dead" and delivery.attempts == 1
    assert delivery.last_error.startswith("unsafe URL: ") and "non-public" in delivery.last_error
    assert receiver.requests == []


@pytest.mark.parametrize(
    "url", ["https://[64:ff9b::a9fe:a9fe]/latest", "https://[2002:7f00:1::1]/x"]
)
def test_refused_spellings_over_http(client: TestClient, url: str) -> None:
    response = client.post("/api/v1/subscriptions", json={"url": url, "event": "plan.approved"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "url"


def test_refused_urls_over_http(client: TestClient) -> None:
    response = client.post(
        "/api/v1/subscriptions",
        json={"url": "https://169.254.169.254/latest", "event": "plan.approved"},
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "url"


def test_a_delivery_connects_to_the_address_it_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS rebinding: the name resolves to a public address when checked and to loopback
    afterwards; the request still goes to the checked address, with the original Host."""
    answers = iter(["93.184.215.14", "127.0.0.1"])
    monkeypatch.setattr(
        webhooks.socket,
        "getaddrinfo",
        lambda host, port: [(None, None, None, "", (next(answers), port))],
    )
    seen = []

    def receive(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    settings = type(SETTINGS)()
    with httpx.Client(transport=httpx.MockTransport(receive)) as http:
        attempt = webhooks.post(
            http,
            "https://hooks.example.com:8443/in",
            webhooks.new_secret(),
            "msg_1",
            b"{}",
            settings,
        )
    assert attempt.delivered
    (request,) = seen
    assert request.url.host == "93.184.215.14" and request.url.port == 8443
    assert request.headers["host"] == "hooks.example.com:8443"
    assert request.extensions["sni_hostname"] == "hooks.example.com"
