"""Zone-to-zone ranking, in-process: the shipped zones and a synthetic national-scale list.

    python benchmarks/zones.py [--zones 3000] [--repeat 50]

Prints medians measured in the same run:
- partner zones for 瑞金经济技术开发区 over the 135 shipped zones, 10 explained;
- the same over the shipped zones plus N synthetic ones (random kinds, hosts and industries:
  about the size of the real national lists), unexplained and 10 explained;
- the speed-up over a per-pair Python loop computing the same logits.
"""

import argparse
import tempfile
from pathlib import Path

import numpy as np
from sqlmodel import Session
from timing import median_ms

from matching.engine import Engine
from matching.features import city_pair_features
from matching.ranker import MODE_ORDER
from matching.records import CODES, CityArrays
from matching.vocabulary import Mode, ZoneKind
from matching.zones import INDUSTRY_WEIGHT, PAIRING, PLATFORM_WEIGHT, ZoneRanker, ZoneRecord
from profiles.db import make_engine, session_scope, upgrade_schema
from profiles.ranking import train_models
from profiles.seed import seed_catalogue
from profiles.settings import StoreSettings
from profiles.snapshot import load_snapshot, load_zones


def synthetic(engine: Engine, count: int, seed: int = 11) -> list[ZoneRecord]:
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(engine.cities), size=count)
    kinds = rng.choice([k.value for k in ZoneKind], size=count)
    return [
        ZoneRecord(
            id=1_000_000 + i,
            name=f"合成园区{i}",
            kind=str(kinds[i]),
            city=engine.cities.records[rows[i]].adcode,
            industry_codes=tuple(rng.choice(CODES[12:43], size=2, replace=False)),
        )
        for i in range(count)
    ]


def loop_logits(ranker: ZoneRanker, base: int, mode: Mode) -> np.ndarray:
    """The same logits, one pair at a time (the reference the matrix version must beat)."""
    z, city_ranker = ranker.zones, ranker.engine.city_model.ranker
    out = np.full(len(z), -np.inf)
    for p in range(len(z)):
        features = city_pair_features(
            ranker.cities, z.city_row[[base]], z.city_row[[p]], ranker.engine.ties
        )[0, 0]
        city = city_ranker.mode_logits(features[None, :])[0, MODE_ORDER.index(mode)]
        fit = ranker._zone_fit(np.array([base]), np.array([p]))[0]
        out[p] = (
            city
            + PLATFORM_WEIGHT * PAIRING[z.kind[base], z.kind[p]]
            + INDUSTRY_WEIGHT * np.nan_to_num(fit)
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--zones", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        store = make_engine(StoreSettings(database_url=f"sqlite:///{Path(directory) / 'b.db'}"))
        upgrade_schema(store)
        with session_scope(store) as session:
            seed_catalogue(session, with_demo=False)
        with Session(store) as session:
            snapshot = load_snapshot(session)
            trained = train_models(session, snapshot)
            zones = load_zones(session)
        store.dispose()
    engine = Engine(
        CityArrays(snapshot.cities),
        snapshot.pairings,
        snapshot.frameworks,
        trained.city,
        trained.site,
    )
    shipped = ZoneRanker(engine, zones)
    ruijin = next(z.id for z in zones if z.name == "瑞金经济技术开发区")
    mode = Mode.hq_base
    print(f"shipped zones: {len(shipped.zones)}")
    shipped_ms = median_ms(lambda: shipped.partners(ruijin, mode=mode, limit=10), args.repeat)
    print(f"partners for 瑞金经开区, 10 explained: {shipped_ms:.1f} ms")
    large = ZoneRanker(engine, zones + synthetic(engine, args.zones))
    print(f"with {args.zones} synthetic zones: {len(large.zones)} zones")
    explained = median_ms(lambda: large.partners(ruijin, mode=mode, limit=10), args.repeat)
    bare = median_ms(lambda: large.partners(ruijin, mode=mode, limit=1), args.repeat)
    base = large.zones.index[ruijin]
    looped = median_ms(lambda: loop_logits(large, base, mode), 3)
    others = np.arange(len(large.zones))
    matrix, _, _ = large.logits(np.full(len(others), base), others, mode)
    same = np.allclose(matrix, loop_logits(large, base, mode))
    print(f"  10 explained: {explained:.1f} ms; 1 explained: {bare:.1f} ms")
    print(f"  per-pair Python loop, none explained: {looped:.0f} ms (same logits: {same})")
    print(f"  speed-up of the matrix version (1 explained) over the loop: {looped / bare:.0f}×")


if __name__ == "__main__":
    main()
