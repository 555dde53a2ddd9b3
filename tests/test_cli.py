"""The command line as a newcomer uses it: seed, seed again, resolve."""

import os
import subprocess
import sys
from pathlib import Path

COUNTERPART = str(Path(sys.executable).with_name("counterpart"))


def run(*args: str, database: Path) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"DATABASE_URL": f"sqlite:///{database}"}
    return subprocess.run(
        [COUNTERPART, *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_seed_twice_then_resolve(tmp_path: Path) -> None:
    database = tmp_path / "cli.db"
    first = run("seed", database=database)
    assert first.returncode == 0, first.stderr
    assert "city             inserted    3207" in first.stdout
    second = run("seed", database=database)
    assert second.returncode == 0
    assert "inserted       0" in second.stdout and "inserted    3207" not in second.stdout
    resolved = run("resolve", "赣洲", database=database)
    assert resolved.returncode == 0
    assert resolved.stdout.splitlines()[0].startswith("360700\t赣州市")
    industry = run("resolve", "新能源汽车", "--kind", "industry", database=database)
    assert industry.stdout.splitlines()[0].startswith("36\t")
    missing = run("resolve", "zzzzqqqq", database=database)
    assert missing.returncode == 1
