"""The store's contents as the engine's plain records (``matching`` never touches the store).

Cities are the prefecture-level divisions and municipalities, with the words of their
industries, resources and products mapped onto GB/T 4754 codes. Pairings are brought to
prefecture level (a county to its prefecture, a district to its city); pairings between
provinces become province ties.
"""

from collections import Counter
from dataclasses import dataclass

from sqlmodel import Session, select

from matching.frameworks import FrameworkTie
from matching.opportunities import Side
from matching.records import CityRecord, Words
from matching.talent import ExpertRecord, NeedRecord, UniversityRecord
from matching.training import KnownPairing, Verdict
from matching.vocabulary import (
    CityLevel,
    OpportunityStatus,
    OpportunityType,
    PairingKind,
    PairingStatus,
)
from profiles.industries import industry_catalogue
from profiles.models import (
    BaseAreaCity,
    City,
    Enterprise,
    Expert,
    Feedback,
    Framework,
    Opportunity,
    Pairing,
    TalentNeed,
    University,
)
from profiles.pipeline import CITIES, outcomes

CITY_LEVELS = (CityLevel.prefecture, CityLevel.municipality)


@dataclass(frozen=True)
class Snapshot:
    cities: list[CityRecord]
    pairings: list[KnownPairing]
    frameworks: list[FrameworkTie]
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


def _asking_counties(session: Session) -> set[str]:
    """County-level units that may ask on their own: those a pairing names on the base side
    (龙南, 兴国 …), and the county-level cities (县级市) of the key base cities (瑞金 …)."""
    named = session.exec(
        select(Pairing.base_city).where(
            Pairing.kind == PairingKind.city_city,
            Pairing.base_city.is_not(None),  # type: ignore[union-attr]
        )
    ).all()
    key_cities = select(City.adcode).where(City.is_key_city.is_(True))  # type: ignore[attr-defined]
    rows = session.exec(
        select(City.adcode, City.name, City.parent_adcode).where(
            City.level == CityLevel.county,
            City.adcode.in_(set(named)) | City.parent_adcode.in_(key_cities),  # type: ignore[attr-defined, union-attr]
        )
    ).all()
    named_set = set(named)
    return {a for a, name, _ in rows if a in named_set or name.endswith("市")}


def load_cities(session: Session) -> list[CityRecord]:
    """Prefecture-level cities and municipalities, and the county-level cities that ask."""
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
    counties = _asking_counties(session)
    cities = session.exec(
        select(City)
        .where(
            City.level.in_(CITY_LEVELS) | City.adcode.in_(counties),  # type: ignore[attr-defined]
            City.archived.is_(False),
        )
        .order_by(City.adcode)  # type: ignore[attr-defined]
    ).all()
    parents = {c.adcode: c for c in cities if c.level != CityLevel.county}
    return [
        _record(c, parents.get(c.parent_adcode or ""), areas, universities, double_first_class)
        for c in cities
    ]


def _record(
    c: City,
    parent: City | None,
    areas: dict[str, list[str]],
    universities: Counter,
    double_first_class: Counter,
) -> CityRecord:
    """A city as the engine sees it; a county-level city without figures borrows its
    prefecture's, and says so (``figures_from``)."""
    figures = c if parent is None or c.gdp_100m is not None else parent
    return CityRecord(
        adcode=c.adcode,
        name=c.name,
        province=c.province,
        province_adcode=c.province_adcode,
        longitude=c.longitude or 0.0,
        latitude=c.latitude or 0.0,
        population_10k=figures.population_10k,
        gdp_100m=figures.gdp_100m,
        gdp_per_capita=figures.gdp_per_capita,
        gdp_year=figures.gdp_year,
        gdp_source=figures.gdp_source,
        gdp_confidence=_confidence_of(figures.gdp_source),
        secondary_share=figures.secondary_share,
        tertiary_share=figures.tertiary_share,
        industry_codes=tuple(c.industry_codes),
        industry_words=words(c.industry_keywords),
        resources=words(c.resources),
        products=words(c.specialty_products),
        airport=c.airport,
        high_speed_rail=c.high_speed_rail,
        bonded_zone=c.bonded_zone,
        ecommerce_zone=c.cross_border_ecommerce_zone,
        base_areas=tuple(sorted(areas.get(c.adcode) or areas.get(c.parent_adcode or "", []))),
        is_key_city=c.is_key_city,
        is_partner_candidate=c.is_partner_candidate,
        universities=universities[c.adcode],
        double_first_class=double_first_class[c.adcode],
        region=c.region.value if c.region else None,
        parent_adcode=c.parent_adcode if c.level == CityLevel.county else None,
        profile_year=c.profile_year,
        profile_source=c.profile_source,
        profile_confidence=c.profile_confidence.value if c.profile_confidence else None,
        figures_from=figures.name if figures is not c else None,
        population_year=figures.population_year,
        population_source=figures.population_source,
        gdp_per_capita_year=figures.gdp_per_capita_year,
        gdp_per_capita_source=figures.gdp_per_capita_source,
    )


def load_snapshot(session: Session) -> Snapshot:
    """Cities, prefecture-level pairings, frameworks (one-way) and users' verdicts.

    A pairing between provinces (江苏省 → 陕西省 in the 东西部协作 file) is a framework too:
    the partner province helps the base province.
    """
    prefecture = _prefecture_of(session)
    levels = dict(session.exec(select(City.adcode, City.level)).all())
    names = dict(session.exec(select(City.adcode, City.name)).all())
    pairings: set[KnownPairing] = set()
    frameworks = load_frameworks(session)
    rows = session.exec(
        select(Pairing).where(
            Pairing.kind == PairingKind.city_city,
            Pairing.status != PairingStatus.proposed,
            Pairing.base_city.is_not(None),
            Pairing.partner_city.is_not(None),  # type: ignore[union-attr]
        )
    ).all()
    members = _province_members(session)
    for pairing in rows:
        base, partner = prefecture[pairing.base_city], prefecture[pairing.partner_city]
        scheme = pairing.scheme.value if pairing.scheme else "other"
        active = pairing.status == PairingStatus.active
        if levels[base] == CityLevel.province or levels[partner] == CityLevel.province:
            frameworks.append(
                FrameworkTie(
                    scheme=scheme,
                    label=f"{pairing.scheme.label if pairing.scheme else '结对'}："
                    f"{names.get(partner, partner)} → {names.get(base, base)}"
                    + (f"（{pairing.since}）" if pairing.since else ""),
                    helper_cities=members.get(partner, (partner,)),
                    assisted_cities=members.get(base, (base,)),
                    active=active,
                    helper_level="province" if partner in members else "city",
                    assisted_level="province" if base in members else "city",
                    confidence=pairing.confidence.value if pairing.confidence else "medium",
                    source=pairing.source or "",
                    since=pairing.since,
                )
            )
        elif base != partner:
            pairings.add(KnownPairing(base, partner, scheme, active))
    return Snapshot(
        load_cities(session),
        sorted(pairings, key=lambda p: (p.base, p.partner, p.scheme, p.active)),
        frameworks,
        load_verdicts(session),
    )


def _province_members(session: Session) -> dict[str, tuple[str, ...]]:
    """Each province's prefecture-level cities."""
    members: dict[str, list[str]] = {}
    for adcode, province in session.exec(
        select(City.adcode, City.province_adcode).where(City.level == CityLevel.prefecture)
    ).all():
        members.setdefault(province, []).append(adcode)
    return {p: tuple(sorted(m)) for p, m in members.items()}


def _confidence_of(source: str | None) -> str | None:
    """The confidence a catalogue source string records ("… (confidence: medium)")."""
    if not source or "confidence: " not in source:
        return None
    return source.rsplit("confidence: ", 1)[1].split(")")[0].strip() or None


def framework_tie(row: Framework) -> FrameworkTie:
    return FrameworkTie(
        scheme=row.scheme.value,
        label=f"{row.programme}：{row.helper} → {row.assisted}"
        + (f"（{row.round}）" if row.round else ""),
        helper_cities=tuple(row.helper_cities),
        assisted_cities=tuple(row.assisted_cities),
        active=row.is_active(),
        helper_level=row.helper_level.value,
        assisted_level=row.assisted_level.value,
        confidence=row.confidence.value,
        source=row.source,
        since=row.since,
        id=row.id,
    )


def load_frameworks(session: Session) -> list[FrameworkTie]:
    return [
        framework_tie(f)
        for f in session.exec(select(Framework).order_by(Framework.id)).all()  # type: ignore[arg-type]
    ]


def load_verdicts(session: Session) -> list[Verdict]:
    """Users' verdicts on recommended city pairs, then what became of city pairs in the pipeline."""
    rows = session.exec(select(Feedback).where(Feedback.kind == PairingKind.city_city)).all()
    verdicts = [
        Verdict(f.base_city, f.partner_city, 0 if f.verdict == "rejected" else 1)
        for f in rows
        if f.base_city and f.partner_city
    ]
    return verdicts + load_outcomes(session)


def load_outcomes(session: Session) -> list[Verdict]:
    """City–city pairs of the pipeline as graded labels, at prefecture level, by entry id."""
    prefecture = _prefecture_of(session)
    labels = []
    for entry, label, weight in outcomes(session, CITIES, CITIES):
        if not (entry.base_city and entry.partner_city):
            continue
        base = prefecture.get(entry.base_city, entry.base_city)
        partner = prefecture.get(entry.partner_city, entry.partner_city)
        if base != partner:
            labels.append(Verdict(base, partner, label, weight, origin="pipeline"))
    return labels


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


# ---------------------------------------------------------------- opportunities
def coded_words(codes: list[str], keywords: list[str]) -> Words:
    """Industry words with their codes: the keywords, then each code no keyword names (as its
    name in the standard, 3841 → 锂离子电池制造)."""
    named = words(keywords)
    covered = {c for _, found in named for c in found}
    by_code = industry_catalogue().by_code
    extra = tuple((by_code[c].name, (c,)) for c in codes if c not in covered and c in by_code)
    return named + extra


def _text(*parts: str | list[str] | None) -> str:
    return " ".join(" ".join(p) if isinstance(p, list) else p for p in parts if p)


def opportunity_side(row: Opportunity, place: str | None) -> Side:
    """An opportunity as one side of a pair; ``place`` is its city as the engine knows it."""
    return Side(
        key=row.id or 0,
        name=row.title,
        text=_text(row.title, row.keywords, row.industry_keywords, row.description),
        city=place,
        words=coded_words(row.industry_codes, row.industry_keywords),
        modes=(row.mode.value,) if row.mode else (),
        open=row.status == OpportunityStatus.open and not row.archived,
    )


def city_side(record: CityRecord) -> Side:
    """A city as the side that answers an opportunity: its industries, resources, products."""
    every = record.industry_words + record.resources + record.products
    covered = {c for _, codes in every for c in codes}
    by_code = industry_catalogue().by_code
    extra = tuple(
        (by_code[c].name, (c,)) for c in record.industry_codes if c not in covered and c in by_code
    )
    return Side(
        key=record.adcode,
        name=record.name,
        text=_text([w for w, _ in every]),
        city=record.adcode,
        words=every + extra,
    )


def enterprise_side(row: Enterprise, place: str | None) -> Side:
    return Side(
        key=row.id or 0,
        name=row.name,
        text=_text(row.name, row.industry_keywords, row.target_markets),
        city=place,
        words=coded_words(row.industry_codes, row.industry_keywords),
        modes=tuple(m.value if hasattr(m, "value") else str(m) for m in row.preferred_modes),
    )


def load_opportunity_sides(
    session: Session, known: set[str]
) -> tuple[list[tuple[OpportunityType, Side]], list[Side]]:
    """Every live opportunity (closed ones too, marked) and every live enterprise as sides,
    each placed in a city the engine knows (a county's opportunity in its prefecture)."""
    prefecture = _prefecture_of(session)

    def place(adcode: str) -> str | None:
        found = adcode if adcode in known else prefecture.get(adcode)
        return found if found in known else None

    opportunities = session.exec(
        select(Opportunity).where(Opportunity.archived.is_(False)).order_by(Opportunity.id)  # type: ignore[attr-defined]
    ).all()
    enterprises = session.exec(
        select(Enterprise).where(Enterprise.archived.is_(False)).order_by(Enterprise.id)  # type: ignore[attr-defined]
    ).all()
    return (
        [(OpportunityType(o.type), opportunity_side(o, place(o.city))) for o in opportunities],
        [enterprise_side(e, place(e.hq_city)) for e in enterprises],
    )
