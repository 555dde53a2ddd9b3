"""Pair features, computed for whole blocks of pairs at once (matrix products and broadcasts).

City pairs (a base city × a partner city) and enterprise sites (an enterprise × a base city)
each have a fixed list of features. ``*_columns`` yields one (rows × columns) matrix per
feature, so a caller can score a million pairs without ever holding a 3-D tensor;
``*_features`` stacks them for small blocks (training, explanations).
"""

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from matching.frameworks import TieTables
from matching.records import CityArrays, EnterpriseArrays, chain_matrix, haversine_km, reach_matrix

CITY_FEATURES = (
    "log_distance",  # log(km + 10): nearer pairs cooperate more easily
    "partner_scale",  # log GDP of the partner: capacity to invest and buy
    "gradient",  # log(partner GDP per capita / base GDP per capita): room for transfer
    "framework_tie",  # an active framework makes the partner a helper of the base (one-way)
    "past_framework",  # a framework that has ended did
    "same_province",
    "pairing_history",  # log(1 + pairings from the partner's province to the base's), others only
    "partner_load",  # log(1 + base cities the partner already supports), others only
    "industry_fit",  # industry codes shared or linked along the chain (unknown without profiles)
    "resource_fit",  # base resources feeding partner industries (one or two chain steps)
    "market_product",  # base specialty products × partner consumer market
    "talent_supply",  # log(1 + “双一流” universities in the partner city)
    "cost_proximity",  # base's lower cost × nearness: room for 总部+基地
)
# Features that need both profiles; NaN (unknown, neutral in scoring) where one is missing.
PROFILE_FEATURES = ("industry_fit", "resource_fit", "market_product")
# Features derived from known pairings: rebuilt from the training pairs inside each fold.
LABEL_FEATURES = ("pairing_history", "partner_load")
SITE_FEATURES = (
    "log_distance",  # log(km + 10) from headquarters
    "resource_need",  # share of the needed codes the site holds (the code itself, or finer)
    "resource_chain",  # the site's resources feed the enterprise's industries (chain, 大类)
    "industry_cluster",  # the site already has the enterprise's industries
    "chain_complement",  # the site's industries are up- or downstream of the enterprise's
    "gdp_per_capita_gap",  # 1 − site 人均GDP / headquarters 人均GDP: an income gap, not a price
    "labour_pool",  # log 常住人口
    "workforce_share",  # log1p(‰ of the site's 常住人口 the enterprise's workforce need takes)
    "manufacturing_base",  # 第二产业占比
    "talent_supply",
    "logistics",  # airport, high-speed rail, 综合保税区, 跨境电商综试区
    "market_product",  # the site's products feed the enterprise's industries
    "paired_with_hq",  # the site and the headquarters city are paired (对口合作, 东西部协作)
    "same_province",
)


@dataclass(frozen=True)
class Ties:
    """What is known of relationships: the frameworks (one-way) and the known pairings.

    Pairing-derived features for a base city are always counted without that base city's own
    pairings, in training and in use alike, so no row ever sees its own label.
    """

    tables: TieTables | None = None
    pairs: frozenset[tuple[str, str]] = frozenset()  # (base, partner) adcodes
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    def _prepared(self, cities: CityArrays) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(pairs, province index of each city, province × province pair counts), once per
        catalogue snapshot."""
        key = id(cities)
        if key not in self._cache:
            pairs = np.zeros((len(cities), len(cities)))
            for base, partner in self.pairs:
                if base in cities.index and partner in cities.index:
                    pairs[cities.index[base], cities.index[partner]] = 1.0
            provinces, inverse = np.unique(cities.province, return_inverse=True)
            one_hot = np.zeros((len(cities), len(provinces)))
            one_hot[np.arange(len(cities)), inverse] = 1.0
            self._cache.clear()
            self._cache[key] = (pairs, inverse, one_hot.T @ pairs @ one_hot)
        return self._cache[key]

    def label_features(
        self, cities: CityArrays, bases: np.ndarray, partners: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(pairing_history, partner_load), bases × partners, without each base's own pairs."""
        pairs, inverse, counts = self._prepared(cities)
        # counts[prov(b), prov(p)] over all pairs, less each base's own pairs by province
        own = np.zeros((len(bases), counts.shape[1]))
        np.add.at(own, (np.arange(len(bases))[:, None], inverse[None, :]), pairs[bases])
        history = (counts[inverse[bases]] - own)[:, inverse[partners]]
        load = pairs[:, partners].sum(axis=0)[None, :] - pairs[np.ix_(bases, partners)]
        return np.log1p(np.maximum(history, 0)), np.log1p(np.maximum(load, 0))

    def framework_features(
        self, bases: np.ndarray, partners: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        if self.tables is None:
            zeros = np.zeros((len(bases), len(partners)))
            return zeros, zeros
        return (
            self.tables.active[np.ix_(partners, bases)].T,
            self.tables.past[np.ix_(partners, bases)].T,
        )


def _dense(matrix: sparse.spmatrix | np.ndarray) -> np.ndarray:
    return matrix.toarray() if sparse.issparse(matrix) else np.asarray(matrix)


def _distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return haversine_km(a[:, None, :], b[None, :, :])


def _unknown_where(values: np.ndarray, known: np.ndarray) -> np.ndarray:
    return np.where(known, values, np.nan)


def city_pair_columns(
    cities: CityArrays, bases: np.ndarray, partners: np.ndarray, ties: Ties
) -> Iterator[tuple[str, np.ndarray]]:
    """(feature, bases × partners matrix) for every city-pair feature, in ``CITY_FEATURES`` order."""
    c = cities
    km = _distance(c.lonlat[bases], c.lonlat[partners])
    ones = np.ones((len(bases), len(partners)))
    cost_gap = np.clip(
        1.0 - c.gdp_per_capita[bases][:, None] / c.gdp_per_capita[partners][None, :], 0, 1
    )
    industry_b, industry_p = c.industries[bases], c.industries[partners]
    step = chain_matrix()
    industries_known = c.has_industries[bases][:, None] & c.has_industries[partners][None, :]
    active, past = ties.framework_features(bases, partners)
    history, load = ties.label_features(c, bases, partners)
    yield "log_distance", np.log(km + 10.0)
    yield "partner_scale", ones * np.log(c.gdp[partners])[None, :]
    yield (
        "gradient",
        np.log(c.gdp_per_capita[partners])[None, :] - np.log(c.gdp_per_capita[bases])[:, None],
    )
    yield "framework_tie", active
    yield "past_framework", past
    yield (
        "same_province",
        (c.province[bases][:, None] == c.province[partners][None, :]).astype(float),
    )
    yield "pairing_history", history
    yield "partner_load", load
    fit = (
        _dense(industry_b @ industry_p.T)
        + 0.5 * _dense(industry_b @ step @ industry_p.T)
        + 0.5 * _dense(industry_p @ step @ industry_b.T).T
    )
    yield "industry_fit", _unknown_where(fit, industries_known)
    yield (
        "resource_fit",
        _unknown_where(
            np.log1p(_dense(c.resources[bases] @ reach_matrix() @ industry_p.T)),
            c.has_resources[bases][:, None] & c.has_industries[partners][None, :],
        ),
    )
    yield (
        "market_product",
        _unknown_where(
            np.log1p(c.product_count[bases])[:, None]
            * np.log(c.population[partners])[None, :]
            / 10,
            c.has_products[bases][:, None] & ones.astype(bool),
        ),
    )
    yield "talent_supply", ones * np.log1p(c.double_first_class[partners])[None, :]
    yield "cost_proximity", cost_gap * np.exp(-km / 600.0)


def city_pair_features(
    cities: CityArrays, bases: np.ndarray, partners: np.ndarray, ties: Ties
) -> np.ndarray:
    """bases × partners × features."""
    return np.stack([m for _, m in city_pair_columns(cities, bases, partners, ties)], axis=-1)


@dataclass(frozen=True)
class SiteSide:
    """The city side of site scoring, precomputed once for a set of candidate cities.

    Everything that depends on the headquarters city and the site only (distance, 人均GDP gap,
    same province) is tabulated for every city as headquarters, so scoring a million
    enterprises gathers rows instead of recomputing trigonometry per pair; the industry
    terms are one sparse × dense product against ``industry_side``.
    """

    rows: np.ndarray
    industry_side: (
        np.ndarray
    )  # 97 × 4C: [industries | chain both ways | resources reach | products reach]
    resource_detail_t: sparse.csc_matrix  # codes at every level × C (``detail_matrix``)
    people: np.ndarray  # C: 常住人口 in persons, NaN where the catalogue has none
    by_hq: dict[str, np.ndarray]  # every city × C: distance, 人均GDP gap, pairing, same province
    constant: dict[str, np.ndarray]  # features that depend on the site only

    @classmethod
    def build(
        cls, cities: CityArrays, rows: np.ndarray, pairs: frozenset[tuple[str, str]] = frozenset()
    ) -> "SiteSide":
        """``pairs``: (base, partner) adcodes of the catalogue's city pairings, either way round."""
        step, reach = chain_matrix(), reach_matrix()
        industries = cities.industries[rows]
        chain = _dense(step @ industries.T) + _dense((industries @ step).T)
        industry_side = np.hstack(
            [
                _dense(industries.T),
                chain,
                _dense((cities.resources[rows] @ reach).T),
                _dense((cities.products[rows] @ reach).T),
            ]
        )
        km = _distance(cities.lonlat, cities.lonlat[rows])
        ratio = cities.gdp_per_capita[rows][None, :] / cities.gdp_per_capita[:, None]
        people = np.where(cities.population_imputed[rows], np.nan, cities.population[rows] * 1e4)
        return cls(
            rows=rows,
            industry_side=np.ascontiguousarray(industry_side),
            resource_detail_t=sparse.csc_matrix(cities.resource_detail[rows].T),
            people=people,
            by_hq={
                "log_distance": np.log(km + 10.0),
                "gdp_per_capita_gap": np.clip(1.0 - ratio, -1.0, 1.0),
                "same_province": (
                    cities.province[:, None] == cities.province[rows][None, :]
                ).astype(float),
                "paired_with_hq": _paired(cities, rows, pairs),
            },
            constant={
                "labour_pool": np.log(cities.population[rows]),
                "manufacturing_base": cities.secondary[rows],
                "talent_supply": cities.talent[rows],
                "logistics": cities.logistics[rows],
            },
        )


def _paired(cities: CityArrays, rows: np.ndarray, pairs: frozenset[tuple[str, str]]) -> np.ndarray:
    """every city × C: 1 where the city (as headquarters) and the candidate are paired."""
    matrix = np.zeros((len(cities), len(rows)))
    column = {int(r): k for k, r in enumerate(rows)}
    for a, b in pairs:
        for hq, site in ((a, b), (b, a)):
            if hq in cities.index and site in cities.index and cities.index[site] in column:
                matrix[cities.index[hq], column[cities.index[site]]] = 1.0
    return matrix


def workforce_share(workers: np.ndarray, people: np.ndarray) -> np.ndarray:
    """log1p of the per-mille of each site's 常住人口 a workforce need takes (enterprises × C).

    0 where no need is stated; NaN (unknown, neutral when scored) where the site's population
    is not in the catalogue.
    """
    share = 1000.0 * workers[:, None] / people[None, :]
    return np.where(workers[:, None] > 0, np.log1p(share), 0.0)


def site_columns(
    cities: CityArrays, enterprises: EnterpriseArrays, rows: np.ndarray, side: SiteSide
) -> Iterator[tuple[str, np.ndarray]]:
    """(feature, enterprises × cities matrix) for every site feature, in ``SITE_FEATURES`` order."""
    hq = enterprises.hq[rows]
    count = len(side.rows)
    shape = (len(rows), count)
    terms = np.asarray(enterprises.industries[rows] @ side.industry_side)
    cluster, chain = terms[:, :count], terms[:, count : 2 * count]
    upstream, products = terms[:, 2 * count : 3 * count], terms[:, 3 * count :]
    yield "log_distance", side.by_hq["log_distance"][hq]
    if enterprises.need_detail is None:
        yield "resource_need", np.zeros(shape)
    else:
        needs = enterprises.need_detail[rows]
        met = _dense(needs @ side.resource_detail_t)
        yield "resource_need", met / np.maximum(np.asarray(needs.sum(axis=1)), 1.0)
    yield "resource_chain", np.log1p(upstream)
    yield "industry_cluster", cluster
    yield "chain_complement", chain
    yield "gdp_per_capita_gap", side.by_hq["gdp_per_capita_gap"][hq]
    yield "labour_pool", np.broadcast_to(side.constant["labour_pool"][None, :], shape)
    workers = np.zeros(len(rows)) if enterprises.workers is None else enterprises.workers[rows]
    yield "workforce_share", workforce_share(workers, side.people)
    for name in ("manufacturing_base", "talent_supply", "logistics"):
        yield name, np.broadcast_to(side.constant[name][None, :], shape)
    yield "market_product", np.log1p(products)
    yield "paired_with_hq", side.by_hq["paired_with_hq"][hq]
    yield "same_province", side.by_hq["same_province"][hq]


def site_features(
    cities: CityArrays, enterprises: EnterpriseArrays, rows: np.ndarray, side: SiteSide
) -> np.ndarray:
    """enterprises × cities × features."""
    return np.stack([m for _, m in site_columns(cities, enterprises, rows, side)], axis=-1)


@dataclass(frozen=True)
class SiteWeights:
    """A linear site model folded into the city side: logits without the feature block.

    A linear ranker scores ``Σ_j w_j · (x_j − μ_j) / σ_j + b`` with an unknown (NaN) feature
    counting 0. Everything that depends on the headquarters and the site alone (distance,
    income gap, pairing, province, the site-only features, and every per-enterprise feature's
    ``−μ_j · w_j / σ_j``) folds into one table ``hq × C × m``; the industry terms fold into one
    ``97 × (C·m + 2C)`` matrix (the linear cluster and chain terms, weighted, then the
    resource-chain and product reach before their log1p), so an enterprise costs one gather and
    one sparse product, plus its needs and workforce only where it states them. ``weights`` is
    features × m (m = 1 for a learned model, 4 for the mode priors).
    """

    table: np.ndarray  # every city as headquarters × C × m
    industry: np.ndarray  # 97 × (C·m + 2C): weighted cluster and chain terms | reach, before log1p
    scale: dict[str, np.ndarray]  # feature → its m weights divided by σ
    workforce_fill: np.ndarray  # C: μ of workforce_share where the site's population is unknown
    people: np.ndarray  # C: 常住人口, +inf where unknown (a share of 0 there, made neutral above)

    @classmethod
    def build(
        cls,
        side: SiteSide,
        weights: np.ndarray,
        bias: np.ndarray,
        mean: np.ndarray,
        std: np.ndarray,
    ) -> "SiteWeights":
        count = len(side.rows)
        scale = {f: weights[j] / std[j] for j, f in enumerate(SITE_FEATURES)}
        mu = {f: float(mean[j]) for j, f in enumerate(SITE_FEATURES)}

        def term(feature: str, values: np.ndarray) -> np.ndarray:
            return np.nan_to_num(values - mu[feature])[..., None] * scale[feature]

        table = np.zeros((len(side.by_hq["log_distance"]), count, len(bias))) + bias
        for feature, values in side.by_hq.items():
            table += term(feature, values)
        for feature, values in side.constant.items():
            table += term(feature, values)[None, :, :]
        for feature in PER_ENTERPRISE:
            table -= mu[feature] * scale[feature]  # their raw terms are added per enterprise
        linear = (
            side.industry_side[:, :count, None] * scale["industry_cluster"]
            + side.industry_side[:, count : 2 * count, None] * scale["chain_complement"]
        )
        unknown = np.isnan(side.people)
        return cls(
            table=table,
            industry=np.ascontiguousarray(
                np.hstack([linear.reshape(len(linear), -1), side.industry_side[:, 2 * count :]])
            ),
            scale=scale,
            workforce_fill=np.where(unknown, mu["workforce_share"], 0.0),
            people=np.where(unknown, np.inf, side.people),
        )

    def logits(
        self, enterprises: EnterpriseArrays, rows: slice | np.ndarray, side: SiteSide
    ) -> np.ndarray:
        """enterprises × C × m logits, equal to the feature block's product (``rows``: a slice
        of consecutive enterprises, step 1, costs no copy of their sparse rows)."""
        count = len(side.rows)
        out = self.table[enterprises.hq[rows]]
        n, m = len(out), out.shape[-1]
        terms = np.asarray(enterprises.industries[rows] @ self.industry)
        out += terms[:, : count * m].reshape(out.shape)
        reach = np.log1p(terms[:, count * m :])
        self._add(out, reach[:, :count], "resource_chain")
        self._add(out, reach[:, count:], "market_product")
        if enterprises.need_detail is not None:
            stated = enterprises.need_counts[rows]
            some = np.flatnonzero(stated)
            if len(some):
                stating = rows[some] if isinstance(rows, np.ndarray) else some + (rows.start or 0)
                met = _dense(enterprises.need_detail[stating] @ side.resource_detail_t)
                met /= np.maximum(stated[some, None], 1.0)
                self._add(out, met, "resource_need", some if len(some) < n else None)
        if enterprises.workers is not None:
            workers = enterprises.workers[rows]
            some = np.flatnonzero(workers > 0)
            if len(some):
                share = np.log1p(1000.0 * workers[some, None] / self.people) + self.workforce_fill
                self._add(out, share, "workforce_share", some if len(some) < n else None)
        return out

    def _add(
        self, out: np.ndarray, values: np.ndarray, feature: str, some: np.ndarray | None = None
    ) -> None:
        """out[some] += a per-enterprise feature's weighted values (every row when ``some`` is None)."""
        weighted = values[..., None] * self.scale[feature]
        if some is None:
            out += weighted
        else:
            out[some] += weighted


# per-enterprise features: added by ``SiteWeights.logits``, their −μ·w/σ folded in its table
PER_ENTERPRISE = (
    "industry_cluster",
    "chain_complement",
    "resource_chain",
    "market_product",
    "resource_need",
    "workforce_share",
)
