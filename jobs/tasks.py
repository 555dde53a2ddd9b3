"""The jobs. Each is a module-level function of a ``Context``; ``run`` records every run.

    retrain         fit on pairings and feedback; promote only if no worse on the current pairings
    refresh         recompute cached top-k recommendations, only where inputs changed
    dedupe-audit    likely duplicate enterprises, universities, experts → the review queue
    stale-profiles  flag old statistics and profiles nobody confirmed for a year
    deliver         turn outbox events into deliveries, and send what is due (with retries)
    expire-opportunities    mark open opportunities past their closing date as expired
    match-opportunities     announce each opportunity's new strong matches (opportunity.matched)

A run is unique per job and scheduled time, so a schedule that fires twice runs once.
"""

import json
import logging
import random
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import String, and_, cast, func, insert, literal, or_
from sqlalchemy.engine import Engine, Row
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from jobs import cache, distributed, webhooks
from jobs.distributed import Block, Result, Shared
from jobs.settings import JobSettings, get_job_settings
from matching.industry_words import major_of
from matching.vocabulary import Mode
from profiles import effectiveness, opportunities, outbox, training
from profiles.models import (
    City,
    Delivery,
    DeliveryStatus,
    DuplicateCandidate,
    Enterprise,
    Expert,
    JobRun,
    JobStatus,
    OutboxEvent,
    ProfileFlag,
    RecommendationCache,
    ReviewStatus,
    Subscription,
    TalentNeed,
    University,
)
from profiles.names import OrgNames
from profiles.ranking import ENTERPRISE_COLUMNS, EngineState, enterprise_arrays
from profiles.recommending import enterprise_profile

log = logging.getLogger("counterpart.jobs")
Clock = Callable[[], datetime]
MAX_BLOCK = 4_000  # names compared at once (a block's cdist is MAX_BLOCK²)
KEY_BLOCK = 50_000  # rows keyed per dedupe task
PAIR_BLOCK = 20_000  # names per near-duplicate task
REFRESH_CHUNK = 50_000


def system_clock() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@dataclass
class Context:
    engine: Engine
    state: EngineState
    settings: JobSettings = field(default_factory=get_job_settings)
    clock: Clock = system_clock
    http: Any = None  # an httpx.Client for deliveries (tests pass their own)
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    dask: Any = None  # a distributed.Client: batch scoring on a cluster (``jobs.distributed``)

    def cluster(self) -> Any:
        """The Dask client batch work runs on, or None to run in this process."""
        if self.dask is None and self.settings.dask_scheduler:
            self.dask = distributed.connect(self.settings.dask_scheduler)
        return self.dask

    def map_blocks(
        self,
        function: Callable[[Shared, Block], Result],
        shared: Shared,
        blocks: Sequence[Block],
        *,
        what: str,
    ) -> Iterator[tuple[Block, Result]]:
        """``function(shared, block)`` for every block, in block order: on the Dask cluster
        when there is one (``jobs.distributed.ordered``), else here, logging progress."""
        client = self.cluster()
        if client is not None:
            yield from distributed.ordered(client, function, shared, blocks, what=what)
            return
        for n, block in enumerate(blocks, start=1):
            yield block, function(shared, block)
            log.info("%s, block %d of %d done", what, n, len(blocks))


# ---------------------------------------------------------------- retrain
def retrain(ctx: Context) -> dict[str, Any]:
    with Session(ctx.engine) as session:
        trained = training.train(session, ctx.state.registry)
        scorer = opportunities.learn_from_pipeline(session, ctx.state)
    return {
        "opportunity_labels": scorer.labels,
        "city_version": trained.city.version,
        "promoted": trained.promoted,
        "mrr": round(trained.mrr, 4),
        "previous_mrr": None if trained.previous_mrr is None else round(trained.previous_mrr, 4),
        "verdicts": trained.verdicts,
        "outcomes": trained.outcomes,
    }


# ---------------------------------------------------------------- refresh
def refresh(ctx: Context) -> dict[str, Any]:
    """Recompute top-k for every base city, partner city and enterprise whose inputs changed.

    Cities first (a few hundred), then the changed enterprises in chunks, each chunk written
    before the next is scored, so memory stays flat on a million enterprises.
    """
    k = ctx.settings.refresh_top_k
    with Session(ctx.engine) as session:
        engine = ctx.state.get(session)
        subject, stamp = RecommendationCache.subject, RecommendationCache.stamp
        cities = or_(_prefixed(subject, "base:"), _prefixed(subject, "partner:"))
        cached = dict(session.exec(select(subject, stamp).where(cities)).all())
        total = session.exec(select(func.count()).select_from(RecommendationCache)).one()
        previous = dict(
            session.exec(
                select(subject, RecommendationCache.items).where(_prefixed(subject, "base:"))
            ).all()
        )
        city_stamp = cache.stamp(engine.city_model.version, ctx.state.data_stamp(session))
        rows: dict[str, list[dict[str, Any]]] = {}
        for role, subjects, rank in (
            ("base", engine.asking_rows, engine.partners),
            ("partner", engine.partner_rows, engine.base_cities),
        ):
            for row in subjects:
                key = f"{role}:{engine.cities.records[row].adcode}"
                if cached.get(key) != city_stamp:
                    rows[key] = [
                        {"key": i.key, "score": i.score, "mode": i.mode.value}
                        for i in rank(engine.cities.records[row].adcode, limit=k)
                    ]
        changed = cache.write(
            session,
            list(rows),
            [json.dumps(items) for items in rows.values()],
            [city_stamp] * len(rows),
            version=engine.city_model.version,
            now=ctx.clock(),
        )
        _announce_new_recommendations(session, rows, previous, engine.city_model.version)
        stale = _stale_enterprises(session, engine.site_model.version)
        if stale:
            changed += _refresh_enterprises(ctx, session, engine, stale, k)
        session.commit()
    replaced = len(rows.keys() & cached.keys()) + sum(bool(r[-1]) for r in stale)
    return {"recomputed": changed, "unchanged": total - replaced, "enterprises": len(stale)}


def _prefixed(column: Any, prefix: str) -> Any:
    """``column`` starts with ``prefix`` (a range, so the primary key's index serves it)."""
    return and_(column >= prefix, column < prefix[:-1] + chr(ord(prefix[-1]) + 1))


def _stale_enterprises(session: Session, version: str) -> list[Row]:
    """The enterprises not archived whose cached row is missing, or was computed by another
    model version or before their last update, in id order: ``ENTERPRISE_COLUMNS``, then the
    last update as text (the row's stamp) and whether a cached row exists. The database
    compares, so an unchanged million costs one scan and no parsing."""
    subject = literal("enterprise:") + cast(Enterprise.id, String)
    updated = cast(Enterprise.updated_at, String)
    cached = RecommendationCache
    return list(
        session.connection()
        .execute(  # Core rows: a million of them, no ORM processing
            select(*ENTERPRISE_COLUMNS, updated, cached.subject.is_not(None))  # type: ignore[union-attr]
            .outerjoin(cached, cached.subject == subject)
            .where(
                Enterprise.archived.is_(False),
                or_(
                    cached.subject.is_(None),  # type: ignore[union-attr]
                    cached.model_version != version,
                    cached.stamp != updated,
                ),
            )
            .order_by(Enterprise.id)  # type: ignore[arg-type]
        )
        .all()
    )


def _refresh_enterprises(
    ctx: Context, session: Session, engine: Any, stale: list[Row], k: int
) -> int:
    """Score the ``stale`` enterprises (rows of ``_stale_enterprises``) and write them back,
    block by block, in id order."""
    known = [r for r in stale if r[1] in engine.cities.index]
    changed = enterprise_arrays(engine.cities, known)  # in id order: blocks are id ranges
    stamps = [r[-2] for r in known]
    blocks = distributed.id_ranges(changed, REFRESH_CHUNK)
    scored = ctx.map_blocks(
        partial(distributed.score_sites, k=k), engine, blocks, what="refresh scoring"
    )
    texts = cache.ItemTexts([r.adcode for r in engine.cities.records])
    written = 0
    for subset, (version, top, scores) in scored:
        if version != engine.site_model.version:  # pragma: no cover - a guard, not a path
            raise RuntimeError(f"a block was scored with model {version}")
        written += cache.write(
            session,
            [f"enterprise:{i}" for i in subset.ids.tolist()],
            texts(top, scores),
            stamps[written : written + len(subset)],
            version=engine.site_model.version,
            now=ctx.clock(),
        )
        session.flush()
        log.info("refresh: %d of %d changed enterprises", written, len(changed))
    return written


def _announce_new_recommendations(
    session: Session,
    rows: dict[str, list[dict[str, Any]]],
    previous: dict[str, list[dict[str, Any]]],
    version: str,
) -> None:
    """An event for each base city whose top-k gained partners."""
    for subject, items in rows.items():
        if not subject.startswith("base:"):
            continue
        before = {i["key"] for i in previous.get(subject, [])}
        new = [i for i in items if i["key"] not in before]
        if new and subject in previous:
            outbox.emit(
                session,
                outbox.RECOMMENDATION_UPDATED,
                {"city": subject.removeprefix("base:"), "new_items": new, "model_version": version},
            )


# ---------------------------------------------------------------- dedupe-audit
def _major(codes: list[str]) -> str:
    """The block of an enterprise's first code: its 大类 (3841 and 38 block together)."""
    return (major_of(codes[0]) or codes[0]) if codes else ""


def dedupe_audit(ctx: Context) -> dict[str, Any]:
    """Near-duplicate names within blocks (city + first industry), via rapidfuzz cdist.

    Two passes of blocks, each in-process or on the Dask cluster: the blocking keys of
    consecutive rows (by kind and id), then the near-duplicate pairs of consecutive blocks of
    names; the job writes the new candidates."""
    with Session(ctx.engine) as session:
        names = OrgNames(list(session.exec(select(City.name).where(City.level != "county")).all()))
        sources = {
            "enterprises": select(
                Enterprise.id, Enterprise.name, Enterprise.hq_city, Enterprise.industry_codes
            ).where(Enterprise.archived.is_(False)),
            "experts": select(Expert.id, Expert.name, Expert.city, Expert.affiliation).where(
                Expert.archived.is_(False)
            ),
            "universities": select(
                University.id, University.name, University.city, University.type
            ).where(University.archived.is_(False)),
        }
        rows = [
            (kind, *row)
            for kind, statement in sources.items()
            for row in session.exec(statement.order_by(statement.selected_columns[0])).all()
        ]
        blocks: dict[tuple[Any, ...], list[tuple[int, str]]] = defaultdict(list)
        chunks = [rows[b : b + KEY_BLOCK] for b in range(0, len(rows), KEY_BLOCK)]
        for chunk, keys in ctx.map_blocks(_blocking_keys, names, chunks, what="dedupe keys"):
            for (kind, row_id, *_), (key, label) in zip(chunk, keys, strict=True):
                blocks[(kind, *key)].append((row_id, label))
        parts = [
            (key[0], members[b : b + MAX_BLOCK])
            for key, members in blocks.items()
            for b in range(0, len(members), MAX_BLOCK)
        ]
        pairs = partial(_near_duplicates, threshold=ctx.settings.duplicate_threshold)
        known = set(
            session.exec(
                select(
                    DuplicateCandidate.kind,
                    DuplicateCandidate.first_id,
                    DuplicateCandidate.second_id,
                )
            ).all()
        )
        fresh = []
        for batch, found in ctx.map_blocks(pairs, names, _batches(parts), what="dedupe pairs"):
            for (kind, part), pairs_found in zip(batch, found, strict=True):
                for i, j, score in pairs_found:
                    a, b = sorted((part[i][0], part[j][0]))
                    if (kind, a, b) not in known:
                        known.add((kind, a, b))
                        fresh.append(
                            {
                                "kind": kind,
                                "first_id": a,
                                "second_id": b,
                                "score": score,
                                "status": ReviewStatus.open,
                                "detected_at": ctx.clock(),
                            }
                        )
        if fresh:
            session.execute(insert(DuplicateCandidate), fresh)
        session.commit()
    return {"new_candidates": len(fresh)}


def _blocking_keys(names: OrgNames, rows: list[tuple[Any, ...]]) -> list[tuple[tuple, str]]:
    """(blocking key, label compared) of each (kind, id, name, city, extra) row: the city, and
    for an enterprise its first industry and the first character of its name's core."""
    keyed = []
    for kind, _, name, city, extra in rows:
        if kind == "enterprises":
            keyed.append(((city, _major(extra), names.core(name)[:1]), name))
        else:
            keyed.append(((city, "", ""), f"{name}{extra}" if kind == "experts" else name))
    return keyed


def _batches(parts: list[tuple[str, list[tuple[int, str]]]]) -> list[list[tuple[str, list]]]:
    """Consecutive parts grouped into batches of about ``PAIR_BLOCK`` names."""
    batches: list[list[tuple[str, list]]] = []
    size = PAIR_BLOCK
    for part in parts:
        if size + len(part[1]) > PAIR_BLOCK:
            batches.append([])
            size = 0
        batches[-1].append(part)
        size += len(part[1])
    return batches


def _near_duplicates(
    names: OrgNames, batch: list[tuple[str, list[tuple[int, str]]]], threshold: float
) -> list[list[tuple[int, int, float]]]:
    return [names.near_duplicates([m[1] for m in part], threshold=threshold) for _, part in batch]


# ---------------------------------------------------------------- stale-profiles
def stale_profiles(ctx: Context) -> dict[str, Any]:
    now = ctx.clock()
    oldest_year = now.year - ctx.settings.stale_after_years
    unconfirmed = now - timedelta(days=ctx.settings.unconfirmed_after_days)
    with Session(ctx.engine) as session:
        flagged = {
            (k, key, r)
            for k, key, r in session.exec(
                select(ProfileFlag.kind, ProfileFlag.key, ProfileFlag.reason)
            ).all()
        }
        rows = []
        for adcode, name, population, gdp in session.exec(
            select(City.adcode, City.name, City.population_year, City.gdp_year).where(
                or_(City.population_year < oldest_year, City.gdp_year < oldest_year)
            )
        ).all():
            rows.append(
                (
                    "cities",
                    adcode,
                    "statistics_old",
                    f"{name}统计数据年份（人口 {population}，GDP {gdp}）早于 {oldest_year} 年",
                )
            )
        for kind, table in (
            ("enterprises", Enterprise),
            ("experts", Expert),
            ("needs", TalentNeed),
        ):
            for row_id in session.exec(
                select(table.id).where(table.archived.is_(False), table.updated_at < unconfirmed)
            ).all():  # type: ignore[attr-defined]
                rows.append(
                    (kind, str(row_id), "unconfirmed", f"自 {unconfirmed:%Y-%m-%d} 起无人确认")
                )
        fresh = [
            {"kind": k, "key": key, "reason": r, "detail": d, "flagged_at": now}
            for k, key, r, d in rows
            if (k, key, r) not in flagged
        ]
        if fresh:
            session.execute(insert(ProfileFlag), fresh)
        session.commit()
    with Session(ctx.engine) as session:  # city pairings gone quiet, with alternatives
        inactive = effectiveness.flag_inactive(session, ctx.state, now=now)
        session.commit()
    return {
        "flagged": len(fresh),
        "already_flagged": len(rows) - len(fresh),
        "inactive_pairings": inactive,
    }


# ---------------------------------------------------------------- opportunities
def expire_opportunities(ctx: Context) -> dict[str, Any]:
    with Session(ctx.engine) as session:
        expired = opportunities.expire(session, today=ctx.clock().date())
        session.commit()
    return {"expired": expired}


def match_opportunities(ctx: Context) -> dict[str, Any]:
    with Session(ctx.engine) as session:
        counts = opportunities.announce_matches(
            session,
            ctx.state,
            min_score=ctx.settings.opportunity_match_min_score,
            top_k=ctx.settings.opportunity_match_top_k,
            now=ctx.clock(),
        )
        session.commit()
    return counts


# ---------------------------------------------------------------- deliver
def deliver(ctx: Context) -> dict[str, Any]:
    counts = {"dispatched_events": 0, "deliveries_created": 0} | dispatch(ctx)
    counts |= send_due(ctx)
    return counts


def dispatch(ctx: Context) -> dict[str, int]:
    """Turn undispatched outbox events into deliveries for the subscriptions they match."""
    created = events = 0
    with Session(ctx.engine) as session:
        subscriptions = session.exec(
            select(Subscription).where(Subscription.active.is_(True))
        ).all()
        pending = session.exec(
            select(OutboxEvent)
            .where(OutboxEvent.dispatched_at.is_(None))
            .order_by(OutboxEvent.created_at)
            .limit(5_000)
        ).all()
        engine = ctx.state.get(session) if pending and subscriptions else None
        for event in pending:
            for subscription in subscriptions:
                if subscription.event != event.type:
                    continue
                data = _match(session, engine, event, subscription)
                if data is not None:
                    body = json.dumps(
                        {
                            "id": event.id,
                            "type": event.type,
                            "timestamp": _aware(event.created_at).isoformat(),
                            "data": data,
                        },
                        ensure_ascii=False,
                    )
                    session.add(
                        Delivery(
                            subscription_id=subscription.id or 0,
                            event_id=event.id,
                            body=body,
                            next_attempt_at=ctx.clock(),
                        )
                    )
                    created += 1
            event.dispatched_at = ctx.clock()
            session.add(event)
            events += 1
        session.commit()
    return {"dispatched_events": events, "deliveries_created": created}


def _match(
    session: Session, engine: Any, event: OutboxEvent, subscription: Subscription
) -> dict[str, Any] | None:
    payload = event.payload
    if event.type == outbox.OPPORTUNITY_MATCHED:
        return _opportunity_match(payload, subscription)
    if event.type in (outbox.PLAN_APPROVED, outbox.PIPELINE_ADVANCED):
        return (
            payload
            if subscription.city is None or subscription.city in payload.get("cities", [])
            else None
        )
    if event.type in (outbox.EVENT_AGENDA_CHANGED, outbox.MEETING_HELD):
        # only the participants concerned: their principals, or offices watching their cities
        concerned = subscription.owner in payload.get("principals", []) or (
            subscription.city is not None and subscription.city in payload.get("cities", [])
        )
        return payload if concerned else None
    if event.type == outbox.RECOMMENDATION_UPDATED:
        if subscription.city not in (None, payload["city"]):
            return None
        items = [i for i in payload["new_items"] if i["score"] >= subscription.min_score]
        return payload | {"new_items": items} if items else None
    enterprise = session.get(Enterprise, payload["enterprise_id"])
    if enterprise is None or enterprise.archived or engine is None:
        return None
    mode = Mode(subscription.mode) if subscription.mode else None
    best = engine.sites(enterprise_profile(enterprise), mode=mode, limit=1).items
    if (
        not best
        or best[0].score < subscription.min_score
        or subscription.city not in (None, best[0].key)
    ):
        return None
    return {
        "enterprise": {
            "id": enterprise.id,
            "name": enterprise.name,
            "hq_city": enterprise.hq_city,
            "is_demo": enterprise.is_demo,
        },
        "site": best[0].key,
        "mode": best[0].mode.value,
        "score": best[0].score,
        "reasons": [r.text for r in best[0].reasons],
    }


def _opportunity_match(
    payload: dict[str, Any], subscription: Subscription
) -> dict[str, Any] | None:
    """A match concerns a subscription's city when either opportunity is in it (or one of its
    counties), and its mode when either names it."""
    sides = [payload["opportunity"], payload["match"]]
    city = subscription.city
    if city and not any(s["city"] == city or s["city"][:4] + "00" == city for s in sides):
        return None
    if subscription.mode and subscription.mode not in {s["mode"] for s in sides}:
        return None
    return payload if payload["score"] >= subscription.min_score else None


def send_due(ctx: Context, *, delivery_ids: list[int] | None = None) -> dict[str, int]:
    """Attempt every delivery that is due; retry with backoff; dead-letter after the limit,
    or at once when the URL is unsafe (its reason kept in ``last_error``)."""
    settings, now = ctx.settings, ctx.clock()
    counts = {"delivered": 0, "retrying": 0, "dead": 0}
    http = ctx.http or webhooks.client(settings)
    try:
        with Session(ctx.engine) as session:
            statement = (
                select(Delivery, Subscription)
                .join(Subscription)
                .where(Delivery.status == DeliveryStatus.pending)
            )
            statement = (
                statement.where(Delivery.id.in_(delivery_ids))
                if delivery_ids  # type: ignore[union-attr]
                else statement.where(Delivery.next_attempt_at <= now)
            )
            for delivery, subscription in session.exec(statement.order_by(Delivery.id)).all():
                attempt = webhooks.post(
                    http,
                    subscription.url,
                    subscription.secret,
                    delivery.event_id,
                    delivery.body.encode(),
                    settings,
                )
                delivery.attempts += 1
                delivery.last_status, delivery.last_error = attempt.status, attempt.error
                if attempt.delivered:
                    delivery.status, delivery.delivered_at = DeliveryStatus.delivered, ctx.clock()
                    counts["delivered"] += 1
                elif (
                    attempt.gone
                    or attempt.unsafe
                    or delivery.attempts >= settings.webhook_max_attempts
                ):
                    delivery.status = DeliveryStatus.dead
                    counts["dead"] += 1
                    if attempt.gone:
                        subscription.active = False
                        session.add(subscription)
                else:
                    delivery.next_attempt_at = webhooks.next_attempt(
                        ctx.clock(), delivery.attempts, settings, ctx.rng
                    )
                    counts["retrying"] += 1
                session.add(delivery)
                session.commit()  # each outcome is recorded before the next attempt
    finally:
        if ctx.http is None:
            http.close()
    return counts


JOBS: dict[str, Callable[[Context], dict[str, Any]]] = {
    "retrain": retrain,
    "refresh": refresh,
    "dedupe-audit": dedupe_audit,
    "stale-profiles": stale_profiles,
    "deliver": deliver,
    "expire-opportunities": expire_opportunities,
    "match-opportunities": match_opportunities,
}


# ---------------------------------------------------------------- runs
class UnknownJob(LookupError):
    def __init__(self, name: str) -> None:
        super().__init__(f"no job '{name}'; jobs: {', '.join(JOBS)}")
        self.name = name


_running: dict[str, threading.Thread] = {}


def run(
    ctx: Context, name: str, *, trigger: str = "manual", scheduled_for: datetime | None = None
) -> JobRun:
    """Run a job now, recording the run; a second run for the same scheduled time is skipped.

    The job runs in a worker thread bounded by ``job_timeout_seconds``: a run that overruns is
    recorded as failed, and the job is not started again while the hung thread lives.
    """
    if name not in JOBS:
        raise UnknownJob(name)
    with Session(ctx.engine) as session:
        record = JobRun(
            job=name, trigger=trigger, scheduled_for=scheduled_for, started_at=ctx.clock()
        )
        session.add(record)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            existing = session.exec(
                select(JobRun).where(JobRun.job == name, JobRun.scheduled_for == scheduled_for)
            ).one()
            return existing
        session.refresh(record)
        run_id = record.id
    outcome: dict[str, Any] = {}
    alive = _running.get(name)
    if alive is not None and alive.is_alive():
        return _finish(
            ctx,
            run_id,
            JobStatus.failed,
            {},
            "the previous run has not finished (timed out earlier)",
        )

    def work() -> None:
        try:
            outcome["counts"] = JOBS[name](ctx)
        except Exception as error:  # recorded on the run; the scheduler keeps going
            log.exception("job %s failed", name)
            outcome["error"] = f"{type(error).__name__}: {error}"

    thread = threading.Thread(target=work, name=f"job-{name}", daemon=True)
    _running[name] = thread
    thread.start()
    thread.join(ctx.settings.job_timeout_seconds)
    if thread.is_alive():
        return _finish(
            ctx,
            run_id,
            JobStatus.failed,
            {},
            f"timed out after {ctx.settings.job_timeout_seconds} s",
        )
    if "error" in outcome:
        return _finish(ctx, run_id, JobStatus.failed, {}, outcome["error"])
    return _finish(ctx, run_id, JobStatus.succeeded, outcome.get("counts", {}), None)


def _finish(
    ctx: Context, run_id: int | None, status: JobStatus, counts: dict[str, Any], error: str | None
) -> JobRun:
    with Session(ctx.engine) as session:
        record = session.get(JobRun, run_id)
        assert record is not None
        record.status, record.counts, record.error, record.finished_at = (
            status,
            counts,
            error,
            ctx.clock(),
        )
        session.add(record)
        session.commit()
        session.refresh(record)
        return record


def recent_runs(session: Session, *, job: str | None = None, limit: int = 50) -> list[JobRun]:
    """The newest runs first, optionally of one job."""
    statement = select(JobRun).order_by(JobRun.id.desc()).limit(limit)  # type: ignore[union-attr]
    if job:
        statement = statement.where(JobRun.job == job)
    return list(session.exec(statement).all())


def last_runs(session: Session) -> dict[str, JobRun]:
    latest = select(JobRun.job, func.max(JobRun.id)).group_by(JobRun.job).subquery()
    rows = session.exec(select(JobRun).join(latest, JobRun.id == latest.c[1])).all()  # type: ignore[arg-type]
    return {r.job: r for r in rows}
