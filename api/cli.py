"""The ``counterpart`` command line."""

import time
from pathlib import Path
from typing import Annotated

import typer
from tqdm import tqdm

app = typer.Typer(
    help="对口 Counterpart — matchmaking for China's revolutionary base areas.",
    no_args_is_help=True,
    add_completion=False,
)
fixtures_app = typer.Typer(help="Demo and scale data.", no_args_is_help=True)
app.add_typer(fixtures_app, name="fixtures")
db_app = typer.Typer(help="The store: migrations, backup and restore.", no_args_is_help=True)
app.add_typer(db_app, name="db")
jobs_app = typer.Typer(help="Background jobs.", no_args_is_help=True)
app.add_typer(jobs_app, name="jobs")
keys_app = typer.Typer(help="API keys.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


def _progress(total_hint: int | None = None) -> tuple["tqdm[None]", object]:
    bar = tqdm(total=total_hint, unit="rows", dynamic_ncols=True)

    def advance(table: str, rows: int) -> None:
        bar.set_description(table)
        bar.update(rows)

    return bar, advance


def prepare_store(*, seed: bool) -> None:
    """Create the schema and, on an empty store, load the shipped catalogue."""
    from sqlmodel import Session

    from profiles.db import get_engine, session_scope, upgrade_schema
    from profiles.models import City
    from profiles.repository import count_rows
    from profiles.seed import seed_catalogue

    engine = get_engine()
    upgrade_schema(engine)
    with Session(engine) as session:
        empty = count_rows(session, City) == 0
    if seed and empty:
        typer.echo("Loading the shipped catalogue into an empty store …")
        with session_scope(engine) as session:
            seed_catalogue(session)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    seed: Annotated[
        bool, typer.Option(help="Load the shipped catalogue into an empty store.")
    ] = True,
) -> None:
    """Run the API (docs at http://HOST:PORT/docs); an empty store is seeded first."""
    import uvicorn

    from api.server import uvicorn_options
    from api.settings import get_api_settings

    prepare_store(seed=seed)
    capped = uvicorn_options(get_api_settings().header_max_bytes)
    uvicorn.run("api.main:app", host=host, port=port, workers=workers, **capped)


@app.command("seed")
def seed_command(
    demo: Annotated[bool, typer.Option(help="Also load the synthetic demo data.")] = True,
) -> None:
    """Load the shipped catalogue into DATABASE_URL; running it again changes nothing."""
    from profiles.db import get_engine, session_scope, upgrade_schema
    from profiles.seed import seed_catalogue

    engine = get_engine()
    upgrade_schema(engine)
    started = time.perf_counter()
    with session_scope(engine) as session:
        report = seed_catalogue(session, with_demo=demo)
    for table, inserted in report.inserted.items():
        typer.echo(
            f"{table:16} inserted {inserted:7}  already present {report.kept.get(table, 0):7}"
        )
    typer.echo(f"seeded in {time.perf_counter() - started:.1f} s")


@app.command()
def resolve(
    query: Annotated[str, typer.Argument(help="A name in Chinese, pinyin, or with a typo.")],
    kind: Annotated[
        str, typer.Option(help="city | enterprise | university | expert | need | industry")
    ] = "city",
    limit: Annotated[int, typer.Option(min=1, max=100)] = 10,
) -> None:
    """Print the candidates for QUERY, best first, each line starting with its code."""
    from sqlmodel import Session

    from profiles.db import get_engine
    from profiles.resolution import resolve_candidates

    with Session(get_engine()) as session:
        candidates = resolve_candidates(session, kind=kind, query=query, limit=limit)
    if not candidates:
        typer.echo(f"no {kind} matches '{query}'", err=True)
        raise typer.Exit(1)
    for item in candidates:
        detail = f"  {item['detail']}" if item.get("detail") else ""
        typer.echo(f"{item['code']}\t{item['name']}\t{item['score']:.1f}{detail}")


@fixtures_app.command("generate")
def generate(
    enterprises: Annotated[int, typer.Option(min=0, help="Demo enterprises to add.")] = 100_000,
    experts: Annotated[int, typer.Option(min=0, help="Demo experts to add.")] = 10_000,
    seed: Annotated[
        int, typer.Option(help="Random seed (the same seed gives the same data).")
    ] = 2027,
) -> None:
    """Add scale demo data (marked is_demo) to DATABASE_URL, for benchmarks."""
    from sqlmodel import Session

    from profiles.db import get_engine, session_scope
    from profiles.seed import generate_scale, load_demo_catalogue

    prepare_store(seed=True)
    engine = get_engine()
    with Session(engine) as session:
        catalogue = load_demo_catalogue(session)
    started = time.perf_counter()
    bar, advance = _progress(enterprises + experts)
    with bar, session_scope(engine) as session:
        report = generate_scale(
            session,
            catalogue,
            enterprises=enterprises,
            experts=experts,
            seed=seed,
            progress=advance,
        )  # type: ignore[arg-type]
    typer.echo(f"inserted {report.inserted} in {time.perf_counter() - started:.1f} s")


def _registry():
    from matching.registry import ModelRegistry
    from profiles.ranking import get_engine_settings

    return ModelRegistry(get_engine_settings().model_dir)


@app.command()
def train(
    promote: Annotated[bool, typer.Option(help="Make the new models the current ones.")] = True,
) -> None:
    """Fit the rankers on the stored pairings and feedback; save them with a version."""
    from sqlmodel import Session

    from matching.evaluation import cross_validate
    from matching.records import CityArrays
    from profiles.db import get_engine
    from profiles.ranking import train_models
    from profiles.snapshot import load_snapshot

    prepare_store(seed=True)
    started = time.perf_counter()
    with Session(get_engine()) as session:
        snapshot = load_snapshot(session)
        trained = train_models(session, snapshot)
    report = cross_validate(CityArrays(snapshot.cities), snapshot.pairings, snapshot.province_pairs)
    trained.city.metrics |= {"cv": report.table["all"], "cv_queries": report.queries["all"]}
    registry = _registry()
    for kind, model in (("city", trained.city), ("site", trained.site)):
        path = registry.save(kind, model, promote=promote)
        typer.echo(f"{kind}: {model.version}  fingerprint {model.fingerprint}  → {path}")
    mrr = report.table["all"]["engine"]["mrr"]
    typer.echo(
        f"held-out MRR {mrr:.3f} (gravity {report.table['all']['gravity']['mrr']:.3f}); "
        f"trained in {time.perf_counter() - started:.1f} s"
    )
    for name, weight in sorted(
        trained.city.ranker.weights_table().items(), key=lambda kv: -abs(kv[1])
    ):
        typer.echo(f"  {name:18} {weight:+.3f}")


@app.command()
def evaluate(
    folds: Annotated[
        int, typer.Option(min=2, max=20, help="Cross-validation folds (by base city).")
    ] = 5,
    seed: Annotated[int, typer.Option(help="Seed of the random baseline.")] = 0,
) -> None:
    """Grouped cross-validation on the real pairings, beside the baselines, per scheme."""
    from sqlmodel import Session

    from matching.evaluation import cross_validate
    from matching.records import CityArrays
    from profiles.db import get_engine
    from profiles.snapshot import load_snapshot

    prepare_store(seed=True)
    with Session(get_engine()) as session:
        snapshot = load_snapshot(session)
    report = cross_validate(
        CityArrays(snapshot.cities),
        snapshot.pairings,
        snapshot.province_pairs,
        folds=folds,
        random_state=seed,
    )
    typer.echo(report.format())
    ahead = all(report.beats_baselines("mrr", scheme) for scheme in report.table)
    typer.echo(f"engine ahead of every baseline on MRR in every scheme: {'yes' if ahead else 'NO'}")
    if not ahead:
        raise typer.Exit(1)


@app.command()
def recommend(
    city: Annotated[str, typer.Argument(help="A base city: adcode or any name (赣州, ganzhou …).")],
    mode: Annotated[str | None, typer.Option(help="Slug or label, e.g. 研发+制造.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 10,
) -> None:
    """Print the ranked partner cities for a base city, with reasons."""
    from sqlmodel import Session

    from matching.modes import mode_of
    from profiles.db import get_engine
    from profiles.errors import InvalidReference
    from profiles.ranking import EngineState
    from profiles.repository import resolve_city

    prepare_store(seed=True)
    try:
        chosen = mode_of(mode) if mode else None
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--mode") from error
    with Session(get_engine()) as session:
        try:
            adcode = resolve_city(session, value=city, field="city")
        except InvalidReference as error:
            options = "".join(f"\n  {c['adcode']} {c['name']}" for c in error.candidates)
            raise typer.BadParameter(f"{error.reason}{options}", param_hint="CITY") from error
        engine = EngineState(_registry()).get(session)
        items = engine.partners(adcode, mode=chosen, limit=limit)
    base = engine.cities.records[engine.cities.index[adcode]]
    typer.echo(
        f"{base.name}（{adcode}）的推荐合作城市 · 模式：{chosen.label if chosen else '综合'} · "
        f"模型 {engine.city_model.version}"
    )
    for item in items:
        partner = engine.cities.records[engine.cities.index[item.key]]
        flag = "  [已结对: " + ",".join(item.existing) + "]" if item.existing else ""
        typer.echo(f"{item.rank:>3}. {partner.name:<8} {item.score:.3f}  {item.mode.label}{flag}")
        for reason in item.reasons:
            typer.echo(f"       · {reason.text}  ({reason.contribution:+.2f})")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the schema migrations to DATABASE_URL (the quick start does this too)."""
    from profiles import migrate
    from profiles.db import get_engine

    migrate.upgrade(get_engine())
    typer.echo(f"schema at {migrate.current(get_engine())} (head {migrate.head()})")


@db_app.command("backup")
def db_backup(path: Annotated[Path, typer.Argument(help="Where to write the backup.")]) -> None:
    """Write a consistent backup of DATABASE_URL (SQLite online backup, or pg_dump)."""
    from profiles.backup import BackupError, backup
    from profiles.db import get_engine

    try:
        written = backup(get_engine(), path)
    except BackupError as error:
        raise typer.BadParameter(str(error)) from error
    typer.echo(f"backup written to {written} ({written.stat().st_size:,} bytes)")


@db_app.command("restore")
def db_restore(
    path: Annotated[Path, typer.Argument(help="A backup made by `counterpart db backup`.")],
) -> None:
    """Replace the contents of DATABASE_URL with a backup."""
    from profiles.backup import BackupError, restore
    from profiles.db import get_engine

    try:
        restore(get_engine(), path)
    except BackupError as error:
        raise typer.BadParameter(str(error)) from error
    typer.echo(f"restored from {path}")


@app.command()
def scheduler() -> None:
    """Run the scheduler on its own (it waits while another process holds the lease)."""
    import signal
    import threading

    from jobs.scheduler import SchedulerService
    from profiles.db import get_engine

    prepare_store(seed=False)
    service = SchedulerService(get_engine())
    service.start()
    typer.echo(f"scheduler {service.lease.holder} started; it runs jobs while it holds the lease")
    stopped = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopped.set())
    stopped.wait()
    service.stop()


@jobs_app.command("list")
def jobs_list() -> None:
    """Every job, its schedule, and its last run."""
    from sqlmodel import Session

    from jobs.scheduler import schedule_of
    from jobs.settings import get_job_settings
    from jobs.tasks import JOBS, last_runs
    from profiles.db import get_engine

    with Session(get_engine()) as session:
        last = last_runs(session)
    for name in JOBS:
        run = last.get(name)
        status = f"{run.status} at {run.started_at:%Y-%m-%d %H:%M}" if run else "never run"
        typer.echo(f"{name:16} {schedule_of(name, get_job_settings()):14} {status}")


@jobs_app.command("run")
def jobs_run(
    name: Annotated[
        str, typer.Argument(help="retrain | refresh | dedupe-audit | stale-profiles | deliver")
    ],
) -> None:
    """Run a job now and print its run record."""
    from jobs.scheduler import default_context
    from jobs.tasks import UnknownJob, run

    prepare_store(seed=True)
    started = time.perf_counter()
    try:
        record = run(default_context(), name)
    except UnknownJob as error:
        raise typer.BadParameter(str(error), param_hint="NAME") from error
    typer.echo(
        f"{name}: {record.status} in {time.perf_counter() - started:.1f} s  {record.counts}"
        + (f"  error: {record.error}" if record.error else "")
    )
    if record.status != "succeeded":
        raise typer.Exit(1)


@keys_app.command("create")
def keys_create(
    role: Annotated[str, typer.Option(help="admin | office | enterprise | university | viewer")],
    name: Annotated[str | None, typer.Option(help="The principal the key acts for.")] = None,
    scope: Annotated[
        list[str] | None, typer.Option(help="An adcode an office may act on (repeatable).")
    ] = None,
    days: Annotated[int, typer.Option(min=1, max=3650, help="Days until the key expires.")] = 365,
) -> None:
    """Create a key; the key itself is printed alone on the last line, once."""
    from matching.vocabulary import Role
    from profiles.access import create_key
    from profiles.db import get_engine, session_scope
    from profiles.errors import InvalidReference

    prepare_store(seed=False)
    try:
        chosen = Role(role)
    except ValueError as error:
        raise typer.BadParameter(
            f"roles: {', '.join(r.value for r in Role)}", param_hint="--role"
        ) from error
    try:
        with session_scope(get_engine()) as session:
            row, key = create_key(
                session,
                principal=name or f"{chosen.value}-key",
                role=chosen,
                scopes=scope or [],
                days=days,
            )
            summary = f"key {row.id} for {row.principal} ({row.role}), scopes {row.scopes or '—'}, expires {row.expires_at:%Y-%m-%d}"
    except InvalidReference as error:
        raise typer.BadParameter(str(error), param_hint="--scope") from error
    typer.echo(summary)
    typer.echo(key)


@keys_app.command("list")
def keys_list() -> None:
    """Every key: id, principal, role, scopes, expiry, revoked (never the key itself)."""
    from sqlmodel import Session, select

    from profiles.db import get_engine
    from profiles.models import ApiKey

    prepare_store(seed=False)
    with Session(get_engine()) as session:
        for row in session.exec(select(ApiKey).order_by(ApiKey.id)).all():
            state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
            expires = f"{row.expires_at:%Y-%m-%d}" if row.expires_at else "never"
            typer.echo(
                f"{row.id:>4}  {row.principal:24} {row.role:10} {','.join(row.scopes) or '—':20} expires {expires}  {state}"
            )


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[int, typer.Argument(help="The key's id (see `keys list`).")],
) -> None:
    """Revoke a key at once."""
    from profiles.access import revoke_key
    from profiles.db import get_engine, session_scope
    from profiles.errors import NotFound

    try:
        with session_scope(get_engine()) as session:
            revoke_key(session, key_id=key_id)
    except NotFound as error:
        raise typer.BadParameter(str(error)) from error
    typer.echo(f"key {key_id} revoked")


def main() -> None:
    app()
