"""The engine as the API, the CLI and the jobs use it: built once from the store, rebuilt when data change.

``EngineState.get(session)`` returns an ``Engine`` for the current catalogue and promoted
models. It checks a cheap version stamp (row counts and last update times, and the promoted
model versions) and rebuilds only when the catalogue, the pairings, the feedback or the
promoted model changed. The stamp itself is read at most every
``COUNTERPART_ENGINE_CHECK_SECONDS`` (1 s), and at once after this process committed a write
or the model pointer changed: a request in between costs no query at all. So every API host
picks up another host's writes and a newly promoted model within a second, without a restart
and without loading anything per request. With no saved model it trains one and saves it, so
a fresh install recommends at once.
"""

import json
import logging
import re
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import joblib
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import String, cast, func
from sqlmodel import Session, select

from matching.engine import Engine
from matching.opportunities import OpportunityIndex, OpportunityScorer
from matching.ranker import SavedModel
from matching.records import CityArrays, EnterpriseArrays
from matching.registry import ModelRegistry
from matching.site_cases import SiteCase, cluster_ids
from matching.site_evaluation import GROUPINGS, SiteEvaluation, ablation, evaluate_sites
from matching.talent import TalentArrays
from matching.training import FEEDBACK_WEIGHT, train_city_ranker, train_site_ranker
from matching.vocabulary import PairingKind, Verdict
from matching.zones import ZoneRanker
from profiles import repository
from profiles.models import (
    City,
    Enterprise,
    Expert,
    Feedback,
    Opportunity,
    Pairing,
    SiteInvestment,
    TalentNeed,
    University,
    Zone,
)
from profiles.pipeline import CITIES, outcomes
from profiles.snapshot import (
    Snapshot,
    city_side,
    load_opportunity_sides,
    load_snapshot,
    load_talent,
    load_zones,
    words,
)
from profiles.versions import Writes, data_version

log = logging.getLogger("counterpart.engine")
_BRACKETED = re.compile(r"[(（][^)）]*[)）]")


class EngineSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COUNTERPART_", extra="ignore")
    model_dir: Path = Path("var/models")
    engine_check_seconds: float = 1.0  # how stale another host's writes may be seen
    engine_warmup: bool = False  # build the engine as the app starts (``counterpart serve``)


@lru_cache
def get_engine_settings() -> EngineSettings:
    return EngineSettings()


def _investment_cases(session: Session) -> list[SiteCase]:
    """The seeded real investments, clustered by enterprise (core name) and by source page."""
    rows = session.exec(select(SiteInvestment).order_by(SiteInvestment.id)).all()  # type: ignore[arg-type]
    names = repository.org_names(session)
    cores = [names.core(_BRACKETED.sub("", r.enterprise)) for r in rows]
    clusters = cluster_ids(
        [
            (f"enterprise:{core[:2]}", f"source:{r.source}")
            for core, r in zip(cores, rows, strict=True)
        ]
    )
    return [
        SiteCase(
            enterprise=r.enterprise,
            hq=r.hq_city,
            site=r.site_city,
            industry_codes=tuple(r.industry_codes),
            cluster=cluster,
            source=r.source,
            confidence=r.confidence.value if r.confidence else "",
        )
        for r, cluster in zip(rows, clusters, strict=True)
    ]


def _feedback_cases(session: Session) -> list[SiteCase]:
    """Users' verdicts on recommended sites: accepted or contacted is a choice, rejected a refusal."""
    rows = session.exec(
        select(Feedback, Enterprise)
        .join(Enterprise, Feedback.enterprise_id == Enterprise.id)  # type: ignore[arg-type]
        .where(Feedback.kind == PairingKind.enterprise_city)
        .order_by(Feedback.id)  # type: ignore[arg-type]
    ).all()
    return [
        SiteCase(
            enterprise=e.name,
            hq=e.hq_city,
            site=f.base_city,
            industry_codes=tuple(e.industry_codes),
            cluster=f"enterprise-id:{e.id}",
            need_codes=tuple(c for _, codes in words(e.needs_resources) for c in codes),
            workers=e.workers,
            chosen=f.verdict != Verdict.rejected,
            weight=FEEDBACK_WEIGHT,
            origin="feedback",
        )
        for f, e in rows
    ]


def _outcome_cases(session: Session) -> list[SiteCase]:
    """What became of enterprise–city pairs in the pipeline: a graded choice, or a refusal."""
    rows = outcomes(session, CITIES, "enterprises")
    enterprises = {
        e.id: e for e in repository.enterprises_by_id(session, [int(r.b_id) for r, *_ in rows])
    }
    return [
        SiteCase(
            enterprise=e.name,
            hq=e.hq_city,
            site=entry.a_id,
            industry_codes=tuple(e.industry_codes),
            cluster=f"enterprise-id:{e.id}",
            need_codes=tuple(c for _, codes in words(e.needs_resources) for c in codes),
            workers=e.workers,
            chosen=label == 1,
            weight=weight,
            origin="pipeline",
        )
        for entry, label, weight in rows
        if (e := enterprises.get(int(entry.b_id))) is not None
    ]


def site_cases(session: Session) -> list[SiteCase]:
    """What the site ranker learns from: real investments, users' verdicts, then outcomes."""
    return _investment_cases(session) + _feedback_cases(session) + _outcome_cases(session)


def site_evaluation(
    session: Session, *, folds: int = 5, boot: int = 2000, seed: int = 0
) -> SiteEvaluation:
    """The site ranker's grouped cross-validation on the stored investments, beside baselines."""
    snapshot = load_snapshot(session)
    return evaluate_sites(
        CityArrays(snapshot.cities),
        site_cases(session),
        pairings=frozenset((p.base, p.partner) for p in snapshot.pairings),
        folds=folds,
        boot=boot,
        random_state=seed,
    )


def site_ablation(session: Session, *, folds: int = 5) -> dict[str, dict[str, float]]:
    """Held-out MRR with every feature and without each one, per grouping."""
    snapshot, cases = load_snapshot(session), site_cases(session)
    cities, pairs = (
        CityArrays(snapshot.cities),
        frozenset((p.base, p.partner) for p in snapshot.pairings),
    )
    return {g: ablation(cities, cases, pairings=pairs, grouping=g, folds=folds) for g in GROUPINGS}


@dataclass
class Trained:
    city: SavedModel
    site: SavedModel


def train_models(session: Session, snapshot: Snapshot | None = None) -> Trained:
    """Fit both rankers on the store's pairings and feedback (not yet saved)."""
    snapshot = snapshot or load_snapshot(session)
    cities = CityArrays(snapshot.cities)
    city = train_city_ranker(cities, snapshot.pairings, snapshot.frameworks, snapshot.verdicts)
    return Trained(city, train_site_ranker(cities, site_cases(session), snapshot.pairings))


# what ``enterprise_arrays`` reads of an enterprise (its code lists as JSON text)
ENTERPRISE_COLUMNS = (
    Enterprise.id,
    Enterprise.hq_city,
    cast(Enterprise.industry_codes, String),
    cast(Enterprise.needs_resources, String),
    Enterprise.workers,
)


def enterprise_arrays(cities: CityArrays, rows: Sequence[Sequence[Any]]) -> EnterpriseArrays:
    """Arrays of enterprises selected as ``ENTERPRISE_COLUMNS``, headquartered in ``cities``
    (each distinct code list parsed once: a million enterprises share a few thousand)."""
    industries = lru_cache(maxsize=None)(lambda text: tuple(json.loads(text)))
    needs = lru_cache(maxsize=None)(
        lambda text: tuple(c for _, codes in words(json.loads(text)) for c in codes)
    )
    return EnterpriseArrays.build(
        cities,
        ids=[r[0] for r in rows],
        hq_cities=[r[1] for r in rows],
        industry_codes=[industries(r[2]) for r in rows],
        need_codes=[needs(r[3]) for r in rows],
        workers=[r[4] for r in rows],
    )


class EngineState:
    """One engine per process, rebuilt when its inputs change."""

    def __init__(self, registry: ModelRegistry, check_seconds: float | None = None) -> None:
        self.registry = registry
        self.check_seconds = (
            get_engine_settings().engine_check_seconds if check_seconds is None else check_seconds
        )
        self._lock = threading.Lock()  # the opportunity index's build
        self._engine_lock = threading.Lock()
        self._engine: Engine | None = None
        self._stamp: tuple[Any, ...] | None = None
        self._enterprises: tuple[tuple[Any, ...], EnterpriseArrays] | None = None
        self._talent: tuple[tuple[Any, ...], TalentArrays] | None = None
        self._opportunities: tuple[tuple[Any, ...], OpportunityIndex] | None = None
        self._zones: tuple[tuple[Any, ...], ZoneRanker] | None = None
        self._checked: dict[str, tuple[tuple[int, Any], float]] = {}

    def _unchanged(self, what: str) -> bool:
        """Whether ``what`` was checked within ``check_seconds``, with no write or promotion
        since: then its cached stamp still holds and no query is needed."""
        seen = self._checked.get(what)
        return (
            seen is not None
            and seen[0] == (Writes.count, self.registry.pointer_stamp())
            and time.monotonic() < seen[1]
        )

    def _mark_checked(self, what: str, seen: tuple[int, Any]) -> None:
        self._checked[what] = (seen, time.monotonic() + self.check_seconds)

    def data_stamp(self, session: Session) -> tuple[Any, ...]:
        """What the rankings depend on: cities, zones (their kinds flag the cities), pairings,
        feedback, universities, investments."""
        return (
            *data_version(session, City, Zone, Pairing, Feedback, University),
            session.exec(select(func.count()).select_from(SiteInvestment)).one(),
        )

    def _stamp_now(self, session: Session) -> tuple[Any, ...]:
        models = (self.registry.current_version("city"), self.registry.current_version("site"))
        return (*self.data_stamp(session), *models)

    def fresh(self) -> Engine | None:
        """The engine if its stamp needs no check yet (no query), else None."""
        return self._engine if self._engine is not None and self._unchanged("engine") else None

    def get(self, session: Session) -> Engine:
        """The engine for the store as it is now (within ``check_seconds`` for other hosts)."""
        engine = self.fresh()
        if engine is not None:
            return engine
        with self._engine_lock:  # one thread checks (and builds); the others wait for it
            engine = self.fresh()
            if engine is not None:
                return engine
            seen = (Writes.count, self.registry.pointer_stamp())
            stamp = self._stamp_now(session)
            if self._engine is None or stamp != self._stamp:
                self._engine = self._build(session)
                self._stamp = self._stamp_now(session)
            self._mark_checked("engine", seen)
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
        if self._enterprises is not None and self._unchanged("enterprises"):
            return self._enterprises[1]
        seen = (Writes.count, self.registry.pointer_stamp())
        stamp = data_version(session, Enterprise)
        if self._enterprises is not None and self._enterprises[0] == stamp:
            self._mark_checked("enterprises", seen)
            return self._enterprises[1]
        rows = (
            session.connection()
            .execute(  # Core rows: a million of them, no ORM processing
                select(*ENTERPRISE_COLUMNS)
                .where(Enterprise.archived.is_(False))
                .order_by(Enterprise.id)  # type: ignore[arg-type]
            )
            .all()
        )
        arrays = enterprise_arrays(engine.cities, [r for r in rows if r[1] in engine.cities.index])
        self._enterprises = (stamp, arrays)
        self._mark_checked("enterprises", seen)
        return arrays

    def talent(self, session: Session, engine: Engine) -> TalentArrays:
        """Experts, posts and universities as arrays (cached until any of them change)."""
        cached = self._talent is not None and self._talent[0][-1] == id(engine)
        if cached and self._unchanged("talent"):
            return self._talent[1]  # type: ignore[index]
        seen = (Writes.count, self.registry.pointer_stamp())
        stamp = (*data_version(session, Expert, TalentNeed, University), id(engine))
        if self._talent is not None and self._talent[0] == stamp:
            self._mark_checked("talent", seen)
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
        self._mark_checked("talent", seen)
        return arrays

    # ---------------------------------------------------------- opportunities
    @property
    def scorer_path(self) -> Path:
        return self.registry.directory / "opportunity-scorer.joblib"

    def opportunity_scorer(self) -> OpportunityScorer:
        """The saved opportunity scorer, or the prior one (learned from 0 labels)."""
        if self.scorer_path.exists():
            return joblib.load(self.scorer_path)
        return OpportunityScorer().fit([], [])

    def save_opportunity_scorer(self, scorer: OpportunityScorer) -> None:
        self.registry.directory.mkdir(parents=True, exist_ok=True)
        temporary = self.scorer_path.with_suffix(".tmp")
        joblib.dump(scorer, temporary)
        temporary.replace(self.scorer_path)

    def opportunities(self, session: Session, engine: Engine) -> OpportunityIndex:
        """Opportunities, cities and enterprises as matrices (rebuilt when any of them, the
        engine or the saved scorer change)."""
        saved = self.scorer_path.stat().st_mtime_ns if self.scorer_path.exists() else None
        stamp = (*data_version(session, Opportunity, Enterprise), id(engine), saved)
        if self._opportunities is not None and self._opportunities[0] == stamp:
            return self._opportunities[1]
        with self._lock:
            if self._opportunities is None or self._opportunities[0] != stamp:
                known = set(engine.cities.index)
                opportunities, enterprises = load_opportunity_sides(session, known)
                index = OpportunityIndex(
                    opportunities,
                    cities=engine.cities,
                    tables=engine.tables,
                    city_sides=[city_side(r) for r in engine.cities.records],
                    enterprises=enterprises,
                    scorer=self.opportunity_scorer(),
                )
                self._opportunities = (stamp, index)
        return self._opportunities[1]

    def zones(self, session: Session, engine: Engine) -> ZoneRanker:
        """The zone ranker over the current engine (cached until zones or the engine change)."""
        stamp = (*data_version(session, Zone), id(engine))
        if self._zones is not None and self._zones[0] == stamp:
            return self._zones[1]
        ranker = ZoneRanker(engine, load_zones(session))
        self._zones = (stamp, ranker)
        return ranker
