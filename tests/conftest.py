"""Shared fixtures on a real store: SQLite by default, PostgreSQL when asked.

Set ``COUNTERPART_TEST_POSTGRES`` to an administrative URL (``postgresql+psycopg://postgres@
127.0.0.1/test``) and every test runs on PostgreSQL: the seeded catalogue is built once as a
template database and each test gets a fresh copy (``CREATE DATABASE … TEMPLATE``), dropped
afterwards. Without it, the template is a SQLite file copied per test.
"""

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from api.main import create_app
from jobs.settings import get_job_settings
from matching.registry import ModelRegistry
from matching.vocabulary import Role
from profiles.access import create_key
from profiles.db import make_engine, session_scope, upgrade_schema
from profiles.models import Feedback
from profiles.ranking import train_models
from profiles.seed import seed_catalogue
from profiles.settings import StoreSettings
from profiles.snapshot import load_snapshot

POSTGRES = os.environ.get("COUNTERPART_TEST_POSTGRES")
RUN = uuid.uuid4().hex[:8]


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


class Databases:
    """Creates and drops databases for one test run (PostgreSQL) or files (SQLite)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.created: list[str] = []
        self.admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT") if POSTGRES else None

    def url(self, name: str) -> str:
        if self.admin is None:
            return sqlite_url(self.directory / f"{name}.db")
        return make_url(POSTGRES).set(database=name).render_as_string(hide_password=False)

    def create(self, name: str, *, template: str | None = None) -> str:
        """An empty database (or a copy of ``template``), and its URL."""
        if self.admin is None:
            if template:
                shutil.copy(self.directory / f"{template}.db", self.directory / f"{name}.db")
            return self.url(name)
        with self.admin.connect() as connection:
            clause = f" TEMPLATE {template}" if template else ""
            connection.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        self.created.append(name)
        return self.url(name)

    def drop(self, name: str) -> None:
        if self.admin is not None:
            with self.admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def close(self) -> None:
        for name in reversed(self.created):
            self.drop(name)
        if self.admin is not None:
            self.admin.dispose()


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Databases]:
    registry = Databases(tmp_path_factory.mktemp("databases"))
    yield registry
    registry.close()


KEYS: dict[str, str] = {}  # role → key, created in the template (so every copy knows them)


@pytest.fixture(scope="session")
def seeded_template(databases: Databases) -> str:
    """The name of a database holding the shipped catalogue, its demo data and test keys."""
    name = f"cp_{RUN}_template"
    engine = make_engine(StoreSettings(database_url=databases.create(name)))
    upgrade_schema(engine)
    with session_scope(engine) as session:
        seed_catalogue(session)
        for principal, role, scopes in (
            ("admin", Role.admin, []),
            ("赣州市发改委", Role.office, ["360700"]),
            ("江西省发改委", Role.office, ["360000"]),
            ("某某科技", Role.enterprise, []),
            ("另一家公司", Role.enterprise, []),
            ("某大学", Role.university, []),
            ("viewer", Role.viewer, []),
        ):
            KEYS[principal] = create_key(session, principal=principal, role=role, scopes=scopes)[1]
    engine.dispose()  # closing the last connection checkpoints SQLite's WAL; frees the PG template
    return name


def bearer(principal: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {KEYS[principal]}"}


def contradict_the_pairings(engine: Engine) -> None:
    """Feedback that rejects every real pairing and accepts unlikely ones: a worse model."""
    with Session(engine) as session:
        for pairing in load_snapshot(session).pairings:
            session.add(
                Feedback(
                    kind="city_city",
                    base_city=pairing.base,
                    partner_city=pairing.partner,
                    verdict="rejected",
                )
            )
            for unlikely in ("350200", "370200", "330300"):
                session.add(
                    Feedback(
                        kind="city_city",
                        base_city=pairing.base,
                        partner_city=unlikely,
                        verdict="accepted",
                    )
                )
        session.commit()


@pytest.fixture
def fresh_database(databases: Databases) -> Iterator[str]:
    """The URL of an empty database."""
    name = f"cp_{RUN}_{uuid.uuid4().hex[:10]}"
    yield databases.create(name)
    databases.drop(name)


@pytest.fixture
def engine(databases: Databases, seeded_template: str) -> Iterator[Engine]:
    name = f"cp_{RUN}_{uuid.uuid4().hex[:10]}"
    engine = make_engine(
        StoreSettings(database_url=databases.create(name, template=seeded_template))
    )
    yield engine
    engine.dispose()
    databases.drop(name)


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


@pytest.fixture(scope="session")
def trained_models(
    databases: Databases, seeded_template: str, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The rankers trained once on the shipped catalogue, saved in a registry directory."""
    directory = tmp_path_factory.mktemp("models")
    engine = make_engine(StoreSettings(database_url=databases.url(seeded_template)))
    with Session(engine) as session:
        trained = train_models(session)
    engine.dispose()
    registry = ModelRegistry(directory)
    registry.save("city", trained.city)
    registry.save("site", trained.site)
    return directory


@pytest.fixture
def model_dir(trained_models: Path, tmp_path: Path) -> Path:
    directory = tmp_path / "models"
    shutil.copytree(trained_models, directory)
    return directory


@pytest.fixture
def client(engine: Engine, model_dir: Path) -> Iterator[TestClient]:
    with TestClient(
        create_app(engine, model_dir, start_scheduler=False), headers=bearer("admin")
    ) as client:
        yield client


@pytest.fixture
def anonymous(engine: Engine, model_dir: Path) -> Iterator[TestClient]:
    """A client without a key."""
    with TestClient(create_app(engine, model_dir, start_scheduler=False)) as client:
        yield client


def on_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@pytest.fixture
def allow_loopback_webhooks(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The API reads its settings from the environment: allow loopback receivers for one test."""
    monkeypatch.setenv("COUNTERPART_WEBHOOK_ALLOW_PRIVATE", "true")
    get_job_settings.cache_clear()
    yield
    get_job_settings.cache_clear()
