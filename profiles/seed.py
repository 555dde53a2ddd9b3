"""Load the shipped catalogue (and the demo data) into the store.

Seeding inserts what is missing and leaves existing rows alone — so running it twice changes
nothing, and edits made since the first seed are kept. Every record is validated through its
``*Create`` model first, as any client's would be.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, SQLModel, select

from fixtures import demo
from fixtures.catalogue import CatalogueBuilder
from matching.vocabulary import CityLevel
from profiles.models import (
    BaseArea,
    BaseAreaCity,
    City,
    CityCreate,
    Enterprise,
    EnterpriseCreate,
    Expert,
    ExpertCreate,
    Framework,
    FrameworkBase,
    Industry,
    Opportunity,
    OpportunityCreate,
    Pairing,
    PairingCreate,
    SiteInvestment,
    TalentNeed,
    TalentNeedCreate,
    University,
    UniversityCreate,
    framework_key,
    pairing_key,
    utcnow,
)

DEMO_ENTERPRISES = 600
DEMO_EXPERTS = 2400
DEMO_NEEDS = 600
DEMO_OPPORTUNITIES = 630  # 70 of each type
BATCH = 5_000

Progress = Callable[[str, int], None]


@dataclass
class SeedReport:
    inserted: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)

    def add(self, table: str, inserted: int, kept: int) -> None:
        self.inserted[table] = self.inserted.get(table, 0) + inserted
        self.kept[table] = self.kept.get(table, 0) + kept


def _batches(rows: Iterable[dict[str, Any]], size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def _row(table: type[SQLModel], values: dict[str, Any]) -> dict[str, Any]:
    now = utcnow()
    columns = table.__table__.columns.keys()  # type: ignore[attr-defined]
    row = {k: v for k, v in values.items() if k in columns}
    for stamp in ("created_at", "updated_at"):
        if stamp in columns:
            row.setdefault(stamp, now)
    return row


def insert_missing(
    session: Session,
    table: type[SQLModel],
    rows: Iterable[dict[str, Any]],
    key: Callable[[dict[str, Any]], Any],
    existing_keys: set[Any],
    report: SeedReport,
    progress: Progress | None = None,
) -> None:
    """Insert the rows whose key is not yet stored, in batches of plain INSERTs."""
    name = table.__tablename__  # type: ignore[attr-defined]
    for batch in _batches(rows):
        fresh = []
        for row in batch:
            row_key = key(row)
            if row_key not in existing_keys:
                existing_keys.add(row_key)
                fresh.append(_row(table, row))
        if fresh:
            session.execute(insert(table), fresh)
        report.add(name, len(fresh), len(batch) - len(fresh))
        if progress:
            progress(name, len(batch))


def _validated(
    model: type[SQLModel], records: Iterable[dict[str, Any]], extra: tuple[str, ...] = ()
) -> Iterator[dict[str, Any]]:
    for record in records:
        values = model.model_validate({k: v for k, v in record.items() if k in model.model_fields})
        values = values.model_dump()
        values.update({k: record[k] for k in extra if k in record})
        yield values


def _keys(session: Session, *columns: Any) -> set[Any]:
    rows = session.exec(select(*columns)).all()
    return {tuple(r) if len(columns) > 1 else r for r in rows}


def seed_catalogue(
    session: Session, *, with_demo: bool = True, progress: Progress | None = None
) -> SeedReport:
    """Insert the shipped catalogue (and, by default, the demo data) where missing."""
    report = SeedReport()
    builder = CatalogueBuilder()
    cities = builder.city_records()
    insert_missing(
        session,
        Industry,
        builder.industry_records(),
        lambda r: r["code"],
        _keys(session, Industry.code),
        report,
        progress,
    )
    insert_missing(
        session,
        City,
        _validated(CityCreate, cities),
        lambda r: r["adcode"],
        _keys(session, City.adcode),
        report,
        progress,
    )
    areas, links = builder.base_area_records()
    insert_missing(session, BaseArea, areas, lambda r: r["id"], _keys(session, BaseArea.id), report)
    insert_missing(
        session,
        BaseAreaCity,
        links,
        lambda r: (r["base_area_id"], r["adcode"]),
        _keys(session, BaseAreaCity.base_area_id, BaseAreaCity.adcode),
        report,
    )
    universities = builder.university_records()
    insert_missing(
        session,
        University,
        _validated(UniversityCreate, universities),
        lambda r: r["name"],
        _keys(session, University.name),
        report,
    )
    pairings = [
        v | {"natural_key": pairing_key(PairingCreate.model_validate(v))}
        for v in _validated(PairingCreate, builder.pairing_records())
    ]
    insert_missing(
        session,
        Pairing,
        pairings,
        lambda r: r["natural_key"],
        _keys(session, Pairing.natural_key),
        report,
    )
    insert_missing(
        session,
        SiteInvestment,
        builder.site_investment_records(),
        lambda r: r["natural_key"],
        _keys(session, SiteInvestment.natural_key),
        report,
    )
    frameworks = [
        v | {"natural_key": framework_key(FrameworkBase.model_validate(v))}
        for v in _validated(FrameworkBase, builder.framework_records())
    ]
    insert_missing(
        session,
        Framework,
        frameworks,
        lambda r: r["natural_key"],
        _keys(session, Framework.natural_key),
        report,
    )
    if with_demo:
        session.flush()
        seed_demo(session, load_demo_catalogue(session), report=report, progress=progress)
    session.flush()
    return report


def seed_demo(
    session: Session,
    catalogue: demo.Catalogue,
    *,
    report: SeedReport,
    enterprises: int = DEMO_ENTERPRISES,
    experts: int = DEMO_EXPERTS,
    needs: int = DEMO_NEEDS,
    opportunities: int = DEMO_OPPORTUNITIES,
    seed: int = demo.DEFAULT_SEED,
    progress: Progress | None = None,
) -> None:
    """Insert demo enterprises, experts, needs and opportunities, then link the planted
    duplicates."""
    demo_flags = ("is_demo", "owner", "duplicate_of_key")
    enterprise_rows = list(
        _validated(
            EnterpriseCreate, demo.enterprises(catalogue, enterprises, seed=seed), demo_flags
        )
    )
    insert_missing(
        session,
        Enterprise,
        enterprise_rows,
        lambda r: (r["name"], r["hq_city"]),
        _keys(session, Enterprise.name, Enterprise.hq_city),
        report,
        progress,
    )
    university_ids = dict(session.exec(select(University.name, University.id)).all())
    expert_records = demo.experts(
        catalogue, experts, seed=seed, enterprise_names=[r["name"] for r in enterprise_rows[:200]]
    )
    for record in expert_records:
        record["university_id"] = university_ids.get(record.pop("university_name") or "")
    insert_missing(
        session,
        Expert,
        _validated(ExpertCreate, expert_records, demo_flags),
        lambda r: (r["name"], r["affiliation"]),
        _keys(session, Expert.name, Expert.affiliation),
        report,
        progress,
    )
    insert_missing(
        session,
        TalentNeed,
        _validated(TalentNeedCreate, demo.talent_needs(catalogue, needs, seed=seed), demo_flags),
        lambda r: (r["city"], r["title"], r["programme"]),
        _keys(session, TalentNeed.city, TalentNeed.title, TalentNeed.programme),
        report,
        progress,
    )
    insert_missing(
        session,
        Opportunity,
        _validated(
            OpportunityCreate, demo.opportunities(catalogue, opportunities, seed=seed), demo_flags
        ),
        lambda r: (r["type"], r["title"], r["city"]),
        _keys(session, Opportunity.type, Opportunity.title, Opportunity.city),
        report,
        progress,
    )
    _link_duplicates(session, Enterprise, enterprise_rows, ("name", "hq_city"))
    _link_duplicates(session, Expert, expert_records, ("name", "affiliation"))


def _link_duplicates(
    session: Session, table: Any, records: list[dict[str, Any]], key: tuple[str, str]
) -> None:
    planted = [r for r in records if r.get("duplicate_of_key")]
    if not planted:
        return
    ids = {
        (a, b): i
        for i, a, b in session.exec(
            select(table.id, getattr(table, key[0]), getattr(table, key[1])).where(
                table.is_demo.is_(True)
            )
        ).all()
    }
    for record in planted:
        row_id = ids.get((record[key[0]], record[key[1]]))
        original = ids.get(tuple(record["duplicate_of_key"]))
        if row_id is not None and original is not None:
            row = session.get(table, row_id)
            if row.duplicate_of != original:
                row.duplicate_of = original
                session.add(row)


def generate_scale(
    session: Session,
    catalogue: demo.Catalogue,
    *,
    enterprises: int,
    experts: int,
    seed: int = demo.DEFAULT_SEED + 1,
    progress: Progress | None = None,
) -> SeedReport:
    """Stream a large demo catalogue into the store, for benchmarks (constant memory)."""
    report = SeedReport()
    flags = ("is_demo", "owner")
    insert_missing(
        session,
        Enterprise,
        _validated(
            EnterpriseCreate,
            demo.enterprises(catalogue, enterprises, seed=seed, duplicates=0),
            flags,
        ),
        lambda r: (r["name"], r["hq_city"]),
        _keys(session, Enterprise.name, Enterprise.hq_city),
        report,
        progress,
    )
    university_ids = dict(session.exec(select(University.name, University.id)).all())
    records = demo.experts(catalogue, experts, seed=seed, duplicates=0)
    for record in records:
        record["university_id"] = university_ids.get(record.pop("university_name") or "")
    insert_missing(
        session,
        Expert,
        _validated(ExpertCreate, records, flags),
        lambda r: (r["name"], r["affiliation"]),
        _keys(session, Expert.name, Expert.affiliation),
        report,
        progress,
    )
    return report


def load_demo_catalogue(session: Session) -> demo.Catalogue:
    """The generator's view of the stored catalogue (cities, universities, base-area cities)."""
    cities = [c.model_dump() for c in session.exec(select(City)).all()]
    for city in cities:
        city["level"] = CityLevel(city["level"]).value
    universities = [u.model_dump() for u in session.exec(select(University)).all()]
    base = session.exec(
        select(BaseAreaCity.adcode).join(City).where(City.level != CityLevel.province)
    ).all()  # type: ignore[arg-type]
    return demo.Catalogue(cities, universities, frozenset(base))
