"""Access policy: who may call each route.

Every route declares its policy with ``allow(...)`` (a dependency that returns the caller's
``Principal``); ``tests/api/test_authorization.py`` walks the app's route table and fails for a
route without one. Reads may be public (``COUNTERPART_PUBLIC_READ``); writes always need a key.
Object-level checks (someone else's object → 404) live with the routes, on top of this.
"""

from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import HTTPBearer
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from api.deps import get_app_settings
from api.security.ratelimit import settle
from matching.vocabulary import Role
from profiles import access
from profiles.access import Principal
from profiles.audit import ACTING
from profiles.db import read_only
from profiles.errors import AuthenticationFailed, Forbidden

ALL = tuple(Role)
WRITERS = (Role.admin, Role.office, Role.enterprise, Role.university)
# Declares the scheme in OpenAPI (the docs' "Authorize" button); the header is parsed below so
# that a malformed one gets our own 401 rather than being silently ignored.
BEARER = HTTPBearer(auto_error=False, description="`counterpart keys create` 生成的 API 密钥")


async def get_principal(
    request: Request, _documented: Annotated[Any, Security(BEARER)]
) -> Principal | None:
    """The caller, from ``Authorization: Bearer <key>``; None without the header.

    The key is checked in a short read-only session of its own, so that authenticating never
    opens (and, on SQLite, locks) the request's write transaction, and a route that needs no
    session makes none; the audit log learns who acts from ``ACTING``, set for the rest of
    this request. The rate limit is charged here (``settle``): to the key once it is verified,
    to the client's address when it is not.
    """
    header = request.headers.get("authorization")
    if header is None:
        return None
    try:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationFailed("send the key as Authorization: Bearer <key>")
        keys: access.VerifiedKeys = request.app.state.verified_keys
        principal = keys.cached(token.strip()) or await run_in_threadpool(
            _authenticate, request, token.strip()
        )
    except AuthenticationFailed:
        await settle(request.scope, None)
        raise
    await settle(request.scope, str(principal.key_id))
    ACTING.set(principal.id)
    return principal


def _authenticate(request: Request, token: str) -> Principal:
    with Session(read_only(request.app.state.engine)) as lookup:
        return request.app.state.verified_keys.authenticate(lookup, token)


PrincipalDep = Annotated[Principal | None, Depends(get_principal)]


def allow(*roles: Role, read: bool = False) -> Any:
    """The route's policy: which roles may call it, and whether it is a (possibly public) read."""

    async def policy(principal: PrincipalDep, request: Request) -> Principal | None:
        if principal is None:
            if read and (await get_app_settings(request)).public_read:
                return None
            raise AuthenticationFailed("this needs an API key: Authorization: Bearer <key>")
        if principal.role not in roles:
            raise Forbidden(f"the {principal.role.value} role may not do this")
        return principal

    policy.roles = roles  # type: ignore[attr-defined]
    policy.read = read  # type: ignore[attr-defined]
    return Depends(policy)


Reader = Annotated[Principal | None, allow(*ALL, read=True)]
Writer = Annotated[Principal, allow(*WRITERS)]
Office = Annotated[Principal, allow(Role.admin, Role.office)]
Admin = Annotated[Principal, allow(Role.admin)]


def policy_of(route: Any) -> tuple[tuple[Role, ...], bool] | None:
    """The (roles, read) a route declared, for the route-table test."""
    stack = list(route.dependant.dependencies)
    while stack:
        dependency = stack.pop()
        if hasattr(dependency.call, "roles"):
            return dependency.call.roles, dependency.call.read
        stack.extend(dependency.dependencies)
    return None
