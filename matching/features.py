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

from matching.records import CityArrays, EnterpriseArrays, chain_matrix, haversine_km, reach_matrix

CITY_FEATURES = (
    "log_distance",  # log(km + 10): nearer pairs cooperate more easily
    "partner_scale",  # log GDP of the partner: capacity to invest and buy
    "gradient",  # log(partner GDP per capita / base GDP per capita): room for transfer
    "industry_overlap",  # cosine of industry codes (+ keyword n-grams): same chain
    "chain_complement",  # one side's industries feed the other's (upstream ↔ downstream)
    "resource_fit",  # base resources feeding partner industries (one or two chain steps)
    "market_product",  # base specialty products × partner consumer market
    "cost_proximity",  # base's lower cost × nearness: room for 总部+基地
    "talent_supply",  # universities (双一流 count double) in the partner city
    "manufacturing_fit",  # base manufacturing share × partner talent: 研发+制造
    "hq_economy",  # partner services share × cost gap: headquarters economy
    "same_province",
    "province_tie",  # the two provinces are paired (e.g. 东西部协作)
    "same_base_area",
    "partner_load",  # log(1 + base cities the partner already supports)
)
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
    """What is already known about relationships, used as features."""

    province_pairs: frozenset[tuple[str, str]] = frozenset()  # unordered province adcodes
    partner_load: dict[str, int] = field(default_factory=dict)  # partner adcode → base cities

    def province_tie_matrix(
        self, base_provinces: np.ndarray, partner_provinces: np.ndarray
    ) -> np.ndarray:
        pairs = self.province_pairs | {(b, a) for a, b in self.province_pairs}
        provinces = sorted(set(base_provinces) | set(partner_provinces))
        position = {p: i for i, p in enumerate(provinces)}
        table = np.zeros((len(provinces), len(provinces)))
        for a, b in pairs:
            if a in position and b in position:
                table[position[a], position[b]] = 1.0
        rows = np.array([position[p] for p in base_provinces])
        cols = np.array([position[p] for p in partner_provinces])
        return table[np.ix_(rows, cols)]


def _dense(matrix: sparse.spmatrix | np.ndarray) -> np.ndarray:
    return matrix.toarray() if sparse.issparse(matrix) else np.asarray(matrix)


def _distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return haversine_km(a[:, None, :], b[None, :, :])


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
    keywords = c.keyword_vectors
    step = chain_matrix()
    yield "log_distance", np.log(km + 10.0)
    yield "partner_scale", ones * np.log(c.gdp[partners])[None, :]
    yield (
        "gradient",
        np.log(c.gdp_per_capita[partners])[None, :] - np.log(c.gdp_per_capita[bases])[:, None],
    )
    yield (
        "industry_overlap",
        _dense(industry_b @ industry_p.T) + 0.5 * _dense(keywords[bases] @ keywords[partners].T),
    )
    yield (
        "chain_complement",
        _dense(industry_b @ step @ industry_p.T) + _dense(industry_p @ step @ industry_b.T).T,
    )
    yield "resource_fit", np.log1p(_dense(c.resources[bases] @ reach_matrix() @ industry_p.T))
    yield (
        "market_product",
        np.log1p(c.product_count[bases])[:, None] * np.log(c.population[partners])[None, :] / 10,
    )
    yield "cost_proximity", cost_gap * np.exp(-km / 600.0)
    yield "talent_supply", ones * c.talent[partners][None, :]
    yield "manufacturing_fit", c.secondary[bases][:, None] * c.talent[partners][None, :]
    yield "hq_economy", c.tertiary[partners][None, :] * cost_gap
    yield (
        "same_province",
        (c.province[bases][:, None] == c.province[partners][None, :]).astype(float),
    )
    yield "province_tie", ties.province_tie_matrix(c.province[bases], c.province[partners])
    yield (
        "same_base_area",
        (_dense(c.base_area_matrix[bases] @ c.base_area_matrix[partners].T) > 0).astype(float),
    )
    load = np.array([ties.partner_load.get(c.records[p].adcode, 0) for p in partners], dtype=float)
    yield "partner_load", ones * np.log1p(load)[None, :]


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
