"""审核 (duplicates: merge or dismiss; stale profiles), 任务 (jobs) and 订阅 (subscriptions)."""

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.deps import SessionDep
from api.routes import jobs as job_routes
from console import render
from console.deps import SignedInDep
from console.policy import require
from console.routing import ConsoleRoute
from jobs import subscriptions, tasks
from matching.vocabulary import Mode
from profiles import review
from profiles.models import MAX_ID, SubscriptionCreate
from profiles.outbox import EVENT_TYPES

router = APIRouter(route_class=ConsoleRoute)
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
EVENTS = {
    "enterprise.upserted": "企业新增或更新",
    "recommendation.updated": "推荐结果更新",
    "plan.approved": "方案获批",
}


@router.get("/review")
def review_page(request: Request, db: SessionDep, principal: SignedInDep) -> HTMLResponse:
    require(request, principal, "GET", "/api/v1/review/duplicates")
    duplicates = review.candidates(db, limit=100)
    stale = review.stale_flags(db, limit=100)
    return render.page(request, "review.html", duplicates=duplicates, stale=stale)


@router.post("/review/{candidate_id}/{action}")
def review_action(
    request: Request,
    db: SessionDep,
    principal: SignedInDep,
    candidate_id: Id,
    action: Annotated[str, Path(pattern="^(merge|dismiss)$")],
    keep: Annotated[int | None, Form(ge=1, le=MAX_ID)] = None,
) -> Response:
    require(request, principal, "POST", f"/api/v1/review/duplicates/{{candidate_id}}/{action}")
    if action == "merge":
        review.merge(db, candidate_id=candidate_id, keep=keep)
    else:
        review.dismiss(db, candidate_id=candidate_id)
    return RedirectResponse("/review", status_code=303)


@router.get("/jobs")
def jobs_page(request: Request, db: SessionDep, principal: SignedInDep) -> HTMLResponse:
    require(request, principal, "GET", "/api/v1/jobs")
    return render.page(
        request,
        "jobs.html",
        jobs=job_routes.list_jobs(db, principal, request).items,
        runs=tasks.recent_runs(db, limit=30),
    )


@router.post("/jobs/{name}/run")
def run_job(
    request: Request, principal: SignedInDep, name: Annotated[str, Path(max_length=40)]
) -> Response:
    require(request, principal, "POST", "/api/v1/jobs/{name}/run")
    if name not in tasks.JOBS:
        return RedirectResponse("/jobs", status_code=303)
    job_routes.run_job(request, principal, name)
    return RedirectResponse("/jobs", status_code=303)


@router.get("/subscriptions")
def subscriptions_page(request: Request, db: SessionDep, principal: SignedInDep) -> HTMLResponse:
    require(request, principal, "GET", "/api/v1/subscriptions")
    return render.page(
        request,
        "subscriptions.html",
        subscriptions=subscriptions.visible(db, principal),
        events=[(e, EVENTS.get(e, e)) for e in EVENT_TYPES],
        event_names=EVENTS,
        modes=list(Mode),
        created=None,
        problem=None,
    )


@router.post("/subscriptions")
def create_subscription(
    request: Request,
    db: SessionDep,
    principal: SignedInDep,
    url: Annotated[str, Form(max_length=2000)],
    event: Annotated[str, Form(max_length=40)],
    city: Annotated[str, Form(max_length=40)] = "",
    mode: Annotated[str, Form(max_length=40)] = "",
    min_score: Annotated[str, Form(max_length=10)] = "",
) -> HTMLResponse:
    require(request, principal, "POST", "/api/v1/subscriptions")
    body = SubscriptionCreate.model_validate(
        {"url": url, "event": event, "city": city or None, "mode": mode or None}
        | ({"min_score": min_score} if min_score else {})
    )
    created = subscriptions.create(db, principal, body)
    return render.page(
        request,
        "subscriptions.html",
        subscriptions=subscriptions.visible(db, principal),
        events=[(e, EVENTS.get(e, e)) for e in EVENT_TYPES],
        event_names=EVENTS,
        modes=list(Mode),
        created=created,
        problem=None,
    )


@router.post("/subscriptions/{subscription_id}/delete")
def delete_subscription(
    request: Request, db: SessionDep, principal: SignedInDep, subscription_id: Id
) -> Response:
    require(request, principal, "DELETE", "/api/v1/subscriptions/{subscription_id}")
    subscriptions.deactivate(db, principal, subscription_id)
    return RedirectResponse("/subscriptions", status_code=303)
