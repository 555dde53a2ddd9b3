"""Outcomes teach the rankers: a pair signed through the API is a label the next training counts."""

import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from matching.training import FEEDBACK_WEIGHT, outcome_label
from matching.vocabulary import Stage
from tests.api.test_opportunities import OFFER, REQUEST, post
from tests.api.test_pipeline import GANZHOU, make_enterprise
from tests.conftest import bearer

COUNTERPART = str(Path(sys.executable).with_name("counterpart"))


def test_stages_are_graded_labels() -> None:
    weights = [outcome_label(s)[1] for s in (Stage.interest, Stage.contact, Stage.meeting)]
    assert weights == sorted(weights) and outcome_label(Stage.landed) == (1, FEEDBACK_WEIGHT)
    assert outcome_label(Stage.signed)[0] == 1
    assert outcome_label(Stage.terminated) == (0, FEEDBACK_WEIGHT)
    assert outcome_label(Stage.recommended) is None  # still fresh: no label yet
    ignored = outcome_label(Stage.recommended, ignored=True)
    assert ignored[0] == 0 and ignored[1] < FEEDBACK_WEIGHT  # a weak negative


def test_signed_pairs_are_counted_by_the_next_train(
    client: TestClient, engine: Engine, model_dir: Path, tmp_path: Path
) -> None:
    enterprise = make_enterprise(client)
    interest = client.post(
        "/api/v1/interests",
        json={
            "party": {"kind": "enterprises", "id": str(enterprise)},
            "target": {"kind": "cities", "id": "360700"},
        },
        headers=bearer("某某科技"),
    ).json()
    client.post(f"/api/v1/interests/{interest['id']}/accept", json={}, headers=bearer(GANZHOU))
    for pair in (
        {
            "party_a": {"kind": "cities", "id": "360700"},
            "party_b": {"kind": "enterprises", "id": str(enterprise)},
        },
        {
            "party_a": {"kind": "cities", "id": "360700"},
            "party_b": {"kind": "cities", "id": "深圳"},
        },
    ):
        signed = client.post(
            "/api/v1/pipeline",
            json=pair | {"stage": "signed", "amount_100m": 3.2},
            headers=bearer(GANZHOU),
        )
        assert signed.status_code == 200, signed.text
    # the enterprise's 技术需求 and a university's 技术成果 signed together: an opportunity label
    request, offer = post(client, REQUEST, "某某科技"), post(client, OFFER, "某大学")
    signed = client.post(
        "/api/v1/pipeline",
        json={
            "party_a": {"kind": "opportunities", "id": str(request["id"])},
            "party_b": {"kind": "opportunities", "id": str(offer["id"])},
            "stage": "signed",
            "amount_100m": 0.05,
        },
        headers=bearer("某某科技"),
    )
    assert signed.status_code == 200, signed.text
    before = client.get("/api/v1/recommendations/sites", params={"enterprise": enterprise}).json()
    assert before["learned_from"]["outcomes"] == 0

    env = os.environ | {
        "DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "COUNTERPART_MODEL_DIR": str(model_dir),
    }
    trained = subprocess.run(
        [COUNTERPART, "train"], env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path
    )
    assert trained.returncode == 0, trained.stderr
    assert "0 verdicts and 1 pipeline outcomes" in trained.stdout  # the city pair 赣州—深圳
    assert "0 verdicts and 1 pipeline outcomes; could not train" in trained.stdout  # the site
    assert "opportunity scorer: learned, from 1 pipeline outcomes" in trained.stdout

    after = client.get("/api/v1/recommendations/sites", params={"enterprise": enterprise}).json()
    assert after["learned_from"]["outcomes"] == 1
    assert "1 条合作进程结果" in after["note"]
    partners = client.get("/api/v1/recommendations/partners", params={"city": "360700"}).json()
    assert set(partners["learned_from"]) == {"pairings", "verdicts", "outcomes"}
    assert partners["learned_from"]["pairings"] > 0
