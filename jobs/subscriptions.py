"""Webhook subscriptions as their owners manage them: create, list, read, stop, deliveries.

A subscription is visible only to its owner and to admins; anyone else gets a 404, exactly as
if it did not exist.
"""

from sqlmodel import Session, select

from jobs import tasks, webhooks
from jobs.settings import get_job_settings
from matching.vocabulary import Role
from profiles import repository
from profiles.access import Principal
from profiles.errors import InvalidReference, NotFound
from profiles.models import (
    Delivery,
    DeliveryStatus,
    Subscription,
    SubscriptionCreate,
    utcnow,
)
from profiles.outbox import EVENT_TYPES


def create(session: Session, principal: Principal, data: SubscriptionCreate) -> Subscription:
    """A new subscription owned by ``principal``; its ``secret`` is shown to it once."""
    if data.event not in EVENT_TYPES:
        raise InvalidReference("event", data.event, f"events: {', '.join(EVENT_TYPES)}")
    try:
        webhooks.check_url(data.url, get_job_settings())
    except webhooks.UnsafeUrl as error:
        raise InvalidReference("url", data.url, str(error)) from error
    values = data.model_dump()
    if values["city"]:
        values["city"] = repository.resolve_city(session, value=values["city"], field="city")
    subscription = Subscription.model_validate(
        values | {"secret": webhooks.new_secret(), "owner": principal.id}
    )
    session.add(subscription)
    session.flush()
    return subscription


def visible(session: Session, principal: Principal) -> list[Subscription]:
    """The subscriptions ``principal`` may see: its own, or all for an admin."""
    statement = select(Subscription).order_by(Subscription.id)  # type: ignore[arg-type]
    if principal.role != Role.admin:
        statement = statement.where(Subscription.owner == principal.id)
    return list(session.exec(statement).all())


def get(session: Session, principal: Principal, subscription_id: int) -> Subscription:
    subscription = session.get(Subscription, subscription_id)
    if subscription is None or (
        principal.role != Role.admin and subscription.owner != principal.id
    ):
        raise NotFound("subscription", subscription_id)
    return subscription


def deactivate(session: Session, principal: Principal, subscription_id: int) -> Subscription:
    subscription = get(session, principal, subscription_id)
    subscription.active, subscription.updated_at = False, utcnow()
    session.add(subscription)
    return subscription


def deliveries(
    session: Session, principal: Principal, subscription_id: int, *, limit: int = 100
) -> list[Delivery]:
    """A subscription's deliveries, newest first."""
    get(session, principal, subscription_id)
    statement = (
        select(Delivery)
        .where(Delivery.subscription_id == subscription_id)
        .order_by(Delivery.id.desc())  # type: ignore[union-attr]
        .limit(limit)
    )
    return list(session.exec(statement).all())


def redeliver(
    session: Session,
    ctx: tasks.Context,
    principal: Principal,
    subscription_id: int,
    delivery_id: int,
) -> Delivery:
    """Send a delivery again now, with fresh attempts (the event id stays the same)."""
    delivery = _requeue(session, principal, subscription_id, delivery_id)
    session.commit()  # the sender works in its own session
    tasks.send_due(ctx, delivery_ids=[delivery_id])
    session.refresh(delivery)
    return delivery


def _requeue(
    session: Session, principal: Principal, subscription_id: int, delivery_id: int
) -> Delivery:
    get(session, principal, subscription_id)
    delivery = session.get(Delivery, delivery_id)
    if delivery is None or delivery.subscription_id != subscription_id:
        raise NotFound("delivery", delivery_id)
    delivery.status, delivery.attempts, delivery.next_attempt_at = (
        DeliveryStatus.pending,
        0,
        utcnow(),
    )
    session.add(delivery)
    return delivery
