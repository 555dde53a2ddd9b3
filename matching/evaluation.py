"""Quality, measured so that it cannot flatter: held-out pairings, beside baselines, with CIs.

Each (base city, scheme) with known partners is a query; its relevant items are its real
partners, and its candidates are exactly who may help it (``candidate_mask``): a real partner
outside them counts as missed, never added. Three protocols:

- ``grouped``: GroupKFold by base city — a held-out city's pairings never reach the model;
- ``loso``: leave one scheme out — train on the other schemes' pairings (held-out base cities
  removed from training altogether), test on the held-out scheme's queries;
- ``loso_hidden``: the same, and the held-out scheme's frameworks are hidden as well.

Inside every fold the pairing-derived features (partner load, pairings between provinces) are
rebuilt from the training pairs only. On the same queries and candidates the engine is compared
with: random (the expected metric of a random order), distance (nearest first), GDP gap (the
highest GDP per capita first) and gravity (partner GDP ÷ distance). Results are broken down by
scheme and by the base city's region, with 95 % bootstrap intervals over queries.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.model_selection import GroupKFold

from matching.features import city_pair_features
from matching.frameworks import FrameworkTie, TieTables
from matching.metrics import METRICS, query_metrics, ranked
from matching.ranker import PairRanker
from matching.records import CityArrays, haversine_km
from matching.training import (
    KnownPairing,
    candidates_of,
    city_training_set,
    fit_city_ranker,
    ties_from,
)
from matching.vocabulary import Scheme

METHODS = ("engine", "gravity", "distance", "gdp_gap", "random")
PROTOCOLS = {
    "grouped": "GroupKFold by base city",
    "loso": "leave one scheme out (frameworks known)",
    "loso_hidden": "leave one scheme out, its frameworks hidden too",
}
REGION_LABELS = {"east": "东部", "central": "中部", "west": "西部", "northeast": "东北"}
RANDOM_DRAWS = 200


def _random_metrics(relevant: np.ndarray, total: int, rng: np.random.Generator) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for _ in range(RANDOM_DRAWS):
        for name, value in query_metrics(rng.permutation(relevant), total).items():
            totals[name] += value / RANDOM_DRAWS
    return dict(totals)


@dataclass(frozen=True)
class Query:
    base: str
    scheme: str
    region: str
    truth: frozenset[str]


@dataclass
class Results:
    """Per-query metrics of every method, for one protocol."""

    queries: list[Query] = field(default_factory=list)
    values: dict[str, dict[str, list[float]]] = field(
        default_factory=lambda: {m: defaultdict(list) for m in METHODS}
    )

    def add(self, query: Query, metrics: dict[str, dict[str, float]]) -> None:
        self.queries.append(query)
        for method, values in metrics.items():
            for name, value in values.items():
                self.values[method][name].append(value)

    def array(self, method: str, metric: str) -> np.ndarray:
        return np.asarray(self.values[method][metric])


@dataclass
class Cell:
    """One group's mean metrics per method, and bootstrap intervals for the MRR."""

    queries: int
    mean: dict[str, dict[str, float]]
    interval: dict[str, tuple[float, float]]  # method → 95 % CI of the MRR
    gain: tuple[float, float, float]  # engine − gravity MRR: mean, CI low, CI high


@dataclass
class EvaluationReport:
    """``table[protocol][group]``: groups are "all", each scheme and each region."""

    table: dict[str, dict[str, Cell]] = field(default_factory=dict)
    uncovered: dict[str, int] = field(default_factory=dict)  # partners outside the candidates

    def ahead_of(self, baseline: str, protocol: str, group: str = "all") -> bool:
        cell = self.table[protocol][group]
        return cell.mean["engine"]["mrr"] > cell.mean[baseline]["mrr"]

    def format(self) -> str:
        lines = []
        for protocol, groups in self.table.items():
            lines.append(
                f"== {PROTOCOLS[protocol]} ({self.uncovered.get(protocol, 0)} real partners "
                "fall outside their candidates and count as misses)"
            )
            lines.append(
                f"  {'group':34}{'n':>4}  {'engine MRR [95% CI]':>22}  {'gravity MRR [95% CI]':>22}"
                f"{'distance':>9}{'gdp_gap':>9}{'random':>8}  {'engine R@5':>10}"
                f"{'grav R@5':>9}  {'engine−gravity [95% CI]':>25}"
            )
            for group, cell in groups.items():
                m = cell.mean
                e_lo, e_hi = cell.interval["engine"]
                g_lo, g_hi = cell.interval["gravity"]
                gain, lo, hi = cell.gain
                lines.append(
                    f"  {_label(group):34}{cell.queries:>4}  "
                    f"{m['engine']['mrr']:.3f} [{e_lo:.3f}, {e_hi:.3f}]".rjust(30)
                    + f"  {m['gravity']['mrr']:.3f} [{g_lo:.3f}, {g_hi:.3f}]".rjust(24)
                    + f"{m['distance']['mrr']:9.3f}{m['gdp_gap']['mrr']:9.3f}"
                    f"{m['random']['mrr']:8.3f}  {m['engine']['recall@5']:10.3f}"
                    f"{m['gravity']['recall@5']:9.3f}  "
                    + f"{gain:+.3f} [{lo:+.3f}, {hi:+.3f}]".rjust(25)
                )
        return "\n".join(lines)


def _label(group: str) -> str:
    """ "scheme east_west" → "scheme east_west 东西部协作", "region west" → "region west 西部"."""
    kind, _, key = group.partition(" ")
    if kind == "scheme" and key in Scheme.labels():
        return f"{group} {Scheme(key).label}"
    if kind == "region" and key in REGION_LABELS:
        return f"{group} {REGION_LABELS[key]}"
    return "all 全部" if group == "all" else group


def queries_of(cities: CityArrays, pairings: Sequence[KnownPairing]) -> list[Query]:
    grouped: dict[tuple[str, str], set[str]] = defaultdict(set)
    for p in pairings:
        if p.base in cities.index and p.partner in cities.index:
            grouped[(p.base, p.scheme)].add(p.partner)
    return [
        Query(base, scheme, cities.records[cities.index[base]].region or "", frozenset(truth))
        for (base, scheme), truth in sorted(grouped.items())
    ]


def baseline_scores(cities: CityArrays, row: int, columns: np.ndarray) -> dict[str, np.ndarray]:
    km = haversine_km(cities.lonlat[row][None, :], cities.lonlat[columns]) + 10.0
    return {
        "distance": -km,
        "gdp_gap": cities.gdp_per_capita[columns] / cities.gdp_per_capita[row],
        "gravity": cities.gdp[columns] / km,
    }


def _score_queries(
    cities: CityArrays,
    tables: TieTables,
    training: Sequence[KnownPairing],
    tests: Sequence[Query],
    results: Results,
    rng: np.random.Generator,
    ranker_params: dict[str, float],
) -> int:
    """Fit on ``training``, score every test query; returns partners outside the candidates.

    A fold without training pairs (one scheme alone cannot be left out) scores nothing."""
    data = city_training_set(cities, training, tables)
    if not len(data.y):
        return 0
    ranker = fit_city_ranker(data, **ranker_params)
    ties = ties_from(tables, training)
    missed = 0
    for query in tests:
        row = cities.index[query.base]
        columns = candidates_of(tables, row)
        adcodes = np.array([cities.records[c].adcode for c in columns])
        relevant = np.isin(adcodes, list(query.truth)).astype(float)
        total = len(query.truth)
        missed += total - int(relevant.sum())
        features = city_pair_features(cities, np.array([row]), columns, ties)[0]
        scores = baseline_scores(cities, row, columns) | {
            "engine": ranker.decision_function(features)
        }
        metrics = {m: query_metrics(ranked(s, relevant), total) for m, s in scores.items()}
        metrics["random"] = _random_metrics(relevant, total, rng)
        results.add(query, metrics)
    return missed


def _bootstrap(results: Results, members: np.ndarray, rng: np.random.Generator, draws: int) -> Cell:
    mean = {m: {n: float(results.array(m, n)[members].mean()) for n in METRICS} for m in METHODS}
    samples = rng.integers(0, len(members), size=(draws, len(members)))
    interval = {}
    for method in ("engine", "gravity"):
        values = results.array(method, "mrr")[members][samples].mean(axis=1)
        interval[method] = (float(np.quantile(values, 0.025)), float(np.quantile(values, 0.975)))
    gains = (results.array("engine", "mrr") - results.array("gravity", "mrr"))[members]
    drawn = gains[samples].mean(axis=1)
    gain = (float(gains.mean()), float(np.quantile(drawn, 0.025)), float(np.quantile(drawn, 0.975)))
    return Cell(len(members), mean, interval, gain)


def _cells(results: Results, rng: np.random.Generator, draws: int) -> dict[str, Cell]:
    groups: dict[str, list[int]] = defaultdict(list)
    for i, query in enumerate(results.queries):
        groups["all"].append(i)
        groups[f"scheme {query.scheme}"].append(i)
        groups[f"region {query.region or '?'}"].append(i)
    order = [
        "all",
        *sorted(k for k in groups if k.startswith("scheme")),
        *sorted(
            (k for k in groups if k.startswith("region")),
            key=lambda k: list(REGION_LABELS).index(k[7:]) if k[7:] in REGION_LABELS else 9,
        ),
    ]
    return {k: _bootstrap(results, np.array(groups[k]), rng, draws) for k in order}


def cross_validate(
    cities: CityArrays,
    pairings: Sequence[KnownPairing],
    frameworks: Sequence[FrameworkTie],
    *,
    folds: int = 5,
    random_state: int = 0,
    ranker_params: dict[str, float] | None = None,
    protocols: Sequence[str] = tuple(PROTOCOLS),
    draws: int = 1000,
) -> EvaluationReport:
    """Every protocol's per-scheme and per-region table; every method on the same queries."""
    rng = np.random.default_rng(random_state)
    params = ranker_params or {}
    tables = TieTables(cities, frameworks)
    queries = queries_of(cities, pairings)
    report = EvaluationReport()
    for protocol in protocols:
        results, missed = Results(), 0
        for training, tests, fold_tables in _folds(
            protocol, cities, pairings, frameworks, tables, queries, folds
        ):
            missed += _score_queries(cities, fold_tables, training, tests, results, rng, params)
        if results.queries:
            report.table[protocol] = _cells(results, rng, draws)
            report.uncovered[protocol] = missed
    return report


def _folds(
    protocol: str,
    cities: CityArrays,
    pairings: Sequence[KnownPairing],
    frameworks: Sequence[FrameworkTie],
    tables: TieTables,
    queries: Sequence[Query],
    folds: int,
):
    if protocol == "grouped":
        bases = np.array(sorted({q.base for q in queries}))
        splitter = GroupKFold(n_splits=min(folds, len(bases)))
        for _, test_idx in splitter.split(bases, groups=bases):
            held = set(bases[test_idx])
            training = [p for p in pairings if p.base not in held]
            yield training, [q for q in queries if q.base in held], tables
        return
    for scheme in sorted({q.scheme for q in queries}):
        tests = [q for q in queries if q.scheme == scheme]
        held = {q.base for q in tests}
        training = [p for p in pairings if p.scheme != scheme and p.base not in held]
        fold_tables = tables
        if protocol == "loso_hidden":
            fold_tables = TieTables(cities, [f for f in frameworks if f.scheme != scheme])
        yield training, tests, fold_tables


def ranking_mrr(
    cities: CityArrays,
    ranker: PairRanker,
    pairings: Sequence[KnownPairing],
    frameworks: Sequence[FrameworkTie],
) -> float:
    """MRR of a fitted ranker over the known pairings (each base city's candidates ranked).

    Used to decide whether a retrained model may replace the current one: both are scored on
    the same, current pairings.
    """
    tables = TieTables(cities, frameworks)
    ties = ties_from(tables, pairings)
    reciprocal = []
    for query in queries_of(cities, pairings):
        row = cities.index[query.base]
        columns = candidates_of(tables, row)
        features = city_pair_features(cities, np.array([row]), columns, ties)[0]
        adcodes = [cities.records[c].adcode for c in columns]
        relevant = np.isin(adcodes, list(query.truth)).astype(float)
        order = ranked(ranker.decision_function(features), relevant)
        reciprocal.append(query_metrics(order, len(query.truth))["mrr"])
    return float(np.mean(reciprocal)) if reciprocal else 0.0
