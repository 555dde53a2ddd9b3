"""The FastAPI application: ``api.main:app``."""

import gc
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session
from starlette.routing import compile_path

import console.app as console
from api import errors
from api.cache import PageCache
from api.deps import refuse_control_text
from api.idempotency import IdempotencyMiddleware
from api.routes import (
    admin,
    catalogue,
    effectiveness,
    events,
    health,
    jobs,
    opportunities,
    pipeline,
    plans,
    profiles,
    recommendations,
    search,
    talent,
)
from api.security import Limits, RateLimiter, policy_of
from api.settings import ApiSettings, get_api_settings
from api.store_guard import StoreGuard
from jobs.scheduler import SchedulerService
from jobs.settings import get_job_settings
from matching.registry import ModelRegistry
from profiles import access, repository
from profiles.db import get_engine, read_only, upgrade_schema
from profiles.ranking import EngineState, get_engine_settings
from profiles.versions import Versioned

log = logging.getLogger("counterpart.api")
DESCRIPTION = """
对口 **Counterpart** pairs China's revolutionary base areas (革命老区) with developed regions,
enterprises, universities and experts, under the cooperation modes of the 2026 Opinion
《关于加快革命老区振兴发展的意见》.

Cities are addressed by their adcode (GB/T 2260, e.g. `360700` 赣州市); every other profile by
a stable id. Fields that name a city accept an adcode or any name the resolver understands
(赣州, ganzhou, 赣洲 …). Errors are `application/problem+json` (RFC 9457).

Demo enterprises, experts and talent needs are **synthetic** and carry `is_demo: true`.
"""

TAGS = [
    {"name": "health", "description": "服务状态 Service status and catalogue counts"},
    {"name": "cities", "description": "城市 Cities and other administrative divisions, by adcode"},
    {"name": "base-areas", "description": "重点革命老区 The 12 key revolutionary base areas"},
    {
        "name": "frameworks",
        "description": "合作框架 One-way cooperation frameworks (helper → assisted) behind pairings",
    },
    {"name": "industries", "description": "行业 GB/T 4754-2017 industry classification"},
    {"name": "search", "description": "检索 Name resolution and search across kinds"},
    {
        "name": "recommendations",
        "description": "推荐 Ranked, explained pairings under the four cooperation modes",
    },
    {
        "name": "plans",
        "description": "方案 City-pairing and talent-placement rounds: optimal and stable plans",
    },
    {
        "name": "enterprises",
        "description": "企业 Enterprises planning to place production, R&D or HQ",
    },
    {
        "name": "universities",
        "description": "高校 Universities: 双一流, 本科, 高职 (real, MOE lists)",
    },
    {"name": "experts", "description": "专家 Experts willing to join talent programmes"},
    {"name": "needs", "description": "人才需求 Base-area posts under a talent programme"},
    {
        "name": "pairings",
        "description": "结对关系 Existing and proposed pairings (对口合作, 东西部协作 …)",
    },
    {
        "name": "jobs",
        "description": "任务 Background jobs, their runs, and the review queues they fill",
    },
    {
        "name": "subscriptions",
        "description": "订阅 Webhooks: signed events when a good match appears",
    },
    {"name": "admin", "description": "管理 API keys and the audit log"},
]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    try:
        upgrade_schema(app.state.engine)
    except SQLAlchemyError as error:  # start anyway: StoreGuard answers 503 until it returns
        log.error("the store is unavailable at start: %s", error)
    if get_engine_settings().engine_warmup:  # the first request must not pay for the build
        threading.Thread(target=_warm, args=(app,), name="engine-warmup", daemon=True).start()
    service = None
    if app.state.start_scheduler:
        service = SchedulerService(app.state.engine)
        service.start()
    app.state.scheduler = service
    yield
    if service is not None:
        service.stop()


def _warm(app: FastAPI) -> None:
    """Build the ranking engine in the background; requests that need it meanwhile wait for
    this build (``EngineState``'s lock) instead of starting their own.

    Then set aside what was built (``gc.freeze``): the catalogue, the engine and the fitted
    word resolver are half a million long-lived objects, and every full pass of the cycle
    collector walked them all, a pause of about 170 ms that showed as every route's p99."""
    try:
        with Session(read_only(app.state.engine)) as session:
            app.state.engine_state.get(session)
    except SQLAlchemyError as error:
        log.error("the ranking engine could not be built at start: %s", error)
    gc.collect()
    gc.freeze()


def create_app(
    engine: Engine | None = None,
    model_dir: Path | None = None,
    *,
    start_scheduler: bool | None = None,
    settings: ApiSettings | None = None,
) -> FastAPI:
    """The application over ``engine`` (by default the one ``DATABASE_URL`` names)."""
    settings = settings or get_api_settings()
    app = FastAPI(
        title="Counterpart 对口",
        version="0.1.0",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        dependencies=[Depends(refuse_control_text)],
        docs_url=None,  # served by the console from vendored assets (works offline)
        redoc_url=None,
        openapi_url="/openapi.json" if settings.docs_enabled else None,
    )
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["*"],
        )
    app.state.engine = engine or get_engine()
    app.state.ping = health.SharedPing(app.state.engine)
    app.state.settings = settings
    app.state.start_scheduler = (
        get_job_settings().scheduler_enabled if start_scheduler is None else start_scheduler
    )
    app.add_middleware(IdempotencyMiddleware)
    rate = None
    if settings.rate_limit_enabled:
        rate = RateLimiter(
            per_key=settings.rate_per_minute_key,
            per_address=settings.rate_per_minute_address,
            storage=settings.rate_limit_storage,
            trusted_proxies=settings.trusted_proxies,
        )
    app.state.rate_limiter = rate
    app.add_middleware(Limits, settings_of=lambda: settings, rate=rate)
    app.add_middleware(StoreGuard, engine=app.state.engine)
    check = get_engine_settings().engine_check_seconds
    # A city version is a fresh object each time the cities' stamp changes.
    city_version = Versioned(
        repository.city_pages_stamp, lambda _: object(), check, tables=repository.CITY_PAGE_TABLES
    )
    app.state.city_pages = PageCache(city_version)
    app.state.engine_state = EngineState(
        ModelRegistry(model_dir or get_engine_settings().model_dir)
    )
    app.state.recommendation_pages = PageCache(app.state.engine_state)
    app.state.verified_keys = access.VerifiedKeys(check)
    errors.install(app)
    routers = (
        health.router,
        catalogue.router,
        catalogue.writes,
        search.router,
        recommendations.router,
        talent.router,
        plans.router,
        events.router,
        jobs.router,
        admin.router,
        recommendations.feedback_router,
        opportunities.router,
        *pipeline.routers,
        effectiveness.router,
        *profiles.routers,
    )
    for router in routers:
        app.include_router(router, prefix="/api/v1", responses=errors.COMMON_RESPONSES)
    # Every API route with its full path as the docs spell it (/api/v1/plans/{plan_id}), for
    # the console and the route-table tests; the method table matches as the router does
    # ({plan_id:int}), so that /enterprises/import is not taken for an id.
    routes = [route for router in routers for route in router.routes]
    app.state.api_routes = [("/api/v1" + route.path_format, route) for route in routes]
    app.state.method_table = errors.method_table([("/api/v1" + r.path, r) for r in routes])
    if settings.public_read:
        _declare_public_reads(app)
    console.install(app, docs_enabled=settings.docs_enabled)
    return app


def _declare_public_reads(app: FastAPI) -> None:
    """Public reads declare their key optional (``security: [{}, {HTTPBearer: []}]``), as served."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            for path, route in app.state.api_routes:
                policy = policy_of(route)
                if policy is None or not policy[1]:
                    continue
                for method in route.methods:
                    operation = schema["paths"][compile_path(path)[1]][method.lower()]
                    operation["security"] = [{}, *operation.get("security", [])]
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


app = create_app()
