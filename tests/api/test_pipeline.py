"""Interests and the pipeline through the API: express, accept, contacts, stages, access."""

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from profiles.kinds import KINDS
from profiles.models import AuditEntry, OutboxEvent
from tests.conftest import bearer

ENTERPRISE = "某某科技"
OTHER = "另一家公司"
GANZHOU = "赣州市发改委"


def make_enterprise(client: TestClient, **overrides: object) -> int:
    body = {
        "name": "某某稀土材料科技有限公司",
        "hq_city": "深圳",
        "industry_codes": ["稀土"],
        "contact": "张经理 0755-12345678",
    } | overrides
    response = client.post("/api/v1/enterprises", json=body, headers=bearer(ENTERPRISE))
    assert response.status_code == 201, response.text
    return response.json()["id"]


def express(client: TestClient, enterprise: int, target: dict, **extra: object) -> dict:
    body = {"party": {"kind": "enterprises", "id": str(enterprise)}, "target": target} | extra
    response = client.post("/api/v1/interests", json=body, headers=bearer(ENTERPRISE))
    assert response.status_code == 201, response.text
    return response.json()


def test_interest_accepted_shows_contacts_to_both_sides_only(client: TestClient) -> None:
    enterprise = make_enterprise(client)
    interest = express(
        client, enterprise, {"kind": "cities", "id": "赣州"}, note="拟在赣州设稀土深加工基地"
    )
    assert interest["stage"] == "interest" and interest["status"] == "pending"
    assert interest["target"] == {
        "kind": "cities",
        "id": "360700",
        "name": "赣州市",
        "city": "360700",
    }
    assert interest["contacts"] is None  # not before acceptance

    # someone else cannot see it, nor answer it; the one who expressed it cannot accept it
    path = f"/api/v1/interests/{interest['id']}"
    assert client.get(path, headers=bearer(OTHER)).status_code == 404
    assert client.post(f"{path}/accept", json={}, headers=bearer(OTHER)).status_code == 404
    assert client.post(f"{path}/accept", json={}, headers=bearer(ENTERPRISE)).status_code == 403
    assert client.get("/api/v1/interests", headers=bearer(OTHER)).json()["items"] == []

    accepted = client.post(
        f"{path}/accept",
        json={"contact": "赣州市发改委振兴科 0797-8888888"},
        headers=bearer(GANZHOU),
    )
    assert accepted.status_code == 200, accepted.text
    contacts = {"party": "张经理 0755-12345678", "target": "赣州市发改委振兴科 0797-8888888"}
    assert accepted.json()["contacts"] == contacts and accepted.json()["stage"] == "contact"
    assert client.get(path, headers=bearer(ENTERPRISE)).json()["contacts"] == contacts
    assert client.get(path, headers=bearer(GANZHOU)).json()["contacts"] == contacts
    again = client.post(f"{path}/decline", json={}, headers=bearer(GANZHOU))
    assert again.status_code == 409


def test_the_pipeline_moves_forward_to_signed_and_is_read_back(
    client: TestClient, engine: object
) -> None:
    enterprise = make_enterprise(client)
    express(client, enterprise, {"kind": "cities", "id": "360700"})
    pair = {
        "party_a": {"kind": "cities", "id": "360700"},
        "party_b": {"kind": "enterprises", "id": str(enterprise)},
    }
    no_amount = client.post(
        "/api/v1/pipeline", json=pair | {"stage": "signed"}, headers=bearer(GANZHOU)
    )
    assert no_amount.status_code == 422 and "amount_100m" in no_amount.text
    # a viewer may not write; another enterprise speaks for neither side
    assert (
        client.post(
            "/api/v1/pipeline", json=pair | {"stage": "meeting"}, headers=bearer("viewer")
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/api/v1/pipeline", json=pair | {"stage": "meeting"}, headers=bearer(OTHER)
        ).status_code
        == 403
    )

    signed = client.post(
        "/api/v1/pipeline",
        json=pair | {"stage": "签约", "amount_100m": 12.5},
        headers=bearer(GANZHOU),
    )
    assert signed.status_code == 200, signed.text
    body = signed.json()
    assert body["stage"] == "signed" and body["stage_label"] == "签约"
    assert body["amount_100m"] == 12.5
    assert body["base_city"] == "360700" and body["partner_city"] == "440300"
    assert [c["to_stage"] for c in body["history"]] == ["interest", "signed"]
    # asking for a stage already passed changes nothing
    meeting = client.post(
        "/api/v1/pipeline", json=pair | {"stage": "meeting"}, headers=bearer(GANZHOU)
    )
    assert meeting.json()["stage"] == "signed" and len(meeting.json()["history"]) == 2

    mine = client.get(
        "/api/v1/pipeline", params={"mine": "true"}, headers=bearer(ENTERPRISE)
    ).json()
    assert [e["id"] for e in mine["items"]] == [body["id"]]
    assert client.get("/api/v1/pipeline", headers=bearer(OTHER)).json()["items"] == []
    by_city = client.get(
        "/api/v1/pipeline",
        params={"city": "江西", "stage": "signed"},
        headers=bearer("江西省发改委"),
    ).json()["items"]
    assert [e["id"] for e in by_city] == [body["id"]]
    later = client.get(
        "/api/v1/pipeline", params={"since": "2100-01-01T00:00:00Z"}, headers=bearer(GANZHOU)
    ).json()
    assert later["items"] == []
    for bad in ("0.5", "1700000000"):  # a date-time is ISO 8601, never a bare number
        refused = client.get("/api/v1/pipeline", params={"until": bad}, headers=bearer(GANZHOU))
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["field"] == "until"
    assert client.get(f"/api/v1/pipeline/{body['id']}", headers=bearer(OTHER)).status_code == 404

    with Session(engine) as session:  # type: ignore[arg-type]
        audited = session.exec(select(AuditEntry).where(AuditEntry.kind == "pipeline_entry")).all()
        events = session.exec(
            select(OutboxEvent).where(OutboxEvent.type == "pipeline.advanced")
        ).all()
    assert {a.action for a in audited} == {"create", "update"}
    assert [e.payload["stage"] for e in events] == ["interest", "signed"]
    assert events[-1].payload["cities"] == ["360700", "440300"]


def test_a_declined_interest_ends_the_pair(client: TestClient) -> None:
    enterprise = make_enterprise(client)
    interest = express(client, enterprise, {"kind": "cities", "id": "360700"})
    declined = client.post(
        f"/api/v1/interests/{interest['id']}/decline",
        json={"reason": "用地不足"},
        headers=bearer(GANZHOU),
    )
    assert declined.status_code == 200
    assert declined.json()["stage"] == "terminated" and declined.json()["contacts"] is None
    closed = client.post(
        "/api/v1/pipeline",
        json={
            "party_a": {"kind": "enterprises", "id": str(enterprise)},
            "party_b": {"kind": "cities", "id": "360700"},
            "stage": "meeting",
        },
        headers=bearer(ENTERPRISE),
    )
    assert closed.status_code == 409


def test_interest_only_for_a_party_you_speak_for_in_a_known_kind(client: TestClient) -> None:
    enterprise = make_enterprise(client)
    body = {
        "party": {"kind": "enterprises", "id": str(enterprise)},
        "target": {"kind": "cities", "id": "360700"},
    }
    assert client.post("/api/v1/interests", json=body, headers=bearer(OTHER)).status_code == 403
    unknown = client.post(
        "/api/v1/interests",
        json=body | {"target": {"kind": "pairings", "id": "1"}},
        headers=bearer(ENTERPRISE),
    )
    assert unknown.status_code == 422 and "target.kind" in unknown.text
    missing = client.post(
        "/api/v1/interests",
        json=body | {"target": {"kind": "enterprises", "id": "999999"}},
        headers=bearer(ENTERPRISE),
    )
    assert missing.status_code == 404


def test_interest_in_an_opportunity_goes_through_the_kinds_registry(client: TestClient) -> None:
    enterprise = make_enterprise(client)
    body = {"party": {"kind": "enterprises", "id": str(enterprise)}}
    if "opportunities" not in KINDS:  # the kind arrives with its own branch
        answer = client.post(
            "/api/v1/interests",
            json=body | {"target": {"kind": "opportunities", "id": "1"}},
            headers=bearer(ENTERPRISE),
        )
        assert answer.status_code == 422 and "target.kind" in answer.text
        return
    opportunity = client.get("/api/v1/opportunities", params={"limit": 1}).json()["items"][0]
    interest = express(client, enterprise, {"kind": "opportunities", "id": str(opportunity["id"])})
    assert interest["target"]["kind"] == "opportunities" and interest["stage"] == "interest"
