"""The command line as a newcomer uses it: seed, seed again, resolve, recommend, train."""

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy.engine import Engine

from tests.conftest import contradict_the_pairings

COUNTERPART = str(Path(sys.executable).with_name("counterpart"))


def run(*args: str, database: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"DATABASE_URL": database, "COUNTERPART_MODEL_DIR": str(cwd / "models")}
    return subprocess.run(
        [COUNTERPART, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=cwd,
    )


def test_seed_twice_then_resolve_and_recommend(fresh_database: str, tmp_path: Path) -> None:
    first = run("seed", database=fresh_database, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "city             inserted    3207" in first.stdout
    second = run("seed", database=fresh_database, cwd=tmp_path)
    assert second.returncode == 0
    assert "inserted       0" in second.stdout and "inserted    3207" not in second.stdout
    resolved = run("resolve", "赣洲", database=fresh_database, cwd=tmp_path)
    assert resolved.returncode == 0
    assert resolved.stdout.splitlines()[0].startswith("360700\t赣州市")
    industry = run(
        "resolve", "新能源汽车", "--kind", "industry", database=fresh_database, cwd=tmp_path
    )
    assert industry.stdout.splitlines()[0].startswith("3612\t新能源车整车制造")
    assert run("resolve", "zzzzqqqq", database=fresh_database, cwd=tmp_path).returncode == 1
    recommended = run(
        "recommend",
        "赣州",
        "--mode",
        "研发+制造",
        "--limit",
        "3",
        database=fresh_database,
        cwd=tmp_path,
    )
    assert recommended.returncode == 0, recommended.stderr
    lines = recommended.stdout.splitlines()
    assert lines[0].startswith("赣州市（360700）") and "研发+制造" in lines[0]
    assert sum(line.lstrip().startswith(("1.", "2.", "3.")) for line in lines) == 3
    assert any("·" in line for line in lines)
    as_json = run(
        "recommend", "赣州", "--json", "--exclude-existing", database=fresh_database, cwd=tmp_path
    )
    assert as_json.returncode == 0, as_json.stderr
    answer = json.loads(as_json.stdout)
    assert answer["city"]["adcode"] == "360700" and len(answer["items"]) == 10
    assert all(isinstance(i["distance_km"], float) for i in answer["items"])
    assert "440300" not in [i["city"]["adcode"] for i in answer["items"]]  # 深圳: existing
    as_csv = run(
        "recommend", "深圳", "--base-cities", "--csv", database=fresh_database, cwd=tmp_path
    )
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert len(rows) == 10 and all(float(r["distance_km"]) > 0 for r in rows)
    assert any("对口合作" in r["existing"] for r in rows)
    helper = run("recommend", "深圳", database=fresh_database, cwd=tmp_path)
    assert helper.returncode == 2 and "base-cities" in helper.stderr
    sites = run("recommend", "1", "--sites", "--limit", "3", database=fresh_database, cwd=tmp_path)
    assert sites.returncode == 0, sites.stderr
    assert (
        sum(line.lstrip().startswith(("1.", "2.", "3.")) for line in sites.stdout.splitlines()) == 3
    )


def test_evaluate_sites_prints_the_ranker_beside_its_baselines(
    engine: Engine, tmp_path: Path
) -> None:
    database = engine.url.render_as_string(hide_password=False)
    result = run(
        "evaluate", "--sites", "--folds", "3", "--boot", "200", database=database, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "no_hq_city': 44" in out
    for grouping in ("held out by enterprise", "held out by site_city"):
        block = out.split(grouping)[1].split("held out by")[0]
        rows = {line.split()[0]: line.split() for line in block.splitlines()[2:6]}
        assert set(rows) == {"ranker", "distance", "resource_match", "random"}
        assert float(rows["ranker"][1]) > float(rows["random"][1])
        assert "ranker − distance MRR: 95% CI" in block and "calibration" in block


def test_train_promotes_only_a_model_no_worse_than_the_one_in_use(
    engine: Engine, tmp_path: Path
) -> None:
    database = engine.url.render_as_string(hide_password=False)
    pointer = tmp_path / "models" / "current.json"
    first = run("train", database=database, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "(model in use none): promoted" in first.stdout and "held-out MRR" in first.stdout
    promoted = json.loads(pointer.read_text())["city"]
    unpromoted = run("train", "--no-promote", database=database, cwd=tmp_path)
    assert "saved, not promoted (--no-promote)" in unpromoted.stdout
    contradict_the_pairings(engine)
    worse = run("train", database=database, cwd=tmp_path)
    assert worse.returncode == 0, worse.stderr
    assert "saved, not promoted: worse than the model in use" in worse.stdout
    assert json.loads(pointer.read_text())["city"] == promoted  # the site model has no yardstick
    assert len(list(pointer.parent.glob("city-*.joblib"))) == 3  # every version is kept
