"""What a host keeps between requests (rendered city lists and recommendations, verified keys),
and when it lets go: at once after its own writes, within the check interval after another
host's. Another host's write is made here on a plain connection, outside any ORM session, so
this process learns of it only from the store, as a separate host would."""

import time
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from profiles.access import create_key
from profiles.ranking import get_engine_settings
from tests.conftest import bearer

CITIES = "/api/v1/cities"
PARTNERS = "/api/v1/recommendations/partners"


def _as_another_host(engine: Engine, statement: str, **values: object) -> None:
    with engine.begin() as connection:
        connection.execute(text(statement), values)


def _after_the_check_interval() -> None:
    time.sleep(get_engine_settings().engine_check_seconds + 0.2)


def _names(client: TestClient, **params: object) -> dict[str, str]:
    items = client.get(CITIES, params={"limit": 200, **params}).json()["items"]
    return {c["adcode"]: c["name"] for c in items}


def test_a_kept_city_list_answers_as_the_city_itself_does(client: TestClient) -> None:
    listed = client.get(CITIES, params={"province": "江西省", "limit": 20})
    again = client.get(CITIES, params={"province": "江西省", "limit": 20})
    assert listed.status_code == again.status_code == 200
    assert listed.content == again.content
    for item in listed.json()["items"][:5]:
        assert client.get(f"{CITIES}/{item['adcode']}").json() == item


def test_a_city_list_shows_this_hosts_write_at_once(client: TestClient) -> None:
    assert _names(client, province="江西省")["360700"] == "赣州市"
    renamed = client.patch(f"{CITIES}/360700", json={"name": "赣州市（测试）"})
    assert renamed.status_code == 200, renamed.json()
    assert _names(client, province="江西省")["360700"] == "赣州市（测试）"


def test_a_city_list_shows_another_hosts_write_within_the_interval(
    client: TestClient, engine: Engine
) -> None:
    assert _names(client, province="江西省")["360700"] == "赣州市"
    _as_another_host(
        engine,
        "UPDATE city SET name = :name, updated_at = :now WHERE adcode = '360700'",
        name="赣州市（他处）",
        now=datetime.now(UTC).replace(tzinfo=None),
    )
    _after_the_check_interval()
    assert _names(client, province="江西省")["360700"] == "赣州市（他处）"


def test_partners_drop_a_city_paired_after_they_were_answered(client: TestClient) -> None:
    query = {"city": "360700", "limit": 10, "exclude_existing": True}
    before = client.get(PARTNERS, params=query).json()["items"]
    chosen = before[0]["city"]["adcode"]
    written = client.post(
        "/api/v1/pairings",
        json={"kind": "city_city", "base_city": "360700", "partner_city": chosen},
    )
    assert written.status_code == 201, written.json()
    after = client.get(PARTNERS, params=query).json()["items"]
    assert chosen not in {i["city"]["adcode"] for i in after}
    assert client.get(PARTNERS, params=query | {"exclude_existing": False}).status_code == 200


def test_a_key_revoked_on_another_host_stops_within_the_interval(
    anonymous: TestClient, engine: Engine
) -> None:
    with Session(engine) as session:
        row, key = create_key(session, principal="他处吊销", role="admin")
        session.commit()
        key_id = row.id
    headers = {"Authorization": f"Bearer {key}"}
    assert anonymous.get("/api/v1/admin/keys", headers=headers).status_code == 200
    assert anonymous.get("/api/v1/admin/keys", headers=headers).status_code == 200  # kept
    _as_another_host(
        engine,
        "UPDATE api_key SET revoked_at = :now WHERE id = :id",
        now=datetime.now(UTC).replace(tzinfo=None),
        id=key_id,
    )
    _after_the_check_interval()
    refused = anonymous.get("/api/v1/admin/keys", headers=headers)
    assert refused.status_code == 401
    assert "revoked" in refused.json()["detail"]
    assert anonymous.get("/api/v1/admin/keys", headers=bearer("admin")).status_code == 200
