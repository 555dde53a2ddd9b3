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

FEEDBACK_WEIGHT = 3.0  # a user's explicit verdict counts for more than an unlabelled candidate
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
    """A user's verdict on a recommended pair: accepted/contacted (1) or rejected (0)."""

    base: str
    partner: str
    label: int


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
    verdict_of: dict[tuple[str, str], int] = {(v.base, v.partner): v.label for v in verdicts}
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
                label[k] = verdict_of[(base, adcode)]
                weight[k] = FEEDBACK_WEIGHT
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
        sorted((v.base, v.partner, v.label) for v in verdicts),
        data.X,
    )
    return SavedModel.stamped(
        "city",
        ranker,
        digest,
        {
            "pairs": len(data.y),
            "positives": int(data.y.sum()),
            "partners_outside_candidates": data.uncovered,
            "verdicts": len(verdicts),
            "schemes": dict(Counter(p.scheme for p in pairings)),
        },
    )


@dataclass(frozen=True)
class SiteVerdict:
    """A verdict on an enterprise–site recommendation; ``row`` indexes the verdict arrays."""

    row: int
    site: str
    label: int


def site_reference(cities: CityArrays) -> tuple[EnterpriseArrays, np.ndarray]:
    """A reference population for site features: each partner city's own industries as an
    enterprise headquartered there. It sets the features' scale before any verdict exists."""
    partners = cities.partner_candidates
    arrays = EnterpriseArrays.build(
        cities,
        ids=list(range(len(partners))),
        hq_cities=[cities.records[p].adcode for p in partners],
        industry_codes=[cities.records[p].industry_codes or ("C",) for p in partners],
        need_codes=[
            tuple(c for _, codes in cities.records[p].resources for c in codes) for p in partners
        ],
    )
    return arrays, np.arange(len(partners))


def train_site_ranker(
    cities: CityArrays,
    verdict_arrays: EnterpriseArrays | None = None,
    verdicts: Sequence[SiteVerdict] = (),
    **params: float,
) -> SavedModel:
    """The site ranker: scaled on the reference population, learned once verdicts allow."""
    side = SiteSide.build(cities, cities.base_cities)
    reference, rows = site_reference(cities)
    blocks = [site_features(cities, reference, rows, side).reshape(-1, len(SITE_FEATURES))]
    labels = [np.full(len(blocks[0]), -1)]
    if verdict_arrays is not None and verdicts:
        full = SiteSide.build(cities, cities.indices([v.site for v in verdicts]))
        X = site_features(cities, verdict_arrays, np.array([v.row for v in verdicts]), full)
        blocks.append(X[np.arange(len(verdicts)), np.arange(len(verdicts))])
        labels.append(np.array([v.label for v in verdicts]))
    X_all, y_all = np.vstack(blocks), np.concatenate(labels)
    weights = np.where(y_all >= 0, FEEDBACK_WEIGHT, 1.0)
    ranker = PairRanker(feature_names=SITE_FEATURES, kind="site", **params).fit(
        X_all, y_all, weights
    )  # type: ignore[arg-type]
    digest = fingerprint(sorted((v.site, v.label) for v in verdicts), X_all)
    return SavedModel.stamped(
        "site",
        ranker,
        digest,
        {
            "reference_pairs": int((y_all < 0).sum()),
            "verdicts": len(verdicts),
            "learned": bool(ranker.learned_),
        },
    )
