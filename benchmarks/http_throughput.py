"""HTTP throughput of ``counterpart serve --workers 2`` beside a bare FastAPI app, in one run.

For each store (SQLite, PostgreSQL) this starts ``counterpart serve --workers N`` on a fresh
seeded database and a bare FastAPI "hello" app served the same way (uvicorn, N workers,
httptools, no access log), then loads each route with wrk (Debian's ``wrk``) for
``--seconds`` (after ``--warmup`` seconds of the same load, not counted), running the bare app
right before each route so that both see the same load on a shared machine. It prints req/s, p50, p99, errors and the ratio to the bare app, with the
targets of issue 16. The rate limiter is off (one client address sends all the load), as in
the issue's own figures; a last row loads ``/health`` once more with the limiter on as shipped
(in-memory counts, default limits), from 200 clients with a key each, to show what it costs.

    python benchmarks/http_throughput.py [--stores sqlite,postgresql] [--seconds 10] [--connections 16]

PostgreSQL: ``--postgres postgresql+psycopg://postgres@127.0.0.1/postgres`` (the default) is
used to create and drop a database of the benchmark's own.

(Issue 16 named it ``benchmarks/http.py``; a script of that name in this folder stands in for
the standard library's ``http`` package for every other benchmark run as a script.)
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
BARE = """
from fastapi import FastAPI

app = FastAPI()


@app.get("/hello")
async def hello() -> dict[str, str]:
    return {"status": "ok"}
"""
# wrk prints one JSON line at the end: requests, errors, p50 and p99 in microseconds.
REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %f, "errors": %d, "p50": %f, "p99": %f}\\n',
    summary.requests, summary.duration / 1e6,
    e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""
POST = """
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads .. "-" .. os.time())
end
local counter = 0
request = function()
  counter = counter + 1
  local body = string.format(
    '{"name": "压测企业%s-%d", "hq_city": "440300", "industry_codes": ["39"]}',
    tid, counter)
  return wrk.format("POST", nil, nil, body)
end
"""
ROUTES = [
    ("GET /api/v1/health", "GET", "/api/v1/health", 0.40),
    ("GET /api/v1/cities?limit=50", "GET", "/api/v1/cities?limit=50", 0.15),
    (
        "GET /recommendations/partners",
        "GET",
        "/api/v1/recommendations/partners?city=360700&limit=10",
        0.10,
    ),
    ("POST /api/v1/enterprises", "POST", "/api/v1/enterprises", 0.08),
]


class Served:
    """A uvicorn process tree on ``port``, stopped on exit."""

    def __init__(self, command: list[str], port: int, env: dict[str, str], ready: str) -> None:
        self.command, self.port, self.env, self.ready = command, port, env, ready
        self.log = tempfile.TemporaryFile()  # noqa: SIM115  (closed in __exit__)

    def __enter__(self) -> "Served":
        self.process = subprocess.Popen(
            self.command, env=self.env, stdout=self.log, stderr=subprocess.STDOUT
        )
        try:
            self._wait()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _wait(self) -> None:
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(self.log.read().decode(errors="replace")[-2000:])
            try:
                # Both workers must be up, their engines built: a few answers in a row (a
                # worker's first recommendation waits for its engine, built as it starts).
                if all(
                    httpx.get(f"http://127.0.0.1:{self.port}{self.ready}", timeout=600).is_success
                    for _ in range(6)
                ):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"port {self.port} did not answer")

    def __exit__(self, *_: object) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def wrk(url: str, args: argparse.Namespace, script: Path, headers: list[str]) -> dict:
    """The route loaded for ``args.seconds``, after ``args.warmup`` seconds of the same load
    whose figures are dropped: each worker's first answers (a page rendered, keys verified,
    pools filled) are a start-up cost, not the steady state measured here."""
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", "--timeout", "10s"]
    command += ["--latency", "-s", str(script)]
    for header in headers:
        command += ["-H", header]
    if args.warmup:
        subprocess.run([*command, f"-d{args.warmup}s", url], capture_output=True, check=True)
    out = subprocess.run(
        [*command, f"-d{args.seconds}s", url], capture_output=True, text=True, check=True
    ).stdout
    result = json.loads(out.strip().splitlines()[-1])
    result["rps"] = result["requests"] / result["seconds"]
    return result


def make_database(store: str, args: argparse.Namespace, work: Path) -> tuple[str, object]:
    if store == "sqlite":
        return f"sqlite:///{work / 'bench.db'}", None
    import sqlalchemy

    admin = sqlalchemy.create_engine(args.postgres, isolation_level="AUTOCOMMIT")
    name = f"cp_bench_http_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    url = sqlalchemy.engine.make_url(args.postgres).set(database=name)
    return url.render_as_string(hide_password=False), (admin, name)


def drop_database(handle: object) -> None:
    if handle is None:
        return
    admin, name = handle  # type: ignore[misc]
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def run_store(store: str, args: argparse.Namespace, work: Path) -> list[dict]:
    url, handle = make_database(store, args, work)
    env = os.environ | {
        "DATABASE_URL": url,
        "COUNTERPART_MODEL_DIR": str(work / f"models-{store}"),
        "COUNTERPART_SCHEDULER_ENABLED": "false",
        # One client address sends everything: the limiter is off, as in issue 16's figures.
        "COUNTERPART_RATE_LIMIT_ENABLED": "false",
        "PYTHONPATH": str(work),
    }
    rows = []
    serve = serve_command(args, args.port)
    bare = [str(BIN / "uvicorn"), "bare_app:app", "--port", str(args.port + 1)]
    bare += ["--workers", str(args.workers), "--no-access-log", "--http", "httptools"]
    try:
        with (
            Served(serve, args.port, env, "/api/v1/recommendations/partners?city=360700") as app,
            Served(bare, args.port + 1, env, "/hello"),
        ):
            key = subprocess.run(
                [str(BIN / "counterpart"), "keys", "create", "--role", "admin", "--name", "压测"],
                env=env,
                capture_output=True,
                text=True,
                check=True,
                cwd=work,
            ).stdout.split()[-1]
            for label, method, path, target in ROUTES:
                base = wrk(f"http://127.0.0.1:{args.port + 1}/hello", args, work / "report.lua", [])
                headers = [f"Authorization: Bearer {key}"] if method == "POST" else []
                if method == "POST":
                    headers.append("Content-Type: application/json")
                script = work / ("post.lua" if method == "POST" else "report.lua")
                result = wrk(f"http://127.0.0.1:{app.port}{path}", args, script, headers)
                result |= {"store": store, "route": label, "bare": base, "target": target}
                rows.append(result)
                print_row(result)
            rows.append(limited_health(store, args, env, work))
    finally:
        drop_database(handle)
    return rows


def serve_command(args: argparse.Namespace, port: int) -> list[str]:
    return [
        *(str(BIN / "counterpart"), "serve", "--port", str(port)),
        *("--workers", str(args.workers), "--no-access-log"),
    ]


# Many clients, one key each, taken in turn: a moving window keeps one entry per request of its
# key in the last minute, so one client sending everything would measure a window no real
# client has (and, with a limit high enough never to answer 429, a very long one).
CLIENTS = 200
KEYED = """
local keys = {%s}
local counter = 0
request = function()
  counter = counter + 1
  local key = keys[(counter %% #keys) + 1]
  return wrk.format("GET", nil, {["Authorization"] = "Bearer " .. key})
end
"""
MAKE_KEYS = """
import sys
from profiles.access import create_key
from profiles.db import get_engine, session_scope
from matching.vocabulary import Role
with session_scope(get_engine()) as session:
    for n in range(int(sys.argv[1])):
        print(create_key(session, principal=f"压测客户{n}", role=Role.viewer)[1])
"""


def limited_health(store: str, args: argparse.Namespace, env: dict[str, str], work: Path) -> dict:
    """``/health`` again with the rate limiter on, as shipped (in-memory counts, the default
    limits), for ``CLIENTS`` clients with a key each: what the limiter costs every request."""
    port = args.port + 2
    env = env | {
        "COUNTERPART_RATE_LIMIT_ENABLED": "true",
        "COUNTERPART_ENGINE_WARMUP": "false",  # /health needs no engine: none is built meanwhile
    }
    keys = subprocess.run(
        [sys.executable, "-c", MAKE_KEYS, str(CLIENTS)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout.split()
    script = work / "keyed.lua"
    script.write_text(KEYED % ", ".join(f'"{k}"' for k in keys) + REPORT)
    with Served(serve_command(args, port), port, env, "/api/v1/health"):
        base = wrk(f"http://127.0.0.1:{args.port + 1}/hello", args, work / "report.lua", [])
        result = wrk(f"http://127.0.0.1:{port}/api/v1/health", args, script, [])
    label = f"GET /api/v1/health, limiter on, {CLIENTS} keys"
    result |= {"store": store, "route": label, "bare": base, "target": None}  # shown, no target
    print_row(result)
    return result


def print_row(r: dict) -> None:
    bare = r["bare"]
    ratio = r["rps"] / bare["rps"]
    target, verdict = "—", "—"
    if r["target"] is not None:
        ok = ratio >= r["target"] and r["errors"] == 0 and r["p99"] <= 10 * r["p50"]
        target, verdict = f"≥ {r['target']:.0%}", "met" if ok else "NOT met"
    print(
        f"| {r['route']:<31} | {r['store']:<10} | {r['rps']:8.0f} | {r['p50'] / 1000:7.1f} |"
        f" {r['p99'] / 1000:7.1f} | {r['errors']:6d} | {bare['rps']:8.0f} |"
        f" {bare['p50'] / 1000:5.1f} / {bare['p99'] / 1000:5.1f} | {ratio:6.1%} |"
        f" {target} | {verdict} |",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stores", default="sqlite,postgresql")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2, help="seconds of load first, not counted")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8120, help="the app; the bare app on +1")
    parser.add_argument("--postgres", default="postgresql+psycopg://postgres@127.0.0.1/postgres")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install -y wrk")
    with tempfile.TemporaryDirectory() as directory:
        work = Path(directory)
        (work / "bare_app.py").write_text(BARE)
        (work / "report.lua").write_text(REPORT)
        (work / "post.lua").write_text(POST + REPORT)
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(
            f"wrk -t{args.threads} -c{args.connections} -d{args.seconds}s after {args.warmup} s"
            " not counted;"
            f" {args.workers} workers each; ratio = app req/s ÷ bare req/s (measured just before)\n"
        )
        print(
            "| route                           | store      |    req/s | p50 ms  | p99 ms  |"
            " errors |  bare/s  | bare p50 / p99 ms | ratio  | target | |"
        )
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|")
        for store in args.stores.split(","):
            run_store(store, args, work)
        print(f"\nload average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
