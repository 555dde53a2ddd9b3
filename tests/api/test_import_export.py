"""Bulk import (all or nothing, with a report) and streaming export."""

import csv
import io
import json

from fastapi.testclient import TestClient

HEADER = "名称,总部城市,行业代码,员工人数,拟布局,合作模式\n"


def upload(
    client: TestClient, kind: str, text: str | bytes, *, name: str = "file.csv", **params: object
):
    data = text.encode("utf-8") if isinstance(text, str) else text
    return client.post(f"/api/v1/{kind}/import", files={"file": (name, data)}, params=params)


def count(client: TestClient, kind: str) -> int:
    return client.get(f"/api/v1/{kind}", params={"count": True, "limit": 1}).json()["total"]


def rows(n: int) -> str:
    return "".join(
        f"导入测试企业{i}有限公司,深圳,39|38,{100 + i},manufacturing|rnd,研发+制造\n"
        for i in range(n)
    )


def test_csv_with_chinese_headers_and_bom_imports(client: TestClient) -> None:
    before = count(client, "enterprises")
    response = upload(client, "enterprises", "\ufeff" + HEADER + rows(20))
    assert response.status_code == 200, response.json()
    report = response.json()
    assert (report["rows"], report["created"], report["updated"], report["applied"]) == (
        20,
        20,
        0,
        True,
    )
    assert count(client, "enterprises") == before + 20
    item = client.get("/api/v1/enterprises", params={"q": "导入测试企业7"}).json()["items"][0]
    assert item["hq_city"] == "440300" and item["industry_codes"] == ["39", "38"]
    assert item["places"] == ["manufacturing", "rnd"] and item["preferred_modes"] == [
        "rnd_manufacturing"
    ]


def test_one_bad_row_among_a_thousand_refuses_the_whole_file(client: TestClient) -> None:
    before = count(client, "enterprises")
    lines = rows(1000).splitlines(keepends=True)
    lines[636] = "导入测试坏行有限公司,亚特兰蒂斯,39,10,manufacturing,研发+制造\n"
    response = upload(client, "enterprises", HEADER + "".join(lines))
    assert response.status_code == 422
    body = response.json()
    assert body["errors"] == [
        {
            "field": "row 637.hq_city",
            "message": "no place is named '亚特兰蒂斯'",
            "row": 637,
            "value": "亚特兰蒂斯",
        }
    ]
    assert "row 637" in body["detail"] and body["report"]["applied"] is False
    assert count(client, "enterprises") == before


def test_report_lists_every_bad_row_with_field_and_reason(client: TestClient) -> None:
    text = (
        HEADER
        + rows(3)
        + "坏,深圳,39,-5,manufacturing,研发+制造\n"
        + "好名字有限公司,深圳,XX,1,flying,研发+制造\n"
    )
    errors = upload(client, "enterprises", text).json()["report"]["errors"]
    assert {(e["row"], e["field"]) for e in errors} == {
        (4, "name"),
        (4, "employees"),
        (5, "industry_codes.0"),  # XX is neither a code nor a word we can place
        (5, "places.0"),
    }


def test_repeated_natural_key_in_the_file_is_an_error(client: TestClient) -> None:
    text = HEADER + rows(2) + rows(1)
    errors = upload(client, "enterprises", text).json()["report"]["errors"]
    assert errors[0]["row"] == 3 and "repeats row 1" in errors[0]["reason"]


def test_dry_run_validates_and_writes_nothing(client: TestClient) -> None:
    before = count(client, "enterprises")
    report = upload(client, "enterprises", HEADER + rows(10), dry_run=True).json()
    assert (report["created"], report["dry_run"], report["applied"]) == (10, True, False)
    assert count(client, "enterprises") == before


def test_upsert_by_natural_key(client: TestClient) -> None:
    upload(client, "enterprises", HEADER + rows(3))
    changed = HEADER + "导入测试企业1有限公司,深圳,39,9999,sales,市场+产品\n"
    report = upload(client, "enterprises", changed).json()
    assert (report["created"], report["updated"]) == (0, 1)
    item = client.get("/api/v1/enterprises", params={"q": "导入测试企业1有限公司"}).json()["items"][
        0
    ]
    assert item["employees"] == 9999 and item["places"] == ["sales"]


def test_possible_duplicates_name_their_candidate(client: TestClient) -> None:
    existing = client.get("/api/v1/enterprises/1").json()
    city = client.get(f"/api/v1/cities/{existing['hq_city']}").json()
    core = (
        existing["name"]
        .removeprefix(city["short_name"])
        .removesuffix("股份有限公司")
        .removesuffix("有限公司")
    )
    core = core.removesuffix("集团").removesuffix("科技")
    respelled = f"{core}（{city['short_name']}）有限公司"
    text = f"{HEADER}{respelled},{existing['hq_city']},39,10,sales,市场+产品\n"
    report = upload(client, "enterprises", text, dry_run=True).json()
    assert report["duplicates"][0]["candidate"] == {"id": 1, "name": existing["name"]}


def test_unreadable_files_are_refused_clearly(client: TestClient) -> None:
    cases = [
        ("名称,颜色\nx,red\n", "unknown column '颜色'"),
        (HEADER, "no rows"),
        ("名称,总部城市,行业代码\n甲乙,深圳,39,extra\n", "more cells"),
        ("名称".encode("gbk") + b",x\n", "unknown column 'x'"),  # GBK is read now
    ]
    for text, words in cases:
        response = upload(client, "enterprises", text)
        assert response.status_code == 422, text
        assert words in response.json()["detail"], response.json()
    bad_json = upload(client, "enterprises", '{"items": 3}', name="f.json")
    assert bad_json.status_code == 422


def test_json_import(client: TestClient) -> None:
    items = [
        {
            "name": "JSON导入企业有限公司",
            "hq_city": "赣州",
            "industry_codes": ["32"],
            "needs_resources": ["稀土"],
        }
    ]
    report = upload(
        client, "enterprises", json.dumps({"items": items}, ensure_ascii=False), name="e.json"
    ).json()
    assert report["created"] == 1


def test_export_then_import_round_trips(client: TestClient) -> None:
    exported = client.get("/api/v1/universities/export", params={"province": "江西省"})
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert (
        len(table)
        == client.get("/api/v1/universities", params={"province": "江西省", "count": True}).json()[
            "total"
        ]
    )
    writable = [c for c in table[0] if c not in ("id", "archived")]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=writable, extrasaction="ignore")
    writer.writeheader()
    for row in table:
        writer.writerow(row | ({"notes": "已核对"} if row["name"] == "赣南师范大学" else {}))
    report = upload(client, "universities", buffer.getvalue()).json()
    assert (report["created"], report["updated"], report["error_count"]) == (0, len(table), 0)
    gnnu = client.get("/api/v1/universities", params={"q": "赣南师范大学"}).json()["items"][0]
    assert gnnu["notes"] == "已核对"


def test_json_export_of_a_filtered_list(client: TestClient) -> None:
    body = client.get("/api/v1/needs/export", params={"format": "json", "city": "360700"}).json()
    assert body["items"] and all(n["city"] == "360700" for n in body["items"])
    assert len(body["items"]) == len(client.get("/api/v1/cities/360700/needs").json()["items"])


def test_pairings_import(client: TestClient) -> None:
    text = (
        "kind,scheme,base_city,partner_city,status,source\n"
        "city_city,对口合作,延安,苏州,proposed,测试\n"
    )
    report = upload(client, "pairings", text).json()
    assert report["created"] == 1
    again = upload(client, "pairings", text).json()
    assert (again["created"], again["updated"]) == (0, 1)
