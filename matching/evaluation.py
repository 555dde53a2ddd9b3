"""Quality, measured: grouped cross-validation over the real pairings, beside baselines.

Whole base cities are held out (their pairings never reach the model that ranks them). Each
held-out (base city, scheme) is a query whose relevant items are its real partners among the
candidates. The engine is compared, on the same queries and candidates, with:

- random: the expected metric of a random order (averaged over seeded shuffles);
- distance: nearest partner first;
- GDP gap: the partner with the highest GDP per capita first (the base is fixed, so this is the
  gap's order);
- gravity: partner GDP ÷ distance — the strongest simple baseline.
"""

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.model_selection import GroupKFold

from matching.features import CITY_FEATURES, city_pair_features
from matching.metrics import METRICS, query_metrics, ranked
from matching.ranker import PairRanker
from matching.records import CityArrays, haversine_km
from matching.training import (
    KnownPairing,
    candidate_rows,
    city_training_set,
    partner_loads,
    ties_for,
)

METHODS = ("engine", "gravity", "distance", "gdp_gap", "random")


def _random_metrics(
    relevant: np.ndarray, rng: np.random.Generator, draws: int = 200
) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for _ in range(draws):
        for name, value in query_metrics(rng.permutation(relevant)).items():
            totals[name] += value / draws
    return dict(totals)


@dataclass
class EvaluationReport:
    """Mean metrics per scheme ("all" included) and method, over held-out queries."""

    table: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    queries: dict[str, int] = field(default_factory=dict)

    def beats_baselines(self, metric: str = "mrr", scheme: str = "all") -> bool:
        row = self.table[scheme]
        return all(row["engine"][metric] > row[m][metric] for m in METHODS if m != "engine")

    def format(self) -> str:
        lines = []
        for scheme, methods in self.table.items():
            lines.append(f"{scheme}  ({self.queries[scheme]} held-out queries)")
            lines.append(f"  {'method':10}" + "".join(f"{m:>11}" for m in METRICS))
            for method, values in methods.items():
                lines.append(f"  {method:10}" + "".join(f"{values[m]:11.3f}" for m in METRICS))
        return "\n".join(lines)


def cross_validate(
    cities: CityArrays,
    pairings: Sequence[KnownPairing],
    province_pairs: frozenset[tuple[str, str]],
    *,
    folds: int = 5,
    random_state: int = 0,
    ranker_params: dict[str, float] | None = None,
) -> EvaluationReport:
    """Grouped K-fold over base cities; every method ranks the same held-out candidates."""
    rng = np.random.default_rng(random_state)
    candidates = candidate_rows(cities, pairings)
    bases = np.array(sorted({p.base for p in pairings if p.base in cities.index}))
    splitter = GroupKFold(n_splits=min(folds, len(bases)))
    sums: dict[str, dict[str, dict[str, float]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(float))
    )
    counts: dict[str, int] = defaultdict(int)
    for train_idx, test_idx in splitter.split(bases, groups=bases):
        train_bases, test_bases = set(bases[train_idx]), set(bases[test_idx])
        training = [p for p in pairings if p.base in train_bases]
        data = city_training_set(cities, training, province_pairs, candidates)
        ranker = PairRanker(
            feature_names=CITY_FEATURES,
            kind="city",
            random_state=random_state,
            **(ranker_params or {}),
        ).fit(data.X, data.y)
        loads = partner_loads(training)
        for base in sorted(test_bases):
            row = cities.index[base]
            columns = np.setdiff1d(candidates, [row])
            features = city_pair_features(
                cities, np.array([row]), columns, ties_for(base, province_pairs, loads)
            )[0]
            scores = _baseline_scores(cities, row, columns) | {
                "engine": ranker.decision_function(features)
            }
            adcodes = np.array([cities.records[c].adcode for c in columns])
            for scheme in sorted({p.scheme for p in pairings if p.base == base}):
                truth = {p.partner for p in pairings if p.base == base and p.scheme == scheme}
                relevant = np.isin(adcodes, list(truth)).astype(float)
                for key in (scheme, "all"):
                    counts[key] += 1
                    for method, score in scores.items():
                        for name, value in query_metrics(ranked(score, relevant)).items():
                            sums[key][method][name] += value
                    for name, value in _random_metrics(relevant, rng).items():
                        sums[key]["random"][name] += value
    report = EvaluationReport()
    for key in ["all", *sorted(k for k in counts if k != "all")]:
        report.queries[key] = counts[key]
        report.table[key] = {
            m: {n: sums[key][m][n] / counts[key] for n in METRICS} for m in METHODS
        }
    return report


def _baseline_scores(cities: CityArrays, row: int, columns: np.ndarray) -> dict[str, np.ndarray]:
    km = haversine_km(cities.lonlat[row][None, :], cities.lonlat[columns]) + 10.0
    baselines: dict[str, Callable[[], np.ndarray]] = {
        "distance": lambda: -km,
        "gdp_gap": lambda: cities.gdp_per_capita[columns] / cities.gdp_per_capita[row],
        "gravity": lambda: cities.gdp[columns] / km,
    }
    return {name: make() for name, make in baselines.items()}


def ranking_mrr(
    cities: CityArrays,
    ranker: PairRanker,
    pairings: Sequence[KnownPairing],
    province_pairs: frozenset[tuple[str, str]],
) -> float:
    """MRR of a fitted ranker over the known pairings (each base city's candidates ranked).

    Used to decide whether a retrained model may replace the current one: both are scored on
    the same, current pairings.
    """
    candidates = candidate_rows(cities, pairings)
    loads = partner_loads(pairings)
    reciprocal = []
    for base in sorted({p.base for p in pairings if p.base in cities.index}):
        row = cities.index[base]
        columns = np.setdiff1d(candidates, [row])
        features = city_pair_features(
            cities, np.array([row]), columns, ties_for(base, province_pairs, loads)
        )[0]
        truth = {p.partner for p in pairings if p.base == base}
        relevant = np.isin([cities.records[c].adcode for c in columns], list(truth)).astype(float)
        reciprocal.append(
            query_metrics(ranked(ranker.decision_function(features), relevant))["mrr"]
        )
    return float(np.mean(reciprocal)) if reciprocal else 0.0
