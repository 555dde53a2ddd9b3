"""What the console offers follows the API's own policy: the ``allow(...)`` a route declares.

``may(request, principal, "POST", "/api/v1/plans/city-pairing")`` reads the roles and the
public-read flag off that API route (``api.security.policy_of``) and applies them exactly as
the route's dependency does. Object-level checks use ``profiles.access`` as the routes do.
"""

import re
from typing import Any

from fastapi import Request

from api.security import policy_of
from matching.vocabulary import Role
from profiles.access import Principal
from profiles.errors import Forbidden


def plain(path: str) -> str:
    """A route path without its convertors (``/plans/{plan_id:int}`` → ``/plans/{plan_id}``)."""
    return re.sub(r"\{(\w+):\w+\}", r"{\1}", path)


def _table(request: Request) -> dict[tuple[str, str], Any]:
    """(method, path) → the declared (roles, read), built once per application."""
    table = getattr(request.app.state, "console_policies", None)
    if table is None:
        table = {
            (method, plain(path)): policy_of(route)
            for path, route in request.app.state.api_routes
            for method in getattr(route, "methods", ())
        }
        request.app.state.console_policies = table
    return table


def declared(request: Request, method: str, path: str) -> tuple[tuple[Role, ...], bool]:
    policy = _table(request).get((method, path))
    if policy is None:
        raise KeyError(f"no API route {method} {path}")
    return policy


def may(request: Request, principal: Principal | None, method: str, path: str) -> bool:
    """Whether the API would let ``principal`` call ``method path``."""
    roles, read = declared(request, method, path)
    if principal is None:
        return read and request.app.state.settings.public_read
    return principal.role in roles


def require(request: Request, principal: Principal | None, method: str, path: str) -> None:
    """Refuse (403 page, or the sign-in page without a session) as the API route would."""
    if not may(request, principal, method, path):
        if principal is None:
            raise SignInNeeded()
        raise Forbidden(f"{principal.role.label}角色不能执行此操作")


class SignInNeeded(Exception):
    """The page needs a signed-in key."""
