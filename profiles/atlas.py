"""The map's layers: base-area cities, key base cities and city pairings, with coordinates."""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from matching.vocabulary import PairingKind
from profiles.models import BaseArea, BaseAreaCity, City, Pairing


@dataclass
class Atlas:
    base_areas: list[dict[str, Any]] = field(default_factory=list)  # each with its cities
    key_cities: list[dict[str, Any]] = field(default_factory=list)
    pairings: list[dict[str, Any]] = field(default_factory=list)


def _point_columns(city: Any = City) -> tuple[Any, ...]:
    """The columns a map point needs (not whole rows: a city row carries large JSON fields)."""
    return (city.adcode, city.name, city.province, city.longitude, city.latitude)


def _point(adcode: str, name: str, province: str, lon: float, lat: float) -> dict[str, Any]:
    return {"adcode": adcode, "name": name, "province": province, "lonlat": [lon, lat]}


def atlas(session: Session) -> Atlas:
    """Everything the overview map draws, in three queries."""
    result = Atlas()
    areas: dict[str, dict[str, Any]] = {}
    rows = session.exec(
        select(
            BaseArea.id, BaseArea.name, BaseArea.source, BaseAreaCity.coverage, *_point_columns()
        )
        .join(BaseAreaCity, BaseAreaCity.base_area_id == BaseArea.id)
        .join(City, City.adcode == BaseAreaCity.adcode)
        .order_by(BaseArea.id, City.adcode)
    ).all()
    for area_id, name, source, coverage, *point in rows:
        entry = areas.setdefault(
            area_id, {"id": area_id, "name": name, "source": source, "cities": []}
        )
        entry["cities"].append(_point(*point) | {"coverage": coverage})
    result.base_areas = list(areas.values())
    key_cities = session.exec(
        select(*_point_columns()).where(City.is_key_city == True).order_by(City.adcode)  # noqa: E712
    ).all()
    result.key_cities = [_point(*c) for c in key_cities]
    base, partner = aliased(City), aliased(City)
    pairs = session.exec(
        select(
            Pairing.id,
            Pairing.scheme,
            Pairing.status,
            Pairing.since,
            Pairing.source,
            Pairing.confidence,
            *_point_columns(base),
            *_point_columns(partner),
        )
        .join(base, base.adcode == Pairing.base_city)
        .join(partner, partner.adcode == Pairing.partner_city)
        .where(Pairing.kind == PairingKind.city_city)
        .order_by(Pairing.id)
    ).all()
    keys = ("id", "scheme", "status", "since", "source", "confidence")
    result.pairings = [
        dict(zip(keys, row[:6], strict=True))
        | {"base": _point(*row[6:11]), "partner": _point(*row[11:16])}
        for row in pairs
    ]
    return result


def base_area_names(session: Session) -> dict[str, str]:
    return dict(session.exec(select(BaseArea.id, BaseArea.name)).all())
