"""What several commands share: a store at the schema's head, and the model registry."""

from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from matching.registry import ModelRegistry


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


def registry() -> "ModelRegistry":
    """The saved models under ``COUNTERPART_MODEL_DIR``."""
    from matching.registry import ModelRegistry
    from profiles.ranking import get_engine_settings

    return ModelRegistry(get_engine_settings().model_dir)
