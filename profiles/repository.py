"""All SQL of the catalogue. Functions take a session and domain arguments (keyword-only)."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import bindparam, func, tuple_
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel, select

from matching.vocabulary import CityLevel, PairingKind, Scheme, ZoneKind
from profiles import outbox
from profiles.errors import Archived, Conflict, Forbidden, InvalidReference, NotFound
from profiles.industry_fields import resolve_fields
from profiles.kinds import KINDS, Kind
from profiles.models import (
    PARTIES,
    BaseArea,
    BaseAreaCity,
    BaseAreaPublic,
    City,
    CityCreate,
    CityFramework,
    Enterprise,
    Expert,
    Feedback,
    Framework,
    FrameworkPublic,
    Industry,
    Pairing,
    PairingCreate,
    TalentNeed,
    University,
    Zone,
    ZoneCreate,
    pairing_key,
    utcnow,
)
from profiles.names import (
    AmbiguousName,
    Candidate,
    NameIndex,
    NameNotFound,
    OrgNames,
    place_aliases,
    zone_aliases,
    zone_canonical,
)
from profiles.versions import data_version, row_counts

LEVEL_PRIORITY = {
    CityLevel.municipality: 3.0,
    CityLevel.prefecture: 2.0,
    CityLevel.province: 1.0,
    CityLevel.county: 0.0,
}


# ---------------------------------------------------------------- name indexes
@dataclass(frozen=True)
class KeyedIndex:
    """A NameIndex whose entries carry their store keys (adcodes or ids)."""

    keys: list[Any]
    index: NameIndex

    def search(
        self, query: str, *, limit: int = 10, cutoff: float = 50.0
    ) -> list[tuple[Any, Candidate]]:
        return [
            (self.keys[c.index], c) for c in self.index.search(query, limit=limit, cutoff=cutoff)
        ]

    def resolve(self, query: str) -> tuple[Any, Candidate]:
        candidate = self.index.resolve(query)
        return self.keys[candidate.index], candidate


_index_cache: dict[tuple[str, str], tuple[tuple[Any, ...], KeyedIndex]] = {}


def _version(session: Session, table: type[SQLModel]) -> tuple[Any, ...]:
    row = session.exec(select(func.count(), func.max(table.updated_at))).one()  # type: ignore[attr-defined]
    return tuple(row)


def _cached(session: Session, name: str, table: type[SQLModel], build: Any) -> KeyedIndex:
    key = (str(session.get_bind().url), name)
    version = _version(session, table)
    hit = _index_cache.get(key)
    if hit is None or hit[0] != version:
        hit = (version, build())
        _index_cache[key] = hit
    return hit[1]


def city_index(session: Session) -> KeyedIndex:
    """Every division by name, short name, 州 form and pinyin (rebuilt when cities change)."""

    def build() -> KeyedIndex:
        rows = session.exec(
            select(City.adcode, City.name, City.short_name, City.pinyin, City.level).where(
                City.archived == False  # noqa: E712
            )
        ).all()
        aliases = [[*place_aliases(name), pinyin] for _, name, _, pinyin, _ in rows]
        index = NameIndex(
            [r[1] for r in rows], aliases=aliases, priority=[LEVEL_PRIORITY[r[4]] for r in rows]
        )
        return KeyedIndex([r[0] for r in rows], index)

    return _cached(session, "city", City, build)


def profile_index(session: Session, kind: Kind) -> KeyedIndex:
    """The names of one kind of profile (organisations are matched on their Chinese names)."""
    table = kind.table
    name_column = getattr(table, kind.name_field or "id")

    def build() -> KeyedIndex:
        rows = session.exec(select(table.id, name_column).where(table.archived == False)).all()  # type: ignore[attr-defined]  # noqa: E712
        return KeyedIndex([r[0] for r in rows], NameIndex([r[1] for r in rows], with_pinyin=False))

    return _cached(session, kind.slug, table, build)


def zone_index(session: Session) -> KeyedIndex:
    """Every live zone by its name and everyday short forms (经开区, 高新区, 综保区 …)."""

    def build() -> KeyedIndex:
        rows = session.exec(
            select(Zone.id, Zone.name).where(Zone.archived == False)  # noqa: E712
        ).all()
        index = NameIndex(
            [r[1] for r in rows], aliases=[zone_aliases(r[1]) for r in rows], with_pinyin=False
        )
        return KeyedIndex([r[0] for r in rows], index)

    return _cached(session, "zone", Zone, build)


def org_names(session: Session) -> OrgNames:
    places = session.exec(
        select(City.name).where(City.level != CityLevel.county)  # type: ignore[arg-type]
    ).all()
    return OrgNames(list(places))


# ---------------------------------------------------------------- cities
def get_city(session: Session, *, adcode: str, include_archived: bool = False) -> City:
    """The city; an archived (deleted) one only when asked for."""
    city = session.get(City, adcode)
    if city is None:
        raise NotFound("city", adcode)
    if city.archived and not include_archived:
        raise Archived("city", adcode)
    return city


def resource_words(session: Session) -> set[str]:
    """The resource and specialty-product words the catalogue's cities use: such a word is
    accepted in a resource field even when the resolver places it on no code (大豆, 地热)."""
    rows = session.exec(select(City.resources, City.specialty_products)).all()
    return {word for resources, products in rows for word in (*resources, *products)}


_CITIES_BY_ADCODE = select(City).where(City.adcode.in_(bindparam("adcodes", expanding=True)))  # type: ignore[attr-defined]


def cities_by_adcode(session: Session, adcodes: Sequence[str]) -> list[City]:
    """The cities with these adcodes (in no particular order); the statement is built once."""
    return list(session.exec(_CITIES_BY_ADCODE, params={"adcodes": list(adcodes)}).all())


def enterprises_by_id(session: Session, ids: Sequence[int]) -> list[Enterprise]:
    """The enterprises with these ids, in the order given (unknown ids are skipped)."""
    rows = session.exec(select(Enterprise).where(Enterprise.id.in_(ids))).all()  # type: ignore[union-attr]
    by_id = {row.id: row for row in rows}
    return [by_id[i] for i in ids if i in by_id]


def pairings_between(
    session: Session, pairs: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], list[Pairing]]:
    """Stored pairings of each (base city, partner city) pair, in one query."""
    if not pairs:
        return {}
    rows = session.exec(
        select(Pairing).where(tuple_(Pairing.base_city, Pairing.partner_city).in_(pairs))
    ).all()
    found: dict[tuple[str, str], list[Pairing]] = {}
    for row in rows:
        found.setdefault((row.base_city or "", row.partner_city or ""), []).append(row)
    return found


class CityResolver:
    """Resolves city fields, remembering each answer: an import names the same cities often."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._memo: dict[tuple[str, str], str | InvalidReference] = {}

    def __call__(self, value: str, field: str) -> str:
        key = (value, field)
        if key not in self._memo:
            try:
                self._memo[key] = resolve_city(self.session, value=value, field=field)
            except InvalidReference as error:
                self._memo[key] = error
        answer = self._memo[key]
        if isinstance(answer, InvalidReference):
            raise answer
        return answer


def resolve_city(session: Session, *, value: str, field: str) -> str:
    """An adcode for ``value`` (an adcode or any name the resolver understands)."""
    value = value.strip()
    if value.isdigit():
        if len(value) == 6 and session.get(City, value) is not None:
            return value
        raise InvalidReference(field, value, f"unknown adcode '{value}'")
    try:
        adcode, _ = city_index(session).resolve(value)
    except AmbiguousName as error:
        index = city_index(session)
        candidates = [
            {"adcode": index.keys[c.index], "name": c.name, "score": c.score}
            for c in error.candidates
        ]
        raise InvalidReference(
            field, value, f"'{value}' names several places; use an adcode", candidates
        ) from error
    except NameNotFound as error:
        raise InvalidReference(field, value, f"no place is named '{value}'") from error
    return adcode


def resolve_province(session: Session, *, value: str, field: str) -> str:
    """The province-level adcode for ``value``: a name (江西, 江西省), pinyin (jiangxi) or an
    adcode; a 422 names the candidates when it is ambiguous, or says it resolves to nothing."""
    adcode = resolve_city(session, value=value, field=field)
    return adcode[:2] + "0000"


def resolve_zone(session: Session, *, value: str | int, field: str) -> Zone:
    """The live zone ``value`` names: its id, or its name in any form the resolver knows.

    A name that fits several zones equally (the same park name in two cities) is refused with
    the candidates, each with its id and city, as an ambiguous city is.
    """
    text = str(value).strip()
    if text.isdigit():
        zone = session.get(Zone, int(text)) if int(text) <= 2**31 - 1 else None
        if zone is None or zone.archived:
            raise InvalidReference(field, value, f"unknown zone id {text}")
        return zone
    index = zone_index(session)
    try:
        key, _ = index.resolve(text)
    except AmbiguousName as error:
        found = {
            z.id: z for z in zones_by_id(session, [index.keys[c.index] for c in error.candidates])
        }
        cities = {
            c.adcode: c.name for c in cities_by_adcode(session, [z.city for z in found.values()])
        }
        candidates = [
            {
                "id": index.keys[c.index],
                "name": c.name,
                "city": found[index.keys[c.index]].city,
                "city_name": cities.get(found[index.keys[c.index]].city),
                "score": c.score,
            }
            for c in error.candidates
        ]
        raise InvalidReference(
            field, value, f"'{text}' names several zones; use the zone's id", candidates
        ) from error
    except NameNotFound as error:
        raise InvalidReference(field, value, f"no zone is named '{text}'") from error
    zone = session.get(Zone, key)
    assert zone is not None
    return zone


def zones_by_id(session: Session, ids: Sequence[int]) -> list[Zone]:
    return list(session.exec(select(Zone).where(Zone.id.in_(ids))).all())  # type: ignore[union-attr]


def zones_in(session: Session, adcodes: Sequence[str]) -> list[Zone]:
    """The live zones hosted by these cities (as the main host or another), by id."""
    rows = session.exec(
        select(Zone).where(Zone.archived == False).order_by(Zone.id)  # type: ignore[arg-type]  # noqa: E712
    ).all()
    wanted = set(adcodes)
    return [z for z in rows if z.city in wanted or wanted.intersection(z.also_cities)]


def live_zones(session: Session) -> list[Zone]:
    """Every live zone, by id."""
    return list(
        session.exec(
            select(Zone).where(Zone.archived == False).order_by(Zone.id)  # type: ignore[arg-type]  # noqa: E712
        ).all()
    )


def zone_counts(session: Session) -> dict[str, int]:
    """Live zones per kind."""
    rows = session.exec(
        select(Zone.kind, func.count()).where(Zone.archived == False).group_by(Zone.kind)  # noqa: E712
    ).all()
    return {str(kind): count for kind, count in rows}


def _check_zone(session: Session, values: dict[str, Any]) -> None:
    """A zone's other host cities resolved, its level from its kind, and a name that only
    spells a stored zone of the same city differently (赣州经开区 for 赣州经济技术开发区) refused
    with that zone as the candidate: it would be a duplicate under another spelling."""
    resolve = CityResolver(session)
    values["also_cities"] = [
        adcode
        for index, city in enumerate(values.get("also_cities") or [])
        if (adcode := resolve(city, f"also_cities.{index}")) != values["city"]
    ]
    values["level"] = values.get("level") or ZoneKind(values["kind"]).level
    canonical = zone_canonical(values["name"])
    same_city = session.exec(
        select(Zone.id, Zone.name).where(Zone.city == values["city"], Zone.name != values["name"])
    ).all()
    clash = [{"id": i, "name": n} for i, n in same_city if zone_canonical(n) == canonical]
    if clash:
        raise InvalidReference(
            "name",
            values["name"],
            f"'{values['name']}' is the stored zone '{clash[0]['name']}' (id {clash[0]['id']}) "
            "spelled another way; use its exact name to update it",
            clash,
        )


Filters = TypeVar("Filters", bound=BaseModel)


def with_places_resolved(session: Session, filters: Filters) -> Filters:
    """``filters`` with ``province`` and ``city`` resolved the way every place field is."""
    update = {}
    if province := getattr(filters, "province", None):
        update["province"] = resolve_province(session, value=province, field="province")
    if city := getattr(filters, "city", None):
        update["city"] = resolve_city(session, value=city, field="city")
    return filters.model_copy(update=update) if update else filters


def create_city(session: Session, *, data: CityCreate) -> City:
    if session.get(City, data.adcode) is not None:
        raise Conflict("city", {"adcode": data.adcode}, data.adcode)
    values = data.model_dump()
    resolve_fields(values, known=resource_words(session))
    city = City.model_validate(values)
    session.add(city)
    session.flush()
    return city


# ---------------------------------------------------------------- profiles
def prepare_values(
    session: Session,
    kind: Kind,
    data: SQLModel,
    cities: CityResolver | None = None,
    known: Callable[[], set[str]] | None = None,
) -> dict[str, Any]:
    """Resolve names to keys and check every reference; the values ready for the table
    (``known``: the catalogue's resource words, when the caller keeps them)."""
    values = data.model_dump()
    resolve = cities or CityResolver(session)
    for field in kind.city_fields:
        if values.get(field):
            values[field] = resolve(values[field], field)
    words = known or (lambda: resource_words(session))
    resolve_fields(values, known=words() if values.get("needs_resources") else ())
    if (
        values.get("university_id") is not None
        and session.get(University, values["university_id"]) is None
    ):
        raise InvalidReference("university_id", values["university_id"], "unknown university")
    if isinstance(data, ZoneCreate):
        _check_zone(session, values)
    if isinstance(data, PairingCreate):
        _zone_parties(session, values)
        _check_pairing(session, values)
        values["natural_key"] = pairing_key(PairingCreate.model_validate(values))
    return values


def _zone_parties(session: Session, values: dict[str, Any]) -> None:
    """A 共建园区 pairing's zones (by id or name) and, unless given, their host cities."""
    for side in ("base", "partner"):
        named = values.pop(f"{side}_zone", None)
        given = values.get(f"{side}_zone_id")
        if named is None and given is None:
            continue
        field = f"{side}_zone" if named is not None else f"{side}_zone_id"
        zone = resolve_zone(session, value=named if named is not None else given, field=field)
        values[f"{side}_zone_id"] = zone.id
        values[f"{side}_city"] = values.get(f"{side}_city") or zone.city


def _check_pairing(session: Session, values: dict[str, Any]) -> None:
    kind = PairingKind(values["kind"])
    tables = {
        "enterprise_id": KINDS["enterprises"],
        "university_id": KINDS["universities"],
        "expert_id": KINDS["experts"],
        "need_id": KINDS["needs"],
        "base_zone_id": KINDS["zones"],
        "partner_zone_id": KINDS["zones"],
    }
    for field in PARTIES[kind]:
        if values.get(field) is None:
            raise InvalidReference(field, None, f"a {kind.value} pairing needs {field}")
        if field in tables and session.get(tables[field].table, values[field]) is None:
            raise InvalidReference(
                field, values[field], f"unknown {tables[field].singular.lower()}"
            )


def find_by_natural_key(session: Session, kind: Kind, values: dict[str, Any]) -> Any | None:
    conditions = [getattr(kind.table, f) == values[f] for f in kind.natural_key]
    return session.exec(select(kind.table).where(*conditions)).first()


def find_by_natural_keys(
    session: Session, kind: Kind, keys: list[tuple[Any, ...]]
) -> dict[tuple[Any, ...], Any]:
    """The stored rows for many natural keys, in one query."""
    if not keys:
        return {}
    columns = [getattr(kind.table, f) for f in kind.natural_key]
    match = (
        columns[0].in_([k[0] for k in keys]) if len(columns) == 1 else tuple_(*columns).in_(keys)
    )
    rows = session.exec(select(kind.table).where(match)).all()
    return {tuple(getattr(row, f) for f in kind.natural_key): row for row in rows}


def create_profile(
    session: Session,
    *,
    kind: Kind,
    data: SQLModel,
    owner: str | None = None,
    permit: Callable[[dict[str, Any]], bool] | None = None,
) -> Any:
    """Validate references, refuse a taken natural key, insert; nothing is half-written.

    ``permit`` sees the resolved values and may refuse them (``Forbidden``: outside the caller's
    scope).
    """
    values = prepare_values(session, kind, data)
    if permit is not None and not permit(values):
        raise Forbidden(f"this {kind.singular.lower()} is outside what your key may create")
    existing = find_by_natural_key(session, kind, values)
    if existing is not None:
        raise Conflict(kind.singular.lower(), {f: values[f] for f in kind.natural_key}, existing.id)
    row = kind.table.model_validate(values | {"owner": owner})
    session.add(row)
    session.flush()
    _announce(session, kind, row)
    return row


def get_profile(session: Session, *, kind: Kind, id: int, include_archived: bool = False) -> Any:
    """The profile; an archived (deleted) one only when asked for."""
    row = session.get(kind.table, id)
    if row is None:
        raise NotFound(kind.singular.lower(), id)
    if getattr(row, "archived", False) and not include_archived:
        raise Archived(kind.singular.lower(), id)
    return row


def update_profile(session: Session, *, kind: Kind, id: int, data: SQLModel) -> Any:
    row = get_profile(session, kind=kind, id=id)
    changes = data.model_dump(exclude_unset=True)
    for field in kind.city_fields:
        if changes.get(field):
            changes[field] = resolve_city(session, value=changes[field], field=field)
    resolve_fields(
        _with_keywords(changes, row),
        known=resource_words(session) if changes.get("needs_resources") else (),
    )
    merged = {f: changes.get(f, getattr(row, f)) for f in kind.natural_key if f != "natural_key"}
    if kind.natural_key != ("natural_key",) and any(f in changes for f in kind.natural_key):
        clash = find_by_natural_key(session, kind, merged)
        if clash is not None and clash.id != row.id:
            raise Conflict(kind.singular.lower(), merged, clash.id)
    row.sqlmodel_update(changes)
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    _announce(session, kind, row)
    return row


def _with_keywords(changes: dict[str, Any], row: Any) -> dict[str, Any]:
    """Changes to industry codes carry the stored keywords, so words given as codes join them."""
    if (
        changes.get("industry_codes")
        and "industry_keywords" not in changes
        and hasattr(row, "industry_keywords")
    ):
        changes["industry_keywords"] = list(row.industry_keywords)
    return changes


def _announce(session: Session, kind: Kind, row: Any) -> None:
    if kind.slug == "enterprises":
        outbox.emit(session, outbox.ENTERPRISE_UPSERTED, {"enterprise_id": row.id})


def count_rows(session: Session, table: type[SQLModel]) -> int:
    return session.exec(select(func.count()).select_from(table)).one()


# ---------------------------------------------------------------- catalogue reads
_PING = "SELECT 1 FROM city LIMIT 1"


def ping(engine: Engine) -> None:
    """One cheap read on a pooled driver connection (no ORM, no transaction events): fails
    when the store is unreachable or has no schema."""
    try:
        connection = engine.raw_connection()
    except engine.dialect.loaded_dbapi.Error as error:  # a raw connection is not wrapped
        raise OperationalError(_PING, None, error) from error
    try:
        cursor = connection.cursor()
        cursor.execute(_PING)
        cursor.fetchall()
        cursor.close()
    except engine.dialect.loaded_dbapi.Error as error:
        connection.invalidate()  # never hand a broken connection back to the pool
        raise OperationalError(_PING, None, error) from error
    finally:
        connection.close()


def catalogue_counts(session: Session) -> dict[str, int]:
    tables = {
        "cities": City,
        "base_areas": BaseArea,
        "industries": Industry,
        "universities": University,
        "enterprises": Enterprise,
        "experts": Expert,
        "needs": TalentNeed,
        "zones": Zone,
        "pairings": Pairing,
    }
    counts = {name: count_rows(session, table) for name, table in tables.items()}
    counts["key_cities"] = session.exec(select(func.count()).where(City.is_key_city == True)).one()  # noqa: E712
    return counts


SIDES = {"helper": "帮扶方", "assisted": "受援方"}


def framework_public(framework: Framework) -> FrameworkPublic:
    return FrameworkPublic.model_validate(
        framework,
        from_attributes=True,
        update={"scheme_label": framework.scheme.label, "active": framework.is_active()},
    )


def list_frameworks(
    session: Session,
    *,
    scheme: Scheme | None = None,
    city: str | None = None,
    side: str | None = None,
    active: bool | None = None,
) -> list[FrameworkPublic]:
    """Frameworks, optionally of one scheme, covering one city (on one side), active or not."""
    statement = select(Framework).order_by(Framework.id)  # type: ignore[arg-type]
    if scheme is not None:
        statement = statement.where(Framework.scheme == scheme)
    rows = session.exec(statement).all()
    sides = [side] if side else list(SIDES)
    return [
        framework_public(f)
        for f in rows
        if (city is None or any(f.covers(city, s) for s in sides))
        and (active is None or f.is_active() == active)
    ]


CITY_PAGE_TABLES = (City, BaseAreaCity, Framework)  # what a city's public shape reads


def city_pages_stamp(session: Session) -> tuple[Any, ...]:
    """The stamp of ``CITY_PAGE_TABLES`` (base areas and frameworks only gain rows, by seeding)."""
    return (*data_version(session, City), *row_counts(session, BaseAreaCity, Framework))


def frameworks_of(session: Session, adcodes: list[str]) -> dict[str, list[CityFramework]]:
    """For each city, the frameworks it belongs to and on which side (by framework id, helper
    side first). A county belongs where its prefecture does."""
    rows = session.exec(select(Framework).order_by(Framework.id)).all()  # type: ignore[arg-type]
    result: dict[str, list[CityFramework]] = {a: [] for a in adcodes}
    for framework in rows:
        for side, label in SIDES.items():
            for adcode in framework.covering(adcodes, side):
                result[adcode].append(_city_framework(framework, side, label))
    return result


def _city_framework(framework: Framework, side: str, label: str) -> CityFramework:
    return CityFramework.model_validate(
        framework,
        from_attributes=True,
        update={
            "scheme_label": framework.scheme.label,
            "side": side,
            "side_label": label,
            "active": framework.is_active(),
        },
    )


def base_areas_of(session: Session, adcodes: list[str]) -> dict[str, list[str]]:
    """The base-area ids covering each of ``adcodes``."""
    links = session.exec(
        select(BaseAreaCity.adcode, BaseAreaCity.base_area_id).where(
            BaseAreaCity.adcode.in_(adcodes)
        )  # type: ignore[attr-defined]
    ).all()
    result: dict[str, list[str]] = {a: [] for a in adcodes}
    for adcode, area in links:
        result[adcode].append(area)
    return result


def needs_of_city(session: Session, *, adcode: str) -> list[TalentNeed]:
    """A city's active talent needs, by id."""
    get_city(session, adcode=adcode)
    return list(
        session.exec(
            select(TalentNeed)
            .where(TalentNeed.city == adcode, TalentNeed.archived == False)  # noqa: E712
            .order_by(TalentNeed.id)  # type: ignore[arg-type]
        ).all()
    )


# ---------------------------------------------------------------- base areas and industries
def base_areas(session: Session, *, id: str | None = None) -> list[BaseAreaPublic]:
    """The base areas (or the one with ``id``), each with the number of cities it covers."""
    counts = (
        select(BaseAreaCity.base_area_id, func.count().label("cities"))
        .group_by(BaseAreaCity.base_area_id)  # type: ignore[arg-type]
        .subquery()
    )
    statement = (
        select(BaseArea, counts.c.cities)
        .outerjoin(counts, counts.c.base_area_id == BaseArea.id)  # type: ignore[arg-type]
        .order_by(BaseArea.id)  # type: ignore[arg-type]
    )
    if id is not None:
        statement = statement.where(BaseArea.id == id)
    return [
        BaseAreaPublic.model_validate(area, update={"city_count": cities or 0})
        for area, cities in session.exec(statement).all()
    ]


def get_base_area(session: Session, *, id: str) -> BaseAreaPublic:
    found = base_areas(session, id=id)
    if not found:
        raise NotFound("base area", id)
    return found[0]


def base_area_cities(session: Session, *, id: str) -> list[City]:
    """The cities a base area covers, by adcode."""
    get_base_area(session, id=id)
    return list(
        session.exec(
            select(City)
            .join(BaseAreaCity)
            .where(BaseAreaCity.base_area_id == id)
            .order_by(City.adcode)  # type: ignore[arg-type]
        ).all()
    )


def industries(
    session: Session,
    *,
    section: str | None = None,
    level: str | None = None,
    parent: str | None = None,
) -> list[Industry]:
    """GB/T 4754 codes in the standard's order (each 门类, then its codes), optionally of one
    门类, one level, or one parent."""
    statement = select(Industry).order_by(
        Industry.section,
        Industry.parent.is_not(None),  # type: ignore[union-attr]
        Industry.code,
    )
    for column, value in (
        (Industry.section, section),
        (Industry.level, level),
        (Industry.parent, parent),
    ):
        if value:
            statement = statement.where(column == value)
    return list(session.exec(statement).all())


def get_industry(session: Session, *, code: str) -> Industry:
    industry = session.get(Industry, code)
    if industry is None:
        raise NotFound("industry", code)
    return industry


def city_references(session: Session, *, adcode: str) -> int:
    """How many records name the city (pairings, profiles, base areas, child divisions)."""
    checks = [
        select(func.count()).where(
            (Pairing.base_city == adcode) | (Pairing.partner_city == adcode)
        ),
        select(func.count()).where(Enterprise.hq_city == adcode),
        select(func.count()).where(University.city == adcode),
        select(func.count()).where(Expert.city == adcode),
        select(func.count()).where(TalentNeed.city == adcode),
        select(func.count()).where(Zone.city == adcode),
        select(func.count()).where(BaseAreaCity.adcode == adcode),
        select(func.count()).where(City.parent_adcode == adcode),
    ]
    return sum(session.exec(check).one() for check in checks)


def profile_references(session: Session, *, kind: Kind, id: int) -> int:
    """How many pairings (or experts, for a university) name the profile (a zone: either side)."""
    column = {
        "enterprises": Pairing.enterprise_id,
        "universities": Pairing.university_id,
        "experts": Pairing.expert_id,
        "needs": Pairing.need_id,
        "zones": Pairing.base_zone_id,
    }.get(kind.slug)
    if column is None:
        return 0
    count = session.exec(select(func.count()).where(column == id)).one()
    if kind.slug == "zones":
        count += session.exec(select(func.count()).where(Pairing.partner_zone_id == id)).one()
    if kind.slug == "universities":
        count += session.exec(select(func.count()).where(Expert.university_id == id)).one()
    return count


def remove(session: Session, row: Any, *, references: int) -> str:
    """Delete ``row``, or archive it when other records refer to it (history stays intact)."""
    if references:
        row.archived = True
        row.updated_at = utcnow()
        session.add(row)
        session.flush()
        return "archived"
    session.delete(row)
    session.flush()
    return "deleted"


def update_city(session: Session, *, adcode: str, data: Any) -> City:
    city = get_city(session, adcode=adcode)
    changes = data.model_dump(exclude_unset=True)
    resolve_fields(
        _with_keywords(changes, city),
        known=resource_words(session) if changes.get("resources") else (),
    )
    city.sqlmodel_update(changes)
    city.updated_at = utcnow()
    session.add(city)
    session.flush()
    return city


def record_feedback(session: Session, *, data: Any, owner: str | None = None) -> Any:
    """Store a verdict on a recommended pair; the next training uses it."""
    values = data.model_dump()
    values["base_city"] = resolve_city(session, value=values["base_city"], field="base_city")
    if values["kind"] == PairingKind.city_city:
        if not values.get("partner_city"):
            raise InvalidReference(
                "partner_city", None, "feedback on a city pair needs partner_city"
            )
        values["partner_city"] = resolve_city(
            session, value=values["partner_city"], field="partner_city"
        )
    elif values["kind"] == PairingKind.enterprise_city:
        if values.get("enterprise_id") is None:
            raise InvalidReference("enterprise_id", None, "feedback on a site needs enterprise_id")
        get_profile(session, kind=KINDS["enterprises"], id=values["enterprise_id"])
    else:
        raise InvalidReference(
            "kind", values["kind"], "feedback is on city_city or enterprise_city pairs"
        )
    row = Feedback.model_validate(values | {"owner": owner})
    session.add(row)
    session.flush()
    return row


def owned_by(session: Session, *, kind: Kind, owner: str) -> list[Any]:
    """The live profiles of ``kind`` a principal created, oldest first."""
    table = kind.table
    statement = (
        select(table)
        .where(table.owner == owner, table.archived == False)  # type: ignore[attr-defined]  # noqa: E712
        .order_by(table.id)  # type: ignore[attr-defined]
    )
    return list(session.exec(statement).all())
