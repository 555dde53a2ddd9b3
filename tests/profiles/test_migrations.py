"""The schema comes from migrations, on both stores, and the models agree with them."""

from sqlalchemy import text
from sqlalchemy.engine import Engine

from profiles import migrate
from profiles.db import make_engine
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
