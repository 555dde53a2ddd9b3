"""Training sets for the city-pair ranker: existing pairings and feedback as labelled pairs.

For every base city with known partners, each candidate partner is one row: 1 for a real
partner (or an accepted recommendation), 0 for the others (or a rejected one). A partner's
load (how many base cities it already supports) is counted without the row's own base city,
so that no row sees its own label.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
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
from matching.ranker import PairRanker, SavedModel, fingerprint
from matching.records import CityArrays, EnterpriseArrays
from matching.site_cases import SiteCase, choice_set
from matching.site_ranker import SiteRanker

FEEDBACK_WEIGHT = 3.0  # a user's explicit verdict counts for more than an unlabelled candidate


@dataclass(frozen=True)
class KnownPairing:
    """An existing pairing between a base city and a partner city (prefecture level)."""

    base: str
    partner: str
    scheme: str


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
    groups: np.ndarray  # the base city's adcode, for grouped cross-validation
    weights: np.ndarray
    partners: np.ndarray  # the candidate row (city index) of each pair


def partner_loads(pairings: Iterable[KnownPairing]) -> dict[str, set[str]]:
    bases: dict[str, set[str]] = defaultdict(set)
    for pairing in pairings:
        bases[pairing.partner].add(pairing.base)
    return bases


def ties_for(
    base: str, province_pairs: frozenset[tuple[str, str]], loads: dict[str, set[str]]
) -> Ties:
    """The ties a base city's rows may see: loads counted without the base itself."""
    return Ties(province_pairs, {p: len(b - {base}) for p, b in loads.items()})


def candidate_rows(cities: CityArrays, pairings: Sequence[KnownPairing]) -> np.ndarray:
    """The partner candidates, plus every city that is a known partner."""
    known = cities.indices(sorted({p.partner for p in pairings if p.partner in cities.index}))
    return np.union1d(cities.partner_candidates, known)


def city_training_set(
    cities: CityArrays,
    pairings: Sequence[KnownPairing],
    province_pairs: frozenset[tuple[str, str]],
    candidates: np.ndarray,
    verdicts: Sequence[Verdict] = (),
) -> TrainingSet:
    """One row per (base city with known partners or verdicts, candidate partner)."""
    partners_of: dict[str, set[str]] = defaultdict(set)
    for pairing in pairings:
        partners_of[pairing.base].add(pairing.partner)
    verdict_of: dict[tuple[str, str], int] = {(v.base, v.partner): v.label for v in verdicts}
    loads = partner_loads(pairings)
    blocks, labels, groups, weights, rows = [], [], [], [], []
    for base in sorted(set(partners_of) | {v.base for v in verdicts}):
        if base not in cities.index:
            continue
        extra = cities.indices([p for b, p in verdict_of if b == base and p in cities.index])
        columns = np.setdiff1d(np.union1d(candidates, extra), cities.indices([base]))
        features = city_pair_features(
            cities, cities.indices([base]), columns, ties_for(base, province_pairs, loads)
        )[0]
        adcodes = [cities.records[c].adcode for c in columns]
        label = np.array([1 if a in partners_of[base] else 0 for a in adcodes])
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
    return TrainingSet(
        np.vstack(blocks),
        np.concatenate(labels),
        np.concatenate(groups),
        np.concatenate(weights),
        np.concatenate(rows),
    )


def train_city_ranker(
    cities: CityArrays,
    pairings: Sequence[KnownPairing],
    province_pairs: frozenset[tuple[str, str]],
    verdicts: Sequence[Verdict] = (),
    **params: float,
) -> SavedModel:
    """Fit the city-pair ranker on every known pairing and verdict; version it."""
    candidates = candidate_rows(cities, pairings)
    data = city_training_set(cities, pairings, province_pairs, candidates, verdicts)
    ranker = PairRanker(feature_names=CITY_FEATURES, kind="city", **params).fit(
        data.X, data.y, data.weights
    )  # type: ignore[arg-type]
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
            "verdicts": len(verdicts),
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
    """The site ranker, learned from real investments and users' verdicts (``SiteCase``s).

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
    digest = fingerprint(
        sorted((c.enterprise, c.hq or "", c.site, c.chosen) for c in cases),
        data.X if data.queries else np.zeros(0),
    )
    return SavedModel.stamped(
        "site",
        ranker,  # type: ignore[arg-type]
        digest,
        {
            **ranker.facts(),
            "cases": len(real),
            "verdicts": len(used) - len(real),
            "clusters": len({c.cluster for c in real}),
            "skipped": data.skipped,
            "weights": ranker.weights_table(),
        },
    )
