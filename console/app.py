"""Mount the console on the API's application: pages at ``/``, assets at ``/static``."""

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from console import docs
from console.pages import ROUTERS
from console.render import STATIC


def install(app: FastAPI, *, docs_enabled: bool) -> None:
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    if docs_enabled:
        docs.install(app)
    for router in ROUTERS:
        app.include_router(router, include_in_schema=False)
