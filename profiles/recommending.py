"""Recommendations as every entry point asks for them: partners, base cities, sites, investors.

Each use case takes a session, the process's ``EngineState`` and domain arguments (cities as
the user wrote them), and returns a typed answer. The API routes, the console, the command
line and the jobs all call these functions; none of them talks to the engine by hand.
"""

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from matching.engine import (
    Engine,
    EnterpriseProfile,
    Recommendation,
    SiteConstraints,
    mode_clause,
)
from matching.vocabulary import Mode, Scheme
from profiles import repository
from profiles.industry_fields import Resolution, resolve_fields
from profiles.kinds import KINDS
from profiles.models import EnterpriseBase
from profiles.ranking import EngineState
from profiles.shape import Shape
from profiles.snapshot import words

NO_HISTORY = "企业—选址暂无可用的真实投资案例或反馈：按合作模式的先验权重排序，得分不是概率。"


class CityBrief(BaseModel):
    adcode: str
    name: str
    province: str
    is_key_city: bool
    is_partner_candidate: bool
    gdp_100m: float | None
    gdp_year: int | None
    population_10k: float | None
    longitude: float | None
    latitude: float | None


class MatchOut(BaseModel):
    """A claimed match: the words and GB/T 4754 大类 on each side, and the chain between."""

    source_word: str
    source_code: str
    target_word: str
    target_code: str
    path: list[str]
    steps: list[str]


class SourceOut(BaseModel):
    figure: str = Field(description="the figure a reason uses, e.g. 常住人口, 人均GDP")
    city: str | None
    year: int | None
    source: str
    confidence: str | None = None


class ReasonOut(BaseModel):
    feature: str
    text: str
    contribution: float
    matches: list[MatchOut] = []
    source: str | None = None
    year: int | None = None
    confidence: str | None = None
    sources: list[SourceOut] = Field(
        [], description="sites: the sources (with year) of every figure this sentence uses"
    )


class DataGapOut(BaseModel):
    feature: str
    text: str


class ExistingPairing(BaseModel):
    schemes: list[str]
    labels: list[str] = Field(description="the schemes in Chinese, e.g. 对口合作")
    pairings: list[dict[str, Any]] = []


class Item(BaseModel):
    rank: int
    score: float = Field(ge=0, le=1)
    mode: Mode
    mode_label: str
    clause: str
    mode_scores: dict[str, float]
    reasons: list[ReasonOut]


class CityItem(Item):
    city: CityBrief
    distance_km: float | None = Field(None, description="great-circle distance between the two")
    existing_pairing: ExistingPairing | None = None
    frameworks: list[str] = Field([], description="active frameworks tying the pair, helper → base")
    data_gaps: list[DataGapOut] = Field(
        [], description="what the data lack for this pair: features left unscored, not scored low"
    )


class SiteItem(CityItem):
    """A site: ``score`` is the probability of being chosen among every base-area city;
    ``data_gaps`` are the needs and figures the catalogue has no data for (not counted, no
    proxy)."""

    distance_km: float = Field(description="great-circle distance from headquarters")
    longitude: float
    latitude: float
    sources: list[SourceOut] = Field(description="sources (with year) of what the reasons use")


class LearnedFrom(BaseModel):
    """What the site model learned from."""

    investments: int = Field(description="real investments trained on (site_investment rows)")
    clusters: int = Field(description="enterprise/event clusters among them")
    feedback: int = Field(description="users' verdicts on recommended sites")
    outcomes: int = Field(
        0, description="pipeline outcomes on enterprise–city pairs (graded labels: 落地 … 终止)"
    )
    skipped: dict[str, int] = Field(description="real investments that could not train, by why")
    prior_only: list[str] = Field(description="features no case informs: the modes' prior weight")


class CityLearnedFrom(BaseModel):
    """What the city model learned from."""

    pairings: int = Field(description="real partners among the candidates (existing pairings)")
    verdicts: int = Field(description="users' verdicts on recommended partners")
    outcomes: int = Field(
        description="pipeline outcomes on city pairs (graded labels: 落地 5 … 意向 1; 终止 negative)"
    )


class EnterpriseBrief(BaseModel):
    id: int
    name: str
    hq_city: str
    industry_codes: list[str]
    is_demo: bool


class EnterpriseItem(Item):
    enterprise: EnterpriseBrief


class CityRecommendations(BaseModel):
    city: CityBrief
    mode: Mode | None
    model_version: str
    learned: bool
    learned_from: CityLearnedFrom
    items: list[CityItem]


class ExcludedSite(BaseModel):
    adcode: str
    name: str
    reason: str


class SiteRecommendations(BaseModel):
    enterprise: dict[str, Any]
    mode: Mode | None
    model_version: str
    learned: bool
    learned_from: LearnedFrom
    note: str | None
    items: list[SiteItem]
    excluded_count: int
    excluded: list[ExcludedSite] | None = None
    resolved: list[Resolution] | None = Field(
        None, description="how the profile's industry and resource words were read (POST only)"
    )


class EnterpriseRecommendations(BaseModel):
    city: CityBrief
    mode: Mode | None
    model_version: str
    learned: bool
    learned_from: LearnedFrom
    note: str | None
    items: list[EnterpriseItem]


class Constraints(Shape):
    """Hard constraints on sites (each applied exactly)."""

    model_config = ConfigDict(extra="forbid")
    max_distance_km: float | None = Field(None, gt=0, le=10_000, description="from headquarters")
    provinces: list[str] = Field(
        [], max_length=40, description="keep only these provinces (names or adcodes)"
    )
    exclude_provinces: list[str] = Field([], max_length=40)
    require_bonded_zone: bool = False
    require_airport: bool = False
    require_high_speed_rail: bool = False
    min_population_10k: float | None = Field(None, ge=0, le=1e5)


def enterprise_profile(data: EnterpriseBase, hq_city: str | None = None) -> EnterpriseProfile:
    """The engine's view of an enterprise, saved or not (``hq_city`` resolved to an adcode)."""
    return EnterpriseProfile(
        name=data.name,
        hq_city=hq_city or data.hq_city,
        industry_codes=tuple(data.industry_codes),
        industry_words=words(list(data.industry_keywords)),
        needs=words(list(data.needs_resources)),
        modes=tuple(str(m) for m in data.preferred_modes),
        land_mu=data.land_mu,
        workers=data.workers,
        energy_intensity=str(data.energy_intensity) if data.energy_intensity else None,
    )


def partners(
    session: Session,
    state: EngineState,
    *,
    city: str,
    mode: Mode | None = None,
    limit: int = 10,
    exclude_existing: bool = False,
) -> CityRecommendations:
    """Partner cities for a base city (adcode or any name the resolver understands)."""
    engine = state.get(session)
    adcode = repository.resolve_city(session, value=city, field="city")
    items = engine.partners(adcode, mode=mode, limit=limit, exclude_existing=exclude_existing)
    return _city_answer(session, engine, adcode, mode, items, lambda key: (adcode, key))


def base_cities(
    session: Session,
    state: EngineState,
    *,
    city: str,
    mode: Mode | None = None,
    limit: int = 10,
    exclude_existing: bool = False,
) -> CityRecommendations:
    """Base-area cities a developed city could support."""
    engine = state.get(session)
    adcode = repository.resolve_city(session, value=city, field="city")
    items = engine.base_cities(adcode, mode=mode, limit=limit, exclude_existing=exclude_existing)
    return _city_answer(session, engine, adcode, mode, items, lambda key: (key, adcode))


def sites_for_enterprise(
    session: Session,
    state: EngineState,
    *,
    enterprise_id: int,
    mode: Mode | None = None,
    limit: int = 10,
    constraints: Constraints | None = None,
    explain_excluded: bool = False,
) -> SiteRecommendations:
    """Relocation sites for a stored enterprise."""
    row = repository.get_profile(session, kind=KINDS["enterprises"], id=enterprise_id)
    brief = EnterpriseBrief.model_validate(row, from_attributes=True).model_dump()
    return _sites(
        session,
        state.get(session),
        enterprise_profile(row),
        brief,
        mode,
        limit,
        constraints or Constraints(),
        explain_excluded,
    )


def sites_for_profile(
    session: Session,
    state: EngineState,
    *,
    enterprise: EnterpriseBase,
    mode: Mode | None = None,
    limit: int = 10,
    constraints: Constraints | None = None,
    explain_excluded: bool = False,
) -> SiteRecommendations:
    """Relocation sites for an unsaved enterprise profile (its city given as any name)."""
    hq = repository.resolve_city(session, value=enterprise.hq_city, field="enterprise.hq_city")
    values = enterprise.model_dump()
    known = repository.resource_words(session) if values.get("needs_resources") else ()
    resolved = resolve_fields(values, prefix="enterprise.", known=known)  # or a 422
    enterprise = type(enterprise).model_validate(values)
    brief = enterprise.model_dump(include={"name", "industry_codes"}) | {"hq_city": hq}
    answer = _sites(
        session,
        state.get(session),
        enterprise_profile(enterprise, hq),
        brief,
        mode,
        limit,
        constraints or Constraints(),
        explain_excluded,
    )
    return answer.model_copy(update={"resolved": resolved})


def enterprises_to_invite(
    session: Session,
    state: EngineState,
    *,
    city: str,
    mode: Mode | None = None,
    limit: int = 10,
) -> EnterpriseRecommendations:
    """Enterprises a base city could invite, each with the reasons the city fits it."""
    engine = state.get(session)
    adcode = repository.resolve_city(session, value=city, field="city")
    arrays = state.enterprises(session, engine)
    rows, _, _ = engine.enterprises_for(adcode, arrays, mode=mode, limit=limit)
    stored = repository.enterprises_by_id(session, [int(arrays.ids[r]) for r in rows])
    found = {e.id for e in stored}  # one deleted since the arrays were built is skipped
    rows = np.array([r for r in rows if int(arrays.ids[r]) in found], dtype=int)
    matches = engine.invited(
        [enterprise_profile(e) for e in stored], arrays, rows, adcode, mode=mode
    )
    items = [
        EnterpriseItem(
            enterprise=EnterpriseBrief.model_validate(row, from_attributes=True),
            **_item_fields(match),
        )
        for row, match in zip(stored, matches, strict=True)
    ]
    learned = bool(engine.site_model.ranker.learned_)
    return EnterpriseRecommendations(
        city=_briefs(session, [adcode])[adcode],
        mode=mode,
        model_version=engine.site_model.version,
        learned=learned,
        learned_from=learned_from(engine),
        note=site_note(engine),
        items=items,
    )


def _briefs(session: Session, adcodes: Sequence[str]) -> dict[str, CityBrief]:
    return {
        c.adcode: CityBrief.model_validate(c, from_attributes=True)
        for c in repository.cities_by_adcode(session, adcodes)
    }


def _item_fields(item: Recommendation) -> dict[str, Any]:
    clause, _ = mode_clause(item.mode)
    return {
        "rank": item.rank,
        "score": item.score,
        "mode": item.mode,
        "mode_label": item.mode.label,
        "clause": clause,
        "mode_scores": item.mode_scores,
        "reasons": [
            ReasonOut(
                feature=r.feature,
                text=r.text,
                contribution=r.contribution,
                matches=[MatchOut.model_validate(m, from_attributes=True) for m in r.matches],
                source=r.source,
                year=r.year,
                confidence=r.confidence,
                sources=[SourceOut(**vars(source)) for source in r.sources],
            )
            for r in item.reasons
        ],
    }


def _city_items(
    session: Session,
    items: list[Recommendation],
    pair_of: Callable[[str], tuple[str, str | None]],
) -> list[CityItem]:
    briefs = _briefs(session, [i.key for i in items])
    existing_pairs = [pair_of(i.key) for i in items if i.existing]
    stored = repository.pairings_between(session, [(b, p) for b, p in existing_pairs if p])
    result = []
    for item in items:
        existing = None
        if item.existing:
            rows = stored.get(pair_of(item.key), [])
            existing = ExistingPairing(
                schemes=list(item.existing),
                labels=[Scheme(s).label if s in Scheme.labels() else s for s in item.existing],
                pairings=[
                    {
                        "id": p.id,
                        "scheme": p.scheme,
                        "scheme_label": p.scheme.label if p.scheme else None,
                        "since": p.since,
                        "status": p.status,
                        "status_label": p.status.label,
                        "source": p.source,
                    }
                    for p in rows
                ],
            )
        result.append(
            CityItem(
                city=briefs[item.key],
                distance_km=item.distance_km,
                existing_pairing=existing,
                frameworks=list(item.frameworks),
                data_gaps=[DataGapOut(feature=g.feature, text=g.text) for g in item.data_gaps],
                **_item_fields(item),
            )
        )
    return result


def _city_answer(
    session: Session,
    engine: Engine,
    adcode: str,
    mode: Mode | None,
    items: list[Recommendation],
    pair_of: Callable[[str], tuple[str, str | None]],
) -> CityRecommendations:
    return CityRecommendations(
        city=_briefs(session, [adcode])[adcode],
        mode=mode,
        model_version=engine.city_model.version,
        learned=engine.city_model.ranker.learned_,
        learned_from=city_learned_from(engine),
        items=_city_items(session, items, pair_of),
    )


def city_learned_from(engine: Engine) -> CityLearnedFrom:
    facts = engine.city_model.metrics
    return CityLearnedFrom(
        pairings=int(facts.get("pairings", facts.get("positives", 0))),
        verdicts=int(facts.get("verdicts", 0)),
        outcomes=int(facts.get("outcomes", 0)),
    )


def _province_codes(session: Session, values: list[str], field: str) -> tuple[str, ...]:
    return tuple(repository.resolve_province(session, value=v, field=field) for v in values)


def _sites(
    session: Session,
    engine: Engine,
    profile: EnterpriseProfile,
    enterprise: dict[str, Any],
    mode: Mode | None,
    limit: int,
    constraints: Constraints,
    explain_excluded: bool,
) -> SiteRecommendations:
    rules = SiteConstraints(
        max_distance_km=constraints.max_distance_km,
        provinces=_province_codes(session, constraints.provinces, "provinces"),
        exclude_provinces=_province_codes(
            session, constraints.exclude_provinces, "exclude_provinces"
        ),
        require_bonded_zone=constraints.require_bonded_zone,
        require_airport=constraints.require_airport,
        require_high_speed_rail=constraints.require_high_speed_rail,
        min_population_10k=constraints.min_population_10k,
    )
    result = engine.sites(profile, mode=mode, limit=limit, constraints=rules)
    names = _briefs(session, list(result.excluded)) if explain_excluded else {}
    return SiteRecommendations(
        enterprise=enterprise,
        mode=mode,
        model_version=engine.site_model.version,
        learned=result.learned,
        learned_from=learned_from(engine),
        note=site_note(engine),
        items=_site_items(session, engine, result.items),
        excluded_count=len(result.excluded),
        excluded=[
            ExcludedSite(adcode=a, name=names[a].name, reason=r) for a, r in result.excluded.items()
        ]
        if explain_excluded
        else None,
    )


def learned_from(engine: Engine) -> LearnedFrom:
    facts = engine.site_model.metrics
    return LearnedFrom(
        investments=int(facts.get("cases", 0)) if engine.site_model.ranker.learned_ else 0,
        clusters=int(facts.get("clusters", 0)),
        feedback=int(facts.get("verdicts", 0)),
        outcomes=int(facts.get("outcomes", 0)),
        skipped=dict(facts.get("skipped", {})),
        prior_only=list(facts.get("prior_only", [])),
    )


def site_note(engine: Engine) -> str:
    """What a site score means, in Chinese."""
    if not engine.site_model.ranker.learned_:
        return NO_HISTORY
    facts = learned_from(engine)
    return (
        f"按 {facts.investments} 个真实投资案例（{facts.clusters} 组企业/事件）与 "
        f"{facts.feedback} 条用户反馈、{facts.outcomes} 条合作进程结果学习；"
        "得分为该企业在全部老区候选城市中选中此城市的概率"
    )


def _site_items(session: Session, engine: Engine, items: list[Recommendation]) -> list[SiteItem]:
    cities = _city_items(session, items, lambda key: (key, None))
    result = []
    for city, item in zip(cities, items, strict=True):
        record = engine.cities.records[engine.cities.index[item.key]]
        fields = city.model_dump() | {
            "distance_km": item.distance_km or 0.0,
            "longitude": record.longitude,
            "latitude": record.latitude,
            "sources": [SourceOut(**vars(source)) for source in item.sources],
        }
        result.append(SiteItem(**fields))
    return result
