"""Import rate and list latency of the profiles API, in-process, on a fresh seeded SQLite store.

    python benchmarks/profiles_api.py [--rows 100000]

Prints the import rate of an N-row enterprise CSV through ``POST /enterprises/import`` beside
the rate of a bare ``executemany`` INSERT of the same rows (the floor any importer pays), and
the p50/p95 latency of filtered lists beside ``GET /health`` measured in the same run.
"""

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import insert

from api.main import create_app
from profiles.db import make_engine, session_scope, upgrade_schema
from profiles.models import Enterprise, utcnow
from profiles.seed import seed_catalogue
from profiles.settings import StoreSettings

CITIES = ["440300", "深圳", "320500", "330100", "广州", "110000", "上海"]


def make_csv(rows: int) -> bytes:
    lines = ["名称,总部城市,行业代码,员工人数,拟布局,合作模式"]
    for i in range(rows):
        lines.append(
            f"基准企业{i:07d}有限公司,{CITIES[i % len(CITIES)]},39|38,{100 + i % 900},"
            "manufacturing|rnd,研发+制造"
        )
    return ("\n".join(lines) + "\n").encode()


def store(directory: Path, name: str):
    engine = make_engine(StoreSettings(database_url=f"sqlite:///{directory / name}"))
    upgrade_schema(engine)
    with session_scope(engine) as session:
        seed_catalogue(session)
    return engine


def bare_insert_rate(directory: Path, rows: int) -> float:
    engine = store(directory, "bare.db")
    now = utcnow()
    values = [
        {
            "name": f"基准企业{i:07d}有限公司",
            "hq_city": "440300",
            "industry_codes": ["39", "38"],
            "employees": 100,
            "places": ["manufacturing"],
            "preferred_modes": ["rnd_manufacturing"],
            "created_at": now,
            "updated_at": now,
        }
        for i in range(rows)
    ]
    started = time.perf_counter()
    with session_scope(engine) as session:
        for begin in range(0, rows, 1000):
            session.execute(insert(Enterprise), values[begin : begin + 1000])
    return rows / (time.perf_counter() - started)


def latency(client: TestClient, path: str, params: dict, repeat: int = 200) -> tuple[float, float]:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        assert client.get(path, params=params).status_code == 200
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return statistics.median(timings), timings[int(0.95 * len(timings))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        data = make_csv(args.rows)
        with TestClient(create_app(store(directory, "api.db"))) as client:
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            started = time.perf_counter()
            response = client.post("/api/v1/enterprises/import", files={"file": ("e.csv", data)})
            elapsed = time.perf_counter() - started
            grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
            report = response.json()
            assert response.status_code == 200 and report["created"] == args.rows, report
            rate = args.rows / elapsed
            floor = bare_insert_rate(
                directory, args.rows
            )  # after: its rows would inflate the RSS peak
            print(
                f"import of {args.rows:,} rows: {elapsed:.1f} s, {rate:,.0f} rows/s; "
                f"bare INSERT floor {floor:,.0f} rows/s (import = {rate / floor:.2f}× floor); "
                f"peak RSS grew {grown / 1024:.0f} MiB for a {len(data) / 2**20:.1f} MiB file"
            )
            health, _ = latency(client, "/api/v1/health", {})
            cases = {
                "enterprises province+industry": (
                    "/api/v1/enterprises",
                    {"province": "广东省", "industry": "C", "limit": 50},
                ),
                "enterprises mode+demo, count": (
                    "/api/v1/enterprises",
                    {"mode": "hq_base", "demo": True, "count": True, "limit": 50},
                ),
                "cities key_city": ("/api/v1/cities", {"key_city": True}),
                "experts programme": (
                    "/api/v1/experts",
                    {"programme": "doctoral_service_team", "limit": 50},
                ),
            }
            print(f"GET /health (baseline): p50 {health:.2f} ms")
            for name, (path, params) in cases.items():
                p50, p95 = latency(client, path, params)
                print(
                    f"{name:32} p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  ({p50 / health:.1f}× health)"
                )


if __name__ == "__main__":
    main()
