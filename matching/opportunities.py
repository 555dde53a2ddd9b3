"""Matching cooperation opportunities (合作机会) across their complementary types.

An offer meets a request (产品/产能, 技术), a labour supply a demand, a specialty product a
buyer's purchase intent; an investment project (招商项目) is answered by enterprises and partner
cities. Each side of a pair is a ``Side``: its text (title, keywords, industry words,
description), its GB/T 4754 codes with the words they came from, its city and its modes.

``OpportunityIndex`` turns every side into matrices once: one character n-gram TF-IDF fitted
and applied once on all the texts (Chinese needs no segmenter), code weights over the 97 大类, city rows and
modes, one ``Block`` per opportunity type and one each for cities and enterprises. A query is
then a handful of sparse products against the blocks it may match, never a loop over pairs.

Pair features, each in [0, 1] (``FEATURES``):

    text       cosine of the two TF-IDF rows
    industry   cosine of the two 大类 code vectors
    chain      a code of one side within two steps of the other's along the industry chain
               (``matching/data/industry_chain.csv``)
    proximity  exp(−distance / 600 km) between the two cities
    framework  1 when an active framework ties the two cities (either side helping)
    mode       1 for a shared cooperation mode, 0.5 when a side names none, 0 otherwise

``OpportunityScorer`` (a scikit-learn estimator) weighs them: prior weights until it has
labels, then a ridge fit of graded outcomes shrunk towards the priors. ``explain`` words the
reasons of a returned pair from the data alone: the terms both texts contain, the codes and
chain steps between their words, the frameworks between their cities, the distance, the mode.
"""

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import Ridge
from sklearn.metrics import ndcg_score
from sklearn.utils.validation import check_is_fitted

from matching.frameworks import TieTables, distinct_labels
from matching.matches import Match, word_matches
from matching.records import (
    CityArrays,
    Words,
    code_matrix,
    haversine_km,
    major_codes,
    reach_matrix,
)
from matching.vocabulary import Mode, OpportunityType

FEATURES = ("text", "industry", "chain", "proximity", "framework", "mode")
PRIOR_WEIGHTS = (0.35, 0.25, 0.1, 0.1, 0.1, 0.1)
PROXIMITY_KM = 600.0
NEAR_KM = 500.0  # a distance is given as a reason only this close
MAX_TERM = 12  # the longest shared term a reason quotes
MAX_GRADE = 5
MODES = [m.value for m in Mode]

T = OpportunityType
COMPLEMENTS: dict[OpportunityType, tuple[OpportunityType, ...]] = {
    T.capacity_offer: (T.capacity_request,),
    T.capacity_request: (T.capacity_offer,),
    T.tech_offer: (T.tech_request,),
    T.tech_request: (T.tech_offer,),
    T.labour_supply: (T.labour_demand,),
    T.labour_demand: (T.labour_supply,),
    T.specialty_product: (T.purchase_intent,),
    T.purchase_intent: (T.specialty_product,),
    T.investment_project: (),  # answered by enterprises and partner cities
}
ENTERPRISE_TAKES = (
    T.investment_project,  # to invest in
    T.capacity_request,  # to supply
    T.tech_offer,  # to adopt
    T.specialty_product,  # to buy (消费帮扶)
    T.labour_supply,  # to hire
)
"""The opportunities an enterprise can take up, for its matching opportunities."""
# Words every opportunity may say, which tell nothing about a match.
GENERIC_TERMS = frozenset(
    {"需求", "供给", "项目", "合作", "技术", "产品", "产能", "采购", "招商", "公司", "有限", "意向"}
)


@dataclass(frozen=True)
class Side:
    """One side of a pair: an opportunity, a city or an enterprise, as plain values."""

    key: int | str  # an opportunity's or enterprise's id, a city's adcode
    name: str
    text: str
    city: str | None  # adcode of a city the ``CityArrays`` know (a county → its prefecture)
    words: Words = ()  # industry words with their codes, for features and reasons
    modes: tuple[str, ...] = ()
    open: bool = True

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(c for _, codes in self.words for c in codes)


@dataclass
class Block:
    """Sides of one kind as matrices (rows in the order of ``sides``)."""

    sides: list[Side]
    text: sparse.csr_matrix  # L2-normalised TF-IDF rows
    codes: sparse.csr_matrix  # L2-normalised 大类 weights
    present: sparse.csr_matrix  # 大类 present (0/1), for chain steps
    city: np.ndarray  # row in the CityArrays, −1 when unknown
    modes: sparse.csr_matrix  # sides × 4 modes (0/1)
    silent: np.ndarray  # bool: names no mode
    open: np.ndarray  # bool
    position: dict[int | str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.position = {s.key: i for i, s in enumerate(self.sides)}

    def __len__(self) -> int:
        return len(self.sides)


@dataclass(frozen=True)
class Scored:
    """A candidate as ranked: its side, score, features and the distance between the cities."""

    side: Side
    score: float
    features: dict[str, float]
    distance_km: float | None


def _mode_matrix(sides: Sequence[Side]) -> sparse.csr_matrix:
    rows = [i for i, s in enumerate(sides) for m in s.modes if m in MODES]
    cols = [MODES.index(m) for s in sides for m in s.modes if m in MODES]
    return sparse.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(sides), len(MODES)), dtype=np.float64
    )


class OpportunityIndex:
    """Every opportunity, city and enterprise as matrices, built once; queries are products.

    ``opportunities`` holds all the live opportunities (``open`` marks those that may be
    recommended), ``cities`` the cities that may answer, ``enterprises`` the enterprises.
    """

    def __init__(
        self,
        opportunities: Sequence[tuple[OpportunityType, Side]],
        *,
        cities: CityArrays,
        tables: TieTables,
        city_sides: Sequence[Side] = (),
        enterprises: Sequence[Side] = (),
        scorer: "OpportunityScorer | None" = None,
        ngram_range: tuple[int, int] = (1, 3),
    ) -> None:
        self.cities = cities
        self.tables = tables
        self.scorer = scorer or OpportunityScorer().fit(np.empty((0, len(FEATURES))), [])
        self.vectorizer = TfidfVectorizer(
            analyzer="char", ngram_range=ngram_range, sublinear_tf=True, dtype=np.float32
        )
        groups: dict[OpportunityType, list[Side]] = {t: [] for t in OpportunityType}
        for kind, side in opportunities:
            groups[kind].append(side)
        parts = [*groups.values(), list(city_sides), list(enterprises)]
        texts = [s.text for part in parts for s in part]
        matrix = sparse.csr_matrix(self.vectorizer.fit_transform(texts or ["-"]))  # once
        bounds = np.cumsum([0, *(len(p) for p in parts)])
        blocks = [
            self._block(part, matrix[a:b])
            for part, (a, b) in zip(parts, itertools.pairwise(bounds), strict=True)
        ]
        self.blocks = dict(zip(groups, blocks, strict=False))
        self.city_block, self.enterprise_block = blocks[-2], blocks[-1]
        self.type_of = {s.key: kind for kind, g in groups.items() for s in g}
        tied = tables.active > 0
        self.tied = tied | tied.T  # either city helping the other
        self.reach = reach_matrix()
        self.reach_both = ((self.reach + self.reach.T) > 0).astype(np.float64).tocsr()

    def _block(self, sides: list[Side], text: sparse.csr_matrix) -> Block:
        codes = code_matrix([s.codes for s in sides])
        norms = np.sqrt(np.asarray(codes.multiply(codes).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        modes = _mode_matrix(sides)
        return Block(
            sides=sides,
            text=text,
            codes=sparse.csr_matrix(sparse.diags(1.0 / norms) @ codes),
            present=sparse.csr_matrix((codes > 0).astype(np.float64)),
            city=np.array([self.cities.index.get(s.city or "", -1) for s in sides], dtype=np.int64),
            modes=modes,
            silent=np.asarray(modes.sum(axis=1)).ravel() == 0,
            open=np.array([s.open for s in sides], dtype=bool),
        )

    def __len__(self) -> int:
        return sum(len(b) for b in self.blocks.values())

    # ------------------------------------------------------------ features
    def features(
        self, query: Block, row: int, target: Block, rows: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Pair features of ``query``'s row against every row of ``target`` (or its ``rows``):
        n × 6, and the distances in km (NaN where a city is unknown)."""
        n = len(target) if rows is None else len(rows)
        text = _take(target.text, rows) @ _vector(query.text, row)
        industry = _take(target.codes, rows) @ _vector(query.codes, row)
        linked = _vector(query.present, row) @ self.reach_both  # 大类 one or two steps away
        chain = np.minimum(_take(target.present, rows) @ linked, 1.0)
        here, there = query.city[row], _take(target.city, rows)
        known = (there >= 0) & (here >= 0)
        distance = np.full(n, np.nan)
        if here >= 0:
            lonlat = self.cities.lonlat
            distance[known] = haversine_km(lonlat[here][None, :], lonlat[there[known]])
        proximity = np.where(known, np.exp(-np.nan_to_num(distance) / PROXIMITY_KM), 0.0)
        framework = np.zeros(n)
        if here >= 0:
            framework[known] = self.tied[here, there[known]]
        mine = _vector(query.modes, row)
        shared = _take(target.modes, rows) @ mine > 0
        silent = _take(target.silent, rows) | bool(query.silent[row])
        mode = np.where(shared, 1.0, np.where(silent, 0.5, 0.0))
        matrix = np.column_stack([text, industry, chain, proximity, framework, mode])
        return matrix, distance

    def rank(
        self,
        query: Block,
        row: int,
        targets: Sequence[Block],
        *,
        limit: int,
        exclude: frozenset[int | str] = frozenset(),
        exclude_city: str | None = None,
        candidates: np.ndarray | None = None,
    ) -> list[Scored]:
        """The best ``limit`` open sides of ``targets`` for ``query``'s row, best first.

        ``candidates`` (for a single target block) restricts it to those rows."""
        scored: list[tuple[float, Block, int, np.ndarray, float]] = []
        for target in targets:
            if not len(target):
                continue
            matrix, distance = self.features(query, row, target)
            scores = self.scorer.score_samples(matrix)
            allowed = target.open.copy()
            if candidates is not None:
                mask = np.zeros(len(target), dtype=bool)
                mask[candidates] = True
                allowed &= mask
            if exclude_city is not None:
                allowed &= target.city != self.cities.index.get(exclude_city, -2)
            for key in exclude:
                if (position := target.position.get(key)) is not None:
                    allowed[position] = False
            scores = np.where(allowed, scores, -1.0)
            top = _top(scores, limit)
            scored += [(float(scores[i]), target, int(i), matrix[i], distance[i]) for i in top]
        scored.sort(key=lambda item: -item[0])
        return [
            Scored(
                side=target.sides[i],
                score=round(score, 4),
                features={f: round(float(v), 4) for f, v in zip(FEATURES, values, strict=True)},
                distance_km=None if np.isnan(dist) else round(float(dist), 1),
            )
            for score, target, i, values, dist in scored[:limit]
            if score >= 0
        ]

    # ------------------------------------------------------------ queries
    def block_of(self, key: int) -> Block | None:
        kind = self.type_of.get(key)
        return None if kind is None else self.blocks[kind]

    def complements(self, kind: OpportunityType) -> list[Block]:
        return [self.blocks[t] for t in COMPLEMENTS[kind]]

    def city_candidates(self, side: Side) -> np.ndarray:
        """Rows of the city block that may answer ``side``: partner cities for a base-area
        side, base-area cities for any other."""
        row = self.cities.index.get(side.city or "")
        base_side = row is not None and bool(self.cities.records[row].base_areas)
        wanted = self.cities.partner_candidates if base_side else self.cities.base_cities
        rows = self.city_block.city
        return np.flatnonzero(np.isin(rows, wanted) & (rows != (-1 if row is None else row)))

    def frameworks_between(self, first: str | None, second: str | None) -> list[str]:
        """Labels of the active frameworks tying two cities, either one helping."""
        if not first or not second:
            return []
        ties = self.tables.frameworks_between(first, second)
        ties += self.tables.frameworks_between(second, first)
        return distinct_labels(t for t in ties if t.active and not t.city_to_city)


def _take(matrix: Any, rows: np.ndarray | None) -> Any:
    return matrix if rows is None else matrix[rows]


def _vector(matrix: sparse.csr_matrix, row: int) -> np.ndarray:
    """One row of a sparse matrix as a dense vector (a sparse matrix times it is dense)."""
    return matrix[row].toarray().ravel()


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    k = min(k, len(scores))
    if k == 0:
        return np.array([], dtype=np.int64)
    top = np.argpartition(-scores, k - 1)[:k]
    return top[np.argsort(-scores[top], kind="stable")]


# ---------------------------------------------------------------- the scorer
class OpportunityScorer(BaseEstimator):
    """Weighs pair features into a score in [0, 1].

    ``fit(X, y)``: ``X`` is pairs × ``FEATURES`` (``OpportunityIndex.features`` rows), ``y``
    each pair's graded outcome, an integer 0–5 from the pipeline: 5 落地, 4 签约, 3 会谈,
    2 接洽, 1 意向, 0 for a pair shown and ignored, declined (拒绝) or ended (终止). The fit is a
    ridge regression of y / 5 on the features, shrunk towards the prior weights (it fits what
    the priors leave unexplained, so ``alpha`` pulls towards the priors, not towards zero);
    no weight goes below 0, so a feature never counts against a match. With no labels the
    weights are the priors. ``n_labels_`` says how many labels it learned from.
    """

    def __init__(self, alpha: float = 10.0, prior: tuple[float, ...] = PRIOR_WEIGHTS) -> None:
        self.alpha = alpha
        self.prior = prior

    def fit(
        self,
        X: np.ndarray,
        y: Sequence[float],
        sample_weight: np.ndarray | None = None,
    ) -> "OpportunityScorer":
        X = np.asarray(X, dtype=np.float64).reshape(-1, len(FEATURES))
        grades = np.asarray(y, dtype=np.float64)
        if len(grades) != len(X):
            raise ValueError("X and y must hold the same number of pairs")
        if ((grades < 0) | (grades > MAX_GRADE)).any():
            raise ValueError(f"labels are graded 0–{MAX_GRADE}")
        prior = np.asarray(self.prior, dtype=np.float64)
        self.coef_ = prior.copy()
        if len(grades):
            residual = grades / MAX_GRADE - X @ prior
            ridge = Ridge(alpha=self.alpha, fit_intercept=False)
            ridge.fit(X, residual, sample_weight=sample_weight)
            self.coef_ = np.maximum(prior + ridge.coef_, 0.0)
        self.n_labels_ = len(grades)
        self.n_features_in_ = len(FEATURES)
        return self

    def score_samples(self, X: np.ndarray) -> np.ndarray:
        check_is_fitted(self, "coef_")
        return np.clip(np.asarray(X) @ self.coef_, 0.0, 1.0)

    def score(self, X: np.ndarray, y: Sequence[float]) -> float:
        """NDCG of the scores against the graded labels (one list)."""
        return float(ndcg_score([np.asarray(y, dtype=float)], [self.score_samples(X)]))


# ---------------------------------------------------------------- reasons
@dataclass(frozen=True)
class MatchReason:
    feature: str
    text: str
    terms: tuple[str, ...] = ()
    matches: tuple[Match, ...] = ()
    frameworks: tuple[str, ...] = ()


@lru_cache(maxsize=64)
def _pieces(text: str) -> frozenset[str]:
    """Every substring of 2 to ``MAX_TERM`` characters of ``text`` (a query's, reused for all
    of its candidates)."""
    return frozenset(
        text[i:j] for i in range(len(text)) for j in range(i + 2, min(i + MAX_TERM, len(text)) + 1)
    )


def shared_terms(first: str, second: str, *, limit: int = 6) -> list[str]:
    """Terms (2 to ``MAX_TERM`` characters, no spaces) that both texts contain, longest first,
    read left to right through ``second``; generic words (需求, 项目 …) are left out."""
    pieces = _pieces(first)
    found: list[str] = []
    i = 0
    while i < len(second):
        length = 0  # grow the term while it stays shared (a shared term's prefixes are too)
        while (
            length < MAX_TERM
            and i + max(length, 1) < len(second)
            and second[i : i + max(length, 1) + 1] in pieces
            and " " not in second[i : i + max(length, 1) + 1]
        ):
            length = max(length, 1) + 1
        if length:
            term = second[i : i + length]
            if term not in GENERIC_TERMS and term not in found and not term.isdigit():
                found.append(term)
            i += length
        else:
            i += 1
    found.sort(key=len, reverse=True)
    return found[:limit]


def same_code(source: Words, target: Words, *, limit: int = 3) -> list[Match]:
    """Word pairs whose codes share a 大类, one per source word (3985 and 39 are both 39)."""
    found: list[Match] = []
    for word, codes in source:
        match = next(
            (
                Match(word, code, other, code, (code,))
                for code in major_codes(codes)
                for other, other_codes in target
                if code in major_codes(other_codes)
            ),
            None,
        )
        if match is not None:
            found.append(match)
    return found[:limit]


def explain(index: OpportunityIndex, query: Side, other: Side, scored: Scored) -> list[MatchReason]:
    """The reasons of a returned pair, each stating only what the two sides' data show."""
    reasons: list[MatchReason] = []
    if terms := shared_terms(query.text, other.text):
        reasons.append(MatchReason("text", "共同关键词：" + "、".join(terms), terms=tuple(terms)))
    same = same_code(query.words, other.words) if scored.features["industry"] else []
    chain: list[Match] = []
    if scored.features["chain"]:
        chain = word_matches(query.words, other.words, same=False, two_steps=True)
        chain += word_matches(other.words, query.words, same=False, two_steps=True)
    if same:
        codes = "、".join(dict.fromkeys(m.source_code for m in same))
        reasons.append(
            MatchReason(
                "industry",
                f"同属行业 {codes}：" + "；".join(f"{m.source_word}↔{m.target_word}" for m in same),
                matches=tuple(same),
            )
        )
    if chain:
        reasons.append(
            MatchReason(
                "chain",
                "产业链上下游：" + "；".join(m.describe() for m in chain[:3]),
                matches=tuple(chain[:3]),
            )
        )
    labels = (
        index.frameworks_between(query.city, other.city) if scored.features["framework"] else []
    )
    if labels:
        reasons.append(
            MatchReason(
                "framework", "两地同在合作框架内：" + "；".join(labels), frameworks=tuple(labels)
            )
        )
    if scored.distance_km is not None and scored.distance_km <= NEAR_KM:
        reasons.append(MatchReason("proximity", f"两地相距约 {scored.distance_km:.0f} 公里"))
    if shared := [m for m in query.modes if m in other.modes]:
        names = "、".join(Mode(m).label for m in shared)
        reasons.append(MatchReason("mode", f"合作模式一致：{names}"))
    return reasons
