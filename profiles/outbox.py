"""The outbox: events written in the same transaction as the change that caused them.

A committed change therefore always has its event, and an event never exists for a change that
was rolled back. The ``deliver`` job later turns events into deliveries to subscribers.
"""

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from profiles.models import OutboxEvent, utcnow

ENTERPRISE_UPSERTED = "enterprise.upserted"
RECOMMENDATION_UPDATED = "recommendation.updated"
PLAN_APPROVED = "plan.approved"
OPPORTUNITY_MATCHED = "opportunity.matched"
PIPELINE_ADVANCED = "pipeline.advanced"
EVENT_TYPES = (
    ENTERPRISE_UPSERTED,
    RECOMMENDATION_UPDATED,
    PLAN_APPROVED,
    PIPELINE_ADVANCED,
    OPPORTUNITY_MATCHED,
)


def new_id() -> str:
    return f"msg_{uuid.uuid4().hex}"


def emit(session: Session, event_type: str, payload: dict[str, Any]) -> None:
    session.add(OutboxEvent(id=new_id(), type=event_type, payload=payload))


def emit_many(session: Session, event_type: str, payloads: Iterable[dict[str, Any]]) -> None:
    now = utcnow()
    rows = [{"id": new_id(), "type": event_type, "payload": p, "created_at": now} for p in payloads]
    if rows:
        session.execute(insert(OutboxEvent), rows)
