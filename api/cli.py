"""The ``counterpart`` command line."""

import time
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


def _progress(total_hint: int | None = None) -> tuple["tqdm[None]", object]:
    bar = tqdm(total=total_hint, unit="rows", dynamic_ncols=True)

    def advance(table: str, rows: int) -> None:
        bar.set_description(table)
        bar.update(rows)

    return bar, advance


def prepare_store(*, seed: bool) -> None:
    """Create the schema and, on an empty store, load the shipped catalogue."""
    from sqlmodel import Session

    from profiles.db import create_schema, get_engine, session_scope
    from profiles.models import City
    from profiles.repository import count_rows
    from profiles.seed import seed_catalogue

    engine = get_engine()
    create_schema(engine)
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

    prepare_store(seed=seed)
    uvicorn.run("api.main:app", host=host, port=port, workers=workers)


@app.command("seed")
def seed_command(
    demo: Annotated[bool, typer.Option(help="Also load the synthetic demo data.")] = True,
) -> None:
    """Load the shipped catalogue into DATABASE_URL; running it again changes nothing."""
    from profiles.db import create_schema, get_engine, session_scope
    from profiles.seed import seed_catalogue

    engine = get_engine()
    create_schema(engine)
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


def main() -> None:
    app()
