"""The store's contents as the engine's plain records (``matching`` never touches the store).

Cities are the prefecture-level divisions and municipalities, with the words of their
industries, resources and products mapped onto GB/T 4754 codes. Pairings are brought to
prefecture level (a county to its prefecture, a district to its city); pairings between
provinces become province ties.
"""

from collections import Counter
from dataclasses import dataclass

from sqlmodel import Session, select

from matching.records import CityRecord, Words
from matching.talent import ExpertRecord, NeedRecord, UniversityRecord
from matching.training import KnownPairing, Verdict
from matching.vocabulary import CityLevel, PairingKind, PairingStatus
from profiles.industries import industry_catalogue
from profiles.models import BaseAreaCity, City, Expert, Feedback, Pairing, TalentNeed, University

CITY_LEVELS = (CityLevel.prefecture, CityLevel.municipality)


@dataclass(frozen=True)
class Snapshot:
    cities: list[CityRecord]
    pairings: list[KnownPairing]
    province_pairs: frozenset[tuple[str, str]]
    verdicts: list[Verdict]


def words(values: list[str]) -> Words:
    catalogue = industry_catalogue()
    return tuple((word, tuple(catalogue.codes_for(word))) for word in values)


def _prefecture_of(session: Session) -> dict[str, str]:
    """Every division's prefecture-level adcode (a province maps to itself)."""
    rows = session.exec(select(City.adcode, City.level, City.parent_adcode)).all()
    level = {a: lv for a, lv, _ in rows}
    parent = {a: p for a, _, p in rows}
    result = {}
    for adcode, _lv, _ in rows:
        current = adcode
        while level.get(current) == CityLevel.county and parent.get(current):
            current = parent[current]
        result[adcode] = current
    return result


def load_cities(session: Session) -> list[CityRecord]:
    prefecture = _prefecture_of(session)
    universities = Counter()
    double_first_class = Counter()
    for city, kind in session.exec(
        select(University.city, University.type).where(University.archived.is_(False))
    ).all():
        universities[prefecture.get(city, city)] += 1
        double_first_class[prefecture.get(city, city)] += kind == "double_first_class"
    areas: dict[str, list[str]] = {}
    for adcode, area in session.exec(select(BaseAreaCity.adcode, BaseAreaCity.base_area_id)).all():
        areas.setdefault(adcode, []).append(area)
    cities = session.exec(
        select(City)
        .where(City.level.in_(CITY_LEVELS), City.archived.is_(False))
        .order_by(City.adcode)  # type: ignore[attr-defined]
    ).all()
    return [
        CityRecord(
            adcode=c.adcode,
            name=c.name,
            province=c.province,
            province_adcode=c.province_adcode,
            longitude=c.longitude or 0.0,
            latitude=c.latitude or 0.0,
            population_10k=c.population_10k,
            gdp_100m=c.gdp_100m,
            gdp_per_capita=c.gdp_per_capita,
            gdp_year=c.gdp_year,
            secondary_share=c.secondary_share,
            tertiary_share=c.tertiary_share,
            industry_codes=tuple(c.industry_codes),
            industry_words=words(c.industry_keywords),
            resources=words(c.resources),
            products=words(c.specialty_products),
            airport=c.airport,
            high_speed_rail=c.high_speed_rail,
            bonded_zone=c.bonded_zone,
            ecommerce_zone=c.cross_border_ecommerce_zone,
            base_areas=tuple(sorted(areas.get(c.adcode, []))),
            is_key_city=c.is_key_city,
            is_partner_candidate=c.is_partner_candidate,
            universities=universities[c.adcode],
            double_first_class=double_first_class[c.adcode],
            region=c.region.value if c.region else None,
            population_year=c.population_year,
            population_source=c.population_source,
            gdp_source=c.gdp_source,
            gdp_per_capita_year=c.gdp_per_capita_year,
            gdp_per_capita_source=c.gdp_per_capita_source,
            profile_source=c.profile_source,
            profile_confidence=c.profile_confidence.value if c.profile_confidence else None,
        )
        for c in cities
    ]


def load_snapshot(session: Session) -> Snapshot:
    """Cities, prefecture-level pairings, province ties and users' verdicts."""
    prefecture = _prefecture_of(session)
    levels = dict(session.exec(select(City.adcode, City.level)).all())
    pairings: set[KnownPairing] = set()
    provinces: set[tuple[str, str]] = set()
    rows = session.exec(
        select(Pairing).where(
            Pairing.kind == PairingKind.city_city,
            Pairing.status != PairingStatus.ended,
            Pairing.base_city.is_not(None),
            Pairing.partner_city.is_not(None),  # type: ignore[union-attr]
        )
    ).all()
    for pairing in rows:
        base, partner = prefecture[pairing.base_city], prefecture[pairing.partner_city]
        if levels[base] == CityLevel.province or levels[partner] == CityLevel.province:
            provinces.add((base[:2] + "0000", partner[:2] + "0000"))
        elif base != partner and pairing.status == PairingStatus.active:
            pairings.add(
                KnownPairing(base, partner, pairing.scheme.value if pairing.scheme else "other")
            )
    return Snapshot(
        load_cities(session),
        sorted(pairings, key=lambda p: (p.base, p.partner, p.scheme)),
        frozenset(provinces),
        load_verdicts(session),
    )


def load_verdicts(session: Session) -> list[Verdict]:
    rows = session.exec(select(Feedback).where(Feedback.kind == PairingKind.city_city)).all()
    return [
        Verdict(f.base_city, f.partner_city, 0 if f.verdict == "rejected" else 1)
        for f in rows
        if f.base_city and f.partner_city
    ]


def load_talent(
    session: Session,
) -> tuple[list[ExpertRecord], list[NeedRecord], list[UniversityRecord]]:
    """Active experts, posts and universities, placed at prefecture level."""
    prefecture = _prefecture_of(session)
    experts = [
        ExpertRecord(
            id=e.id or 0,
            name=e.name,
            city=prefecture.get(e.city, e.city),
            affiliation=e.affiliation,
            affiliation_type=e.affiliation_type.value,
            fields=tuple(e.fields),
            industry_codes=tuple(e.industry_codes),
            title=e.title.value,
            degree=e.degree.value,
            programmes=tuple(str(p) for p in e.programmes),
            available_from=e.available_from,
            available_months=e.available_months,
            is_demo=e.is_demo,
        )
        for e in session.exec(
            select(Expert).where(Expert.archived.is_(False)).order_by(Expert.id)
        ).all()
    ]
    needs = [
        NeedRecord(
            id=n.id or 0,
            title=n.title,
            city=prefecture.get(n.city, n.city),
            field=n.field,
            programme=n.programme.value,
            industry_codes=tuple(n.industry_codes),
            headcount=n.headcount,
            period_months=n.period_months,
            starts=n.starts,
            is_demo=n.is_demo,
        )
        for n in session.exec(
            select(TalentNeed).where(TalentNeed.archived.is_(False)).order_by(TalentNeed.id)
        ).all()
    ]
    catalogue = industry_catalogue()
    universities = []
    for u in session.exec(
        select(University).where(University.archived.is_(False)).order_by(University.id)
    ).all():
        disciplines = tuple(dict.fromkeys([*u.first_class_disciplines, *u.main_fields]))
        codes = tuple(dict.fromkeys(c for d in disciplines for c in catalogue.codes_for(d)))
        universities.append(
            UniversityRecord(
                id=u.id or 0,
                name=u.name,
                city=prefecture.get(u.city, u.city),
                type=u.type.value,
                disciplines=disciplines,
                industry_codes=codes,
            )
        )
    return experts, needs, universities
