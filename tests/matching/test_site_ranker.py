"""The site ranker: estimator conventions, a known rule learned, sign bounds, code-level needs."""

from dataclasses import replace

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from matching.engine import Engine, EnterpriseProfile
from matching.features import SITE_FEATURES
from matching.records import CityArrays, haversine_km
from matching.site_cases import SiteCase, cluster_ids
from matching.site_evaluation import evaluate_sites, tied_metrics
from matching.site_ranker import SiteRanker
from matching.training import KnownPairing, train_city_ranker, train_site_ranker

World = tuple[CityArrays, list[KnownPairing]]


def nearest_cases(cities: CityArrays, *, farthest: bool = False) -> list[SiteCase]:
    """Each partner city's enterprises choose the nearest (or farthest) base city."""
    cases = []
    for k, row in enumerate(cities.partner_candidates):
        km = haversine_km(cities.lonlat[row][None, :], cities.lonlat[cities.base_cities])
        pick = cities.base_cities[int(np.argmax(km) if farthest else np.argmin(km))]
        for j in range(3):
            cases.append(
                SiteCase(
                    enterprise=f"企业{k}-{j}",
                    hq=cities.records[row].adcode,
                    site=cities.records[pick].adcode,
                    industry_codes=("38",),
                    cluster=f"c{k}-{j}",
                )
            )
    return cases


def test_estimator_conventions() -> None:
    ranker = SiteRanker(feature_names=SITE_FEATURES, alpha=0.5)
    assert clone(ranker).get_params() == ranker.get_params()
    with pytest.raises(NotFittedError):
        ranker.decision_function(np.zeros((1, len(SITE_FEATURES))))


def test_learns_a_known_rule_and_beats_random_held_out(world: World) -> None:
    cities, _ = world
    cases = nearest_cases(cities)
    model = train_site_ranker(cities, cases)
    ranker = model.ranker
    assert ranker.learned_ and model.metrics["cases"] == len(cases)
    assert ranker.weights_table()["log_distance"] < 0
    report = evaluate_sites(cities, cases, folds=3, boot=100)
    for grouping in ("enterprise", "site_city"):
        assert report.mean(grouping, "ranker", "mrr") > report.mean(grouping, "random", "mrr") + 0.3
    assert "ranker − distance" in report.format()


def test_sign_bounds_hold_against_the_data(world: World) -> None:
    cities, _ = world
    ranker = train_site_ranker(cities, nearest_cases(cities, farthest=True)).ranker
    assert ranker.weights_table()["log_distance"] == 0.0  # the rationale: nearer is not worse


def test_ties_are_scored_by_expectation() -> None:
    assert tied_metrics(np.zeros(4), 2)["mrr"] == pytest.approx(np.mean([1, 1 / 2, 1 / 3, 1 / 4]))
    assert tied_metrics(np.array([3.0, 1.0, 1.0]), 1)["recall@1"] == 0.0


def test_clusters_join_by_enterprise_or_source() -> None:
    ids = cluster_ids([("e:比亚", "s:a"), ("e:格力", "s:b"), ("e:比亚", "s:c"), ("e:吉利", "s:b")])
    assert ids[0] == ids[2] and ids[1] == ids[3] and ids[0] != ids[1]


def test_a_need_is_met_by_its_code_never_by_a_sibling_code(world: World) -> None:
    cities, pairings = world
    base = [cities.records[r] for r in cities.base_cities]
    records = list(cities.records)
    lithium, copper = cities.base_cities[0], cities.base_cities[1]
    records[lithium] = replace(base[0], resources=(("锂(锂云母)", ("0939",)),))
    records[copper] = replace(base[1], resources=(("铜矿", ("0911",)),))
    cities = CityArrays(records)
    engine = Engine(
        cities,
        pairings,
        frozenset(),
        train_city_ranker(cities, pairings, frozenset()),
        train_site_ranker(cities, nearest_cases(cities)),
    )
    maker = EnterpriseProfile(
        name="某电池公司",
        hq_city=cities.records[cities.partner_candidates[0]].adcode,
        industry_codes=("3841",),
        needs=(("锂", ("0939",)),),
    )
    items = {i.key: i for i in engine.sites(maker, limit=len(cities.base_cities)).items}
    met = [r for r in items[records[lithium].adcode].reasons if r.feature == "resource_need"]
    assert met and met[0].text.startswith(
        f"{records[lithium].name}有锂(锂云母)〔0939〕合所需锂〔0939〕"
    )
    assert not [r for r in items[records[copper].adcode].reasons if r.feature == "resource_need"]
    assert met[0].contribution > 0
    unplaced = engine.sites(replace(maker, needs=(("稀士", ()),)), limit=1).items[0]
    assert any(g.feature == "needs_resources" and "稀士" in g.text for g in unplaced.data_gaps)
    assert sum(i.score for i in items.values()) == pytest.approx(1.0, abs=0.01)


def test_a_workforce_need_where_the_population_is_unknown_is_a_gap(world: World) -> None:
    cities, pairings = world
    records = list(cities.records)
    unknown = cities.base_cities[0]
    records[unknown] = replace(records[unknown], population_10k=None)
    cities = CityArrays(records)
    engine = Engine(
        cities,
        pairings,
        frozenset(),
        train_city_ranker(cities, pairings, frozenset()),
        train_site_ranker(cities, nearest_cases(cities)),
    )
    maker = EnterpriseProfile(
        name="某工厂",
        hq_city=cities.records[cities.partner_candidates[0]].adcode,
        industry_codes=("38",),
        workers=20_000,
    )
    items = {i.key: i for i in engine.sites(maker, limit=50).items}
    gaps = {g.feature: g.text for g in items[records[unknown].adcode].data_gaps}
    assert "20,000 人" in gaps["workers"] and "常住人口" in gaps["workers"]
    known = items[records[cities.base_cities[1]].adcode]
    assert "workers" not in {g.feature for g in known.data_gaps}
