"""``counterpart serve``: the API under uvicorn."""

from typing import Annotated

import typer

from cli.protocol import uvicorn_options
from cli.store import prepare_store

# An import string, not the app: the command line never imports ``api`` itself, and each
# uvicorn worker process imports the application on its own.
APPLICATION = "api.main:app"


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
    seed: Annotated[
        bool, typer.Option(help="Load the shipped catalogue into an empty store.")
    ] = True,
    access_log: Annotated[bool, typer.Option(help="Log every request (uvicorn.access).")] = True,
) -> None:
    """Run the API (docs at http://HOST:PORT/docs); an empty store is seeded first."""
    import os

    import uvicorn

    prepare_store(seed=seed)
    # Each worker builds its ranking engine as it starts, not on its first request.
    os.environ.setdefault("COUNTERPART_ENGINE_WARMUP", "true")
    uvicorn.run(
        APPLICATION,
        host=host,
        port=port,
        workers=workers,
        access_log=access_log,
        **uvicorn_options(),
    )
