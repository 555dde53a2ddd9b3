"""Training sets for the city-pair ranker: existing pairings and feedback as labelled queries.

Each base city with known partners is one query: its candidates (who may help it, see
``matching.frameworks.candidate_mask``) are rows, 1 for a real partner (or an accepted
recommendation), 0 for the others (or a rejected one). Pairing-derived features (a partner's
load, the pairings between two provinces) are counted without the query's own base city, so
that no row sees its own label.
"""

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from matching.features import (
    CITY_FEATURES,
    SITE_FEATURES,
    SiteSide,
    Ties,
    city_pair_features,
    site_features,
)
from matching.frameworks import FrameworkTie, TieTables, candidate_mask
from matching.ranker import PairRanker, SavedModel, fingerprint
from matching.records import CityArrays, EnterpriseArrays
from matching.site_cases import SiteCase, choice_set
from matching.site_ranker import SiteRanker
from matching.vocabulary import Stage

FEEDBACK_WEIGHT = 3.0  # a user's explicit verdict counts for more than an unlabelled candidate
# What became of a pair teaches as a graded label: the further it went, the more its target
# weighs (落地 as much as an explicit verdict, 意向 a fifth of that). 终止 (a declined interest
# too) is a negative as strong as a rejection; a recommendation shown and left at 推荐 is a
# weak one (half a rejection).
OUTCOME_GRADES: dict[Stage, int] = {
    Stage.landed: 5,
    Stage.signed: 4,
    Stage.meeting: 3,
    Stage.contact: 2,
    Stage.interest: 1,
}
IGNORED_WEIGHT = FEEDBACK_WEIGHT / 2
# Chosen on the held-out protocols of ``counterpart evaluate`` (grouped and leave-one-scheme-out):
# these features did not help rank unseen pairings, so the learned score leaves them out and
# only the modes' priors use them.
CITY_RANKER_PARAMS: dict[str, object] = {
    "alpha": 0.1,
    "exclude": (
        "gradient",
        "same_province",
        "partner_load",
        "industry_fit",
        "market_product",
        "cost_proximity",
    ),
}


@dataclass(frozen=True)
class KnownPairing:
    """A pairing between a base city and a partner city (prefecture level, or a county-level
    city that asks on its own); ``active`` is False once its programme has ended."""

    base: str
    partner: str
    scheme: str
    active: bool = True


@dataclass(frozen=True)
class Verdict:
    """A label on a pair: a user's verdict (accepted/contacted 1, rejected 0) or, with
    ``origin`` "pipeline", what became of the pair (``outcome_label``), with its weight."""

    base: str
    partner: str
    label: int
    weight: float = FEEDBACK_WEIGHT
    origin: str = "feedback"


def outcome_label(stage: Stage, *, ignored: bool = False) -> tuple[int, float] | None:
    """(label, weight) for a pair at ``stage``; None while a recommendation is merely open.

    ``ignored``: a 推荐 left untouched for longer than the pipeline's patience."""
    if stage == Stage.terminated:
        return 0, FEEDBACK_WEIGHT
    if stage == Stage.recommended:
        return (0, IGNORED_WEIGHT) if ignored else None
    return 1, FEEDBACK_WEIGHT * OUTCOME_GRADES[stage] / max(OUTCOME_GRADES.values())


def origins(labels: Sequence[Verdict]) -> dict[str, int]:
    """How many labels came from users' verdicts and from the pipeline."""
    counts = Counter(v.origin for v in labels)
    return {"verdicts": counts["feedback"], "outcomes": counts["pipeline"]}


@dataclass
class TrainingSet:
    X: np.ndarray
    y: np.ndarray
    groups: np.ndarray  # the base city's adcode: the query, and the group of grouped CV
    weights: np.ndarray
    partners: np.ndarray  # the candidate row (city index) of each pair
    uncovered: int = 0  # real partners outside their base city's candidates


def ties_from(tables: TieTables | None, pairings: Sequence[KnownPairing]) -> Ties:
    return Ties(tables, frozenset((p.base, p.partner) for p in pairings))


def candidates_of(tables: TieTables, row: int) -> np.ndarray:
    """The rows that may be recommended to help the city at ``row``."""
    return np.flatnonzero(candidate_mask(tables, np.array([row]))[0])


def city_training_set(
    cities: CityArrays,
    pairings: Sequence[KnownPairing],
    tables: TieTables,
    verdicts: Sequence[Verdict] = (),
) -> TrainingSet:
    """One row per (base city with known partners or verdicts, candidate partner)."""
    partners_of: dict[str, set[str]] = defaultdict(set)
    for pairing in pairings:
        partners_of[pairing.base].add(pairing.partner)
    verdict_of = {(v.base, v.partner): v for v in verdicts}  # the last label of a pair counts
    ties = ties_from(tables, pairings)
    bases = [b for b in sorted(set(partners_of) | {v.base for v in verdicts}) if b in cities.index]
    if bases:  # every base against every city at once; each query then gathers its candidates
        every = city_pair_features(cities, cities.indices(bases), np.arange(len(cities)), ties)
        masks = candidate_mask(tables, cities.indices(bases))
    blocks, labels, groups, weights, rows = [], [], [], [], []
    uncovered = 0
    for k, base in enumerate(bases):
        row = cities.index[base]
        extra = cities.indices([p for b, p in verdict_of if b == base and p in cities.index])
        columns = np.setdiff1d(np.union1d(np.flatnonzero(masks[k]), extra), [row])
        features = every[k, columns]
        adcodes = [cities.records[c].adcode for c in columns]
        label = np.array([1 if a in partners_of[base] else 0 for a in adcodes])
        uncovered += len(partners_of[base] - set(adcodes))
        weight = np.ones(len(columns))
        for k, adcode in enumerate(adcodes):
            if (base, adcode) in verdict_of:
                label[k] = verdict_of[(base, adcode)].label
                weight[k] = verdict_of[(base, adcode)].weight
        blocks.append(features)
        labels.append(label)
        weights.append(weight)
        groups.append(np.full(len(columns), base))
        rows.append(columns)
    if not blocks:
        empty = np.zeros((0, len(CITY_FEATURES)))
        return TrainingSet(empty, np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0, int))
    return TrainingSet(
        np.vstack(blocks),
        np.concatenate(labels),
        np.concatenate(groups),
        np.concatenate(weights),
        np.concatenate(rows),
        uncovered,
    )


def fit_city_ranker(data: TrainingSet, **params: object) -> PairRanker:
    """The listwise city ranker (``CITY_RANKER_PARAMS`` unless ``params`` say otherwise)."""
    chosen = CITY_RANKER_PARAMS | params
    return PairRanker(feature_names=CITY_FEATURES, kind="city", **chosen).fit(  # type: ignore[arg-type]
        data.X, data.y, data.weights, groups=data.groups
    )


def train_city_ranker(
    cities: CityArrays,
    pairings: Sequence[KnownPairing],
    frameworks: Sequence[FrameworkTie],
    verdicts: Sequence[Verdict] = (),
    **params: object,
) -> SavedModel:
    """Fit the city-pair ranker on every known pairing and verdict; version it."""
    data = city_training_set(cities, pairings, TieTables(cities, frameworks), verdicts)
    ranker = fit_city_ranker(data, **params)
    digest = fingerprint(
        sorted((p.base, p.partner, p.scheme) for p in pairings),
        sorted((v.base, v.partner, v.label, v.weight, v.origin) for v in verdicts),
        data.X,
    )
    return SavedModel.stamped(
        "city",
        ranker,
        digest,
        {
            "pairs": len(data.y),
            "positives": int(data.y.sum()),
            "pairings": len(pairings) - data.uncovered,
            "partners_outside_candidates": data.uncovered,
            **origins(verdicts),
            "schemes": dict(Counter(p.scheme for p in pairings)),
        },
    )


def site_reference(cities: CityArrays) -> tuple[EnterpriseArrays, np.ndarray]:
    """A reference population for site features, which sets their scale before any case
    exists (and, for needs no case records, always): each partner city's industries as an
    enterprise headquartered there, needing what one of the base-area cities holds (the
    resources of the base-area cities in turn), so that a met need is as rare as it is."""
    partners = cities.partner_candidates
    held = [
        tuple(c for _, codes in cities.records[b].resources for c in codes)
        for b in cities.base_cities
    ]
    held = [codes for codes in held if codes] or [()]
    arrays = EnterpriseArrays.build(
        cities,
        ids=list(range(len(partners))),
        hq_cities=[cities.records[p].adcode for p in partners],
        industry_codes=[cities.records[p].industry_codes or ("C",) for p in partners],
        need_codes=[held[k % len(held)] for k in range(len(partners))],
    )
    return arrays, np.arange(len(partners))


def train_site_ranker(
    cities: CityArrays,
    cases: Sequence[SiteCase] = (),
    pairings: Sequence[KnownPairing] = (),
    **params: Any,
) -> SavedModel:
    """The site ranker, learned from real investments, users' verdicts and the pipeline's
    outcomes (``SiteCase``s, ``origin`` "investment", "feedback" or "pipeline").

    Without enough usable cases it ranks by the modes' priors, scaled on a reference
    population (each partner city's industries as an enterprise there).
    """
    side = SiteSide.build(
        cities, cities.base_cities, frozenset((p.base, p.partner) for p in pairings)
    )
    data = choice_set(cities, cases, side)
    ranker = SiteRanker(feature_names=SITE_FEATURES, **params)
    reference, rows = site_reference(cities)
    X = site_features(cities, reference, rows, side).reshape(-1, len(SITE_FEATURES))
    if data.queries:
        ranker.fit(data.X, data.y, data.query, data.weights, clusters=data.cluster, reference=X)
    if not getattr(ranker, "learned_", False):
        ranker.fit(X)
    used = {int(q) for q in np.unique(data.query)} if data.queries else set()
    real = [c for k, c in enumerate(cases) if k in used and c.origin == "investment"]
    taught = Counter(c.origin for k, c in enumerate(cases) if k in used)
    digest = fingerprint(
        sorted((c.enterprise, c.hq or "", c.site, c.chosen, c.weight) for c in cases),
        data.X if data.queries else np.zeros(0),
    )
    return SavedModel.stamped(
        "site",
        ranker,  # type: ignore[arg-type]
        digest,
        {
            **ranker.facts(),
            "cases": len(real),
            "verdicts": taught["feedback"],
            "outcomes": taught["pipeline"],
            "clusters": len({c.cluster for c in real}),
            "skipped": data.skipped,
            "weights": ranker.weights_table(),
        },
    )
