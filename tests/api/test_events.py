"""Brokerage events over HTTP: registration, requests, the schedule, agendas, outcomes."""

from datetime import datetime
from zoneinfo import ZoneInfo

import icalendar
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from profiles.models import OutboxEvent
from tests.api.events_factory import EVENTS, OFFICE, ask, make_event, register
from tests.api.test_opportunities import OFFER, REQUEST
from tests.conftest import bearer

SHANGHAI = ZoneInfo("Asia/Shanghai")


def outbox(engine: Engine, kind: str) -> list[dict]:
    with Session(engine) as session:
        rows = session.exec(select(OutboxEvent).where(OutboxEvent.type == kind)).all()
        return [r.payload for r in rows]


def test_an_event_has_its_slots_and_breaks(client: TestClient) -> None:
    setup = make_event(client)
    event = client.get(setup.url).json()
    assert event["city"] == "360700" and event["owner"] == OFFICE and event["status"] == "draft"
    assert event["slot_times"][:4] == [
        ["09:00", "09:20"],
        ["09:20", "09:40"],
        ["09:40", "10:00"],
        ["10:10", "10:30"],  # the 10-minute break after slot 3
    ]
    outside = client.post(
        EVENTS,
        json={"name": "越权", "city": "深圳", "day": "2027-03-18", "start": "09:00"},
        headers=bearer(OFFICE),
    )
    assert outside.status_code == 422  # an office organises in its own cities
    refused = client.post(
        EVENTS,
        json={"name": "企业", "city": "赣州", "day": "2027-03-18", "start": "09:00"},
        headers=bearer("某某科技"),
    )
    assert refused.status_code == 403
    late_break = client.post(
        EVENTS,
        json={
            "name": "x",
            "city": "赣州",
            "day": "2027-03-18",
            "start": "09:00",
            "slots": 3,
            "breaks": [{"after_slot": 3, "minutes": 5}],
        },
    )
    assert late_break.status_code == 422


def test_registration_by_own_key_or_organiser_only(client: TestClient) -> None:
    setup = make_event(client)
    people = client.get(f"{setup.url}/participants").json()["items"]
    assert {p["kind"] for p in people} == {"city", "enterprise", "university", "expert"}
    assert {p["name"] for p in people} >= {"赣州市", "深圳市", "对接会测试电池有限公司"}
    # another company cannot register (or even see) someone else's enterprise
    enterprise = next(p for p in people if p["kind"] == "enterprise")["ref"]
    other = client.post(
        f"{setup.url}/participants",
        json={"kind": "enterprise", "ref": enterprise},
        headers=bearer("另一家公司"),
    )
    assert other.status_code == 404
    again = client.post(
        f"{setup.url}/participants", json={"kind": "city", "ref": "360700"}, headers=bearer(OFFICE)
    )
    assert again.status_code == 409
    late = client.post(
        f"{setup.url}/participants",
        json={"kind": "city", "ref": "吉安", "unavailable": [7]},
        headers=bearer(OFFICE),
    )
    assert late.status_code == 422 and "6 slots" in late.json()["detail"]


def test_opportunities_take_part_and_their_matches_are_proposed(client: TestClient) -> None:
    setup = make_event(client)
    request = client.post("/api/v1/opportunities", json=REQUEST, headers=bearer("某某科技"))
    offer = client.post("/api/v1/opportunities", json=OFFER, headers=bearer("某大学"))
    assert request.status_code == offer.status_code == 201, (request.json(), offer.json())
    # only its poster (or the organiser) may register an opportunity
    stranger = client.post(
        f"{setup.url}/participants",
        json={"kind": "opportunity", "ref": str(request.json()["id"])},
        headers=bearer("另一家公司"),
    )
    assert stranger.status_code == 404
    needs = register(
        client, setup.url, "某某科技", kind="opportunity", ref=str(request.json()["id"])
    )
    offers = register(client, setup.url, "某大学", kind="opportunity", ref=str(offer.json()["id"]))
    people = {p["id"]: p for p in client.get(f"{setup.url}/participants").json()["items"]}
    assert people[needs]["name"] == "稀土深加工技术需求" and people[needs]["kind"] == "opportunity"

    proposed = client.post(f"{setup.url}/proposals", headers=bearer(OFFICE)).json()["items"]
    pair = next(p for p in proposed if {p["requester_id"], p["requested_id"]} == {needs, offers})
    # the reason is the match's own: the terms both opportunities hold
    assert pair["reasons"][0].startswith("建议会见 ") and "稀土深加工" in pair["reasons"][0]


def test_requests_answers_and_proposals(client: TestClient) -> None:
    setup = make_event(client)
    request = ask(client, setup, "某某科技", setup.enterprise, setup.ganzhou, priority=5)
    assert request["status"] == "pending" and not request["proposed"]
    # only the requested side (or the organiser) answers
    stranger = client.post(
        f"{setup.url}/requests/{request['id']}/accept", headers=bearer("另一家公司")
    )
    assert stranger.status_code == 404
    accepted = client.post(f"{setup.url}/requests/{request['id']}/accept", headers=bearer(OFFICE))
    assert accepted.json()["status"] == "accepted"
    # nobody requests on behalf of a participant it does not act for
    forged = client.post(
        f"{setup.url}/requests",
        json={"requester_id": setup.ganzhou, "requested_id": setup.enterprise},
        headers=bearer("某大学"),
    )
    assert forged.status_code == 404
    duplicate = client.post(
        f"{setup.url}/requests",
        json={"requester_id": setup.enterprise, "requested_id": setup.ganzhou},
        headers=bearer("某某科技"),
    )
    assert duplicate.status_code == 409

    proposed = client.post(f"{setup.url}/proposals", headers=bearer(OFFICE))
    assert proposed.status_code == 201, proposed.json()
    items = proposed.json()["items"]
    assert items and all(p["status"] == "proposed" and p["proposed"] for p in items)
    assert all(p["reasons"][0].startswith("建议会见 ") for p in items)
    # 深圳 is 赣州's 对口合作 partner: the engine proposes that they meet
    pair = next(
        p
        for p in items
        if {p["requester_id"], p["requested_id"]} == {setup.ganzhou, setup.shenzhen}
    )
    assert "深圳市" in pair["reasons"][0] or "赣州市" in pair["reasons"][0]
    # the enterprise's own request is not proposed again
    assert not any(
        {p["requester_id"], p["requested_id"]} == {setup.enterprise, setup.ganzhou} for p in items
    )
    sent = ask(client, setup, OFFICE, pair["requester_id"], pair["requested_id"], priority=4)
    assert sent["id"] == pair["id"] and sent["status"] == "pending" and sent["proposed"]
    # a participant sees its own requests; another key sees none of them
    mine = client.get(f"{setup.url}/requests", headers=bearer("某某科技")).json()["items"]
    assert [r["id"] for r in mine] == [request["id"]]
    assert client.get(f"{setup.url}/requests", headers=bearer("另一家公司")).json()["items"] == []


def scheduled(client: TestClient, setup) -> tuple[dict, list[dict]]:
    report = client.post(f"{setup.url}/schedule", headers=bearer(OFFICE))
    assert report.status_code == 200, report.json()
    meetings = client.get(f"{setup.url}/meetings", headers=bearer(OFFICE)).json()["items"]
    return report.json(), meetings


def assert_no_double_booking(meetings: list[dict]) -> None:
    live = [m for m in meetings if m["status"] != "cancelled"]
    places = [(m["slot"], m["table_no"]) for m in live]
    seats = [(p, m["slot"]) for m in live for p in (m["first_id"], m["second_id"])]
    assert len(places) == len(set(places)) and len(seats) == len(set(seats))


def test_the_schedule_respects_everything_and_says_why(client: TestClient) -> None:
    setup = make_event(client, slots=3, tables=1)
    # 赣州 cannot attend slots 1 and 2; the expert cannot attend slot 3
    for who, slots in ((setup.ganzhou, [1, 2]), (setup.expert, [3])):
        answer = client.patch(
            f"{setup.url}/participants/{who}", json={"unavailable": slots}, headers=bearer(OFFICE)
        )
        assert answer.status_code == 200 and answer.json()["unavailable"] == slots
    mutual = ask(client, setup, "某某科技", setup.enterprise, setup.ganzhou, priority=1)
    client.post(f"{setup.url}/requests/{mutual['id']}/accept", headers=bearer(OFFICE))
    ask(client, setup, OFFICE, setup.shenzhen, setup.ganzhou, priority=5)  # one-sided
    ask(client, setup, OFFICE, setup.expert, setup.ganzhou, priority=5)  # never both free
    declined = ask(client, setup, "某大学", setup.university, setup.shenzhen, priority=3)
    client.post(f"{setup.url}/requests/{declined['id']}/decline", headers=bearer(OFFICE))

    report, meetings = scheduled(client, setup)
    assert_no_double_booking(meetings)
    pairs = {frozenset((m["first_id"], m["second_id"])): m for m in meetings}
    # the mutual meeting wins 赣州's only free slot over the one-sided priority-5 request
    assert pairs[frozenset((setup.enterprise, setup.ganzhou))]["slot"] == 3
    assert report["mutual_met"] == report["mutual_total"] == 1
    assert (
        report["optimal"]
        and report["greedy_objective"] <= report["objective"] <= report["lp_bound"] + 1e-6
    )
    reasons = {frozenset((u["first_id"], u["second_id"])): u for u in report["unmet"]}
    assert reasons[frozenset((setup.university, setup.shenzhen))]["reason"] == "declined"
    assert reasons[frozenset((setup.university, setup.shenzhen))]["reason_label"] == "对方已谢绝"
    assert reasons[frozenset((setup.expert, setup.ganzhou))]["reason"] == "no_common_slot"
    assert reasons[frozenset((setup.shenzhen, setup.ganzhou))]["reason"] == "participants_busy"
    outcomes = {
        r["id"]: r["outcome"]
        for r in client.get(f"{setup.url}/requests", headers=bearer(OFFICE)).json()["items"]
    }
    assert outcomes[mutual["id"]] == "scheduled" and outcomes[declined["id"]] == "declined"


def test_confirmed_meetings_stay_and_changes_are_announced(
    client: TestClient, engine: Engine
) -> None:
    setup = make_event(client, slots=4, tables=1)
    ask(client, setup, "某某科技", setup.enterprise, setup.ganzhou)
    ask(client, setup, "某大学", setup.university, setup.shenzhen)
    _, first = scheduled(client, setup)
    published = client.post(f"{setup.url}/publish", headers=bearer(OFFICE))
    assert published.json()["status"] == "published"
    announced = outbox(engine, "event.agenda_changed")
    assert len(announced) == 1
    assert {p["id"] for p in announced[0]["participants"]} == {
        setup.enterprise,
        setup.ganzhou,
        setup.university,
        setup.shenzhen,
    }
    assert "某某科技" in announced[0]["principals"] and "360700" in announced[0]["cities"]

    # new requests, and the participants of the confirmed ones now say they are unavailable:
    # confirmed meetings stay where they are
    for m in first:
        client.patch(
            f"{setup.url}/participants/{m['first_id']}",
            json={"unavailable": [m["slot"]]},
            headers=bearer(OFFICE),
        )
    ask(client, setup, OFFICE, setup.expert, setup.shenzhen, priority=5)
    report, second = scheduled(client, setup)
    assert report["fixed"] == 2
    kept = {m["id"]: (m["slot"], m["table_no"], m["status"]) for m in second}
    for m in first:
        assert kept[m["id"]] == (m["slot"], m["table_no"], "confirmed")
    assert_no_double_booking(second)
    client.post(f"{setup.url}/publish", headers=bearer(OFFICE))
    changed = outbox(engine, "event.agenda_changed")[-1]
    assert {p["id"] for p in changed["participants"]} == {setup.expert, setup.shenzhen}

    # cancelling after publication tells exactly the two sides
    meeting = next(m for m in second if setup.enterprise in (m["first_id"], m["second_id"]))
    cancelled = client.post(
        f"{setup.url}/meetings/{meeting['id']}/status",
        json={"status": "cancelled"},
        headers=bearer("某某科技"),
    )
    assert cancelled.json()["status"] == "cancelled"
    changed = outbox(engine, "event.agenda_changed")[-1]
    assert {p["id"] for p in changed["participants"]} == {setup.enterprise, setup.ganzhou}


def test_agendas_as_json_csv_and_ics(client: TestClient) -> None:
    setup = make_event(client, slots=4, tables=2)
    ask(client, setup, "某某科技", setup.enterprise, setup.ganzhou)
    ask(client, setup, "某某科技", setup.enterprise, setup.university)
    client.post(
        "/api/v1/enterprises",
        json={"name": "=HYPERLINK(1)", "hq_city": "深圳", "industry_codes": ["39"]},
        headers=bearer("另一家公司"),
    )
    formula = client.get("/api/v1/enterprises", params={"q": "HYPERLINK"}).json()["items"][0]
    odd = register(client, setup.url, "另一家公司", kind="enterprise", ref=str(formula["id"]))
    ask(client, setup, "另一家公司", odd, setup.enterprise)
    scheduled(client, setup)
    client.post(f"{setup.url}/publish", headers=bearer(OFFICE))
    url = f"{setup.url}/participants/{setup.enterprise}/agenda"

    agenda = client.get(url, headers=bearer("某某科技")).json()
    assert len(agenda["items"]) == 3 and agenda["timezone"] == "Asia/Shanghai"
    assert {i["counterpart"]["name"] for i in agenda["items"]} >= {"赣州市", "对接会测试大学"}
    assert client.get(url, headers=bearer("另一家公司")).status_code == 404

    csv_text = client.get(url, params={"format": "csv"}, headers=bearer("某某科技")).text
    assert csv_text.startswith("\ufeff时段,开始,结束,桌号,会见对象")
    assert "'=HYPERLINK(1)" in csv_text

    ics = client.get(url, params={"format": "ics"}, headers=bearer("某某科技"))
    assert ics.headers["content-type"].startswith("text/calendar")
    raw = ics.content
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    calendar = icalendar.Calendar.from_ical(raw)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 3
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Asia/Shanghai"
    by_uid = {str(e["UID"]): e for e in events}
    for item in agenda["items"]:
        event = by_uid[f"event-{setup.event['id']}-meeting-{item['meeting_id']}@counterpart"]
        start = event.decoded("DTSTART")
        assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
        assert start.replace(tzinfo=None) == datetime.fromisoformat(item["start"])
        assert start.utcoffset().total_seconds() == 8 * 3600
        assert str(event["SUMMARY"]) == "会见 " + item["counterpart"]["name"]
        assert "赣州国际会展中心, A厅" in str(event["LOCATION"])  # the comma escaped and back
        assert str(event["STATUS"]) == "CONFIRMED"


def test_tables_and_the_printable_day_sheet(client: TestClient) -> None:
    setup = make_event(client, slots=3, tables=2)
    ask(client, setup, "某某科技", setup.enterprise, setup.ganzhou)
    ask(client, setup, OFFICE, setup.shenzhen, setup.expert)
    _, meetings = scheduled(client, setup)
    sheets = client.get(f"{setup.url}/tables", headers=bearer(OFFICE)).json()
    assert [t["table"] for t in sheets["tables"]] == [1, 2]
    placed = [r for t in sheets["tables"] for r in t["rows"] if r["meeting_id"]]
    assert sorted(r["meeting_id"] for r in placed) == sorted(m["id"] for m in meetings)
    page = client.get(f"{setup.url}/sheet", headers=bearer(OFFICE))
    assert page.headers["content-type"].startswith("text/html")
    assert "日程总表" in page.text and "1 号桌" in page.text and "@page" in page.text
    assert "对接会测试电池有限公司" in page.text
    assert client.get(f"{setup.url}/sheet", headers=bearer("江西省发改委")).status_code == 404


def test_held_meetings_are_recorded_and_announced(client: TestClient, engine: Engine) -> None:
    setup = make_event(client, slots=2, tables=1)
    ask(client, setup, "某某科技", setup.enterprise, setup.ganzhou)
    ask(client, setup, "某大学", setup.university, setup.shenzhen)
    _, meetings = scheduled(client, setup)
    client.post(f"{setup.url}/publish", headers=bearer(OFFICE))
    held, missed = sorted(
        meetings, key=lambda m: m["first_id"] in (setup.university, setup.shenzhen)
    )
    answer = client.post(
        f"{setup.url}/meetings/{held['id']}/status", json={"status": "held"}, headers=bearer(OFFICE)
    )
    assert answer.json()["status"] == "held"
    client.post(
        f"{setup.url}/meetings/{missed['id']}/status",
        json={"status": "no_show"},
        headers=bearer("某大学"),
    )
    events = outbox(engine, "meeting.held")
    assert len(events) == 1 and events[0]["meeting_id"] == held["id"]
    assert {p["name"] for p in events[0]["parties"]} == {"对接会测试电池有限公司", "赣州市"}
    assert (
        client.post(
            f"{setup.url}/meetings/{held['id']}/status",
            json={"status": "held"},
            headers=bearer("另一家公司"),
        ).status_code
        == 404
    )
    # the held pair's pipeline is at 会谈, dated at the meeting's slot; the missed one has none
    enterprise = client.get(f"{setup.url}/participants").json()["items"]
    ref = next(p["ref"] for p in enterprise if p["id"] == setup.enterprise)
    entries = client.get(
        "/api/v1/pipeline", params={"party_kind": "enterprises", "party_id": ref}
    ).json()["items"]
    assert [e["stage"] for e in entries] == ["meeting"]
    university = next(p["ref"] for p in enterprise if p["id"] == setup.university)
    assert (
        client.get(
            "/api/v1/pipeline", params={"party_kind": "universities", "party_id": university}
        ).json()["items"]
        == []
    )
    statuses = {
        m["id"]: m["status"]
        for m in client.get(f"{setup.url}/meetings", headers=bearer(OFFICE)).json()["items"]
    }
    assert statuses == {held["id"]: "held", missed["id"]: "no_show"}
