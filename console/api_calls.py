"""The API's own route functions, called in-process (never over HTTP) where a page does the
same thing a route does. Looked up by method and path in the application's route table."""

from collections.abc import Callable
from typing import Any

from fastapi import Request

from console.policy import plain


def endpoint(request: Request, method: str, path: str) -> Callable[..., Any]:
    for full, route in request.app.state.api_routes:
        if plain(full) == path and method in getattr(route, "methods", ()):
            return route.endpoint
    raise KeyError(f"no API route {method} {path}")
