"""Zones and open platforms (Opinion §（四）): zone-to-zone cooperation and the best zone of a site.

The Opinion asks base-area 国家级、省级开发区 to cooperate with 国家级新区 and the development
zones of developed regions, and base-area 综合保税区 and 跨境电商综合试验区 to link with the open
platforms of the eastern coast. A zone pair is scored as its two host cities are (the city
ranker's features, modes and chain table), plus two zone terms:

    logit(zone b, zone p) = city logit(city of b, city of p; mode)
                            + PLATFORM_WEIGHT · platform pairing (the Opinion's, by kind)
                            + INDUSTRY_WEIGHT · the zones' own industry fit (0 where unknown)

No zone cooperation is recorded anywhere to learn from, so the two zone weights are priors,
stated here. Every pair of a query is scored at once (matrix work); only the returned items
are explained.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from scipy import sparse

from matching.engine import Engine, EnterpriseProfile
from matching.explain import Reason
from matching.features import city_pair_features
from matching.frameworks import distinct_labels
from matching.matches import Match, word_matches
from matching.ranker import MODE_ORDER, sigmoid
from matching.records import CityRecord, Words, chain_matrix, code_matrix, haversine_km, l2_rows
from matching.site_explain import DataGap
from matching.vocabulary import Mode, ZoneKind

PLATFORM_WEIGHT = 1.5
INDUSTRY_WEIGHT = 1.0
DEVELOPMENT = (
    ZoneKind.national_etdz,
    ZoneKind.national_htz,
    ZoneKind.provincial_zone,
    ZoneKind.national_new_area,
)
OPEN = (ZoneKind.comprehensive_bonded_zone, ZoneKind.cbec_pilot_zone, ZoneKind.free_trade_zone_area)
DEVELOPMENT_CLAUSE = "鼓励革命老区国家级、省级开发区与国家级新区及发达地区开发区开展产业合作交流"
OPEN_CLAUSE = "推动革命老区综合保税区、跨境电商综合试验区与东部沿海地区开放平台联动发展"
OPINION = "《关于加快革命老区振兴发展的意见》（四）"
KINDS = tuple(ZoneKind)


def _pairing_table() -> np.ndarray:
    """kinds × kinds: how directly the Opinion pairs a base-area zone of one kind with a
    partner zone of another (1: the pairing it names; 0.5: the same family of platforms)."""
    table = np.zeros((len(KINDS), len(KINDS)))
    at = {kind: i for i, kind in enumerate(KINDS)}
    for base in DEVELOPMENT:
        table[at[base], at[ZoneKind.national_new_area]] = 1.0
        for partner in (ZoneKind.national_etdz, ZoneKind.national_htz):
            table[at[base], at[partner]] = 1.0
    for base in (ZoneKind.comprehensive_bonded_zone, ZoneKind.cbec_pilot_zone):
        table[at[base], at[base]] = 1.0  # 综保区 ↔ 综保区, 综试区 ↔ 综试区
        for partner in OPEN:
            table[at[base], at[partner]] = max(table[at[base], at[partner]], 0.5)
    table[at[ZoneKind.free_trade_zone_area], [at[k] for k in OPEN]] = 0.5
    return table


PAIRING = _pairing_table()


@dataclass(frozen=True)
class ZoneRecord:
    id: int
    name: str
    kind: str  # a ZoneKind value
    city: str  # the prefecture-level host, as the engine knows it
    industry_codes: tuple[str, ...] = ()
    industry_words: Words = ()  # the zone's words and code names, with their codes
    approved_year: int | None = None
    source: str | None = None
    confidence: str | None = None

    @property
    def kind_label(self) -> str:
        return ZoneKind(self.kind).label


@dataclass
class ZoneArrays:
    """The zones as arrays over the engine's cities: host row, kind, industries."""

    records: list[ZoneRecord]
    cities_index: dict[str, int]
    index: dict[int, int] = field(init=False)

    def __post_init__(self) -> None:
        self.index = {z.id: k for k, z in enumerate(self.records)}
        self.city_row = np.array([self.cities_index[z.city] for z in self.records], dtype=np.int64)
        at = {kind.value: i for i, kind in enumerate(KINDS)}
        self.kind = np.array([at[z.kind] for z in self.records], dtype=np.int64)
        self.industries = l2_rows(code_matrix([z.industry_codes for z in self.records]))
        self.has_industries = np.array([bool(z.industry_codes) for z in self.records])

    def __len__(self) -> int:
        return len(self.records)

    @cached_property
    def _by_city(self) -> dict[int, np.ndarray]:
        rows: dict[int, list[int]] = {}
        for k, row in enumerate(self.city_row):
            rows.setdefault(int(row), []).append(k)
        return {row: np.array(ks) for row, ks in rows.items()}

    def in_city(self, row: int) -> np.ndarray:
        return self._by_city.get(row, np.array([], dtype=np.int64))


class NotABaseAreaZone(ValueError):
    """Partner zones are ranked for zones of base-area cities; others ask the other way round."""

    def __init__(self, zone: ZoneRecord, city: str) -> None:
        super().__init__(
            f"{zone.name}所在的{city}不在革命老区范围内：请改用 direction=base_zones（或不指定方向），"
            "查询它可对接的老区开发区"
        )
        self.zone = zone


@dataclass(frozen=True)
class ZoneMatch:
    """A ranked zone with its score, mode, reasons and the data it lacks."""

    rank: int
    zone: ZoneRecord
    score: float
    mode: Mode
    mode_scores: dict[str, float]
    reasons: list[Reason]
    distance_km: float
    frameworks: tuple[str, ...] = ()
    data_gaps: tuple[DataGap, ...] = ()


def _fit(a: sparse.csr_matrix, b: sparse.csr_matrix) -> np.ndarray:
    """Shared codes and chain links (either way) between the rows of ``a`` and of ``b``: the
    city engine's industry fit, for zones."""
    step = chain_matrix()
    return (
        (a @ b.T).toarray() + 0.5 * (a @ step @ b.T).toarray() + 0.5 * (b @ step @ a.T).toarray().T
    )


class ZoneRanker:
    """Zone-to-zone cooperation both ways, and the best zone of a city for an enterprise."""

    def __init__(self, engine: Engine, zones: Sequence[ZoneRecord]) -> None:
        self.engine = engine
        self.cities = engine.cities
        known = [z for z in zones if z.city in self.cities.index]
        self.zones = ZoneArrays(known, self.cities.index)
        self.base_area = np.isin(self.zones.city_row, engine.base_rows)
        region = self.cities.region[self.zones.city_row]
        self.eastern = region == "east"

    def _zone(self, zone_id: int) -> int:
        if zone_id not in self.zones.index:
            raise KeyError(zone_id)
        return self.zones.index[zone_id]

    def is_base_area(self, zone_id: int) -> bool:
        return bool(self.base_area[self._zone(zone_id)])

    # ------------------------------------------------------------ zone ↔ zone
    def eligible(self, bases: np.ndarray, partners: np.ndarray) -> np.ndarray:
        """Whether each base-area zone ``bases[i]`` may pair with ``partners[i]`` under the
        Opinion: a 国家级新区 anywhere; a 经开区 or 高新区 in a city the city engine counts as a
        candidate partner of the base's (more developed, and tied to it or eastern); an open
        platform in an eastern city; and only the kinds the Opinion pairs. Never the same city."""
        z = self.zones
        kinds = np.array(KINDS)[z.kind[partners]]
        base_rows, partner_rows = z.city_row[bases], z.city_row[partners]
        new_area = kinds == ZoneKind.national_new_area
        development = (
            np.isin(kinds, [ZoneKind.national_etdz, ZoneKind.national_htz])
            & (self.engine.candidates[base_rows, partner_rows])
        )
        open_platform = np.isin(kinds, OPEN) & self.eastern[partners]
        developed = ~self.base_area[partners] | new_area
        paired = PAIRING[z.kind[bases], z.kind[partners]] > 0
        return (
            (new_area | development | open_platform)
            & paired
            & developed
            & (partner_rows != base_rows)
        )

    def partners(
        self, zone_id: int, *, mode: Mode | None = None, limit: int = 10
    ) -> list[ZoneMatch]:
        """Partner zones for a base-area zone, best first."""
        base = self._zone(zone_id)
        record = self.zones.records[base]
        if not self.base_area[base]:
            raise NotABaseAreaZone(record, self.cities.records[self.zones.city_row[base]].name)
        others = np.arange(len(self.zones))
        keep = self.eligible(np.full(len(others), base), others)
        return self._ranked(np.full(len(others), base), others, keep, mode, limit, key_side=1)

    def bases(self, zone_id: int, *, mode: Mode | None = None, limit: int = 10) -> list[ZoneMatch]:
        """Base-area zones a developed-region zone (or a 国家级新区) could cooperate with."""
        partner = self._zone(zone_id)
        bases = np.flatnonzero(self.base_area)
        keep = self.eligible(bases, np.full(len(bases), partner))
        return self._ranked(bases, np.full(len(bases), partner), keep, mode, limit, key_side=0)

    def _ranked(
        self,
        bases: np.ndarray,
        partners: np.ndarray,
        keep: np.ndarray,
        mode: Mode | None,
        limit: int,
        key_side: int,
    ) -> list[ZoneMatch]:
        """Score the zone pairs (bases[i], partners[i]) at once; explain the top ``limit``."""
        logits, mode_logits, zone_terms = self.logits(bases, partners, mode)
        logits = np.where(keep, logits, -np.inf)
        count = min(limit, int(keep.sum()))
        if count == 0:
            return []
        top = np.argpartition(-logits, count - 1)[:count]
        top = top[np.lexsort((top, -logits[top]))]
        z = self.zones
        records = self.cities.records
        base_codes = list(dict.fromkeys(records[r].adcode for r in z.city_row[bases[top]]))
        partner_codes = list(dict.fromkeys(records[r].adcode for r in z.city_row[partners[top]]))
        city_reasons = self.engine.pair_reasons(base_codes, partner_codes, mode)

        def explain(base: str, partner: str) -> list[Reason]:
            if base == partner:
                return []
            return city_reasons(base_codes.index(base), partner_codes.index(partner))

        items = []
        for rank, k in enumerate(top, start=1):
            scores = sigmoid(mode_logits[k] + zone_terms[k])
            mode_scores = {
                m.value: round(float(s), 4) for m, s in zip(MODE_ORDER, scores, strict=True)
            }
            best = mode or MODE_ORDER[int(np.argmax(scores))]
            pair = (int(bases[k]), int(partners[k]))
            score = round(float(sigmoid(logits[k])), 4)
            items.append(self._item(rank, pair, score, mode_scores, best, explain, key_side))
        return items

    def logits(
        self, bases: np.ndarray, partners: np.ndarray, mode: Mode | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For the zone pairs (bases[i], partners[i]): (the logit that ranks them, the city
        pair's mode logits, the zone terms), all pairs at once."""
        z, ranker = self.zones, self.engine.city_model.ranker
        X = self._city_features(z.city_row[bases], z.city_row[partners])
        mode_logits = ranker.mode_logits(X)
        city = mode_logits[:, MODE_ORDER.index(mode)] if mode else ranker.decision_function(X)
        platform = PAIRING[z.kind[bases], z.kind[partners]]
        fit = self._zone_fit(bases, partners)
        terms = PLATFORM_WEIGHT * platform + INDUSTRY_WEIGHT * np.nan_to_num(fit)
        return city + terms, mode_logits, terms

    def _city_features(self, base_rows: np.ndarray, partner_rows: np.ndarray) -> np.ndarray:
        """The city-pair features of each zone pair: computed once per distinct city pair."""
        bases, base_at = np.unique(base_rows, return_inverse=True)
        partners, partner_at = np.unique(partner_rows, return_inverse=True)
        block = city_pair_features(self.cities, bases, partners, self.engine.ties)
        return block[base_at, partner_at]

    def _zone_fit(self, bases: np.ndarray, partners: np.ndarray) -> np.ndarray:
        """Each pair's zone industry fit; NaN where either zone's industries are unknown."""
        z = self.zones
        unique_b, at_b = np.unique(bases, return_inverse=True)
        unique_p, at_p = np.unique(partners, return_inverse=True)
        fit = _fit(z.industries[unique_b], z.industries[unique_p])[at_b, at_p]
        known = z.has_industries[bases] & z.has_industries[partners]
        return np.where(known, fit, np.nan)

    def _item(
        self,
        rank: int,
        pair: tuple[int, int],
        score: float,
        mode_scores: dict[str, float],
        best: Mode,
        explain: Callable[[str, str], list[Reason]],
        key_side: int,
    ) -> ZoneMatch:
        """One ranked pair, explained: the zone terms' reasons, then the city pair's."""
        z = self.zones
        base, partner = pair
        b, p = z.records[base], z.records[partner]
        city_b = self.cities.records[z.city_row[base]]
        city_p = self.cities.records[z.city_row[partner]]
        km = float(
            haversine_km(
                self.cities.lonlat[z.city_row[base]], self.cities.lonlat[z.city_row[partner]]
            )
        )
        reasons = [*self._zone_reasons(b, p, city_b, city_p)]
        reasons += explain(city_b.adcode, city_p.adcode)
        gaps = []
        if not (b.industry_codes and p.industry_codes):
            missing = "、".join(zone.name for zone in (b, p) if not zone.industry_codes)
            gaps.append(
                DataGap(
                    "zone_industries",
                    f"目录未载{missing}的主导产业：园区产业匹配未计，按所在城市计",
                )
            )
        frameworks = self.engine.tables.frameworks_between(city_p.adcode, city_b.adcode)
        return ZoneMatch(
            rank=rank,
            zone=(b, p)[key_side],
            score=score,
            mode=best,
            mode_scores=mode_scores,
            reasons=reasons[:5],
            distance_km=round(km, 1),
            frameworks=tuple(distinct_labels(f for f in frameworks if f.active)),
            data_gaps=tuple(gaps),
        )

    def _zone_reasons(
        self, base: ZoneRecord, partner: ZoneRecord, city_b: CityRecord, city_p: CityRecord
    ) -> list[Reason]:
        """The Opinion's platform pairing and the zones' own industries, where the data show them."""
        reasons = []
        kinds = ZoneKind(base.kind), ZoneKind(partner.kind)
        weight = PAIRING[KINDS.index(kinds[0]), KINDS.index(kinds[1])]
        if weight > 0:
            if kinds[0] in OPEN:
                where = (
                    f"{city_p.name}（{'东部地区' if city_p.region == 'east' else city_p.province}）"
                )
                text = (
                    f"{base.name}（{kinds[0].label}）对接{where}的{partner.name}（{kinds[1].label}）："
                    f"{OPINION}“{OPEN_CLAUSE}”"
                )
            else:
                text = (
                    f"{base.name}（{kinds[0].label}）与{partner.name}（{kinds[1].label}"
                    f"{f'，{partner.approved_year}年获批' if partner.approved_year else ''}）："
                    f"{OPINION}“{DEVELOPMENT_CLAUSE}”"
                )
            text += _doubt(partner) or _doubt(base)
            reasons.append(
                Reason(
                    "platform_pairing",
                    text,
                    round(PLATFORM_WEIGHT * weight, 4),
                    (),
                    partner.source,
                    partner.approved_year,
                    _weakest(base.confidence, partner.confidence),
                )
            )
        matches = _zone_matches(base, partner)
        if matches:
            reasons.append(
                Reason(
                    "zone_industry_fit",
                    "园区产业匹配：" + "、".join(m.describe() for m in matches[:2]),
                    INDUSTRY_WEIGHT,
                    tuple(matches[:2]),
                )
            )
        return reasons

    # ------------------------------------------------------------ sites
    def best_in_cities(
        self, enterprise: EnterpriseProfile, adcodes: Sequence[str], kind: str | None = None
    ) -> dict[str, tuple[ZoneRecord, list[Reason], list[DataGap]]]:
        """For each city that has zones (of ``kind``, if given), the zone that fits the
        enterprise best: its industries (shared codes, chain links) first, a national zone
        before a provincial one, the oldest approval, then the id."""
        z = self.zones
        rows = [self.cities.index[a] for a in adcodes if a in self.cities.index]
        members = np.concatenate([z.in_city(r) for r in rows] or [np.array([], dtype=np.int64)])
        if kind is not None and len(members):
            members = members[np.array(KINDS)[z.kind[members]] == kind]
        if not len(members):
            return {}
        own = l2_rows(code_matrix([enterprise.industry_codes]))
        fit = np.nan_to_num(_fit(own, z.industries[members])[0] * z.has_industries[members])
        national = np.array([KINDS[k] != ZoneKind.provincial_zone for k in z.kind[members]])
        year = np.array([z.records[m].approved_year or 9999 for m in members])
        order = np.lexsort((members, year, ~national, -fit, z.city_row[members]))
        chosen: dict[str, tuple[ZoneRecord, list[Reason], list[DataGap]]] = {}
        for k in order:
            zone = z.records[members[k]]
            if zone.city not in chosen:
                chosen[zone.city] = (zone, *_site_reasons(zone, enterprise, float(fit[k])))
        return chosen


def _weakest(*confidences: str | None) -> str | None:
    ranks = {"low": 0, "medium": 1, "high": 2}
    known = [c for c in confidences if c in ranks]
    return min(known, key=ranks.__getitem__) if known else None


def _doubt(zone: ZoneRecord) -> str:
    """What a reason must add when the zone's record is of low confidence."""
    if zone.confidence == "low":
        return f"（{zone.name}的资料可信度低，其级别系推断，仅供参考）"
    return ""


def _zone_matches(base: ZoneRecord, partner: ZoneRecord) -> list[Match]:
    return word_matches(
        base.industry_words, partner.industry_words, same=True, two_steps=False
    ) or word_matches(partner.industry_words, base.industry_words, same=False, two_steps=False)


def _site_reasons(
    zone: ZoneRecord, enterprise: EnterpriseProfile, fit: float
) -> tuple[list[Reason], list[DataGap]]:
    """Why this zone of the city: its kind (bonded status is the kind's), its industries."""
    kind = ZoneKind(zone.kind)
    said = f"{zone.name}为{kind.label}" + (
        f"（{zone.approved_year}年获批）" if zone.approved_year else ""
    )
    if kind == ZoneKind.comprehensive_bonded_zone:
        said += "，区内企业可享保税政策"
    said += _doubt(zone)
    reasons = [Reason("zone_kind", said, 0.0, (), zone.source, zone.approved_year, zone.confidence)]
    gaps = []
    own = tuple((w, codes) for w, codes in enterprise.industry_words) or tuple(
        (c, (c,)) for c in enterprise.industry_codes
    )
    matches = word_matches(own, zone.industry_words, same=True, two_steps=False) or word_matches(
        zone.industry_words, own, same=False, two_steps=False
    )
    if fit > 0 and matches:
        reasons.append(
            Reason(
                "zone_industry_fit",
                f"{zone.name}主导产业与企业相符：" + "、".join(m.describe() for m in matches[:2]),
                round(fit, 4),
                tuple(matches[:2]),
                zone.source,
            )
        )
    if not zone.industry_codes:
        gaps.append(DataGap("zone_industries", f"目录未载{zone.name}的主导产业，园区产业匹配未计"))
    return reasons, gaps
