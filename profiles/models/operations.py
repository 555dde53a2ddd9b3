"""The service's own tables: idempotency, jobs and review queues, webhooks, keys and audit."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from matching.vocabulary import Mode, Role
from profiles.models.common import STRICT, EnumText, Owned, Stamped, utcnow
from profiles.shape import Shape, Stored


class IdempotencyState(StrEnum):
    in_flight = "in_flight"
    done = "done"


class JobStatus(StrEnum):
    running = "running"
    succeeded = "succeeded"
    failed = "failed"


class ReviewStatus(StrEnum):
    open = "open"
    merged = "merged"
    dismissed = "dismissed"


class DeliveryStatus(StrEnum):
    pending = "pending"
    delivered = "delivered"
    dead = "dead"


# ---------------------------------------------------------------- Idempotency
class IdempotencyRecord(Stamped, table=True):
    """A POST's Idempotency-Key: claimed while in flight, then its stored response.

    ``done`` is written in the same transaction as the request's own writes, so a crash leaves
    either both or neither; an ``in_flight`` claim whose lease has run out is taken over.
    """

    __tablename__ = "idempotency_key"
    key: str = Field(primary_key=True, max_length=255)
    fingerprint: str = Field(max_length=64, description="sha256 of method, path and body")
    state: IdempotencyState = Field(sa_type=EnumText(IdempotencyState, 12))
    status_code: int | None = None
    content_type: str | None = Field(default=None, max_length=100)
    response: str | None = Field(default=None, sa_type=Text)
    lease_until: datetime = Field(default_factory=utcnow)


# ---------------------------------------------------------------- Jobs, review queues, webhooks
class JobRun(SQLModel, table=True):
    """One run of a background job; unique per job and scheduled time (runs are idempotent)."""

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job", "scheduled_for", name="uq_job_run_schedule"),)
    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=40, index=True)
    trigger: str = Field(max_length=20, description="schedule | manual")
    scheduled_for: datetime | None = None
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    status: JobStatus = Field(default=JobStatus.running, sa_type=EnumText(JobStatus, 20))
    counts: dict = Field(default_factory=dict, sa_type=JSON)
    error: str | None = Field(default=None, sa_type=Text)


class RecommendationCache(SQLModel, table=True):
    """Cached top-k recommendations for one subject (a city or an enterprise)."""

    __tablename__ = "recommendation_cache"
    subject: str = Field(
        primary_key=True, max_length=40, description="base:360700, partner:440300, enterprise:12"
    )
    items: list = Field(default_factory=list, sa_type=JSON)
    model_version: str = Field(max_length=80)
    stamp: str = Field(max_length=64, description="fingerprint of the inputs it was computed from")
    computed_at: datetime = Field(default_factory=utcnow)


class DuplicateCandidate(SQLModel, table=True):
    """A likely duplicate pair found by the dedupe audit, waiting for review."""

    __tablename__ = "duplicate_candidate"
    __table_args__ = (UniqueConstraint("kind", "first_id", "second_id", name="uq_duplicate_pair"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20, index=True, description="enterprises | universities | experts")
    first_id: int
    second_id: int
    score: float
    status: ReviewStatus = Field(
        default=ReviewStatus.open, sa_type=EnumText(ReviewStatus, 12), index=True
    )
    detected_at: datetime = Field(default_factory=utcnow)
    resolved_at: datetime | None = None


class ProfileFlag(SQLModel, table=True):
    """A profile whose owner should update it (old statistics, unconfirmed for a year)."""

    __tablename__ = "profile_flag"
    __table_args__ = (UniqueConstraint("kind", "key", "reason", name="uq_profile_flag"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20, index=True)
    key: str = Field(max_length=40)
    reason: str = Field(max_length=40)
    detail: str = Field(max_length=400)
    flagged_at: datetime = Field(default_factory=utcnow)


class SubscriptionBase(Shape):
    url: str = Field(max_length=500, description="https, or a loopback address the operator allows")
    event: str = Field(
        max_length=40,
        description="enterprise.upserted | recommendation.updated | plan.approved"
        " | pipeline.advanced | event.agenda_changed | meeting.held",
    )
    city: str | None = Field(
        default=None, max_length=6, description="the city the subscriber cares about"
    )
    mode: Mode | None = None
    min_score: float = Field(default=0.0, ge=0, le=1)
    description: str | None = Field(default=None, max_length=400)


class Subscription(SubscriptionBase, Owned, table=True):
    id: int | None = Field(default=None, primary_key=True)
    secret: str = Field(max_length=100)
    active: bool = Field(default=True, index=True)


class SubscriptionCreate(SubscriptionBase):
    model_config = STRICT

    city: str | None = Field(default=None, max_length=40, description="adcode or name")


class SubscriptionPublic(Stored, SubscriptionBase):
    id: int
    active: bool
    created_at: datetime


class OutboxEvent(SQLModel, table=True):
    """A change worth telling subscribers about, written in the same transaction as the change."""

    __tablename__ = "outbox_event"
    id: str = Field(primary_key=True, max_length=40, description="msg_… unique event id")
    type: str = Field(max_length=40, index=True)
    payload: dict = Field(default_factory=dict, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow)
    dispatched_at: datetime | None = Field(default=None, index=True)


class Delivery(SQLModel, table=True):
    """One event to one subscriber: attempts, backoff and outcome."""

    __table_args__ = (UniqueConstraint("subscription_id", "event_id", name="uq_delivery_event"),)
    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(foreign_key="subscription.id", index=True)
    event_id: str = Field(foreign_key="outbox_event.id", max_length=40)
    body: str = Field(sa_type=Text)
    status: DeliveryStatus = Field(
        default=DeliveryStatus.pending, sa_type=EnumText(DeliveryStatus, 12), index=True
    )
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    last_status: int | None = None
    last_error: str | None = Field(default=None, max_length=500)
    delivered_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class SchedulerLease(SQLModel, table=True):
    """Who runs the scheduler now (SQLite; PostgreSQL uses an advisory lock)."""

    __tablename__ = "scheduler_lease"
    name: str = Field(primary_key=True, max_length=40)
    holder: str = Field(max_length=100)
    expires_at: datetime


# ---------------------------------------------------------------- Access control
class ApiKey(SQLModel, table=True):
    """An API key: stored as a hash only; ``prefix`` finds it, ``principal`` owns what it writes."""

    __tablename__ = "api_key"
    id: int | None = Field(default=None, primary_key=True)
    prefix: str = Field(max_length=16, unique=True, index=True)
    hash: str = Field(max_length=64)
    principal: str = Field(
        max_length=100, index=True, description="who acts: owns what the key creates"
    )
    role: Role
    scopes: list[str] = Field(
        default_factory=list, sa_type=JSON, description="adcodes an office may act on"
    )
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class ApiKeyPublic(SQLModel):
    id: int
    prefix: str
    principal: str
    role: Role
    scopes: list[str]
    expires_at: datetime | None
    revoked_at: datetime | None
    created_at: datetime


class AuditEntry(SQLModel, table=True):
    """Who did what to which record, before and after; written in the change's transaction."""

    __tablename__ = "audit_entry"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    principal: str = Field(max_length=100, index=True)
    action: str = Field(max_length=20, description="create | update | delete | import")
    kind: str = Field(max_length=40, index=True)
    key: str = Field(max_length=80)
    before: dict | None = Field(default=None, sa_type=JSON)
    after: dict | None = Field(default=None, sa_type=JSON)
