"""Opportunities (合作机会) as every entry point uses them: matches, recommendations, expiry,
announcements of new strong matches, and learning from graded outcomes.

The matching itself is ``matching.opportunities`` (pure); the index of every opportunity, city
and enterprise is built once per process and data version (``EngineState.opportunities``).
"""

import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, Field
from sqlalchemy import update
from sqlmodel import Session, select

from matching.opportunities import (
    COMPLEMENTS,
    ENTERPRISE_TAKES,
    FEATURES,
    MAX_GRADE,
    Block,
    OpportunityIndex,
    OpportunityScorer,
    Scored,
    Side,
    explain,
)
from matching.training import OUTCOME_GRADES
from matching.vocabulary import OpportunityStatus, OpportunityType, Stage
from profiles import outbox, pipeline, repository
from profiles.errors import InvalidReference, NotFound
from profiles.kinds import KINDS
from profiles.models import Opportunity, RecommendationCache, utcnow
from profiles.ranking import EngineState
from profiles.recommending import MatchOut

SUBJECT = "opportunity:"
Counterpart = Literal["opportunity", "city", "enterprise"]


class Learned(BaseModel):
    """What the opportunity scorer learned from."""

    labels: int = Field(description="graded outcomes (0–5) the scorer was fitted on; 0: priors")
    model: Literal["prior", "learned"]
    weights: dict[str, float] = Field(description="the weight of each pair feature")


class OpportunityBrief(BaseModel):
    id: int
    type: OpportunityType
    type_label: str
    title: str
    city: str
    mode: str | None
    status: OpportunityStatus
    closes_on: date | None
    is_demo: bool


class CityRef(BaseModel):
    adcode: str
    name: str
    province: str


class EnterpriseRef(BaseModel):
    id: int
    name: str
    hq_city: str
    is_demo: bool


class MatchReasonOut(BaseModel):
    feature: str = Field(description="text · industry · chain · framework · proximity · mode")
    text: str
    terms: list[str] = Field([], description="terms both texts contain")
    matches: list[MatchOut] = Field([], description="the words and codes on each side")
    frameworks: list[str] = Field([], description="frameworks tying the two cities")


class OpportunityMatch(BaseModel):
    rank: int
    score: float = Field(ge=0, le=1)
    features: dict[str, float]
    distance_km: float | None
    reasons: list[MatchReasonOut]
    opportunity: OpportunityBrief | None = None
    city: CityRef | None = None
    enterprise: EnterpriseRef | None = None


class OpportunityMatches(BaseModel):
    opportunity: OpportunityBrief
    complements: list[OpportunityType] = Field(description="the types it is matched against")
    learned_from: Learned
    opportunities: list[OpportunityMatch]
    cities: list[OpportunityMatch] = Field(
        description="partner cities for a base-area opportunity, base-area cities otherwise"
    )
    enterprises: list[OpportunityMatch] = Field([], description="for an investment project")


class RecommendedOpportunities(BaseModel):
    city: CityRef | None = None
    enterprise: EnterpriseRef | None = None
    learned_from: Learned
    items: list[OpportunityMatch]


class OutcomeLabel(BaseModel):
    """A graded outcome of a pair: 5 落地, 4 签约, 3 会谈, 2 接洽, 1 意向, 0 shown and ignored,
    declined (拒绝) or ended (终止)."""

    opportunity_id: int
    counterpart: Counterpart = "opportunity"
    key: str = Field(description="the other side: an opportunity id, an adcode or an enterprise id")
    grade: int = Field(ge=0, le=MAX_GRADE)


# ---------------------------------------------------------------- reading
def learned(scorer: OpportunityScorer) -> Learned:
    return Learned(
        labels=scorer.n_labels_,
        model="learned" if scorer.n_labels_ else "prior",
        weights={f: round(float(w), 4) for f, w in zip(FEATURES, scorer.coef_, strict=True)},
    )


def brief(row: Opportunity) -> OpportunityBrief:
    kind = OpportunityType(row.type)
    return OpportunityBrief(
        id=row.id or 0,
        type=kind,
        type_label=kind.label,
        title=row.title,
        city=row.city,
        mode=row.mode.value if row.mode else None,
        status=OpportunityStatus(row.status),
        closes_on=row.closes_on,
        is_demo=row.is_demo,
    )


def _index(session: Session, state: EngineState) -> OpportunityIndex:
    return state.opportunities(session, state.get(session))


def _items(
    session: Session,
    index: OpportunityIndex,
    query: Side,
    scored: list[Scored],
    kind: Counterpart,
) -> list[OpportunityMatch]:
    """Ranked candidates with their reasons and who they are."""
    if kind == "opportunity":
        rows = session.exec(
            select(Opportunity).where(Opportunity.id.in_([s.side.key for s in scored]))  # type: ignore[union-attr]
        ).all()
        found: dict[Any, Any] = {r.id: brief(r) for r in rows}
    elif kind == "enterprise":
        rows = repository.enterprises_by_id(session, [int(s.side.key) for s in scored])
        found = {
            r.id: EnterpriseRef(id=r.id or 0, name=r.name, hq_city=r.hq_city, is_demo=r.is_demo)
            for r in rows
        }
    else:
        records = {r.adcode: r for r in index.cities.records}
        found = {
            s.side.key: CityRef(
                adcode=str(s.side.key),
                name=records[str(s.side.key)].name,
                province=records[str(s.side.key)].province,
            )
            for s in scored
        }
    return [
        OpportunityMatch(
            rank=rank,
            score=item.score,
            features=item.features,
            distance_km=item.distance_km,
            reasons=[_reason(r) for r in explain(index, query, item.side, item)],
            **{kind: found[item.side.key]},
        )
        for rank, item in enumerate((s for s in scored if s.side.key in found), start=1)
    ]


def _reason(reason: Any) -> MatchReasonOut:
    return MatchReasonOut(
        feature=reason.feature,
        text=reason.text,
        terms=list(reason.terms),
        matches=[
            MatchOut(
                source_word=m.source_word,
                source_code=m.source_code,
                target_word=m.target_word,
                target_code=m.target_code,
                path=list(m.path),
                steps=list(m.steps),
            )
            for m in reason.matches
        ],
        frameworks=list(reason.frameworks),
    )


def _position(index: OpportunityIndex, opportunity_id: int) -> tuple[Block, int]:
    block = index.block_of(opportunity_id)
    if block is None:
        raise NotFound("opportunity", opportunity_id)
    return block, block.position[opportunity_id]


def matches(
    session: Session, state: EngineState, *, id: int, limit: int = 10
) -> OpportunityMatches:
    """The complementary opportunities, the cities (and, for an investment project, the
    enterprises) that fit an opportunity, best first, each with its reasons."""
    row = repository.get_profile(session, kind=KINDS["opportunities"], id=id)
    index = _index(session, state)
    block, position = _position(index, id)
    query = block.sides[position]
    kind = OpportunityType(row.type)
    others = index.rank(
        block, position, index.complements(kind), limit=limit, exclude=frozenset({id})
    )
    cities = index.rank(
        block,
        position,
        [index.city_block],
        limit=limit,
        candidates=index.city_candidates(query),
    )
    enterprises = (
        index.rank(block, position, [index.enterprise_block], limit=limit)
        if kind == OpportunityType.investment_project
        else []
    )
    return OpportunityMatches(
        opportunity=brief(row),
        complements=list(COMPLEMENTS[kind]),
        learned_from=learned(index.scorer),
        opportunities=_items(session, index, query, others, "opportunity"),
        cities=_items(session, index, query, cities, "city"),
        enterprises=_items(session, index, query, enterprises, "enterprise"),
    )


def for_city(
    session: Session, state: EngineState, *, city: str, limit: int = 10
) -> RecommendedOpportunities:
    """Open opportunities elsewhere that a city's industries, resources and products fit."""
    adcode = repository.resolve_city(session, value=city, field="city")
    index = _index(session, state)
    record = (
        index.cities.records[index.cities.index[adcode]] if adcode in index.cities.index else None
    )
    position = index.city_block.position.get(adcode)
    if record is None or position is None:
        raise InvalidReference("city", city, "opportunities are matched to prefecture-level cities")
    scored = index.rank(
        index.city_block,
        position,
        list(index.blocks.values()),
        limit=limit,
        exclude_city=adcode,
    )
    query = index.city_block.sides[position]
    return RecommendedOpportunities(
        city=CityRef(adcode=adcode, name=record.name, province=record.province),
        learned_from=learned(index.scorer),
        items=_items(session, index, query, scored, "opportunity"),
    )


def for_enterprise(
    session: Session, state: EngineState, *, enterprise_id: int, limit: int = 10
) -> RecommendedOpportunities:
    """Open opportunities an enterprise could take up: projects to invest in, requests to
    supply, technologies to adopt, products to buy, labour to hire."""
    row = repository.get_profile(session, kind=KINDS["enterprises"], id=enterprise_id)
    index = _index(session, state)
    position = index.enterprise_block.position.get(enterprise_id)
    if position is None:
        raise NotFound("enterprise", enterprise_id)
    scored = index.rank(
        index.enterprise_block,
        position,
        [index.blocks[t] for t in ENTERPRISE_TAKES],
        limit=limit,
    )
    query = index.enterprise_block.sides[position]
    return RecommendedOpportunities(
        enterprise=EnterpriseRef(
            id=enterprise_id, name=row.name, hq_city=row.hq_city, is_demo=row.is_demo
        ),
        learned_from=learned(index.scorer),
        items=_items(session, index, query, scored, "opportunity"),
    )


# ---------------------------------------------------------------- jobs
def expire(session: Session, *, today: date) -> int:
    """Mark open opportunities whose closing date has passed as expired; how many."""
    result = session.execute(
        update(Opportunity)
        .where(
            Opportunity.status == OpportunityStatus.open,  # type: ignore[arg-type]
            Opportunity.closes_on < today,  # type: ignore[operator]
        )
        .values(status=OpportunityStatus.expired, updated_at=utcnow())
    )
    return result.rowcount or 0


def _stamp(*parts: Any) -> str:
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()[:32]


def announce_matches(
    session: Session, state: EngineState, *, min_score: float, top_k: int, now: datetime
) -> dict[str, int]:
    """Emit ``opportunity.matched`` for each open, non-demo opportunity's new strong matches
    (score ≥ ``min_score`` among its ``top_k``), remembering what was announced."""
    index = _index(session, state)
    stamp = _stamp(len(index), learned(index.scorer).weights)
    cached = {
        row.subject: row
        for row in session.exec(
            select(RecommendationCache).where(RecommendationCache.subject.like(f"{SUBJECT}%"))  # type: ignore[attr-defined]
        ).all()
    }
    live = session.exec(
        select(Opportunity).where(
            Opportunity.status == OpportunityStatus.open,  # type: ignore[arg-type]
            Opportunity.archived.is_(False),  # type: ignore[attr-defined]
            Opportunity.is_demo.is_(False),  # type: ignore[attr-defined]
        )
    ).all()
    emitted = checked = 0
    for row in live:
        block, position = _position(index, row.id or 0)
        kind = OpportunityType(row.type)
        strong = [
            s
            for s in index.rank(
                block, position, index.complements(kind), limit=top_k, exclude=frozenset({row.id})
            )
            if s.score >= min_score
        ]
        subject = f"{SUBJECT}{row.id}"
        previous = cached.get(subject)
        before = {i["key"] for i in previous.items} if previous else set()
        new = [s for s in strong if s.side.key not in before]
        checked += 1
        if new:
            query = block.sides[position]
            for item in _items(session, index, query, new, "opportunity"):
                outbox.emit(
                    session,
                    outbox.OPPORTUNITY_MATCHED,
                    {
                        "opportunity": brief(row).model_dump(mode="json"),
                        "match": item.opportunity.model_dump(mode="json")
                        if item.opportunity
                        else None,
                        "score": item.score,
                        "reasons": [r.text for r in item.reasons],
                    },
                )
                emitted += 1
        items = [{"key": s.side.key, "score": s.score} for s in strong]
        if previous is None:
            session.add(
                RecommendationCache(
                    subject=subject,
                    items=items,
                    model_version="opportunity",
                    stamp=stamp,
                    computed_at=now,
                )
            )
        else:
            previous.items, previous.stamp, previous.computed_at = items, stamp, now
            session.add(previous)
    session.flush()
    return {"opportunities": checked, "events": emitted}


# ---------------------------------------------------------------- learning
def learn(session: Session, state: EngineState, labels: Sequence[OutcomeLabel]) -> Learned:
    """Fit the scorer on graded outcomes and save it; the next index uses it.

    Labels whose pair no longer exists (an archived opportunity, an unknown city) are skipped.
    """
    index = _index(session, state)
    grouped: dict[int, list[OutcomeLabel]] = defaultdict(list)
    for label in labels:
        grouped[label.opportunity_id].append(label)
    rows: list[np.ndarray] = []
    grades: list[int] = []
    for opportunity_id, group in grouped.items():
        block = index.block_of(opportunity_id)
        if block is None:
            continue
        for label in group:
            if label.counterpart != "city" and not label.key.isdigit():
                continue
            key: int | str = label.key if label.counterpart == "city" else int(label.key)
            target = (
                index.block_of(int(key))
                if label.counterpart == "opportunity"
                else index.city_block
                if label.counterpart == "city"
                else index.enterprise_block
            )
            if target is None or key not in target.position:
                continue
            features, _ = index.features(
                block, block.position[opportunity_id], target, np.array([target.position[key]])
            )
            rows.append(features[0])
            grades.append(label.grade)
    X = np.array(rows).reshape(-1, len(FEATURES))
    scorer = OpportunityScorer().fit(X, grades)
    state.save_opportunity_scorer(scorer)
    return learned(scorer)


COUNTERPARTS: dict[str, Counterpart] = {
    "opportunities": "opportunity",
    "cities": "city",
    "enterprises": "enterprise",
}


def pipeline_labels(session: Session) -> list[OutcomeLabel]:
    """The pipeline's outcomes for pairs that name an opportunity, graded 0–5 (落地 5 … 意向 1;
    ignored, declined and ended 0), from the opportunity's side."""
    labels: list[OutcomeLabel] = []
    for kind, counterpart in COUNTERPARTS.items():
        for entry, _, _ in pipeline.outcomes(session, "opportunities", kind):
            # kinds sort "cities" < "enterprises" < "opportunities": the b side is the opportunity
            grade = OUTCOME_GRADES.get(Stage(entry.stage), 0)
            if entry.b_id.isdigit():
                labels.append(
                    OutcomeLabel(
                        opportunity_id=int(entry.b_id),
                        counterpart=counterpart,
                        key=entry.a_id,
                        grade=grade,
                    )
                )
    return labels


def learn_from_pipeline(session: Session, state: EngineState) -> Learned:
    """Fit the opportunity scorer on every pipeline outcome that names an opportunity."""
    return learn(session, state, pipeline_labels(session))
