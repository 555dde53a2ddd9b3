"""``Shape``: the base of every input shape (request bodies, filters, import rows).

It applies, once for every field of every subclass, the rules pydantic's lax mode would let
slip: text follows ``profiles.text`` (no NUL or other control characters); a number field
refuses ``true``/``false`` and a boolean refuses numbers; in a JSON body, a number or boolean
refuses a string ("12"), which query parameters and import cells may send; and a date-time
refuses bare numbers (Unix timestamps such as ``0.5``): date-times are ISO 8601 strings.
Errors name the field.
"""

import re
import types
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any, ClassVar, Union, get_args, get_origin

from pydantic import BaseModel, BeforeValidator, ValidationInfo, field_validator
from sqlmodel import SQLModel

from profiles.text import REFUSED, check_text

NUMBER = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")


def _types(annotation: Any) -> set[Any]:
    """The plain types an annotation admits (``int | None`` → {int, NoneType})."""
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        return {t for arg in get_args(annotation) for t in _types(arg)}
    if origin is not None and str(origin) == "typing.Annotated":
        return _types(get_args(annotation)[0])
    return {annotation}


def strict_scalar(value: Any, accepted: set[Any], *, text: bool = True) -> Any:
    """``value``, unless lax mode would coerce it into a type it does not spell.

    ``text``: the input arrives as text (query parameters, import cells), so "12" may stand
    for 12 and "true" for true; in a JSON body it may not."""
    numeric = accepted & {int, float}
    if isinstance(value, bool) and numeric and bool not in accepted:
        raise ValueError("expected a number, not a boolean")
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if bool in accepted and not numeric and (number or (isinstance(value, str) and not text)):
        raise ValueError("expected true or false")
    if numeric and str not in accepted and isinstance(value, str) and not text:
        raise ValueError("expected a number, not a string")
    timestamps = accepted & {datetime, date}
    numeral = isinstance(value, int | float) or (isinstance(value, str) and NUMBER.match(value))
    if timestamps and str not in accepted and numeral:
        raise ValueError("expected an ISO 8601 date-time (e.g. 2026-01-31T08:00:00Z)")
    return value


@cache
def _strict_types_of(model: type[BaseModel], name: str) -> frozenset[Any]:
    """The types of a field that lax mode could wrongly coerce into (empty: nothing to check)."""
    field = model.model_fields.get(name)
    accepted = _types(field.annotation) if field is not None else set()
    return frozenset(accepted) if accepted & {int, float, bool, datetime, date} else frozenset()


TEXT_CELLS = {"text_cells": True}
"""Validation context for rows read from a file, whose every cell is text."""


class Shape(SQLModel):
    """Input shapes inherit from this (table models inherit it too, and skip validation).

    A shape read from query parameters sets ``text_input = True``: its values arrive as text.
    """

    text_input: ClassVar[bool] = False

    @field_validator("*", mode="before")
    @classmethod
    def _strict_types(cls, value: Any, info: ValidationInfo) -> Any:
        accepted = _strict_types_of(cls, info.field_name or "")
        if not accepted:
            return value
        text = cls.text_input or bool((info.context or {}).get("text_cells"))
        return strict_scalar(value, set(accepted), text=text)

    @field_validator("*", mode="after")
    @classmethod
    def _text(cls, value: Any) -> Any:
        if isinstance(value, str):
            return value if REFUSED.search(value) is None else check_text(value)
        if value is None or isinstance(value, int | float | BaseModel):
            return value
        return check_text(value)


class Stored(Shape):
    """Output shapes put it first among their bases: stored rows passed the rules on the way
    in, so answers and exports skip them (they would cost a call per field per row)."""

    @classmethod
    def _strict_types(cls, value: Any, info: ValidationInfo) -> Any:
        return value

    @classmethod
    def _text(cls, value: Any) -> Any:
        return value


IsoDateTime = Annotated[datetime, BeforeValidator(lambda value: strict_scalar(value, {datetime}))]
"""A date-time parameter outside a Shape (a bare query parameter): ISO 8601 only."""
