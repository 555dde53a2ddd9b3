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


def _point(city: City) -> dict[str, Any]:
    return {
        "adcode": city.adcode,
        "name": city.name,
        "province": city.province,
        "lonlat": [city.longitude, city.latitude],
    }


def atlas(session: Session) -> Atlas:
    """Everything the overview map draws, in three queries."""
    result = Atlas()
    areas: dict[str, dict[str, Any]] = {}
    rows = session.exec(
        select(BaseArea, BaseAreaCity, City)
        .join(BaseAreaCity, BaseAreaCity.base_area_id == BaseArea.id)
        .join(City, City.adcode == BaseAreaCity.adcode)
        .order_by(BaseArea.id, City.adcode)
    ).all()
    for area, link, city in rows:
        entry = areas.setdefault(
            area.id, {"id": area.id, "name": area.name, "source": area.source, "cities": []}
        )
        entry["cities"].append(_point(city) | {"coverage": link.coverage})
    result.base_areas = list(areas.values())
    key_cities = session.exec(
        select(City).where(City.is_key_city == True).order_by(City.adcode)  # noqa: E712
    ).all()
    result.key_cities = [_point(c) for c in key_cities]
    base, partner = aliased(City), aliased(City)
    pairs = session.exec(
        select(Pairing, base, partner)
        .join(base, base.adcode == Pairing.base_city)
        .join(partner, partner.adcode == Pairing.partner_city)
        .where(Pairing.kind == PairingKind.city_city)
        .order_by(Pairing.id)
    ).all()
    result.pairings = [
        {
            "id": p.id,
            "scheme": p.scheme,
            "status": p.status,
            "since": p.since,
            "source": p.source,
            "confidence": p.confidence,
            "base": _point(b),
            "partner": _point(q),
        }
        for p, b, q in pairs
    ]
    return result


def base_area_names(session: Session) -> dict[str, str]:
    return dict(session.exec(select(BaseArea.id, BaseArea.name)).all())
