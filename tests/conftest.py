"""Shared fixtures: a seeded SQLite template copied per test, and a client over it."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from api.engine import train_models
from api.main import create_app
from matching.registry import ModelRegistry
from profiles.db import create_schema, make_engine, session_scope
from profiles.seed import seed_catalogue
from profiles.settings import StoreSettings


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped catalogue with its demo data, seeded once per test run."""
    path = tmp_path_factory.mktemp("template") / "catalogue.db"
    engine = make_engine(StoreSettings(database_url=sqlite_url(path)))
    create_schema(engine)
    with session_scope(engine) as session:
        seed_catalogue(session)
    engine.dispose()  # closing the last connection checkpoints the WAL into the file
    return path


@pytest.fixture
def engine(seeded_template: Path, tmp_path: Path) -> Iterator[Engine]:
    path = tmp_path / "counterpart.db"
    shutil.copy(seeded_template, path)
    engine = make_engine(StoreSettings(database_url=sqlite_url(path)))
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


@pytest.fixture(scope="session")
def trained_models(seeded_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The rankers trained once on the shipped catalogue, saved in a registry directory."""
    directory = tmp_path_factory.mktemp("models")
    engine = make_engine(StoreSettings(database_url=sqlite_url(seeded_template)))
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
    with TestClient(create_app(engine, model_dir)) as client:
        yield client
