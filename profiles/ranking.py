"""The engine as the API, the CLI and the jobs use it: built once from the store, rebuilt when data change.

``EngineState.get(session)`` returns an ``Engine`` for the current catalogue and promoted
models. It checks a cheap version stamp (row counts and last update times) on each call and
rebuilds only when the catalogue, the pairings, the feedback or the promoted model changed.
With no saved model it trains one and saves it, so a fresh install recommends at once.
"""

import logging
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import func
from sqlmodel import Session, select

from matching.engine import Engine
from matching.ranker import SavedModel
from matching.records import CityArrays, EnterpriseArrays
from matching.registry import ModelRegistry
from matching.talent import TalentArrays
from matching.training import SiteVerdict, train_city_ranker, train_site_ranker
from matching.vocabulary import PairingKind, Verdict
from profiles.models import City, Enterprise, Expert, Feedback, Pairing, TalentNeed, University
from profiles.snapshot import Snapshot, load_snapshot, load_talent, words

log = logging.getLogger("counterpart.engine")


class EngineSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COUNTERPART_", extra="ignore")
    model_dir: Path = Path("var/models")


@lru_cache
def get_engine_settings() -> EngineSettings:
    return EngineSettings()


def data_version(session: Session, *tables: Any) -> tuple[Any, ...]:
    stamp: list[Any] = []
    for table in tables:
        stamp.extend(session.exec(select(func.count(), func.max(table.updated_at))).one())
    return tuple(stamp)


def site_verdicts(
    session: Session, cities: CityArrays
) -> tuple[EnterpriseArrays | None, list[SiteVerdict]]:
    rows = session.exec(
        select(Feedback, Enterprise)
        .join(Enterprise, Feedback.enterprise_id == Enterprise.id)  # type: ignore[arg-type]
        .where(Feedback.kind == PairingKind.enterprise_city)
    ).all()
    usable = [(f, e) for f, e in rows if f.base_city in cities.index and e.hq_city in cities.index]
    if not usable:
        return None, []
    arrays = EnterpriseArrays.build(
        cities,
        ids=[e.id for _, e in usable],
        hq_cities=[e.hq_city for _, e in usable],
        industry_codes=[e.industry_codes for _, e in usable],
        need_codes=[
            tuple(c for _, codes in words(e.needs_resources) for c in codes) for _, e in usable
        ],
    )
    verdicts = [
        SiteVerdict(i, f.base_city, 0 if f.verdict == Verdict.rejected else 1)
        for i, (f, _) in enumerate(usable)
    ]
    return arrays, verdicts


@dataclass
class Trained:
    city: SavedModel
    site: SavedModel


def train_models(session: Session, snapshot: Snapshot | None = None) -> Trained:
    """Fit both rankers on the store's pairings and feedback (not yet saved)."""
    snapshot = snapshot or load_snapshot(session)
    cities = CityArrays(snapshot.cities)
    city = train_city_ranker(cities, snapshot.pairings, snapshot.frameworks, snapshot.verdicts)
    arrays, verdicts = site_verdicts(session, cities)
    return Trained(city, train_site_ranker(cities, arrays, verdicts))


class EngineState:
    """One engine per process, rebuilt when its inputs change."""

    def __init__(self, registry: ModelRegistry) -> None:
        self.registry = registry
        self._lock = threading.Lock()
        self._engine: Engine | None = None
        self._stamp: tuple[Any, ...] | None = None
        self._enterprises: tuple[tuple[Any, ...], EnterpriseArrays] | None = None
        self._talent: tuple[tuple[Any, ...], TalentArrays] | None = None

    def data_stamp(self, session: Session) -> tuple[Any, ...]:
        """What the city rankings depend on: cities, pairings, feedback, universities."""
        return data_version(session, City, Pairing, Feedback, University)

    def _stamp_now(self, session: Session) -> tuple[Any, ...]:
        models = (self.registry.current_version("city"), self.registry.current_version("site"))
        return (*self.data_stamp(session), *models)

    def get(self, session: Session) -> Engine:
        stamp = self._stamp_now(session)
        if self._engine is not None and stamp == self._stamp:
            return self._engine
        with self._lock:
            if self._engine is None or stamp != self._stamp:
                self._engine = self._build(session)
                self._stamp = self._stamp_now(session)
        return self._engine

    def _build(self, session: Session) -> Engine:
        snapshot = load_snapshot(session)
        cities = CityArrays(snapshot.cities)
        city, site = self.registry.load("city"), self.registry.load("site")
        if city is None or site is None:
            log.info("no saved model: training one")
            trained = train_models(session, snapshot)
            city = city or trained.city
            site = site or trained.site
            for kind, model in (("city", city), ("site", site)):
                if self.registry.current_version(kind) != model.version:
                    self.registry.save(kind, model)
        return Engine(cities, snapshot.pairings, snapshot.frameworks, city, site)

    def enterprises(self, session: Session, engine: Engine) -> EnterpriseArrays:
        """Every active enterprise as arrays (cached until enterprises change)."""
        stamp = data_version(session, Enterprise)
        if self._enterprises is not None and self._enterprises[0] == stamp:
            return self._enterprises[1]
        rows = session.exec(
            select(
                Enterprise.id,
                Enterprise.hq_city,
                Enterprise.industry_codes,
                Enterprise.needs_resources,
            )
            .where(Enterprise.archived.is_(False))
            .order_by(Enterprise.id)  # type: ignore[attr-defined]
        ).all()
        rows = [r for r in rows if r[1] in engine.cities.index]
        arrays = EnterpriseArrays.build(
            engine.cities,
            ids=[r[0] for r in rows],
            hq_cities=[r[1] for r in rows],
            industry_codes=[r[2] for r in rows],
            need_codes=[tuple(c for _, codes in words(r[3]) for c in codes) for r in rows],
        )
        self._enterprises = (stamp, arrays)
        return arrays

    def talent(self, session: Session, engine: Engine) -> TalentArrays:
        """Experts, posts and universities as arrays (cached until any of them change)."""
        stamp = (*data_version(session, Expert, TalentNeed, University), id(engine))
        if self._talent is not None and self._talent[0] == stamp:
            return self._talent[1]
        experts, needs, universities = load_talent(session)
        known = engine.cities.index
        arrays = TalentArrays(
            engine.cities,
            [e for e in experts if e.city in known],
            [n for n in needs if n.city in known],
            [u for u in universities if u.city in known],
        )
        self._talent = (stamp, arrays)
        return arrays
