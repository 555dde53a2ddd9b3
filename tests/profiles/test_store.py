"""Store round trips on real SQLite, and bad input refused whole with the field named."""

import pytest
from pydantic import ValidationError
from sqlalchemy.engine import Engine
from sqlmodel import Session

from profiles.errors import Conflict, InvalidReference
from profiles.kinds import KINDS
from profiles.models import CityCreate, Enterprise, EnterpriseCreate, EnterprisePublic, ExpertCreate
from profiles.repository import count_rows, create_city, create_profile, get_profile

ENTERPRISES = KINDS["enterprises"]


def test_three_fields_are_enough_and_names_resolve(session: Session) -> None:
    data = EnterpriseCreate(name="深圳市测试电子有限公司", hq_city="深圳", industry_codes=["39"])
    created = create_profile(session, kind=ENTERPRISES, data=data, owner="tester")
    session.commit()
    stored = get_profile(session, kind=ENTERPRISES, id=created.id)
    assert (stored.hq_city, stored.industry_codes, stored.owner, stored.is_demo) == (
        "440300",
        ["39"],
        "tester",
        False,
    )
    assert stored.places == [] and stored.created_at is not None


def test_every_field_round_trips(session: Session) -> None:
    data = EnterpriseCreate(
        name="赣州测试稀土科技有限公司",
        hq_city="360700",
        industry_codes=["32", "C"],
        industry_keywords=["稀土"],
        employees=800,
        revenue_100m=12.5,
        places=["manufacturing", "rnd"],
        needs_resources=["稀土"],
        land_mu=300,
        workers=500,
        energy_intensity="high",
        target_markets=["珠三角"],
        preferred_modes=["enterprise_resource", "研发+制造"],
        contact="张三 138",
    )
    row = create_profile(session, kind=ENTERPRISES, data=data)
    session.commit()
    session.expire_all()
    stored = EnterprisePublic.model_validate(session.get(Enterprise, row.id))
    assert stored.model_dump(include=set(EnterpriseCreate.model_fields)) == data.model_dump()


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"hq_city": "999999"}, "hq_city"),
        ({"hq_city": "亚特兰蒂斯"}, "hq_city"),
        ({"hq_city": "fuzhou"}, "hq_city"),  # ambiguous: 福州 or 抚州
        ({"industry_codes": ["98"]}, "industry_codes.0"),  # no such code, and not a word
    ],
)
def test_unknown_references_name_the_field_and_write_nothing(
    engine: Engine, values: dict, field: str
) -> None:
    with Session(engine) as session:
        before = count_rows(session, Enterprise)
        data = EnterpriseCreate(
            **({"name": "某某公司", "hq_city": "440300", "industry_codes": ["39"]} | values)
        )
        with pytest.raises(InvalidReference) as caught:
            create_profile(session, kind=ENTERPRISES, data=data)
        session.rollback()
        assert caught.value.field == field
        assert str(next(iter(values.values()))).strip("[]'") in str(caught.value.value) + str(
            caught.value
        )
        assert count_rows(session, Enterprise) == before


def test_ambiguous_place_offers_candidates(session: Session) -> None:
    data = EnterpriseCreate(name="某某公司", hq_city="fuzhou", industry_codes=["39"])
    with pytest.raises(InvalidReference) as caught:
        create_profile(session, kind=ENTERPRISES, data=data)
    assert {c["adcode"] for c in caught.value.candidates} == {"350100", "361000"}


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"population_10k": -1}, "population_10k"),
        ({"longitude": 10.0}, "longitude"),
        ({"latitude": 80.0}, "latitude"),
        ({"adcode": "36070"}, "adcode"),
        ({"industry_codes": [" "]}, "industry_codes"),
    ],
)
def test_impossible_values_are_refused_naming_the_field(values: dict, field: str) -> None:
    base = {
        "adcode": "999901",
        "name": "测试市",
        "province": "测试省",
        "province_adcode": "999900",
        "level": "prefecture",
    }
    with pytest.raises(ValidationError) as caught:
        CityCreate(**(base | values))
    assert [e["loc"][0] for e in caught.value.errors()] == [field]


def test_duplicate_natural_key_conflicts_with_the_existing_record(session: Session) -> None:
    existing = session.get(Enterprise, 1)
    data = EnterpriseCreate(name=existing.name, hq_city=existing.hq_city, industry_codes=["39"])
    with pytest.raises(Conflict) as caught:
        create_profile(session, kind=ENTERPRISES, data=data)
    assert caught.value.existing == existing.id
    assert caught.value.fields == {"name": existing.name, "hq_city": existing.hq_city}


def test_duplicate_adcode_conflicts(session: Session) -> None:
    data = CityCreate(
        adcode="360700",
        name="赣州市",
        province="江西省",
        province_adcode="360000",
        level="prefecture",
    )
    with pytest.raises(Conflict):
        create_city(session, data=data)


def test_expert_needs_an_existing_university(session: Session) -> None:
    data = ExpertCreate(
        name="王测试",
        affiliation_type="university",
        affiliation="不存在大学",
        university_id=10**9,
        city="360700",
        fields=["材料"],
        title="senior",
        degree="doctorate",
    )
    with pytest.raises(InvalidReference) as caught:
        create_profile(session, kind=KINDS["experts"], data=data)
    assert caught.value.field == "university_id"


def test_sqlite_runs_with_wal_foreign_keys_and_busy_timeout(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas")
    with engine.connect() as connection:
        pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("busy_timeout") == 15000
        assert pragma("synchronous") == 1  # NORMAL


def test_concurrent_read_then_write_transactions_never_fail_locked(engine: Engine) -> None:
    import threading

    from sqlalchemy import func, select

    errors: list[Exception] = []

    def read_then_write(n: int) -> None:
        try:
            for k in range(10):
                with Session(engine) as session:
                    session.exec(select(func.count()).select_from(Enterprise)).one()  # read first …
                    create_profile(
                        session,
                        kind=ENTERPRISES,
                        data=EnterpriseCreate(
                            name=f"读写{n}-{k}有限公司", hq_city="440300", industry_codes=["39"]
                        ),
                    )  # … then write
                    session.commit()
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=read_then_write, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with Session(engine) as session:
        assert count_rows(session, Enterprise) >= 612 + 60


def test_a_runaway_query_is_interrupted_and_the_connection_lives(engine: Engine) -> None:
    import time

    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from profiles.db import make_engine
    from profiles.settings import StoreSettings

    quick = make_engine(
        StoreSettings(
            database_url=engine.url.render_as_string(hide_password=False), query_timeout_ms=200
        )
    )
    runaway = text(
        "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r WHERE x < 100000000) "
        "SELECT count(*) FROM r"
    )
    started = time.monotonic()
    with quick.connect() as connection:
        with pytest.raises(OperationalError):
            connection.execute(runaway).scalar()
        connection.rollback()
        assert connection.execute(text("SELECT 1")).scalar() == 1
    assert time.monotonic() - started < 5
    quick.dispose()
