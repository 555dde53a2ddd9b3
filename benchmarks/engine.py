"""Engine benchmarks, in-process, on the shipped catalogue.

    python benchmarks/engine.py [--enterprises 1000000] [--repeat 200]

Prints medians and ratios measured in the same run:
- partners for one base city over every partner candidate (target ≤ 5 ms);
- sites for one enterprise over every base-area city (target ≤ 5 ms);
- enterprises for one city among N enterprises (target ≤ 100 ms for 1,000,000);
- a batch of top-20 sites for N enterprises: pairs scored per second, beside the rate of a
  dense numpy matrix product of the same shapes (N × 97 by 97 × cities), each in 1 thread and
  in as many as there are cores, in alternating rounds;
- the speed-up over a plain per-pair Python loop computing the same scores.

The N enterprises are drawn like the demo generator draws them (headquarters among the partner
candidates weighted by GDP, industries from the headquarters' own), directly as arrays.
"""

import argparse
import math
import os
import statistics
import tempfile
import time
from collections import defaultdict
from functools import partial
from pathlib import Path

import numpy as np
from sqlmodel import Session
from threadpoolctl import threadpool_limits
from timing import median_ms

from matching.engine import Engine, EnterpriseProfile
from matching.features import SITE_FEATURES
from matching.records import (
    CODE_INDEX,
    CODES,
    CityArrays,
    EnterpriseArrays,
    chain_matrix,
    reach_matrix,
)
from profiles.db import make_engine, session_scope, upgrade_schema
from profiles.ranking import train_models
from profiles.seed import seed_catalogue
from profiles.settings import StoreSettings
from profiles.snapshot import load_snapshot


def build_engine(directory: Path) -> Engine:
    store = make_engine(StoreSettings(database_url=f"sqlite:///{directory / 'bench.db'}"))
    upgrade_schema(store)
    with session_scope(store) as session:
        seed_catalogue(session)
    with Session(store) as session:
        snapshot = load_snapshot(session)
        trained = train_models(session, snapshot)
    return Engine(
        CityArrays(snapshot.cities),
        snapshot.pairings,
        snapshot.frameworks,
        trained.city,
        trained.site,
    )


def synthetic_enterprises(cities: CityArrays, count: int, seed: int = 7) -> EnterpriseArrays:
    rng = np.random.default_rng(seed)
    partners = cities.partner_candidates
    weights = cities.gdp[partners] / cities.gdp[partners].sum()
    hq = rng.choice(partners, size=count, p=weights)
    own = [
        [c for c in cities.records[p].industry_codes if c in CODE_INDEX] or ["39"] for p in partners
    ]
    own_by_row = dict(zip(partners.tolist(), own, strict=True))
    manufacturing = [f"{c:02d}" for c in range(13, 44)]
    picks = rng.integers(0, 1000, size=(count, 2))
    codes = [
        [own_by_row[h][a % len(own_by_row[h])], manufacturing[b % len(manufacturing)]]
        for h, (a, b) in zip(hq.tolist(), picks.tolist(), strict=True)
    ]
    needs = [["09"] if code[1] in ("32", "38", "39") else [] for code in codes]
    workers = np.where(rng.random(count) < 0.5, rng.integers(50, 5_000, size=count), 0)
    return EnterpriseArrays.build(
        cities,
        ids=range(1, count + 1),
        hq_cities=[cities.records[h].adcode for h in hq],
        industry_codes=codes,
        need_codes=needs,
        workers=workers.tolist(),
    )


def python_loop_scores(engine: Engine, arrays: EnterpriseArrays, rows: range) -> list[float]:
    """The same overall site scores, one pair at a time in plain Python (the reference)."""
    cities = engine.cities
    ranker = engine.site_model.ranker
    mean, scale = (
        ranker.pipeline_.named_steps["scale"].mean_,
        ranker.pipeline_.named_steps["scale"].scale_,
    )
    weights = ranker.mode_weights_
    step, reach = chain_matrix().toarray(), reach_matrix().toarray()
    site_rows = engine.site_side.rows.tolist()
    people = engine.site_side.people.tolist()
    scores = []
    for e in rows:
        hq = int(arrays.hq[e])
        industries = dict(
            zip(
                arrays.industries[e].indices.tolist(),
                arrays.industries[e].data.tolist(),
                strict=True,
            )
        )
        needs = set(arrays.need_detail[e].indices.tolist())
        workers = float(arrays.workers[e])
        for k_site, c in enumerate(site_rows):
            lon1, lat1 = cities.lonlat[hq]
            lon2, lat2 = cities.lonlat[c]
            h = (
                math.sin((lat2 - lat1) / 2) ** 2
                + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
            )
            km = 2 * 6371.0 * math.asin(math.sqrt(min(max(h, 0.0), 1.0)))
            city_ind = dict(
                zip(
                    cities.industries[c].indices.tolist(),
                    cities.industries[c].data.tolist(),
                    strict=True,
                )
            )
            city_res = dict(
                zip(
                    cities.resources[c].indices.tolist(),
                    cities.resources[c].data.tolist(),
                    strict=True,
                )
            )
            city_prod = dict(
                zip(
                    cities.products[c].indices.tolist(),
                    cities.products[c].data.tolist(),
                    strict=True,
                )
            )
            direct = len(needs & set(cities.resource_detail[c].indices.tolist()))
            share = 1000.0 * workers / people[k_site]  # NaN where the population is unknown
            upstream = sum(
                rv * reach[r, k] * v for r, rv in city_res.items() for k, v in industries.items()
            )
            cluster = sum(v * city_ind.get(k, 0.0) for k, v in industries.items())
            chain = sum(
                v * step[k, j] * w for k, v in industries.items() for j, w in city_ind.items()
            )
            chain += sum(
                w * step[j, k] * v for k, v in industries.items() for j, w in city_ind.items()
            )
            product = sum(
                pv * reach[p, k] * v for p, pv in city_prod.items() for k, v in industries.items()
            )
            pair = (cities.records[hq].adcode, cities.records[c].adcode)
            features = [
                math.log(km + 10.0),
                direct / max(len(needs), 1),
                math.log1p(upstream),
                cluster,
                chain,
                min(max(1.0 - cities.gdp_per_capita[c] / cities.gdp_per_capita[hq], -1.0), 1.0),
                math.log(cities.population[c]),
                math.log1p(share) if workers > 0 else 0.0,
                cities.secondary[c],
                cities.talent[c],
                cities.logistics[c],
                math.log1p(product),
                float(pair in engine.site_pairs or pair[::-1] in engine.site_pairs),
                float(cities.province[hq] == cities.province[c]),
            ]
            z = [(f - m) / s for f, m, s in zip(features, mean, scale, strict=True)]
            z = [0.0 if math.isnan(v) else v for v in z]  # an unknown feature is neutral
            if ranker.learned_:
                scores.append(sum(v * w for v, w in zip(z, ranker.coef_, strict=True)))
                continue
            scores.append(
                max(
                    sum(z[j] * weights[j, m] for j in range(len(z)))
                    for m in range(weights.shape[1])
                )
            )
    return scores


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument(
        "--dask", action="store_true", help="also the batch on 1 and 2 local Dask workers"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = build_engine(Path(tmp))
    cities = engine.cities
    ganzhou = "360700"
    candidates = np.flatnonzero(engine.candidates[cities.index[ganzhou]])
    print(
        f"catalogue: {len(cities)} cities, {len(engine.partner_rows)} possible partners, "
        f"{len(engine.site_side.rows)} base-area sites; model {engine.city_model.version}"
    )

    score_only = median_ms(
        lambda: engine.score_city_pairs([ganzhou], [cities.records[p].adcode for p in candidates]),
        args.repeat,
    )
    explained = median_ms(lambda: engine.partners(ganzhou, limit=10), args.repeat)
    print(
        f"partners for 赣州 over its {len(candidates)} candidates: median {explained:.2f} ms "
        f"with 10 explained items (scoring alone {score_only:.2f} ms); target ≤ 5 ms"
    )

    profile = EnterpriseProfile("基准企业", "440300", ("38", "39"), needs=(("稀土", ("09", "32")),))
    sites = median_ms(lambda: engine.sites(profile, limit=10), args.repeat)
    print(
        f"sites for one enterprise over {len(engine.site_side.rows)} base-area cities: median {sites:.2f} ms "
        "with 10 explained items; target ≤ 5 ms"
    )

    started = time.perf_counter()
    arrays = synthetic_enterprises(cities, args.enterprises)
    print(f"built arrays for {len(arrays):,} enterprises in {time.perf_counter() - started:.1f} s")
    invite = median_ms(
        lambda: engine.enterprises_for(ganzhou, arrays, limit=20), max(5, args.repeat // 20)
    )
    print(
        f"enterprises for 赣州 among {len(arrays):,}: median {invite:.1f} ms; target ≤ 100 ms "
        f"(load average {os.getloadavg()[0]:.1f})"
    )

    batch, top_rows = batch_against_matmul(engine, arrays)

    sample = range(min(2_000, len(arrays)))
    started = time.perf_counter()
    reference = python_loop_scores(engine, arrays, sample)
    loop = time.perf_counter() - started
    loop_rate = len(reference) / loop
    vector_rows = np.arange(len(sample))
    from matching.engine import linear_scores
    from matching.features import site_columns

    overall, _ = linear_scores(
        site_columns(cities, arrays, vector_rows, engine.site_side), engine.site_model.ranker
    )
    assert np.allclose(np.asarray(reference).reshape(overall.shape), overall), (
        "loop and matrix scores differ"
    )
    print(
        f"plain Python per-pair loop: {loop_rate:,.0f} pairs/s (same scores, checked); "
        f"vectorised batch is {len(arrays) * len(engine.site_side.rows) / batch / loop_rate:,.0f}× "
        "faster (target ≥ 100×)"
    )
    assert top_rows.shape == (len(arrays), 20)
    if args.dask:
        dask_batch(engine, arrays, batch)


def batch_against_matmul(
    engine: Engine, arrays: EnterpriseArrays, rounds: int = 3
) -> tuple[float, np.ndarray]:
    """The batch of top-20 sites, in 1 and 2 threads, beside a dense numpy product of the same
    shapes (N × 97 @ 97 × cities) with 1 and the default BLAS threads, in alternating rounds
    so all see the same load; (median batch seconds in 1 thread, its top rows)."""
    pairs = len(arrays) * len(engine.site_side.rows)
    dense = np.random.default_rng(0).random((len(arrays), len(CODES)))
    city_side = np.random.default_rng(1).random((len(CODES), len(engine.site_side.rows)))
    times: dict[tuple[str, int], list[float]] = defaultdict(list)
    cores = os.cpu_count() or 1
    for _ in range(rounds):
        for threads in sorted({1, cores}):
            started = time.perf_counter()
            top_rows, _ = engine.batch_sites(arrays, k=20, threads=threads)
            times[("batch", threads)].append(time.perf_counter() - started)
            with threadpool_limits(threads):
                started = time.perf_counter()
                _ = dense @ city_side
                times[("matmul", threads)].append(time.perf_counter() - started)
    model = "learned model, 1 logit" if engine.site_model.ranker.learned_ else "4 mode logits"
    print(
        f"batch top-20 sites for {len(arrays):,} enterprises ({len(SITE_FEATURES)} features, "
        f"{model}, softmax and top-k per row) beside numpy's dense matmul "
        f"{len(arrays):,}×{len(CODES)} @ {len(CODES)}×{len(engine.site_side.rows)}, "
        f"medians of {rounds} alternating rounds (load average {os.getloadavg()[0]:.1f} on "
        f"{cores} cores); target ≥ 30 % of the matmul rate:"
    )
    for threads in sorted({1, cores}):
        batch, matmul = times[("batch", threads)], times[("matmul", threads)]
        ratio = statistics.median(m / b for m, b in zip(matmul, batch, strict=True))
        print(
            f"  {threads} thread(s): batch {statistics.median(batch):.2f} s "
            f"({pairs / statistics.median(batch):,.0f} pairs/s), matmul "
            f"{statistics.median(matmul):.2f} s → the batch at {ratio:.0%} of the matmul rate"
        )
    return statistics.median(times[("batch", 1)]), top_rows


def dask_batch(engine: Engine, arrays: EnterpriseArrays, in_process: float) -> None:
    """The same batch on a local Dask cluster of 1, then 2 worker processes (loopback TCP)."""
    from distributed import Client, LocalCluster

    from jobs.distributed import id_ranges, ordered, score_sites

    for workers in (1, 2):
        with (
            LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                host="127.0.0.1",
                dashboard_address=None,
            ) as cluster,
            Client(cluster) as client,
        ):
            started = time.perf_counter()
            scored = sum(
                len(block)
                for block, _ in ordered(
                    client, partial(score_sites, k=20), engine, id_ranges(arrays), what="sites"
                )
            )
            took = time.perf_counter() - started
        print(
            f"dask, {workers} worker(s): top-20 sites for {scored:,} enterprises in {took:.1f} s "
            f"({in_process / took:.2f}× the in-process batch)"
        )


if __name__ == "__main__":
    main()
