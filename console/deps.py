"""Dependencies of console pages: who is at the browser."""

from typing import Annotated

from fastapi import Depends, Request

from console.policy import SignInNeeded
from console.session import load
from profiles.access import Principal


def viewer(request: Request) -> Principal | None:
    """The signed-in principal, or None when public reads allow an anonymous reader."""
    principal = load(request).principal
    if principal is None and not request.app.state.settings.public_read:
        raise SignInNeeded()
    return principal


def signed_in(request: Request) -> Principal:
    principal = load(request).principal
    if principal is None:
        raise SignInNeeded()
    return principal


ViewerDep = Annotated[Principal | None, Depends(viewer)]
SignedInDep = Annotated[Principal, Depends(signed_in)]
