"""``counterpart resolve``: names to codes, as the API's fields resolve them."""

from typing import Annotated

import typer


def resolve(
    query: Annotated[str, typer.Argument(help="A name in Chinese, pinyin, or with a typo.")],
    kind: Annotated[
        str, typer.Option(help="city | enterprise | university | expert | need | zone | industry")
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
