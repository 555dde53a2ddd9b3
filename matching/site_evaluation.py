"""The site ranker, measured: grouped cross-validation over real investments, beside baselines.

Each usable case is a query: its enterprise's candidates are the base-area cities but its own
headquarters, and the relevant item is the city it chose. Two groupings, run separately:

- ``enterprise``: whole enterprise/event clusters are held out (a firm's three phases in one
  city, or ten firms of one signing ceremony, never sit on both sides of a fold);
- ``site_city``: whole site cities are held out, and every training case of a cluster that has
  a case in the test fold is dropped too (purged), so clusters stay together here as well.

On the same held-out queries, the ranker is compared with: ``distance`` (nearest to the
headquarters first), ``resource_match`` (the site's resources feed the enterprise's industries
or needs along the chain table; ties are frequent) and ``random``. Ties are scored by their
expectation under a random order, never by the candidates' storage order. Every feature is
computed from the catalogue, none from the cases, so no label crosses a fold.

Confidence intervals come from a cluster bootstrap over the held-out queries. Calibration is
checked on the pooled out-of-fold probabilities: predicted against observed choice rates by
bin, and the mean log-likelihood per query against a uniform guess.
"""

import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.model_selection import GroupKFold

from matching.features import SITE_FEATURES, SiteSide
from matching.records import CityArrays
from matching.site_cases import ChoiceSet, SiteCase, choice_set
from matching.site_ranker import CHOSEN, EXCLUDED, SiteRanker, log_softmax

SITE_METRICS = ("mrr", "recall@1", "recall@5", "recall@10")
SITE_METHODS = ("ranker", "distance", "resource_match", "random")
GROUPINGS = ("enterprise", "site_city")
BINS = (0.0, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 1.0)


def tied_metrics(scores: np.ndarray, relevant: int) -> dict[str, float]:
    """Expected metrics of one relevant item when ties are broken at random."""
    above = int(np.sum(scores > scores[relevant]))
    tied = int(np.sum(scores == scores[relevant]))  # itself included
    positions = np.arange(above + 1, above + tied + 1)
    hit = {k: float(np.clip((k - above) / tied, 0.0, 1.0)) for k in (1, 5, 10)}
    return {
        "mrr": float(np.mean(1.0 / positions)),
        "recall@1": hit[1],
        "recall@5": hit[5],
        "recall@10": hit[10],
    }


@dataclass
class SiteEvaluation:
    """Per grouping: each method's metrics per held-out query, with clusters for the bootstrap."""

    per_query: dict[str, dict[str, list[dict[str, float]]]] = field(default_factory=dict)
    clusters: dict[str, list[str]] = field(default_factory=dict)
    calibration: dict[str, list[tuple[float, float, int]]] = field(default_factory=dict)
    log_likelihood: dict[str, tuple[float, float]] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    boot: int = 2000
    random_state: int = 0

    def queries(self, grouping: str) -> int:
        return len(self.clusters[grouping])

    def mean(self, grouping: str, method: str, metric: str) -> float:
        return float(np.mean([q[metric] for q in self.per_query[grouping][method]]))

    def interval(self, grouping: str, method: str, metric: str) -> tuple[float, float]:
        """95 % cluster-bootstrap interval of the mean."""
        values = np.array([q[metric] for q in self.per_query[grouping][method]])
        return _cluster_bootstrap(values, self.clusters[grouping], self.boot, self.random_state)

    def difference(self, grouping: str, method: str, metric: str = "mrr") -> tuple[float, float]:
        """95 % interval of ranker − ``method`` (paired on the same queries)."""
        ranker = np.array([q[metric] for q in self.per_query[grouping]["ranker"]])
        other = np.array([q[metric] for q in self.per_query[grouping][method]])
        return _cluster_bootstrap(
            ranker - other, self.clusters[grouping], self.boot, self.random_state
        )

    def table(self) -> dict[str, Any]:
        return {
            grouping: {
                "queries": self.queries(grouping),
                "clusters": len(set(self.clusters[grouping])),
                "methods": {
                    method: {
                        metric: {
                            "mean": round(self.mean(grouping, method, metric), 4),
                            "ci95": [round(v, 4) for v in self.interval(grouping, method, metric)],
                        }
                        for metric in SITE_METRICS
                    }
                    for method in SITE_METHODS
                },
            }
            for grouping in self.per_query
        }

    def format(self) -> str:
        lines = [f"cases that cannot train: {self.skipped or 'none'}"]
        for grouping in self.per_query:
            lines.append(
                f"\nheld out by {grouping}: {self.queries(grouping)} queries in "
                f"{len(set(self.clusters[grouping]))} clusters (95% cluster-bootstrap CI)"
            )
            lines.append(f"  {'method':15}" + "".join(f"{m:>22}" for m in SITE_METRICS))
            for method in SITE_METHODS:
                cells = []
                for metric in SITE_METRICS:
                    low, high = self.interval(grouping, method, metric)
                    cells.append(
                        f"{self.mean(grouping, method, metric):.3f} [{low:.3f}–{high:.3f}]"
                    )
                lines.append(f"  {method:15}" + "".join(f"{c:>22}" for c in cells))
            for method in ("distance", "resource_match"):
                low, high = self.difference(grouping, method)
                lines.append(f"  ranker − {method} MRR: 95% CI [{low:+.3f}, {high:+.3f}]")
            held, uniform = self.log_likelihood[grouping]
            lines.append(
                f"  calibration: mean log-likelihood per query {held:.3f} "
                f"(uniform guess {uniform:.3f})"
            )
            lines.append("  predicted P(chosen) bin   mean predicted   observed rate   candidates")
            for (low, high), (predicted, observed, count) in zip(
                itertools.pairwise(BINS), self.calibration[grouping], strict=True
            ):
                if count:
                    lines.append(
                        f"  [{low:.3f}, {high:.3f})        {predicted:13.4f}   {observed:13.4f}   {count:10d}"
                    )
        return "\n".join(lines)


def _cluster_bootstrap(
    values: np.ndarray, clusters: Sequence[str], boot: int, random_state: int
) -> tuple[float, float]:
    names, inverse = np.unique(np.asarray(clusters), return_inverse=True)
    sums = np.bincount(inverse, weights=values, minlength=len(names))
    counts = np.bincount(inverse, minlength=len(names))
    draws = np.random.default_rng(random_state).integers(0, len(names), (boot, len(names)))
    means = sums[draws].sum(axis=1) / counts[draws].sum(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


def _folds(data: ChoiceSet, grouping: str, folds: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """(train queries, test queries) per fold; clusters never straddle train and test."""
    queries = np.unique(data.query)
    first = np.searchsorted(data.query, queries)  # queries are sorted and consecutive
    clusters, sites = data.cluster[first], data.site[first]
    groups = clusters if grouping == "enterprise" else sites
    splitter = GroupKFold(n_splits=min(folds, len(np.unique(groups))))
    result = []
    for train, test in splitter.split(queries, groups=groups):
        purged = train[~np.isin(clusters[train], clusters[test])]
        result.append((queries[purged], queries[test]))
    return result


def _rows(data: ChoiceSet, queries: np.ndarray) -> np.ndarray:
    return np.isin(data.query, queries)


def evaluate_sites(
    cities: CityArrays,
    cases: Sequence[SiteCase],
    *,
    pairings: frozenset[tuple[str, str]] = frozenset(),
    folds: int = 5,
    groupings: Sequence[str] = GROUPINGS,
    boot: int = 2000,
    random_state: int = 0,
    ranker_params: dict[str, Any] | None = None,
) -> SiteEvaluation:
    """Grouped K-fold over the usable cases; every method ranks the same held-out candidates."""
    data = choice_set(cities, cases, SiteSide.build(cities, cities.base_cities, pairings))
    report = SiteEvaluation(skipped=data.skipped, boot=boot, random_state=random_state)
    distance = SITE_FEATURES.index("log_distance")
    resources = [SITE_FEATURES.index("resource_need"), SITE_FEATURES.index("resource_chain")]
    for grouping in groupings:
        per_query: dict[str, list[dict[str, float]]] = defaultdict(list)
        clusters: list[str] = []
        predicted, chosen, log_likelihood, uniform = [], [], [], []
        for train, test in _folds(data, grouping, folds):
            rows = _rows(data, train)
            ranker = SiteRanker(
                feature_names=SITE_FEATURES, random_state=random_state, **(ranker_params or {})
            ).fit(
                data.X[rows],
                data.y[rows],
                data.query[rows],
                data.weights[rows],
                clusters=data.cluster[rows],
            )
            for query in test:
                block = data.query == query
                X, y = data.X[block], data.y[block]
                relevant = int(np.flatnonzero(y == CHOSEN)[0])
                scores = {
                    "ranker": ranker.decision_function(X),
                    "distance": -X[:, distance],
                    "resource_match": X[:, resources].sum(axis=1),
                    "random": np.zeros(len(X)),
                }
                for method, score in scores.items():
                    per_query[method].append(tied_metrics(score, relevant))
                clusters.append(str(data.cluster[block][0]))
                logp = log_softmax(scores["ranker"], np.array([0]))
                predicted.append(np.exp(logp))
                chosen.append(y == CHOSEN)
                log_likelihood.append(logp[relevant])
                uniform.append(-np.log(len(X)))
        report.per_query[grouping] = dict(per_query)
        report.clusters[grouping] = clusters
        report.calibration[grouping] = _reliability(
            np.concatenate(predicted), np.concatenate(chosen)
        )
        report.log_likelihood[grouping] = (float(np.mean(log_likelihood)), float(np.mean(uniform)))
    return report


def _reliability(predicted: np.ndarray, chosen: np.ndarray) -> list[tuple[float, float, int]]:
    """(mean predicted, observed rate, count) per bin of predicted probability."""
    which = np.clip(np.digitize(predicted, BINS[1:-1]), 0, len(BINS) - 2)
    result = []
    for b in range(len(BINS) - 1):
        members = which == b
        count = int(members.sum())
        result.append(
            (
                float(predicted[members].mean()) if count else 0.0,
                float(chosen[members].mean()) if count else 0.0,
                count,
            )
        )
    return result


def ablation(
    cities: CityArrays,
    cases: Sequence[SiteCase],
    *,
    pairings: frozenset[tuple[str, str]] = frozenset(),
    grouping: str = "enterprise",
    folds: int = 5,
) -> dict[str, float]:
    """Held-out MRR with every feature, as shipped (``EXCLUDED`` left out), and as shipped
    without each further feature in turn (feature selection)."""

    def mrr(exclude: tuple[str, ...]) -> float:
        report = evaluate_sites(
            cities,
            cases,
            pairings=pairings,
            folds=folds,
            groupings=(grouping,),
            boot=10,
            ranker_params={"exclude": exclude},
        )
        return report.mean(grouping, "ranker", "mrr")

    result = {"(every feature)": mrr(()), "(as shipped)": mrr(EXCLUDED)}
    for name in SITE_FEATURES:
        if name not in EXCLUDED:
            result[f"− {name}"] = mrr((*EXCLUDED, name))
    return result
