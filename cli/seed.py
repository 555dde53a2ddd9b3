"""``counterpart seed`` and ``counterpart fixtures``: the shipped catalogue and scale demo data."""

import time
from collections.abc import Callable
from typing import Annotated

import typer
from tqdm import tqdm

from cli.store import prepare_store

fixtures_app = typer.Typer(help="Demo and scale data.", no_args_is_help=True)


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


def _progress(total_hint: int | None = None) -> tuple["tqdm[None]", Callable[[str, int], None]]:
    bar = tqdm(total=total_hint, unit="rows", dynamic_ncols=True)

    def advance(table: str, rows: int) -> None:
        bar.set_description(table)
        bar.update(rows)

    return bar, advance


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
        )
    typer.echo(f"inserted {report.inserted} in {time.perf_counter() - started:.1f} s")
