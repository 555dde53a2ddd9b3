"""The engine's queries: partners, base cities, relocation sites, enterprises to invite.

An ``Engine`` holds the city arrays, what is known of existing ties, and the fitted rankers;
every query scores all its candidates at once and explains the few it returns.
"""

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial

import numpy as np
from scipy.special import logsumexp

from matching.explain import Reason, Said, Source, city_pair_text, top_reasons
from matching.features import (
    CITY_FEATURES,
    PROFILE_FEATURES,
    SITE_FEATURES,
    SiteSide,
    SiteWeights,
    city_pair_features,
    site_columns,
    site_features,
)
from matching.frameworks import FrameworkTie, TieTables, candidate_mask, distinct_labels
from matching.modes import MODES
from matching.ranker import MODE_ORDER, PairRanker, SavedModel, sigmoid
from matching.records import CityArrays, CityRecord, EnterpriseArrays, Words, haversine_km
from matching.site_explain import (
    DataGap,
    SiteNeeds,
    reason_sources,
    site_data_gaps,
    site_reason,
    site_sources,
)
from matching.training import KnownPairing, ties_from
from matching.vocabulary import Mode, ZoneKind

BLOCK_CELLS = 1 << 17  # enterprises × sites × modes per block of the batch (1 MiB)


class UnknownCity(LookupError):
    def __init__(self, adcode: str, role: str) -> None:
        super().__init__(f"{adcode} is not a {role} the engine knows")
        self.adcode = adcode
        self.role = role


class HelperCity(ValueError):
    """A city that helps others asked for its own helpers: ask for base cities instead."""

    def __init__(self, adcode: str, name: str) -> None:
        super().__init__(
            f"{name}（{adcode}）是帮扶方城市，没有比它更发达、且可对口帮扶它的城市；"
            "请改用 /recommendations/base-cities 查询它可对口支持的老区城市"
        )
        self.adcode = adcode
        self.name = name


@dataclass(frozen=True)
class Recommendation:
    rank: int
    key: str  # an adcode, or an enterprise id as text
    score: float
    mode: Mode
    mode_scores: dict[str, float]
    reasons: list[Reason]
    existing: tuple[str, ...] = ()  # schemes of existing pairings between the two
    distance_km: float | None = None
    data_gaps: tuple[DataGap, ...] = ()
    frameworks: tuple[str, ...] = ()  # labels of the frameworks tying the pair (helper → base)
    sources: tuple[Source, ...] = ()  # of the figures a site's reasons use


@dataclass(frozen=True)
class SiteConstraints:
    """Hard constraints on relocation sites, applied exactly."""

    max_distance_km: float | None = None
    provinces: tuple[str, ...] = ()  # province adcodes to keep (empty: all)
    exclude_provinces: tuple[str, ...] = ()
    require_bonded_zone: bool = False
    require_airport: bool = False
    require_high_speed_rail: bool = False
    min_population_10k: float | None = None
    zone_kind: str | None = None  # a ZoneKind value: keep cities with a zone of that kind


@dataclass(frozen=True)
class EnterpriseProfile:
    """The enterprise side of a site query (saved or not)."""

    name: str
    hq_city: str
    industry_codes: tuple[str, ...]
    industry_words: Words = ()
    needs: Words = ()
    modes: tuple[str, ...] = ()
    land_mu: float | None = None
    workers: int | None = None
    energy_intensity: str | None = None

    def needs_view(self) -> SiteNeeds:
        return SiteNeeds(
            self.name,
            self.industry_codes,
            self.industry_words,
            self.needs,
            self.land_mu,
            self.workers,
            self.energy_intensity,
        )


@dataclass
class SiteResult:
    items: list[Recommendation]
    excluded: dict[str, str] = field(
        default_factory=dict
    )  # adcode → the constraint that removed it
    learned: bool = False


def linear_scores(
    columns: Iterator[tuple[str, np.ndarray]], ranker: PairRanker
) -> tuple[np.ndarray, np.ndarray]:
    """(overall logits, mode logits) from feature columns: one standardised block, one product."""
    scaler = ranker.scaler_
    block: np.ndarray | None = None
    for j, (_, column) in enumerate(columns):
        if block is None:
            block = np.empty((*column.shape, ranker.n_features_in_))
        np.subtract(column, scaler.mean_[j], out=block[..., j])
        block[..., j] /= scaler.scale_[j]
    assert block is not None
    np.nan_to_num(block, copy=False, nan=0.0)  # an unknown feature is neutral
    modes = block @ ranker.mode_terms_ + ranker.mode_bias_
    if ranker.learned_:
        return block @ ranker.coef_ + ranker.intercept_, modes
    return modes.max(axis=-1), modes


def fold_site_model(side: SiteSide, ranker: PairRanker, mode: Mode | None = None) -> SiteWeights:
    """The site model (overall, or one mode's logit) folded into ``side`` (``SiteWeights``)."""
    if mode is not None:
        w, b = ranker.mode_terms_[:, [MODE_ORDER.index(mode)]], np.array([ranker.mode_bias_])
    elif ranker.learned_:
        w, b = ranker.coef_[:, None], np.array([ranker.intercept_])
    else:
        w = ranker.mode_terms_
        b = np.full(w.shape[1], ranker.mode_bias_, dtype=float)
    scaler = ranker.scaler_
    return SiteWeights.build(side, w, b, scaler.mean_, scaler.scale_)


def site_logits(
    side: SiteSide,
    arrays: EnterpriseArrays,
    rows: slice | np.ndarray,
    ranker: PairRanker,
    mode: Mode | None = None,
    weights: SiteWeights | None = None,
) -> np.ndarray:
    """enterprises × sites overall logits (or one mode's), as ``linear_scores`` gives them,
    without building the feature block; ``weights``: ``fold_site_model``'s, when kept."""
    weights = weights or fold_site_model(side, ranker, mode)
    out = weights.logits(arrays, rows, side)
    return out[..., 0] if out.shape[-1] == 1 else out.max(axis=-1)


class Engine:
    """Queries over one snapshot of the catalogue and one set of fitted rankers."""

    def __init__(
        self,
        cities: CityArrays,
        pairings: Sequence[KnownPairing],
        frameworks: Sequence[FrameworkTie],
        city_model: SavedModel,
        site_model: SavedModel,
    ) -> None:
        self.cities = cities
        self.city_model = city_model
        self.site_model = site_model
        self.tables = TieTables(cities, frameworks)
        self.ties = ties_from(self.tables, pairings)
        grouped: dict[tuple[str, str], set[str]] = defaultdict(set)
        for pairing in pairings:
            if pairing.active:
                grouped[(pairing.base, pairing.partner)].add(pairing.scheme)
        self.existing = {pair: tuple(sorted(schemes)) for pair, schemes in grouped.items()}
        self.candidates = candidate_mask(self.tables, np.arange(len(cities)))
        self.base_rows = cities.base_cities
        # base-area cities that may ask (not named only as helpers, someone to ask), and the
        # cities that could support at least one of them
        may_ask = self.candidates.any(axis=1) & ~self.tables.helpers_only
        self.asking_rows = self.base_rows[may_ask[self.base_rows]]
        self.partner_rows = np.flatnonzero(self.candidates[self.base_rows].any(axis=0))
        self.site_pairs = frozenset((p.base, p.partner) for p in pairings)
        self.site_side = SiteSide.build(cities, self.base_rows, self.site_pairs)
        # the site model folded into site_side (key None) or one site's side (its row)
        self._folded: dict[tuple[int | None, Mode | None], tuple[SiteSide, SiteWeights]] = {}

    # ------------------------------------------------------------ helpers
    def _row(self, adcode: str, role: str) -> int:
        if adcode not in self.cities.index:
            raise UnknownCity(adcode, role)
        return self.cities.index[adcode]

    def _rank(
        self, X: np.ndarray, ranker: PairRanker, mode: Mode | None, limit: int, keep: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Top rows of X under the mode (or overall): (order, scores, mode logits of those rows)."""
        mode_logits = ranker.mode_logits(X)
        logits = mode_logits[:, MODE_ORDER.index(mode)] if mode else ranker.decision_function(X)
        logits = np.where(keep, logits, -np.inf)
        count = min(limit, int(keep.sum()))
        if count == 0:
            return np.array([], dtype=int), np.array([]), np.zeros((0, len(MODE_ORDER)))
        top = np.argpartition(-logits, count - 1)[:count]
        top = top[np.lexsort((top, -logits[top]))]
        return top, sigmoid(logits[top]), mode_logits[top]

    @staticmethod
    def _mode_fields(mode: Mode | None, mode_logits: np.ndarray) -> tuple[Mode, dict[str, float]]:
        scores = sigmoid(mode_logits)
        best = mode or MODE_ORDER[int(np.argmax(mode_logits))]
        return best, {m.value: round(float(s), 4) for m, s in zip(MODE_ORDER, scores, strict=True)}

    # ------------------------------------------------------------ city pairs
    def partners(
        self,
        base: str,
        *,
        mode: Mode | None = None,
        limit: int = 10,
        exclude_existing: bool = False,
    ) -> list[Recommendation]:
        """Partner cities for a city that asks for help, best first (its own candidates only)."""
        row = self._row(base, "city")
        columns = np.flatnonzero(self.candidates[row])
        if self.tables.helpers_only[row] or not len(columns):
            raise HelperCity(base, self.cities.records[row].name)
        X = city_pair_features(self.cities, np.array([row]), columns, self.ties)[0]
        keep = np.ones(len(columns), dtype=bool)
        if exclude_existing:
            keep &= np.array(
                [(base, self.cities.records[c].adcode) not in self.existing for c in columns],
                dtype=bool,
            )
        return self._city_items(
            X, columns, mode, limit, keep, base_side=[row] * len(columns), partner_side=columns
        )

    def base_cities(
        self,
        partner: str,
        *,
        mode: Mode | None = None,
        limit: int = 10,
        exclude_existing: bool = False,
    ) -> list[Recommendation]:
        """Cities a developed city could support, best first: base-area cities and the cities
        frameworks assign to it, wherever it is one of their candidates."""
        row = self._row(partner, "city")
        assigned = self.tables.active[row] > 0
        rows = np.flatnonzero(
            self.candidates[:, row]
            & (np.isin(np.arange(len(self.cities)), self.base_rows) | assigned)
        )
        X = city_pair_features(self.cities, rows, np.array([row]), self.ties)[:, 0, :]
        keep = np.ones(len(rows), dtype=bool)
        if exclude_existing:
            keep &= np.array(  # dtype: a city with no candidates gives an empty list
                [(self.cities.records[r].adcode, partner) not in self.existing for r in rows],
                dtype=bool,
            )
        return self._city_items(
            X, rows, mode, limit, keep, base_side=rows, partner_side=[row] * len(rows)
        )

    def _city_items(
        self,
        X: np.ndarray,
        keys: np.ndarray,
        mode: Mode | None,
        limit: int,
        keep: np.ndarray,
        base_side: Sequence[int],
        partner_side: Sequence[int],
    ) -> list[Recommendation]:
        ranker = self.city_model.ranker
        top, scores, mode_logits = self._rank(X, ranker, mode, limit, keep)
        items = []
        for rank, (k, score, logits) in enumerate(
            zip(top, scores, mode_logits, strict=True), start=1
        ):
            best, mode_scores = self._mode_fields(mode, logits)
            contributions = ranker.contributions(X[k : k + 1], mode)[0]
            base, partner = self.cities.records[base_side[k]], self.cities.records[partner_side[k]]
            km = float(
                haversine_km(self.cities.lonlat[base_side[k]], self.cities.lonlat[partner_side[k]])
            )
            frameworks = self.tables.frameworks_between(partner.adcode, base.adcode)
            texts = partial(_city_text, base, partner, X[k], km, frameworks)
            items.append(
                Recommendation(
                    rank=rank,
                    key=self.cities.records[keys[k]].adcode,
                    score=round(float(score), 4),
                    mode=best,
                    mode_scores=mode_scores,
                    reasons=top_reasons(contributions, CITY_FEATURES, texts),
                    existing=self.existing.get((base.adcode, partner.adcode), ()),
                    distance_km=round(km, 1),
                    data_gaps=city_data_gaps(base, partner, X[k]),
                    frameworks=tuple(distinct_labels(f for f in frameworks if f.active)),
                )
            )
        return items

    def score_city_pairs(
        self, bases: Sequence[str], partners: Sequence[str], mode: Mode | None = None
    ) -> np.ndarray:
        """bases × partners scores in [0, 1] (for plans that decide many pairs at once)."""
        X = city_pair_features(
            self.cities, self.cities.indices(bases), self.cities.indices(partners), self.ties
        )
        flat = X.reshape(-1, X.shape[-1])
        ranker = self.city_model.ranker
        logits = (
            ranker.mode_logits(flat)[:, MODE_ORDER.index(mode)]
            if mode
            else ranker.decision_function(flat)
        )
        return sigmoid(logits).reshape(len(bases), len(partners))

    def pair_reasons(
        self, bases: Sequence[str], partners: Sequence[str], mode: Mode | None = None
    ) -> Callable[[int, int], list[Reason]]:
        """A function giving the reasons for pair (i, j) of ``bases`` × ``partners`` (features computed once)."""
        X = city_pair_features(
            self.cities, self.cities.indices(bases), self.cities.indices(partners), self.ties
        )
        ranker = self.city_model.ranker

        def reasons(i: int, j: int) -> list[Reason]:
            base = self.cities.records[self.cities.index[bases[i]]]
            partner = self.cities.records[self.cities.index[partners[j]]]
            km = float(
                haversine_km(
                    self.cities.lonlat[self.cities.index[bases[i]]],
                    self.cities.lonlat[self.cities.index[partners[j]]],
                )
            )
            contributions = ranker.contributions(X[i, j][None, :], mode)[0]
            frameworks = self.tables.frameworks_between(partner.adcode, base.adcode)
            texts = partial(_city_text, base, partner, X[i, j], km, frameworks)
            return top_reasons(contributions, CITY_FEATURES, texts)

        return reasons

    # ------------------------------------------------------------ enterprise sites
    def sites(
        self,
        enterprise: EnterpriseProfile,
        *,
        mode: Mode | None = None,
        limit: int = 10,
        constraints: SiteConstraints = SiteConstraints(),
    ) -> SiteResult:
        """Relocation sites among the base-area cities, hard constraints honoured exactly.

        A score is the probability that the enterprise chooses the site among all base-area
        cities but its headquarters (constraints only hide candidates; they do not rescale).
        """
        hq = self._row(enterprise.hq_city, "headquarters city")
        rows = self.site_side.rows
        X = self._site_matrix(enterprise, self.site_side)
        km = haversine_km(self.cities.lonlat[hq][None, :], self.cities.lonlat[rows])
        excluded = self._constraints(rows, km, constraints)
        candidate = rows != hq
        keep = np.array([self.cities.records[r].adcode not in excluded for r in rows]) & candidate
        overall, modes = self._site_probabilities(X, candidate)
        ranked = modes[:, MODE_ORDER.index(mode)] if mode else overall
        ranked = np.where(keep, ranked, -np.inf)
        count = min(limit, int(keep.sum()))
        top = np.argsort(-ranked, kind="stable")[:count]
        centre = self._centre(X[candidate])
        chosen = modes[:, MODE_ORDER.index(mode)] if mode else overall
        items = [
            self._site_item(
                enterprise, X[k], centre, rows[k], float(km[k]), chosen[k], modes[k], mode, rank
            )
            for rank, k in enumerate(top, start=1)
        ]
        return SiteResult(items, excluded, learned=bool(self.site_model.ranker.learned_))

    def site_for(
        self, enterprise: EnterpriseProfile, site: str, *, mode: Mode | None = None, rank: int = 1
    ) -> Recommendation:
        """One site's probability, mode and reasons for an enterprise (among every base-area
        city, as in ``sites``)."""
        hq = self._row(enterprise.hq_city, "headquarters city")
        row = self._row(site, "site")
        rows = np.union1d(self.site_side.rows, [row])
        side = (
            self.site_side
            if len(rows) == len(self.site_side.rows)
            else SiteSide.build(self.cities, rows, self.site_pairs)
        )
        X = self._site_matrix(enterprise, side)
        return self._site_among(enterprise, X, side.rows, hq, row, mode, rank)

    def invited(
        self,
        enterprises: Sequence[EnterpriseProfile],
        arrays: EnterpriseArrays,
        rows: np.ndarray,
        site: str,
        *,
        mode: Mode | None = None,
    ) -> list[Recommendation]:
        """``site_for`` for each of the enterprises at ``rows`` of ``arrays`` (as ranked by
        ``enterprises_for``), their features computed in one pass from those arrays."""
        row = self._row(site, "site")
        X = site_features(self.cities, arrays, rows, self.site_side)
        return [
            self._site_among(enterprise, X[i], self.site_side.rows, hq, row, mode, rank)
            for i, (enterprise, hq, rank) in enumerate(
                zip(enterprises, arrays.hq[rows], range(1, len(rows) + 1), strict=True)
            )
        ]

    def _site_among(
        self,
        enterprise: EnterpriseProfile,
        X: np.ndarray,
        sites: np.ndarray,
        hq: int,
        row: int,
        mode: Mode | None,
        rank: int,
    ) -> Recommendation:
        """The item for site ``row`` given the enterprise's features against every city of
        ``sites`` (its probability is among them all but the headquarters)."""
        candidate = sites != hq
        overall, modes = self._site_probabilities(X, candidate)
        k = int(np.flatnonzero(sites == row)[0])
        km = float(haversine_km(self.cities.lonlat[hq], self.cities.lonlat[row]))
        centre = self._centre(X[candidate])
        chosen = modes[k, MODE_ORDER.index(mode)] if mode else overall[k]
        return self._site_item(enterprise, X[k], centre, row, km, chosen, modes[k], mode, rank)

    def _centre(self, X: np.ndarray) -> np.ndarray:
        """The average candidate's features (an unknown value counts as the neutral one)."""
        neutral = self.site_model.ranker.pipeline_.named_steps["scale"].mean_
        return np.where(np.isnan(X), neutral, X).mean(axis=0)

    def _site_probabilities(
        self, X: np.ndarray, candidate: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """(overall, modes) probabilities of each row being chosen among the candidate rows."""
        ranker = self.site_model.ranker
        logits = np.column_stack([ranker.decision_function(X), ranker.mode_logits(X)])
        logits[~candidate] = -np.inf
        logits -= logits.max(axis=0)
        weights = np.exp(logits)
        probabilities = weights / weights.sum(axis=0)
        return probabilities[:, 0], probabilities[:, 1:]

    def _site_matrix(self, enterprise: EnterpriseProfile, side: SiteSide) -> np.ndarray:
        """The enterprise's features against every city of ``side`` (cities × features)."""
        arrays = EnterpriseArrays.build(
            self.cities,
            ids=[0],
            hq_cities=[enterprise.hq_city],
            industry_codes=[enterprise.industry_codes],
            need_codes=[tuple(c for _, codes in enterprise.needs for c in codes)],
            workers=[enterprise.workers],
        )
        return site_features(self.cities, arrays, np.array([0]), side)[0]

    def _site_item(
        self,
        enterprise: EnterpriseProfile,
        x: np.ndarray,
        centre: np.ndarray,
        row: int,
        km: float,
        score: float,
        mode_scores: np.ndarray,
        mode: Mode | None,
        rank: int,
    ) -> Recommendation:
        best = mode or MODE_ORDER[int(np.argmax(mode_scores))]
        site = self.cities.records[row]
        hq = self.cities.records[self.cities.index[enterprise.hq_city]]
        needs = enterprise.needs_view()
        ranker = self.site_model.ranker
        # what lifted this site above the average candidate, in the logit that ranked it
        lens = mode if mode or ranker.learned_ else best
        contributions = (
            ranker.contributions(x[None, :], lens)[0]
            - ranker.contributions(centre[None, :], lens)[0]
        )

        def text(feature: str) -> str:
            value = float(x[SITE_FEATURES.index(feature)])
            return site_reason(feature, needs, site, hq, km, value)

        reasons = [
            replace(r, sources=tuple(reason_sources(r.feature, site, hq)))
            for r in top_reasons(contributions, SITE_FEATURES, text)
        ]
        return Recommendation(
            rank=rank,
            key=site.adcode,
            score=round(float(score), 4),
            mode=best,
            mode_scores={
                m.value: round(float(p), 4) for m, p in zip(MODE_ORDER, mode_scores, strict=True)
            },
            reasons=reasons,
            distance_km=round(km, 1),
            data_gaps=tuple(site_data_gaps(needs, site)),
            sources=tuple(site_sources([r.feature for r in reasons], site, hq)),
        )

    def _constraints(self, rows: np.ndarray, km: np.ndarray, c: SiteConstraints) -> dict[str, str]:
        """Each removed candidate with the first constraint that removed it (in Chinese)."""
        records = [self.cities.records[r] for r in rows]
        checks: list[tuple[np.ndarray, list[str]]] = []
        if c.max_distance_km is not None:
            checks.append(
                (
                    km > c.max_distance_km,
                    [f"距总部约 {d:,.0f} 公里，超过上限 {c.max_distance_km:,.0f} 公里" for d in km],
                )
            )
        if c.provinces:
            checks.append(
                (
                    np.array([r.province_adcode not in c.provinces for r in records]),
                    [f"{r.province}不在指定省份内" for r in records],
                )
            )
        if c.exclude_provinces:
            checks.append(
                (
                    np.array([r.province_adcode in c.exclude_provinces for r in records]),
                    [f"{r.province}在排除省份之列" for r in records],
                )
            )
        for wanted, attribute, label in (
            (c.require_bonded_zone, "bonded_zone", "综合保税区"),
            (c.require_airport, "airport", "机场"),
            (c.require_high_speed_rail, "high_speed_rail", "高铁"),
        ):
            if wanted:
                checks.append(
                    (
                        np.array([getattr(r, attribute) is not True for r in records]),
                        [f"无{label}（或资料未核实）" for _ in records],
                    )
                )
        if c.zone_kind is not None:
            label = ZoneKind(c.zone_kind).label
            checks.append(
                (
                    np.array([c.zone_kind not in r.zone_kinds for r in records]),
                    [f"开发区名录中没有该市的{label}（名录不全，可能未收录）" for _ in records],
                )
            )
        if c.min_population_10k is not None:
            population = np.array(
                [np.nan if r.population_10k is None else r.population_10k for r in records]
            )
            checks.append(
                (
                    ~(population >= c.min_population_10k),
                    [
                        f"常住人口{'未知' if np.isnan(p) else f' {p:,.0f} 万人'}，低于 {c.min_population_10k:,.0f} 万人"
                        for p in population
                    ],
                )
            )
        excluded: dict[str, str] = {}
        for mask, reasons in checks:
            for k in np.flatnonzero(mask):
                excluded.setdefault(records[k].adcode, reasons[k])
        return excluded

    # ------------------------------------------------------------ enterprises to invite
    def enterprises_for(
        self,
        city: str,
        arrays: EnterpriseArrays,
        *,
        mode: Mode | None = None,
        limit: int = 10,
        shortlist: int = 1_000,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Top enterprises for a base city to invite: (rows, scores, mode logits), best first.

        The score is P(the enterprise chooses this city among the base-area cities). The
        ``shortlist`` enterprises with the highest logits for the city get that probability
        exactly and are ranked by it (every enterprise, when there are no more than that).
        """
        row = self._row(city, "city")
        if row not in self.site_side.rows:
            raise UnknownCity(city, "base-area city")  # only base-area cities are sites
        side, weights = self._site_weights(row, mode)
        ranker = self.site_model.ranker
        logits = site_logits(side, arrays, slice(None), ranker, weights=weights)[:, 0]
        logits[arrays.hq == row] = -np.inf  # an enterprise already there is not an investor
        count = min(shortlist, len(logits) - int(np.isinf(logits).sum()))
        if count == 0:
            return np.array([], dtype=int), np.array([]), np.zeros((0, len(MODE_ORDER)))
        near = highest(logits, count)
        chance = self._choice_of(arrays, near, row, logits[near], mode)
        order = np.lexsort((near, -chance))[:limit]
        top = near[order]
        _, modes = linear_scores(site_columns(self.cities, arrays, top, side), ranker)
        return top, chance[order], modes[:, 0, :]

    def _site_weights(self, row: int | None, mode: Mode | None) -> tuple[SiteSide, SiteWeights]:
        """The site model folded into every base-area city (``row`` None) or into one, kept."""
        key = (row, mode)
        if key not in self._folded:
            side = (
                self.site_side
                if row is None
                else SiteSide.build(self.cities, np.array([row]), self.site_pairs)
            )
            self._folded[key] = side, fold_site_model(side, self.site_model.ranker, mode)
        return self._folded[key]

    def _choice_of(
        self,
        arrays: EnterpriseArrays,
        top: np.ndarray,
        row: int,
        logits: np.ndarray,
        mode: Mode | None,
    ) -> np.ndarray:
        """P(each enterprise of ``top`` chooses city ``row``) among the base-area cities."""
        ranker = self.site_model.ranker
        if mode is None and not ranker.learned_:
            others, _ = linear_scores(
                site_columns(self.cities, arrays, top, self.site_side), ranker
            )
        else:
            weights = ranker.mode_terms_[:, MODE_ORDER.index(mode)] if mode else ranker.coef_
            others = np.zeros((len(top), len(self.site_side.rows)))
            scale = ranker.pipeline_.named_steps["scale"]
            columns = site_columns(self.cities, arrays, top, self.site_side)
            for j, (_, column) in enumerate(columns):
                others += np.nan_to_num((column - scale.mean_[j]) / scale.scale_[j]) * weights[j]
        sites = self.site_side.rows[None, :]
        others[(sites == row) | (sites == arrays.hq[top][:, None])] = -np.inf
        return np.exp(logits - np.logaddexp(logsumexp(others, axis=1), logits))

    def batch_sites(
        self,
        arrays: EnterpriseArrays,
        *,
        k: int = 20,
        chunk: int | None = None,
        threads: int = 1,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-k sites for every enterprise: (enterprises × k city rows, their scores).

        Blocks of ``chunk`` consecutive enterprises (by default, as many as keep a block's
        logits within ``BLOCK_CELLS``, so every pass over them stays in cache), scored by
        ``threads`` threads (numpy releases the GIL in its loops)."""
        side, weights = self._site_weights(None, None)
        count = min(k, len(side.rows))
        chunk = chunk or max(64, BLOCK_CELLS // weights.table[0].size)
        column_of = np.full(len(self.cities), -1)
        column_of[side.rows] = np.arange(len(side.rows))
        rows_out = np.empty((len(arrays), count), dtype=np.int32)
        scores_out = np.empty((len(arrays), count), dtype=np.float32)

        def score(begin: int) -> None:
            block = slice(begin, min(begin + chunk, len(arrays)))
            overall = site_logits(side, arrays, block, self.site_model.ranker, weights=weights)
            at_hq = column_of[arrays.hq[block]]  # a headquarters is not a site for itself
            own = np.flatnonzero(at_hq >= 0)
            overall[own, at_hq[own]] = -np.inf
            top, scores_out[block] = top_choices(overall, count)
            rows_out[block] = side.rows[top]

        starts = range(0, len(arrays), chunk)
        if threads > 1:
            with ThreadPoolExecutor(threads) as pool:
                list(pool.map(score, starts))
        else:
            for begin in starts:
                score(begin)
        return rows_out, scores_out


def highest(values: np.ndarray, count: int) -> np.ndarray:
    """Positions of the ``count`` highest values, in position order (among equal values at the
    boundary, the first positions)."""
    threshold = np.partition(values, len(values) - count)[len(values) - count]
    above = np.flatnonzero(values > threshold)
    tied = np.flatnonzero(values == threshold)[: count - len(above)]
    return np.union1d(above, tied)


def top_choices(logits: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the ``count`` best columns, best first, and the probability of each being
    chosen among the whole row (a softmax; ``logits`` is overwritten)."""
    columns = logits.shape[1]
    top = np.argpartition(logits, columns - count, axis=1)[:, columns - count :]
    best = np.take_along_axis(logits, top, axis=1)
    order = best.argsort(axis=1)[:, ::-1]
    top, best = np.take_along_axis(top, order, axis=1), np.take_along_axis(best, order, axis=1)
    peak = best[:, :1].copy()
    logits -= peak
    total = np.exp(logits, out=logits).sum(axis=1, keepdims=True)
    return top, np.exp(best - peak) / total


def city_data_gaps(base: CityRecord, partner: CityRecord, row: np.ndarray) -> tuple[DataGap, ...]:
    """The profile features left unscored for a pair, and the figures that are not the city's own."""
    gaps = []
    missing = {
        "industry_fit": [c.name + "主导产业" for c in (base, partner) if not c.industry_codes],
        "resource_fit": [base.name + "资源禀赋"] * (not base.resources)
        + [partner.name + "主导产业"] * (not partner.industry_codes),
        "market_product": [base.name + "特色产品"] * (not base.products),
    }
    labels = {
        "industry_fit": "产业匹配",
        "resource_fit": "资源匹配",
        "market_product": "市场与产品",
    }
    for feature in PROFILE_FEATURES:
        if np.isnan(row[CITY_FEATURES.index(feature)]):
            what = "、".join(missing[feature]) or "资料"
            gaps.append(DataGap(feature, f"{labels[feature]}未评分：缺少{what}资料"))
    for city in (base, partner):
        if city.figures_from:
            gaps.append(
                DataGap("figures", f"{city.name}无单独统计数据，经济指标取自{city.figures_from}")
            )
        elif city.gdp_100m is None or city.population_10k is None:
            gaps.append(
                DataGap("figures", f"{city.name}缺少GDP或常住人口统计，按所在省份中位数估算")
            )
    return tuple(gaps)


def _city_text(
    base: CityRecord,
    partner: CityRecord,
    row: np.ndarray,
    km: float,
    frameworks: Sequence[FrameworkTie],
    feature: str,
) -> Said | None:
    value = float(row[CITY_FEATURES.index(feature)])
    active = feature == "framework_tie"
    chosen = [f for f in frameworks if f.active == active]
    return city_pair_text(feature, base, partner, value, km, chosen)


def mode_clause(mode: Mode) -> tuple[str, str]:
    spec = MODES[mode]
    return spec.clause, spec.rationale
