"""Jobs (list, run now), the duplicate review queue, and webhook subscriptions."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, status
from pydantic import BaseModel

from api.deps import SessionDep
from api.routes.common import ItemList
from api.security import Admin, Office, Writer
from jobs import subscriptions, tasks
from jobs.scheduler import schedule_of, trigger_of
from jobs.settings import get_job_settings
from profiles import review
from profiles.errors import NotFound
from profiles.models import (
    MAX_ID,
    Delivery,
    DuplicateCandidate,
    JobRun,
    ProfileFlag,
    ReviewStatus,
    SubscriptionCreate,
    SubscriptionPublic,
    utcnow,
)

router = APIRouter(tags=["jobs"])
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


class JobInfo(BaseModel):
    name: str
    schedule: str
    last_run: JobRun | None
    next_run: datetime | None


class NewSubscription(SubscriptionPublic):
    secret: str  # shown once: the key to verify signatures with


def _context(request: Request) -> tasks.Context:
    return tasks.Context(engine=request.app.state.engine, state=request.app.state.engine_state)


@router.get("/jobs", summary="后台任务 Every job with its last and next run")
def list_jobs(session: SessionDep, principal: Office, request: Request) -> ItemList[JobInfo]:
    settings = get_job_settings()
    last = tasks.last_runs(session)
    service = getattr(request.app.state, "scheduler", None)
    planned = service.next_runs() if service is not None else {}
    items = [
        JobInfo(
            name=name,
            schedule=schedule_of(name, settings),
            last_run=last.get(name),
            next_run=planned.get(name)
            or trigger_of(name, settings).get_next_fire_time(None, utcnow()),
        )
        for name in tasks.JOBS
    ]
    return ItemList(items=items, total=len(items))


@router.get("/jobs/runs", summary="任务记录 Recent runs")
def job_runs(
    session: SessionDep,
    principal: Office,
    job: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ItemList[JobRun]:
    return ItemList(items=tasks.recent_runs(session, job=job, limit=limit))


@router.post("/jobs/{name}/run", summary="立即运行 Run a job now (the run is recorded)")
def run_job(
    request: Request, principal: Admin, name: Annotated[str, Path(max_length=40)]
) -> JobRun:
    if name not in tasks.JOBS:
        raise NotFound("job", name)
    return tasks.run(_context(request), name)


@router.get("/review/duplicates", summary="疑似重复 Likely duplicates awaiting review")
def duplicates(
    session: SessionDep,
    principal: Office,
    kind: Annotated[str | None, Query(max_length=20)] = None,
    status: ReviewStatus = ReviewStatus.open,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ItemList[dict[str, Any]]:
    return ItemList(items=review.candidates(session, kind=kind, status=status, limit=limit))


@router.post(
    "/review/duplicates/{candidate_id}/merge",
    summary="合并重复 Merge (pairings and feedback move to the kept record)",
)
def merge_duplicate(
    session: SessionDep,
    principal: Admin,
    candidate_id: Id,
    keep: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> DuplicateCandidate:
    return review.merge(session, candidate_id=candidate_id, keep=keep)


@router.post("/review/duplicates/{candidate_id}/dismiss", summary="不是重复 Dismiss")
def dismiss_duplicate(
    session: SessionDep, principal: Admin, candidate_id: Id
) -> DuplicateCandidate:
    return review.dismiss(session, candidate_id=candidate_id)


@router.get("/review/stale", summary="待更新档案 Profiles flagged for their owners to update")
def stale(
    session: SessionDep,
    principal: Office,
    kind: Annotated[str | None, Query(max_length=20)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ItemList[ProfileFlag]:
    return ItemList(items=review.stale_flags(session, kind=kind, limit=limit))


@router.post(
    "/subscriptions",
    status_code=status.HTTP_201_CREATED,
    tags=["subscriptions"],
    summary="订阅 Register a webhook for matches you care about",
)
def create_subscription(
    session: SessionDep, principal: Writer, body: SubscriptionCreate
) -> NewSubscription:
    subscription = subscriptions.create(session, principal, body)
    return NewSubscription.model_validate(subscription, from_attributes=True)


@router.get("/subscriptions", tags=["subscriptions"], summary="订阅列表 Subscriptions")
def list_subscriptions(session: SessionDep, principal: Writer) -> ItemList[SubscriptionPublic]:
    return ItemList(items=subscriptions.visible(session, principal))


@router.get(
    "/subscriptions/{subscription_id}", tags=["subscriptions"], summary="订阅详情 One subscription"
)
def get_subscription(
    session: SessionDep, principal: Writer, subscription_id: Id
) -> SubscriptionPublic:
    return subscriptions.get(session, principal, subscription_id)


@router.delete(
    "/subscriptions/{subscription_id}", tags=["subscriptions"], summary="停用订阅 Deactivate"
)
def delete_subscription(
    session: SessionDep, principal: Writer, subscription_id: Id
) -> SubscriptionPublic:
    return subscriptions.deactivate(session, principal, subscription_id)


@router.get(
    "/subscriptions/{subscription_id}/deliveries",
    tags=["subscriptions"],
    summary="投递记录 Deliveries",
)
def deliveries(
    session: SessionDep,
    principal: Writer,
    subscription_id: Id,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ItemList[Delivery]:
    return ItemList(
        items=subscriptions.deliveries(session, principal, subscription_id, limit=limit)
    )


@router.post(
    "/subscriptions/{subscription_id}/deliveries/{delivery_id}/redeliver",
    tags=["subscriptions"],
    summary="重新投递 Send a delivery again now (same event id)",
)
def redeliver(
    request: Request, principal: Writer, session: SessionDep, subscription_id: Id, delivery_id: Id
) -> Delivery:
    return subscriptions.redeliver(
        session, _context(request), principal, subscription_id, delivery_id
    )
