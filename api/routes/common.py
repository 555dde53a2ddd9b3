"""Response shapes shared by the routes."""

from typing import Generic, Literal, TypeVar

from pydantic import BaseModel

T = TypeVar("T")


class ItemList(BaseModel, Generic[T]):
    """Every list answers ``{"items": [...]}``; ``next_cursor`` fetches the next page."""

    items: list[T]
    next_cursor: str | None = None
    total: int | None = None


class Removed(BaseModel):
    id: str
    outcome: Literal["deleted", "archived"]
