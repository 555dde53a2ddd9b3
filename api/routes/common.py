"""Response shapes shared by the routes."""

from typing import Annotated, Generic, Literal, TypeVar

from fastapi import Query
from pydantic import BaseModel

T = TypeVar("T")


class ItemList(BaseModel, Generic[T]):
    """Every list answers ``{"items": [...]}``; ``next_cursor`` fetches the next page."""

    items: list[T]
    next_cursor: str | None = None
    total: int | None = None


class Removed(BaseModel):
    """What DELETE did. After either outcome a plain GET answers 404; an archived record is
    still there for ``include_archived=true``."""

    id: str
    outcome: Literal["deleted", "archived"]


IncludeArchived = Annotated[
    bool,
    Query(
        description="also answer for a record that DELETE archived (it stays for the history "
        "of the pairings that name it); without it, an archived record is 404 like a deleted one"
    ),
]
