"""One-way frameworks, candidates by who asks, label features without the asker's own pairs."""

import numpy as np
import pytest

from matching.features import CITY_FEATURES, Ties, city_pair_features
from matching.frameworks import FrameworkTie, TieTables, candidate_mask
from matching.ranker import PairRanker
from matching.records import CityArrays, CityRecord


def _city(adcode: str, name: str, region: str, gdp_pc: float, **extra: object) -> CityRecord:
    return CityRecord(
        adcode=adcode,
        name=name,
        province=adcode[:2],
        province_adcode=adcode[:2] + "0000",
        longitude=110.0 + int(adcode[2:4]) / 10,
        latitude=30.0,
        population_10k=500.0,
        gdp_100m=gdp_pc * 500 / 1e4,
        gdp_per_capita=gdp_pc,
        region=region,
        **extra,  # type: ignore[arg-type]
    )


@pytest.fixture
def cities() -> CityArrays:
    return CityArrays(
        [
            _city("320500", "苏州市", "east", 190_000),
            _city("320800", "淮安市", "east", 90_000),
            _city("610100", "西安市", "west", 95_000),
            _city("610600", "延安市", "west", 95_000),
            _city("510100", "成都市", "west", 100_000),
            _city("440300", "深圳市", "east", 195_000),
        ]
    )


JIANGSU_SHAANXI = FrameworkTie(
    "east_west", "江苏省 → 陕西省", ("320500", "320800"), ("610100", "610600")
)
SUNAN_SUBEI = FrameworkTie(
    "intra_province", "苏南 → 苏北", ("320500",), ("320800",), helper_level="region"
)


def test_ties_are_one_way(cities: CityArrays) -> None:
    tables = TieTables(cities, [JIANGSU_SHAANXI])
    suzhou, huaian, xian = (cities.index[a] for a in ("320500", "320800", "610100"))
    assert tables.active[suzhou, xian] > 0 and tables.active[xian, suzhou] == 0
    assert tables.active[huaian, xian] > 0 and tables.active[xian, huaian] == 0


def test_candidates_are_richer_and_tied_or_eastern_never_an_untied_inland_capital(
    cities: CityArrays,
) -> None:
    tables = TieTables(cities, [JIANGSU_SHAANXI, SUNAN_SUBEI])
    rows = np.arange(len(cities))
    mask = candidate_mask(tables, rows)
    names = [r.name for r in cities.records]
    of = {names[i]: {names[j] for j in np.flatnonzero(mask[i])} for i in rows}
    assert of["淮安市"] == {"苏州市", "深圳市"}  # eastern and richer; 西安、成都 never
    assert of["延安市"] == {"苏州市", "深圳市"}  # 成都 is richer, but an untied inland capital
    assert "西安市" not in of["淮安市"] and of["深圳市"] == set()
    assert tables.programme_provinces == frozenset({"320000"})
    helpers = {names[i] for i in np.flatnonzero(tables.helpers_only)}
    assert helpers == {"苏州市"}  # named by a region; 淮安 is assisted too, 深圳 unnamed


def test_label_features_never_count_the_askers_own_pairs(cities: CityArrays) -> None:
    ties = Ties(None, frozenset({("610600", "320500"), ("610100", "320500")}))
    yanan, xian, suzhou = (cities.index[a] for a in ("610600", "610100", "320500"))
    history, load = ties.label_features(cities, np.array([yanan, xian]), np.array([suzhou]))
    assert load[:, 0].tolist() == pytest.approx([np.log1p(1), np.log1p(1)])
    assert history[:, 0].tolist() == pytest.approx([np.log1p(1), np.log1p(1)])
    alone = Ties(None, frozenset({("610600", "320500")}))
    history, load = alone.label_features(cities, np.array([yanan]), np.array([suzhou]))
    assert history[0, 0] == 0 and load[0, 0] == 0


def test_unknown_profile_features_are_nan_and_neutral(cities: CityArrays) -> None:
    X = city_pair_features(cities, np.array([1]), np.array([0, 5]), Ties())[0]
    assert np.isnan(X[:, CITY_FEATURES.index("resource_fit")]).all()
    ranker = PairRanker(feature_names=CITY_FEATURES).fit(np.nan_to_num(X))
    z = ranker.standardise(X)
    assert not np.isnan(z).any() and (z[:, CITY_FEATURES.index("resource_fit")] == 0).all()


def test_listwise_fit_keeps_the_signs_the_modes_fix() -> None:
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(30), 10)
    X = rng.normal(size=(300, len(CITY_FEATURES)))
    distance = CITY_FEATURES.index("log_distance")
    X[:, distance] = rng.normal(size=300)
    scores = X[:, distance]  # farther is better here: against the sign the modes fix
    y = np.zeros(300)
    for g in range(30):
        rows = np.flatnonzero(groups == g)
        y[rows[np.argmax(scores[rows])]] = 1
    ranker = PairRanker(feature_names=CITY_FEATURES, alpha=0.1).fit(X, y, groups=groups)
    assert ranker.learned_ and ranker.coef_[distance] <= 0
    free = PairRanker(feature_names=CITY_FEATURES, constrained=False)
    free.fit(X, y, groups=groups)
    assert free.coef_[distance] > 0  # without the constraint the data would flip it
