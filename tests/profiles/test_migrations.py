"""The schema comes from migrations, on both stores, and the models agree with them."""

from sqlalchemy import text
from sqlalchemy.engine import Engine

from profiles import migrate
from profiles.db import make_engine, session_scope
from profiles.models import Industry
from profiles.repository import count_rows
from profiles.seed import seed_catalogue
from profiles.settings import StoreSettings


def test_an_empty_database_upgrades_to_head_and_matches_the_models(fresh_database: str) -> None:
    engine = make_engine(StoreSettings(database_url=fresh_database))
    assert migrate.current(engine) is None
    migrate.upgrade(engine)
    assert migrate.current(engine) == migrate.head()
    assert {"city", "enterprise", "pairing", "plan", "idempotency_key"} <= migrate.table_names(
        engine
    )
    assert migrate.differences(engine) == []
    engine.dispose()


def test_a_seeded_copy_downgrades_and_upgrades_again(engine: Engine) -> None:
    assert migrate.current(engine) == migrate.head()
    migrate.downgrade(engine, "base")
    assert migrate.table_names(engine) <= {"alembic_version"}
    migrate.upgrade(engine)
    assert migrate.current(engine) == migrate.head() and migrate.differences(engine) == []


def test_a_schema_that_drifts_from_the_models_is_detected(fresh_database: str) -> None:
    engine = make_engine(StoreSettings(database_url=fresh_database))
    migrate.upgrade(engine)
    with engine.begin() as connection:
        connection.execute(text("DROP INDEX ix_enterprise_owner"))
    differences = migrate.differences(engine)
    assert differences and "ix_enterprise_owner" in str(differences)
    engine.dispose()


def test_a_store_with_the_old_industry_table_gains_every_level(fresh_database: str) -> None:
    """A store seeded before 0005 (门类 and 大类 only) keeps its rows, gets their level and
    parent, and seeding then adds the 中类 and 小类, once."""
    engine = make_engine(StoreSettings(database_url=fresh_database))
    migrate.upgrade(engine, "0004")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO industry (code, name, section, keywords) VALUES "
                "('C', '制造业', 'C', '[]'), ('38', '电气机械和器材制造业', 'C', '[\"电池\"]')"
            )
        )
    migrate.upgrade(engine)
    assert migrate.differences(engine) == []
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT code, level, parent, keywords FROM industry"))
        stored = {r[0]: r[1:] for r in rows}
    assert stored["C"][:2] == ("门类", None) and stored["38"][:2] == ("大类", "C")
    with session_scope(engine) as session:
        first = seed_catalogue(session, with_demo=False)
    with session_scope(engine) as session:
        again = seed_catalogue(session, with_demo=False)
        assert count_rows(session, Industry) == 1971
        kept = session.get(Industry, "38")
        assert kept is not None and "电池" in str(kept.keywords)  # edits are kept
        lithium = session.get(Industry, "3841")
        assert lithium is not None and (lithium.level, lithium.parent) == ("小类", "384")
    assert first.inserted["industry"] == 1969 and again.inserted["industry"] == 0
    engine.dispose()
