"""成效评估 through the API: a base city's activity by month, CSV, and quiet pairings flagged."""

import csv
import io
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from matching.vocabulary import PairingKind
from profiles.models import Pairing
from profiles.pipeline import PartyRef, advance
from tests.api.test_pipeline import GANZHOU, make_enterprise
from tests.conftest import bearer

GANZHOU_CITY = PartyRef("cities", "360700")
SHENZHEN = PartyRef("cities", "440300")


def record_history(engine: Engine, enterprise: int) -> None:
    """What an event calendar would record: a meeting in March, a signing in May (2026)."""
    with Session(engine) as session:
        advance(
            session,
            party_a=SHENZHEN,
            party_b=GANZHOU_CITY,
            stage="meeting",
            actor=None,
            source="event",
            at=datetime(2026, 3, 10, tzinfo=UTC),
        )
        advance(
            session,
            party_a=PartyRef("enterprises", enterprise),
            party_b=PartyRef("cities", "360731"),  # 于都县, under 赣州
            stage="signed",
            amount=2.5,
            actor=None,
            at=datetime(2026, 5, 2, tzinfo=UTC),
        )
        session.commit()


def test_a_base_city_report_lists_its_pairings_activity_by_month(
    client: TestClient, engine: Engine
) -> None:
    enterprise = make_enterprise(client)
    record_history(engine, enterprise)
    path = "/api/v1/effectiveness/cities/360700"
    params = {"first": "2026-02", "last": "2026-05"}
    report = client.get(path, params=params, headers=bearer(GANZHOU))
    assert report.status_code == 200, report.text
    body = report.json()
    months = {m["month"]: m for m in body["months"]}
    assert list(months) == ["2026-02", "2026-03", "2026-04", "2026-05"]
    assert months["2026-03"]["meetings"] == 1 and months["2026-02"]["meetings"] == 0
    assert months["2026-05"]["signed"] == 1 and months["2026-05"]["amount_100m"] == 2.5
    shenzhen = [p for p in body["pairings"] if (p["base"], p["partner"]) == ("360700", "440300")]
    assert len(shenzhen) == 1 and shenzhen[0]["partner_name"] == "深圳市"
    by_month = {m["month"]: m["meetings"] for m in shenzhen[0]["months"]}
    assert by_month == {"2026-02": 0, "2026-03": 1, "2026-04": 0, "2026-05": 0}
    single = client.get(
        f"/api/v1/effectiveness/pairings/{shenzhen[0]['pairing_id']}", params=params
    ).json()
    assert single["months"] == shenzhen[0]["months"]

    exported = client.get(path, params=params | {"format": "csv"})
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["结对", "月份", "合作机会"]
    assert ["赣州市（全部）", "2026-05", "0", "0", "0", "1", "2.5", "0", "0"] in rows

    # an enterprise is no office: the report is not for it; a month must be YYYY-MM
    assert client.get(path, headers=bearer("某某科技")).status_code == 403
    assert client.get(path, params={"first": "2026-13"}).status_code == 422


def test_a_quiet_pairing_is_flagged_with_alternative_partners(
    client: TestClient, engine: Engine
) -> None:
    with Session(engine) as session:  # 赣州's pairings were recorded long ago
        session.execute(
            update(Pairing)
            .where(
                Pairing.kind == PairingKind.city_city,
                col(Pairing.base_city).startswith("3607"),
            )
            .values(created_at=datetime(2024, 1, 1, tzinfo=UTC))
        )
        session.commit()
    client.post(  # …but 赣州 and 深圳 met this month
        "/api/v1/pipeline",
        json={
            "party_a": {"kind": "cities", "id": "360700"},
            "party_b": {"kind": "cities", "id": "440300"},
            "stage": "meeting",
        },
        headers=bearer(GANZHOU),
    )
    run = client.post("/api/v1/jobs/stale-profiles/run")
    assert run.status_code == 200, run.text
    flags = client.get("/api/v1/review/stale", params={"kind": "pairings", "limit": 500}).json()
    flagged = {f["key"]: f for f in flags["items"] if f["reason"] == "inactive"}
    report = client.get("/api/v1/effectiveness/cities/360700").json()
    quiet = {str(p["pairing_id"]) for p in report["pairings"] if p["inactive"]}
    active = {str(p["pairing_id"]) for p in report["pairings"] if not p["inactive"]}
    assert quiet and quiet <= set(flagged)
    assert [p["partner"] for p in report["pairings"] if str(p["pairing_id"]) in active] == [
        "440300"
    ]
    assert all("可考虑：" in flagged[key]["detail"] for key in quiet)
