"""Plain records in, arrays out: what the engine knows about cities and enterprises.

The caller (the API, the CLI, a benchmark) builds records from wherever profiles live; the
engine turns them into arrays and sparse matrices once, so every query is matrix work.
Industry codes are GB/T 4754 codes of any level: a 中类 or 小类 ("3841") rolls up to its 大类
("38"), here and only here; a 门类 letter ("C") spreads over the section's 大类.
"""

import csv
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

CODES = [f"{i:02d}" for i in range(1, 98)]
CODE_INDEX = {code: i for i, code in enumerate(CODES)}
SECTIONS = {
    "A": (1, 5),
    "B": (6, 12),
    "C": (13, 43),
    "D": (44, 46),
    "E": (47, 50),
    "F": (51, 52),
    "G": (53, 60),
    "H": (61, 62),
    "I": (63, 65),
    "J": (66, 69),
    "K": (70, 70),
    "L": (71, 72),
    "M": (73, 75),
    "N": (76, 79),
    "O": (80, 82),
    "P": (83, 83),
    "Q": (84, 85),
    "R": (86, 90),
    "S": (91, 96),
    "T": (97, 97),
}
EARTH_RADIUS_KM = 6371.0
Words = tuple[tuple[str, tuple[str, ...]], ...]  # (word as written, its industry codes)


def major_index(code: str) -> int | None:
    """The row of the 大类 a 大类, 中类 or 小类 code rolls up to (3841 → 38); None otherwise.

    The one place finer codes roll up: features, the chain table and reasons work at 大类.
    """
    return CODE_INDEX.get(code[:2]) if code[:2].isdigit() else None


def major_codes(codes: Sequence[str]) -> tuple[str, ...]:
    """The 大类 codes of ``codes``, in order, once each (3841 → 38; 门类 letters left out)."""
    return tuple(dict.fromkeys(CODES[row] for c in codes if (row := major_index(c)) is not None))


def majors(codes: Sequence[str]) -> set[int]:
    """The 大类 rows of ``codes`` (门类 letters are left out)."""
    return {row for code in codes if (row := major_index(code)) is not None}


@dataclass(frozen=True)
class CityRecord:
    adcode: str
    name: str
    province: str
    province_adcode: str
    longitude: float
    latitude: float
    population_10k: float | None = None
    gdp_100m: float | None = None
    gdp_per_capita: float | None = None
    gdp_year: int | None = None
    gdp_source: str | None = None  # also the source of the industry shares
    gdp_confidence: str | None = None
    secondary_share: float | None = None
    tertiary_share: float | None = None
    industry_codes: tuple[str, ...] = ()
    industry_words: Words = ()
    resources: Words = ()
    products: Words = ()
    airport: bool | None = None
    high_speed_rail: bool | None = None
    bonded_zone: bool | None = None  # 综合保税区: a zone of the catalogue, else the city's flag
    ecommerce_zone: bool | None = None  # 跨境电商综试区, likewise
    zones: tuple[tuple[str, str], ...] = ()  # (kind, name) of the zones the catalogue places here
    base_areas: tuple[str, ...] = ()
    is_key_city: bool = False
    is_partner_candidate: bool = False
    universities: int = 0
    double_first_class: int = 0
    region: str | None = None  # east / central / west / northeast
    parent_adcode: str | None = None  # set for a county-level city (瑞金 → 赣州)
    profile_year: int | None = None
    profile_source: str | None = None  # industries, resources, products, transport flags
    profile_confidence: str | None = None  # high / medium / low
    figures_from: str | None = None  # a county's figures are its prefecture's (its name)
    population_year: int | None = None
    population_source: str | None = None
    gdp_per_capita_year: int | None = None
    gdp_per_capita_source: str | None = None

    @property
    def zone_kinds(self) -> frozenset[str]:
        return frozenset(kind for kind, _ in self.zones)


@dataclass(frozen=True)
class EnterpriseRecord:
    id: int
    name: str
    hq_city: str
    industry_codes: tuple[str, ...]
    needs: Words = ()
    modes: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    is_demo: bool = False
    workers: int | None = None


def code_vector(codes: Sequence[str]) -> dict[int, float]:
    """Weights over the 97 大类 for a list of codes (finer codes roll up to their 大类; a 门类
    letter spreads over its 大类)."""
    weights: dict[int, float] = {}
    for code in codes:
        if (row := major_index(code)) is not None:
            weights[row] = max(weights.get(row, 0.0), 1.0)
        elif code in SECTIONS:
            first, last = SECTIONS[code]
            share = 1.0 / (last - first + 1)
            for number in range(first, last + 1):
                index = number - 1
                weights[index] = max(weights.get(index, 0.0), share)
    return weights


def code_matrix(rows: Sequence[Sequence[str]]) -> sparse.csr_matrix:
    """Rows × 97 sparse matrix of code weights."""
    indptr, indices, data = [0], [], []
    for codes in rows:
        weights = code_vector(codes)
        indices.extend(weights)
        data.extend(weights.values())
        indptr.append(len(indices))
    return sparse.csr_matrix(
        (data, indices, indptr), shape=(len(rows), len(CODES)), dtype=np.float64
    )


DETAIL_OFFSETS = {2: 0, 3: 100, 4: 1_100}  # 大类, 中类, 小类 codes side by side
DETAIL_COLUMNS = 11_100


def _detail_columns(code: str, *, prefixes: bool) -> list[int]:
    """Columns of a numeric code (and, with ``prefixes``, of every coarser code containing it)."""
    if not code.isdigit() or len(code) not in DETAIL_OFFSETS:
        return []
    lengths = range(2, len(code) + 1) if prefixes else (len(code),)
    return [DETAIL_OFFSETS[n] + int(code[:n]) for n in lengths]


def detail_matrix(rows: Sequence[Sequence[str]], *, prefixes: bool) -> sparse.csr_matrix:
    """Rows × codes at every level (大类, 中类, 小类), for matching a need to what a site holds.

    A need is its codes as written; what a site holds is each code and every coarser code that
    contains it (``prefixes``). Their product counts the needs met by a code as fine as the need
    or finer: a site with 锂 (0939) meets a need for 0939 or 09, never one for 0939 by copper (0911).
    """
    indptr, indices = [0], []
    for codes in rows:
        indices.extend(
            sorted({c for code in codes for c in _detail_columns(code, prefixes=prefixes)})
        )
        indptr.append(len(indices))
    return sparse.csr_matrix(
        (np.ones(len(indices)), indices, indptr), shape=(len(rows), DETAIL_COLUMNS)
    )


def l2_rows(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ matrix)


@lru_cache
def chain_matrix() -> sparse.csr_matrix:
    """97 × 97 upstream → downstream links (``matching/data/industry_chain.csv``)."""
    text = (Path(__file__).parent / "data" / "industry_chain.csv").read_text(encoding="utf-8")
    links = list(csv.DictReader(text.splitlines()))
    rows = [CODE_INDEX[r["upstream"]] for r in links]
    cols = [CODE_INDEX[r["downstream"]] for r in links]
    return sparse.csr_matrix((np.ones(len(links)), (rows, cols)), shape=(len(CODES), len(CODES)))


@lru_cache
def chain_links() -> dict[tuple[str, str], str]:
    """(upstream 大类, downstream 大类) → why, as the chain table words it (煤炭→电力)."""
    text = (Path(__file__).parent / "data" / "industry_chain.csv").read_text(encoding="utf-8")
    return {(r["upstream"], r["downstream"]): r["why"] for r in csv.DictReader(text.splitlines())}


@lru_cache
def reach_matrix() -> sparse.csr_matrix:
    """Links of one or two steps (稀土矿 → 稀土冶炼 → 电机), capped at 1."""
    step = chain_matrix()
    both = (step + step @ step).tocsr()
    both.data = np.minimum(both.data, 1.0)
    return both


def _column(records: Sequence[CityRecord], attribute: str) -> np.ndarray:
    """One numeric attribute of every record, missing values as NaN."""
    return np.array(
        [np.nan if (v := getattr(r, attribute)) is None else v for r in records], dtype=np.float64
    )


def _impute(values: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fill missing values with the group's median (else the overall median)."""
    missing = np.isnan(values)
    filled = values.copy()
    overall = np.nanmedian(values) if (~missing).any() else 0.0
    for group in np.unique(groups[missing]):
        members = groups == group
        known = values[members & ~missing]
        filled[members & missing] = np.median(known) if known.size else overall
    return filled, missing


@dataclass
class CityArrays:
    """Everything per city as arrays, built once from records."""

    records: list[CityRecord]
    index: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.index = {r.adcode: i for i, r in enumerate(self.records)}
        records = self.records
        self.lonlat = np.radians(
            np.array([[r.longitude, r.latitude] for r in records], dtype=np.float64)
        )
        provinces = np.array([r.province_adcode for r in records])
        self.province = provinces
        self.region = np.array([r.region or "" for r in records])
        self.prefecture_level = np.array([r.parent_adcode is None for r in records])
        self.has_industries = np.array([bool(r.industry_codes) for r in records])
        self.has_resources = np.array([bool(r.resources) for r in records])
        self.has_products = np.array([bool(r.products) for r in records])
        gdp = _column(records, "gdp_100m")
        pop = _column(records, "population_10k")
        per_capita = _column(records, "gdp_per_capita")
        derived = np.where(
            np.isnan(per_capita) & ~np.isnan(gdp) & ~np.isnan(pop) & (pop > 0),
            gdp * 1e4 / np.where(pop > 0, pop, 1),
            per_capita,
        )
        self.gdp, self.gdp_imputed = _impute(gdp, provinces)
        self.population, self.population_imputed = _impute(pop, provinces)
        self.gdp_per_capita, self.gdp_per_capita_imputed = _impute(derived, provinces)
        self.secondary = _impute(_column(records, "secondary_share"), provinces)[0] / 100.0
        self.tertiary = _impute(_column(records, "tertiary_share"), provinces)[0] / 100.0
        self.industries = l2_rows(code_matrix([r.industry_codes for r in records]))
        self.resources = code_matrix(
            [tuple(c for _, codes in r.resources for c in codes) for r in records]
        )
        self.resource_detail = detail_matrix(
            [tuple(c for _, codes in r.resources for c in codes) for r in records], prefixes=True
        )
        self.products = code_matrix(
            [tuple(c for _, codes in r.products for c in codes) for r in records]
        )
        self.product_count = np.array([len(r.products) for r in records], dtype=np.float64)
        self.logistics = np.array(
            [
                sum(
                    bool(flag)
                    for flag in (r.airport, r.high_speed_rail, r.bonded_zone, r.ecommerce_zone)
                )
                for r in records
            ],
            dtype=np.float64,
        )
        self.double_first_class = np.array([r.double_first_class for r in records], dtype=float)
        self.talent = np.log1p(
            np.array([r.universities + 2 * r.double_first_class for r in records], dtype=np.float64)
        )
        areas = sorted({a for r in records for a in r.base_areas})
        area_index = {a: i for i, a in enumerate(areas)}
        self.base_area_matrix = sparse.csr_matrix(
            (
                np.ones(sum(len(r.base_areas) for r in records)),
                (
                    [i for i, r in enumerate(records) for _ in r.base_areas],
                    [area_index[a] for r in records for a in r.base_areas],
                ),
            ),
            shape=(len(records), max(len(areas), 1)),
        )

    def __len__(self) -> int:
        return len(self.records)

    @cached_property
    def keyword_vectors(self) -> sparse.csr_matrix:
        """TF-IDF over character 1–2-grams of the industry words (suits Chinese, no segmenter)."""
        documents = [" ".join(w for w, _ in r.industry_words) for r in self.records]
        if not any(documents):
            return sparse.csr_matrix((len(self.records), 1))
        vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 2), min_df=1)
        return sparse.csr_matrix(vectorizer.fit_transform(documents))

    def indices(self, adcodes: Sequence[str]) -> np.ndarray:
        return np.array([self.index[a] for a in adcodes], dtype=np.int64)

    @cached_property
    def partner_candidates(self) -> np.ndarray:
        return np.flatnonzero([r.is_partner_candidate for r in self.records])

    @cached_property
    def base_cities(self) -> np.ndarray:
        """Prefecture-level cities covered by a base area (the sites and the bases)."""
        return np.flatnonzero(
            [
                bool(r.base_areas) and not r.adcode.endswith("0000") and r.adcode.endswith("00")
                for r in self.records
            ]
        )


@dataclass
class EnterpriseArrays:
    """Enterprises as arrays (built from columns, so a million of them stay compact)."""

    ids: np.ndarray
    hq: np.ndarray  # row in the CityArrays of each headquarters
    industries: sparse.csr_matrix  # L2-normalised code weights
    needs: sparse.csr_matrix  # resources needed, as codes
    need_detail: sparse.csr_matrix | None = None  # the same at every level (``detail_matrix``)
    workers: np.ndarray | None = None  # workforce needed (people; 0 where not stated)

    @classmethod
    def build(
        cls,
        cities: CityArrays,
        *,
        ids: Sequence[int],
        hq_cities: Sequence[str],
        industry_codes: Sequence[Sequence[str]],
        need_codes: Sequence[Sequence[str]],
        workers: Sequence[float | None] | None = None,
    ) -> "EnterpriseArrays":
        count = len(ids)
        industries, industry_rows = distinct(industry_codes)
        needs, need_rows = distinct(need_codes)
        return cls(
            ids=np.asarray(ids, dtype=np.int64),
            hq=np.array([cities.index[a] for a in hq_cities], dtype=np.int64),
            industries=l2_rows(code_matrix(industries))[industry_rows],
            needs=code_matrix(needs)[need_rows],
            need_detail=detail_matrix(needs, prefixes=False)[need_rows],
            workers=np.array(
                [float(w or 0) for w in (workers or [None] * count)], dtype=np.float64
            ),
        )

    @classmethod
    def from_records(
        cls, cities: CityArrays, records: Sequence[EnterpriseRecord]
    ) -> "EnterpriseArrays":
        return cls.build(
            cities,
            ids=[r.id for r in records],
            hq_cities=[r.hq_city for r in records],
            industry_codes=[r.industry_codes for r in records],
            need_codes=[tuple(c for _, codes in r.needs for c in codes) for r in records],
            workers=[r.workers for r in records],
        )

    def __len__(self) -> int:
        return len(self.ids)

    @cached_property
    def _positions(self) -> dict[int, int]:
        return {int(i): k for k, i in enumerate(self.ids)}

    @cached_property
    def need_counts(self) -> np.ndarray:
        """How many codes (at any level) each enterprise needs; 0 where it states none."""
        if self.need_detail is None:
            return np.zeros(len(self))
        return np.asarray(self.need_detail.sum(axis=1)).ravel()

    def position_of(self, enterprise_id: int) -> int | None:
        return self._positions.get(enterprise_id)

    def subset(self, rows: np.ndarray) -> "EnterpriseArrays":
        return EnterpriseArrays(
            self.ids[rows],
            self.hq[rows],
            self.industries[rows],
            self.needs[rows],
            None if self.need_detail is None else self.need_detail[rows],
            None if self.workers is None else self.workers[rows],
        )


def distinct(rows: Sequence[Sequence[str]]) -> tuple[list[tuple[str, ...]], np.ndarray]:
    """(the distinct code lists of ``rows``, the position of each row's among them): a million
    enterprises share a few thousand code lists, so their matrices are built once per list."""
    index: dict[tuple[str, ...], int] = {}
    positions = np.fromiter(
        (index.setdefault(tuple(r), len(index)) for r in rows), dtype=np.intp, count=len(rows)
    )
    return list(index), positions


def haversine_km(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Great-circle distances between radian (lon, lat) rows of ``a`` and ``b``, broadcast."""
    dlon = b[..., 0] - a[..., 0]
    dlat = b[..., 1] - a[..., 1]
    h = np.sin(dlat / 2) ** 2 + np.cos(a[..., 1]) * np.cos(b[..., 1]) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
