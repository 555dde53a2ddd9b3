"""Opportunity matching, in-process: matches for one opportunity among N (default 100,000).

    python benchmarks/opportunities.py [--opportunities 100000] [--repeat 50]

Builds the shipped catalogue's cities and frameworks (no demo data), draws N opportunities
with the demo generator (``fixtures.demo.opportunities``), builds the ``OpportunityIndex``
once, and prints, measured in the same run:

- the index build (TF-IDF fitted once, every side vectorised once);
- matches for one opportunity: the top 10 complementary opportunities and the top 10 cities,
  scored over every candidate (target ≤ 50 ms), then the same with their reasons;
- baselines on the same queries: vectorising the candidates' texts per request instead of once,
  and scikit-learn ``NearestNeighbors(metric="cosine")`` fitted per request on the text alone.
"""

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.neighbors import NearestNeighbors
from sqlmodel import Session
from timing import median_ms

from fixtures import demo
from matching.frameworks import TieTables
from matching.opportunities import OpportunityIndex, Side, explain
from matching.records import CityArrays
from matching.vocabulary import OpportunityType
from profiles.db import make_engine, session_scope, upgrade_schema
from profiles.seed import load_demo_catalogue, seed_catalogue
from profiles.settings import StoreSettings
from profiles.snapshot import city_side, coded_words, load_snapshot

TARGET_MS = 50.0


def side_of(number: int, record: dict) -> Side:
    return Side(
        key=number,
        name=record["title"],
        text=" ".join([record["title"], *record["keywords"], record["description"]]),
        city=record["city"],
        words=coded_words(record["industry_codes"], []),
        modes=(record["mode"],),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opportunities", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        store = make_engine(StoreSettings(database_url=f"sqlite:///{Path(directory) / 'bench.db'}"))
        upgrade_schema(store)
        with session_scope(store) as session:
            seed_catalogue(session, with_demo=False)
        with Session(store) as session:
            snapshot = load_snapshot(session)
            catalogue = load_demo_catalogue(session)
        store.dispose()
    cities = CityArrays(snapshot.cities)
    tables = TieTables(cities, snapshot.frameworks)
    records = demo.opportunities(catalogue, args.opportunities)
    sides = [(OpportunityType(r["type"]), side_of(n, r)) for n, r in enumerate(records, 1)]
    started = time.perf_counter()
    index = OpportunityIndex(
        sides, cities=cities, tables=tables, city_sides=[city_side(r) for r in cities.records]
    )
    build = time.perf_counter() - started
    print(f"{len(index):,} opportunities, {len(index.city_block)} cities")
    print(f"index build (TF-IDF fit + vectorise once): {build:.1f} s")

    rng = np.random.default_rng(0)
    queries = [sides[i] for i in rng.choice(len(sides), size=args.repeat, replace=False)]
    cycle = iter(queries * 1000)

    def matches(explained: bool) -> None:
        kind, side = next(cycle)
        block = index.blocks[kind]
        row = block.position[side.key]
        found = index.rank(block, row, index.complements(kind), limit=10, exclude={side.key})
        cities_found = index.rank(
            block, row, [index.city_block], limit=10, candidates=index.city_candidates(side)
        )
        if explained:
            for item in found + cities_found:
                explain(index, side, item.side, item)

    def per_request_vectorising() -> None:
        kind, side = next(cycle)
        for other in index.complements(kind):
            texts = [s.text for s in other.sides]
            vectors = index.vectorizer.transform(texts)
            query = index.vectorizer.transform([side.text])
            scores = (vectors @ query.T).toarray().ravel()
            np.argpartition(-scores, 10)[:10]

    def nearest_neighbours() -> None:
        kind, side = next(cycle)
        for other in index.complements(kind):
            knn = NearestNeighbors(n_neighbors=10, metric="cosine", algorithm="brute")
            knn.fit(other.text)
            knn.kneighbors(index.blocks[kind].text[index.blocks[kind].position[side.key]])

    ranked = median_ms(lambda: matches(False), args.repeat)
    explained = median_ms(lambda: matches(True), args.repeat)
    vectorising = median_ms(per_request_vectorising, max(5, args.repeat // 10))
    knn = median_ms(nearest_neighbours, args.repeat)
    verdict = "met" if explained <= TARGET_MS else "NOT met"
    print(f"{'query':<72} {'median':>10} {'ratio':>8}")
    rows = [
        ("matches for one opportunity: top 10 opportunities + top 10 cities", ranked),
        ("the same, with every reason worded", explained),
        ("baseline: candidates' texts vectorised per request (text only)", vectorising),
        ("baseline: NearestNeighbors(cosine) fitted per request (text only)", knn),
    ]
    for label, value in rows:
        print(f"{label:<72} {value:>8.1f} ms {value / explained:>7.1f}×")
    print(f"target ≤ {TARGET_MS:.0f} ms with reasons: {verdict}")


if __name__ == "__main__":
    main()
