"""A tiny world where the right answer is known: each base city pairs with the partner that
is large and near, so a ranker that learns "big and close" finds every pair."""

import numpy as np
import pytest

from matching.records import CityArrays, CityRecord
from matching.training import KnownPairing


def tiny_world(
    bases: int = 12, partners: int = 10, seed: int = 3
) -> tuple[CityArrays, list[KnownPairing]]:
    rng = np.random.default_rng(seed)
    records = []
    for i in range(partners):
        records.append(
            CityRecord(
                adcode=f"{110100 + i * 100}",
                name=f"伙伴{i}市",
                province="东部省",
                province_adcode="110000",
                longitude=float(rng.uniform(112, 122)),
                latitude=float(rng.uniform(22, 40)),
                population_10k=float(rng.uniform(300, 2000)),
                gdp_100m=float(rng.uniform(2000, 40000)),
                gdp_per_capita=float(rng.uniform(90000, 200000)),
                secondary_share=40.0,
                tertiary_share=55.0,
                industry_codes=("39", "36"),
                is_partner_candidate=True,
                universities=int(rng.integers(0, 10)),
                region="east",
            )
        )
    for i in range(bases):
        records.append(
            CityRecord(
                adcode=f"{360100 + i * 100}",
                name=f"老区{i}市",
                province="中部省",
                province_adcode="360000",
                longitude=float(rng.uniform(105, 118)),
                latitude=float(rng.uniform(23, 36)),
                population_10k=float(rng.uniform(100, 900)),
                gdp_100m=float(rng.uniform(500, 4000)),
                gdp_per_capita=float(rng.uniform(30000, 70000)),
                secondary_share=45.0,
                tertiary_share=45.0,
                industry_codes=("32", "09"),
                resources=(("稀土", ("09", "32")),),
                base_areas=("test",),
                is_key_city=True,
                region="central",
            )
        )
    cities = CityArrays(records)
    partner_rows = cities.partner_candidates
    pairings = []
    for i in range(bases):
        row = partners + i
        km = np.hypot(*(cities.lonlat[partner_rows] - cities.lonlat[row]).T) * 6371
        gravity = cities.gdp[partner_rows] / (km + 10) ** 2
        best = partner_rows[int(np.argmax(gravity))]
        pairings.append(
            KnownPairing(records[row].adcode, records[best].adcode, "counterpart_cooperation")
        )
    return cities, pairings


@pytest.fixture
def world() -> tuple[CityArrays, list[KnownPairing]]:
    return tiny_world()
