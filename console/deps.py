"""Dependencies of console pages: who is at the browser.

The signed-in principal also becomes the audit log's acting principal (``ACTING``) for the rest
of the request, as an API key's does, so a record made in the console names who made it."""

from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from console.policy import SignInNeeded
from console.session import load
from profiles.access import Principal
from profiles.audit import ACTING


async def _principal(request: Request) -> Principal | None:
    principal = (await run_in_threadpool(load, request)).principal  # may read the key's record
    if principal is not None:
        ACTING.set(principal.id)
    return principal


async def viewer(request: Request) -> Principal | None:
    """The signed-in principal, or None when public reads allow an anonymous reader."""
    principal = await _principal(request)
    if principal is None and not request.app.state.settings.public_read:
        raise SignInNeeded()
    return principal


async def signed_in(request: Request) -> Principal:
    principal = await _principal(request)
    if principal is None:
        raise SignInNeeded()
    return principal


ViewerDep = Annotated[Principal | None, Depends(viewer)]
SignedInDep = Annotated[Principal, Depends(signed_in)]
