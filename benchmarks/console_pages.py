"""Server time and size of each console page, in-process, on a fresh seeded SQLite store.

    python benchmarks/console_pages.py [--repeat 30]

Seeds the shipped catalogue with its demo data, signs in with an admin key through the sign-in
form, warms each page once, then prints for each page the p50/p95 time to answer, beside
``GET /api/v1/health`` measured in the same run, and the size of its HTML plus the stylesheet
(the target is ≤ 100 ms p50 and ≤ 200 KB).
"""

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from api.main import create_app
from console.render import STATIC
from matching.vocabulary import Role
from profiles.access import create_key
from profiles.db import make_engine, session_scope, upgrade_schema
from profiles.seed import seed_catalogue
from profiles.settings import StoreSettings

PAGES = [
    ("总览", "/"),
    ("城市 赣州", "/cities/360700"),
    ("城市 赣州 研发+制造", "/cities/360700?mode=rnd_manufacturing"),
    ("城市 赣州 对比", "/cities/360700?compare=440300&compare=440100"),
    ("城市 深圳（可支持的老区）", "/cities/440300"),
    ("typeahead", "/suggest/city?q=ganzhou"),
    ("企业选址", "/sites?industry=38&hq=深圳&resources=稀土&max_distance_km=800"),
    ("招商 赣州", "/invest?city=赣州"),
    ("人才 高校×博士服务团", "/talent?programme=doctoral_service_team&university=54"),
    ("人才 岗位→专家", "/talent?need=5"),
    ("方案 列表", "/plans"),
    ("方案 详情", "/plans/1"),
    ("数据 企业", "/data/enterprises"),
    ("数据 专家", "/data/experts?programme=doctoral_service_team"),
    ("审核", "/review"),
    ("任务", "/jobs"),
]

API = [
    (
        "API 企业选址（GET, 已存企业）",
        "/api/v1/recommendations/sites?enterprise=3&max_distance_km=800&explain_excluded=true&limit=20",
    ),
    ("API 招商 赣州", "/api/v1/recommendations/enterprises?city=360700"),
    ("API 岗位→专家", "/api/v1/recommendations/talent?need=5"),
    ("API 合作城市 赣州", "/api/v1/recommendations/partners?city=360700"),
]


def timed(client: TestClient, path: str, repeat: int) -> tuple[float, float, float, int]:
    """(p50 ms, p95 ms, p50 CPU ms, bytes) of ``repeat`` requests for ``path``.

    The CPU time is the process's own (server and test client together): on a machine shared
    with other work, wall time measures the queue for a core as much as the page.
    """
    answer = client.get(path)
    assert answer.status_code == 200, (path, answer.status_code, answer.text[:300])
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        client.get(path)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    wall.sort()
    p95 = wall[int(len(wall) * 0.95) - 1]
    return statistics.median(wall), p95, statistics.median(cpu), len(answer.content)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        engine = make_engine(StoreSettings(database_url=f"sqlite:///{directory}/console.db"))
        upgrade_schema(engine)
        with session_scope(engine) as session:
            seed_catalogue(session)
            _, key = create_key(session, principal="基准", role=Role.admin)
        app = create_app(engine, Path(directory) / "models", start_scheduler=False)
        with TestClient(app) as client:
            token = re.search(r'csrf-token" content="([^"]+)', client.get("/signin").text)[1]
            client.post("/signin", data={"api_key": key, "csrf_token": token})
            token = re.search(r'csrf-token" content="([^"]+)', client.get("/").text)[1]
            client.post(
                "/plans",
                data={"csrf_token": token, "base_preset": "key", "capacity": "2"},
            )
            css = (STATIC / "console.css").stat().st_size
            health, _, health_cpu, _ = timed(client, "/api/v1/health", args.repeat)
            print(
                f"GET /api/v1/health p50 {health:.1f} ms, CPU {health_cpu:.1f} ms (the baseline)\n"
            )
            print(
                f"{'page':<28} {'p50 ms':>7} {'p95 ms':>7} {'CPU ms':>7} {'× health':>9}"
                f" {'HTML+CSS KB':>12}"
            )
            for label, path in PAGES:
                p50, p95, cpu, size = timed(client, path, args.repeat)
                flag = "" if p50 <= 100 and size + css <= 200 * 1024 else "  ← over target"
                print(
                    f"{label:<28} {p50:7.1f} {p95:7.1f} {cpu:7.1f} {p50 / health:9.1f}"
                    f" {(size + css) / 1024:12.1f}{flag}"
                )
            print(
                "\nthe API routes behind the slowest pages, for comparison (same domain functions):"
            )
            for label, path in API:
                p50, p95, cpu, _ = timed(client, path, args.repeat)
                print(f"{label:<28} {p50:7.1f} {p95:7.1f} {cpu:7.1f} {p50 / health:9.1f}")


if __name__ == "__main__":
    main()
