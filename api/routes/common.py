"""Response shapes shared by the routes."""

from functools import lru_cache
from typing import Annotated, Generic, Literal, TypeVar

from fastapi import Query
from pydantic import BaseModel
from sqlmodel import Field, SQLModel

from profiles.industry_fields import Resolution, report_for, takes_words

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


@lru_cache
def written(public: type[SQLModel], body: type[BaseModel]) -> type[SQLModel]:
    """``public`` plus ``resolved`` (how the request's industry and resource words were read),
    for bodies that take such words; ``public`` itself for the others."""
    if not takes_words(body):
        return public
    return type(
        f"{public.__name__.removesuffix('Public')}Written",
        (public,),
        {
            "__module__": public.__module__,  # forward references resolve where public lives
            "__annotations__": {"resolved": list[Resolution]},
            "resolved": Field(
                default_factory=list,
                description="每个行业词、资源词如何解析 How each industry or resource entry was read",
            ),
        },
    )


def with_report(public: type[SQLModel], record: SQLModel, body: BaseModel) -> SQLModel:
    """The written record's public shape, with the report of how ``body``'s words were read."""
    shape = written(public, type(body))
    if shape is public:
        return public.model_validate(record)
    return shape.model_validate(
        public.model_validate(record).model_dump() | {"resolved": report_for(body)}
    )
