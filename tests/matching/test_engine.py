"""The pure engine: estimator conventions, ranking invariants, evaluation, persistence."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from matching.engine import (
    Engine,
    EnterpriseProfile,
    SiteConstraints,
    linear_scores,
    site_logits,
)
from matching.evaluation import cross_validate
from matching.features import CITY_FEATURES, SITE_FEATURES, site_columns, site_features
from matching.metrics import query_metrics
from matching.modes import MODES, mode_of
from matching.ranker import MODE_ORDER, PairRanker, SavedModel
from matching.records import CityArrays, EnterpriseArrays, EnterpriseRecord, haversine_km
from matching.registry import ModelRegistry
from matching.site_cases import SiteCase
from matching.training import KnownPairing, Verdict, train_city_ranker, train_site_ranker
from matching.vocabulary import Mode

World = tuple[CityArrays, list[KnownPairing]]


def make_engine(cities: CityArrays, pairings: list[KnownPairing], verdicts: tuple = ()) -> Engine:
    city = train_city_ranker(cities, pairings, frozenset(), verdicts)
    return Engine(cities, pairings, frozenset(), city, train_site_ranker(cities))


def test_metrics_of_known_lists() -> None:
    assert query_metrics(np.array([0, 0, 1, 0])) == pytest.approx(
        {"recall@1": 0, "recall@5": 1, "recall@10": 1, "mrr": 1 / 3, "ndcg@10": 0.5}
    )
    perfect = query_metrics(np.array([1.0, 1.0, 0.0]))
    assert (
        perfect["mrr"] == 1
        and perfect["ndcg@10"] == pytest.approx(1.0)
        and perfect["recall@1"] == 0.5
    )


def test_evaluation_finds_the_known_rule_and_beats_random(world: World) -> None:
    cities, pairings = world
    report = cross_validate(cities, pairings, (), folds=4, draws=200)
    cell = report.table["grouped"]["all"]
    assert cell.queries == 12 and set(report.table) == {"grouped"}  # one scheme: no LOSO
    assert cell.mean["engine"]["mrr"] > 0.7
    assert cell.mean["engine"]["mrr"] > cell.mean["random"]["mrr"] + 0.3
    random = np.mean([1 / k for k in range(1, 11)])
    assert cell.mean["random"]["mrr"] == pytest.approx(random, abs=0.05)
    low, high = cell.interval["engine"]
    assert low <= cell.mean["engine"]["mrr"] <= high
    assert "scheme counterpart_cooperation" in report.table["grouped"]
    assert "region central" in report.table["grouped"] and "engine" in report.format()


def test_estimator_conventions(world: World) -> None:
    ranker = PairRanker(feature_names=CITY_FEATURES, alpha=0.5)
    assert ranker.get_params()["alpha"] == 0.5
    assert clone(ranker).get_params() == ranker.get_params()
    with pytest.raises(NotFittedError):
        ranker.decision_function(np.zeros((1, len(CITY_FEATURES))))
    cities, pairings = world
    fitted = train_city_ranker(cities, pairings, frozenset()).ranker
    assert fitted.learned_ and fitted.coef_.shape == (len(CITY_FEATURES),)
    X = np.random.default_rng(0).normal(size=(5, len(CITY_FEATURES)))
    proba = fitted.predict_proba(X)
    assert proba.shape == (5, 2) and np.allclose(proba.sum(axis=1), 1)
    contributions = fitted.contributions(X)
    assert np.allclose(contributions.sum(axis=1) + fitted.intercept_, fitted.decision_function(X))
    for mode in Mode:
        terms = fitted.contributions(X, mode).sum(axis=1) + fitted.mode_bias_
        assert np.allclose(terms, fitted.mode_logits(X)[:, list(MODES).index(mode)])


def test_without_enough_labels_the_priors_rank(world: World) -> None:
    cities, _ = world
    site = train_site_ranker(cities).ranker
    assert not site.learned_
    X = np.random.default_rng(1).normal(size=(4, len(SITE_FEATURES)))
    assert np.allclose(site.decision_function(X), site.mode_logits(X).max(axis=1))


def test_partner_rankings_are_sorted_bounded_explained_and_repeatable(world: World) -> None:
    cities, pairings = world
    engine = make_engine(cities, pairings)
    base = pairings[0].base
    first = engine.partners(base, limit=10)
    assert [i.rank for i in first] == list(range(1, 11))
    scores = [i.score for i in first]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    assert first == engine.partners(base, limit=10)
    for item in first:
        assert item.reasons and all(r.text and r.feature in CITY_FEATURES for r in item.reasons)
        assert set(item.mode_scores) == {m.value for m in Mode}
    assert first[0].key == pairings[0].partner and first[0].existing == ("counterpart_cooperation",)
    assert pairings[0].partner not in [i.key for i in engine.partners(base, exclude_existing=True)]
    by_mode = engine.partners(base, mode=Mode.hq_base, limit=10)
    assert all(i.mode == Mode.hq_base for i in by_mode)
    assert [i.score for i in by_mode] == sorted((i.score for i in by_mode), reverse=True)


def test_verdicts_change_the_next_model(world: World) -> None:
    cities, pairings = world
    base, partner = pairings[0].base, pairings[0].partner
    before = make_engine(cities, pairings).score_city_pairs([base], [partner])[0, 0]
    rejected = tuple(Verdict(base, partner, 0) for _ in range(3))
    after = make_engine(cities, pairings, rejected).score_city_pairs([base], [partner])[0, 0]
    assert after < before


def test_model_save_and_load_round_trip(world: World, tmp_path: Path) -> None:
    cities, pairings = world
    model = train_city_ranker(cities, pairings, frozenset())
    registry = ModelRegistry(tmp_path)
    registry.save("city", model)
    loaded = registry.load("city")
    assert (
        loaded is not None
        and loaded.version == model.version
        and loaded.fingerprint == model.fingerprint
    )
    X = np.random.default_rng(2).normal(size=(6, len(CITY_FEATURES)))
    assert np.array_equal(loaded.ranker.decision_function(X), model.ranker.decision_function(X))
    assert registry.versions("city") == [model.version]
    with pytest.raises(ValueError, match="retrain"):
        SavedModel.load(tmp_path / f"{model.version}.joblib", feature_names=("other",))


def enterprises(
    cities: CityArrays, count: int, seed: int
) -> tuple[list[EnterpriseRecord], EnterpriseArrays]:
    rng = np.random.default_rng(seed)
    partners = [cities.records[p].adcode for p in cities.partner_candidates]
    codes = [("39",), ("32", "38"), ("13",), ("26", "27"), ("C",)]
    records = [
        EnterpriseRecord(
            id=i + 1,
            name=f"企业{i}",
            hq_city=partners[int(rng.integers(len(partners)))],
            industry_codes=codes[int(rng.integers(len(codes)))],
            needs=(("稀土", ("09", "32")),) if i % 2 else (),
            workers=int(rng.integers(50, 5_000)) if i % 3 else None,
        )
        for i in range(count)
    ]
    return records, EnterpriseArrays.from_records(cities, records)


def test_hard_constraints_are_never_violated(world: World) -> None:
    cities, pairings = world
    engine = make_engine(cities, pairings)
    rng = np.random.default_rng(5)
    records, _ = enterprises(cities, 20, seed=5)
    for record in records:
        limit_km = float(rng.uniform(300, 1500))
        constraints = SiteConstraints(
            max_distance_km=limit_km, min_population_10k=float(rng.uniform(100, 600))
        )
        result = engine.sites(
            EnterpriseProfile(record.name, record.hq_city, record.industry_codes),
            constraints=constraints,
            limit=50,
        )
        hq = cities.index[record.hq_city]
        for item in result.items:
            site = cities.records[cities.index[item.key]]
            km = float(haversine_km(cities.lonlat[cities.index[item.key]], cities.lonlat[hq]))
            assert km <= limit_km and site.population_10k >= constraints.min_population_10k
        kept = {i.key for i in result.items}
        assert kept.isdisjoint(result.excluded) and all(result.excluded.values())


def test_fast_paths_agree_with_the_explained_path(world: World) -> None:
    cities, pairings = world
    engine = make_engine(cities, pairings)
    records, arrays = enterprises(cities, 40, seed=9)
    rows = np.arange(len(arrays))
    X = site_features(cities, arrays, rows, engine.site_side)
    overall, modes = linear_scores(
        site_columns(cities, arrays, rows, engine.site_side), engine.site_model.ranker
    )
    flat = X.reshape(-1, len(SITE_FEATURES))
    assert np.allclose(overall.ravel(), engine.site_model.ranker.decision_function(flat))
    assert np.allclose(modes.reshape(-1, 4), engine.site_model.ranker.mode_logits(flat))
    city = cities.records[engine.site_side.rows[0]].adcode
    top, scores, _ = engine.enterprises_for(city, arrays, limit=5)
    record = records[int(top[0])]
    profile = EnterpriseProfile(
        record.name,
        record.hq_city,
        record.industry_codes,
        needs=record.needs,
        workers=record.workers,
    )
    site_score = next(i.score for i in engine.sites(profile, limit=100).items if i.key == city)
    assert site_score == pytest.approx(float(scores[0]), abs=1e-3)
    profiles = [
        EnterpriseProfile(r.name, r.hq_city, r.industry_codes, needs=r.needs, workers=r.workers)
        for r in (records[int(t)] for t in top)
    ]
    one_by_one = [engine.site_for(p, city, rank=k) for k, p in enumerate(profiles, start=1)]
    assert engine.invited(profiles, arrays, top, city) == one_by_one
    batch_rows, batch_scores = engine.batch_sites(arrays, k=3, chunk=7)
    assert batch_rows.shape == (40, 3) and np.all(np.diff(batch_scores, axis=1) <= 1e-6)


def test_folded_site_scores_equal_the_feature_block(world: World) -> None:
    """``site_logits`` folds the model into the city side; it must not change one score."""
    cities, pairings = world
    engine = make_engine(cities, pairings)
    _, arrays = enterprises(cities, 60, seed=11)
    rows = np.arange(len(arrays))
    ranker = engine.site_model.ranker
    overall, modes = linear_scores(site_columns(cities, arrays, rows, engine.site_side), ranker)
    assert np.allclose(site_logits(engine.site_side, arrays, rows, ranker), overall, atol=1e-9)
    for n, mode in enumerate(MODE_ORDER):
        folded = site_logits(engine.site_side, arrays, rows, ranker, Mode(mode))
        assert np.allclose(folded, modes[..., n], atol=1e-9)


def nearest_choices(cities: CityArrays) -> list[SiteCase]:
    """Enterprises of each partner city choose the nearest base city (a site model to learn)."""
    cases = []
    for k, row in enumerate(cities.partner_candidates):
        km = haversine_km(cities.lonlat[row][None, :], cities.lonlat[cities.base_cities])
        site = cities.records[cities.base_cities[int(np.argmin(km))]].adcode
        hq = cities.records[row].adcode
        cases += [SiteCase(f"企业{k}-{j}", hq, site, ("38",), f"c{k}-{j}") for j in range(3)]
    return cases


@pytest.mark.parametrize("learned", [False, True], ids=["mode priors", "learned"])
def test_batch_and_invitations_equal_the_feature_block_softmax(world: World, learned: bool) -> None:
    """The batch top-k and ``enterprises_for`` give the probabilities of the explained path:
    the feature block's logits, a softmax over the base-area cities but the headquarters."""
    cities, pairings = world
    unknown = cities.base_cities[3]  # a site whose population is not in the catalogue
    records = list(cities.records)
    records[unknown] = replace(records[unknown], population_10k=None)
    cities = CityArrays(records)
    site = train_site_ranker(cities, nearest_choices(cities) if learned else ())
    assert site.ranker.learned_ is learned
    city = train_city_ranker(cities, pairings, frozenset())
    engine = Engine(cities, pairings, frozenset(), city, site)
    _, arrays = enterprises(cities, 70, seed=13)
    sites = engine.site_side.rows
    logits, _ = linear_scores(
        site_columns(cities, arrays, np.arange(len(arrays)), engine.site_side), site.ranker
    )
    logits[arrays.hq[:, None] == sites[None, :]] = -np.inf
    expected = np.exp(logits - logits.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    best = np.argsort(-expected, axis=1, kind="stable")[:, :5]
    for chunk, threads in ((7, 1), (None, 1), (7, 2)):
        rows, scores = engine.batch_sites(arrays, k=5, chunk=chunk, threads=threads)
        assert np.array_equal(rows, sites[best])
        assert np.allclose(scores, np.take_along_axis(expected, best, axis=1), rtol=1e-6)
    for column in (0, int(np.flatnonzero(sites == unknown)[0])):
        adcode = cities.records[sites[column]].adcode
        top, chance, _ = engine.enterprises_for(adcode, arrays, limit=10, shortlist=len(arrays))
        order = np.lexsort((np.arange(len(arrays)), -expected[:, column]))[:10]
        assert np.array_equal(top, order)
        assert np.allclose(chance, expected[order, column], rtol=1e-9)
        short, _, _ = engine.enterprises_for(adcode, arrays, limit=3, shortlist=3)
        assert set(short) <= set(np.argsort(-logits[:, column], kind="stable")[:3])


def test_modes_are_data_and_accept_labels() -> None:
    assert mode_of("研发+制造") is Mode.rnd_manufacturing and mode_of("hq_base") is Mode.hq_base
    with pytest.raises(ValueError, match="enterprise_resource"):
        mode_of("飞行+制造")
    for spec in MODES.values():
        assert "（四）" in spec.clause and spec.rationale
        assert set(spec.city_weights) <= set(CITY_FEATURES) and set(spec.site_weights) <= set(
            SITE_FEATURES
        )
