"""What every table shares: identifier patterns, bounds, timestamps and the owned-record block."""

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import ConfigDict
from sqlalchemy import String
from sqlalchemy.types import TypeDecorator
from sqlmodel import JSON, Field, SQLModel

ADCODE = r"^\d{6}$"
INDUSTRY_CODE = r"^([A-T]|\d{2,4})$"  # 门类, 大类, 中类 or 小类
INDUSTRY_TERM_MAX = 40  # an industry field's entry: a code, or a word the resolver places
MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"
# Mainland China's extent, with a margin: anything outside is a typo, not a place.
LONGITUDE = (73.0, 136.0)
LATITUDE = (3.0, 54.0)
MAX_ID = 2**31 - 1  # the largest id both stores keep (PostgreSQL INTEGER); larger ids are 422
STRICT = ConfigDict(extra="forbid")  # request bodies refuse fields they do not know


def utcnow() -> datetime:
    return datetime.now(UTC)


def strings(*, max_items: int = 200) -> object:
    """A list-of-strings field stored as a JSON column."""
    return Field(default_factory=list, sa_type=JSON, max_length=max_items)


def check_industry_codes(codes: list[str]) -> list[str]:
    """Codes or words (words become codes when the record is written); blanks are refused."""
    cleaned = [code.strip() for code in codes]
    for code in cleaned:
        if not code or len(code) > INDUSTRY_TERM_MAX:
            raise ValueError(
                f"'{code}' is neither a GB/T 4754 code nor an industry word "
                f"(1–{INDUSTRY_TERM_MAX} characters)"
            )
    return cleaned


def check_optional_industry_codes(codes: list[str] | None) -> list[str] | None:
    return None if codes is None else check_industry_codes(codes)


class EnumText(TypeDecorator[StrEnum]):
    """A StrEnum kept as plain text (no database enum type), read back as the enum."""

    impl = String
    cache_ok = True

    def __init__(self, enum: type[StrEnum], length: int) -> None:
        super().__init__(length)
        self.enum = enum

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: Any, dialect: Any) -> StrEnum | None:
        return None if value is None else self.enum(value)


class Stamped(SQLModel):
    """When a row was created and last changed."""

    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Owned(Stamped):
    """A row someone created: its owner (the principal of the key that wrote it)."""

    owner: str | None = Field(default=None, max_length=100, index=True)


class OwnedProfile(Owned):
    """A profile that can be archived instead of deleted when others refer to it."""

    archived: bool = Field(default=False, index=True)


class DemoProfile(OwnedProfile):
    """A profile that may be synthetic demo data (``is_demo``)."""

    is_demo: bool = Field(default=False, index=True)
