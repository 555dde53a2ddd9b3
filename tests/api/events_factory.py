"""Plain factory functions for brokerage-event tests: an event with five participants.

The organiser is 赣州's office. 某某科技 registers its own enterprise and 某大学 its own
university; the office registers 赣州, 深圳 and an expert.
"""

from dataclasses import dataclass

from fastapi.testclient import TestClient

from tests.conftest import bearer

EVENTS = "/api/v1/events"
OFFICE = "赣州市发改委"


@dataclass
class Setup:
    event: dict
    ganzhou: int
    shenzhen: int
    enterprise: int
    university: int
    expert: int

    @property
    def url(self) -> str:
        return f"{EVENTS}/{self.event['id']}"


def register(client: TestClient, url: str, who: str, **body: object) -> int:
    answer = client.post(f"{url}/participants", json=body, headers=bearer(who))
    assert answer.status_code == 201, answer.json()
    return answer.json()["id"]


def make_event(client: TestClient, *, slots: int = 6, tables: int = 2) -> Setup:
    event = client.post(
        EVENTS,
        json={
            "name": "赣深产业合作对接会",
            "city": "赣州",
            "venue": "赣州国际会展中心, A厅",
            "day": "2027-03-18",
            "start": "09:00",
            "slot_minutes": 20,
            "slots": slots,
            "breaks": [{"after_slot": 3, "minutes": 10}] if slots > 3 else [],
            "tables": tables,
        },
        headers=bearer(OFFICE),
    )
    assert event.status_code == 201, event.json()
    url = f"{EVENTS}/{event.json()['id']}"
    enterprise = client.post(
        "/api/v1/enterprises",
        json={"name": "对接会测试电池有限公司", "hq_city": "深圳", "industry_codes": ["3841"]},
        headers=bearer("某某科技"),
    ).json()["id"]
    university = client.post(
        "/api/v1/universities",
        json={"name": "对接会测试大学", "city": "440300", "type": "undergraduate"},
        headers=bearer("某大学"),
    ).json()["id"]
    expert = client.get("/api/v1/experts", params={"limit": 1}).json()["items"][0]["id"]
    return Setup(
        event=event.json(),
        ganzhou=register(client, url, OFFICE, kind="city", ref="赣州"),
        shenzhen=register(client, url, OFFICE, kind="city", ref="440300"),
        enterprise=register(client, url, "某某科技", kind="enterprise", ref=str(enterprise)),
        university=register(client, url, "某大学", kind="university", ref=str(university)),
        expert=register(client, url, OFFICE, kind="expert", ref=str(expert)),
    )


def ask(
    client: TestClient, setup: Setup, who: str, requester: int, requested: int, **extra
) -> dict:
    answer = client.post(
        f"{setup.url}/requests",
        json={"requester_id": requester, "requested_id": requested, **extra},
        headers=bearer(who),
    )
    assert answer.status_code == 201, answer.json()
    return answer.json()
