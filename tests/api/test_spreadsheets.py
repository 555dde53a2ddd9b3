"""Exports safe to open in a spreadsheet that still re-import to the same values; .xlsx both
ways; CSV in GB18030/GBK as Excel writes it in China."""

import csv
import io
from collections.abc import Iterator

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from api.main import create_app
from profiles.cells import TRIGGERS
from tests.api.test_import_export import count, upload
from tests.conftest import bearer

# Names and contacts a spreadsheet would run as formulas (the issue's own example first).
HOSTILE = [
    ("=测试公式注入有限公司", "=cmd|' /C calc'!A0"),
    ('=HYPERLINK("http://x")测试', "=1+1"),
    ("+86 测试电话公司", "+8613800000000"),
    ("-测试负号有限公司", "-1+1"),
    ("@SUM(A1)测试", "@x"),
    ("\t制表开头测试公司", "\tcontact"),
    ("\r回车开头测试公司", "\r"),
    ("'=已有撇号测试公司", "'@"),
]
FIELDS = ("id", "name", "contact", "industry_keywords", "employees")


@pytest.fixture
def owner(engine: Engine, model_dir) -> Iterator[TestClient]:
    """An enterprise key: it sees its own contacts, so the export carries them."""
    app = create_app(engine, model_dir, start_scheduler=False)
    with TestClient(app, headers=bearer("某某科技")) as client:
        yield client


def _stored(client: TestClient) -> list[dict]:
    items = client.get("/api/v1/enterprises", params={"q": "测试", "limit": 500}).json()["items"]
    mine = [e for e in items if e["owner"] == "某某科技"]
    return sorted(({k: e[k] for k in FIELDS} for e in mine), key=lambda e: e["id"])


def _create_hostile(client: TestClient) -> list[dict]:
    for name, contact in HOSTILE:
        body = {
            "name": name,
            "hq_city": "440300",
            "industry_codes": ["39"],
            "industry_keywords": ["=1+1", "电子"],
            "employees": 12,
            "contact": contact,
        }
        response = client.post("/api/v1/enterprises", json=body)
        assert response.status_code == 201, response.text
    stored = _stored(client)
    assert len(stored) == len(HOSTILE)
    return stored


def _export(client: TestClient, fmt: str):
    response = client.get("/api/v1/enterprises/export", params={"format": fmt, "q": "测试"})
    assert response.status_code == 200, response.text
    return response


def test_csv_export_neutralises_formulas_and_round_trips(owner: TestClient) -> None:
    before = _create_hostile(owner)
    text = _export(owner, "csv").content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text, newline="")))
    cells = [cell for row in table[1:] for cell in row]
    assert cells and not [c for c in cells if c.startswith(TRIGGERS)]
    assert "'=cmd|' /C calc'!A0" in cells
    report = upload(owner, "enterprises", text.encode("utf-8"), name="export.csv")
    assert report.status_code == 200, report.text
    assert report.json()["error_count"] == 0 and report.json()["created"] == 0
    assert _stored(owner) == before


def test_xlsx_export_is_text_not_formulas_and_round_trips(owner: TestClient) -> None:
    before = _create_hostile(owner)
    response = _export(owner, "xlsx")
    assert response.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    header = [c.value for c in sheet[1]]
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row]
    assert not [c for c in cells if c.data_type == "f"]
    assert not [c.value for c in cells if isinstance(c.value, str) and c.value.startswith(TRIGGERS)]
    employees = header.index("employees")
    assert all(row[employees].value == 12 for row in sheet.iter_rows(min_row=2))
    report = upload(owner, "enterprises", response.content, name="export.xlsx")
    assert report.status_code == 200, report.text
    assert report.json()["error_count"] == 0 and report.json()["created"] == 0
    assert _stored(owner) == before


def test_xlsx_import_creates_rows_all_or_nothing(client: TestClient) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["名称", "总部城市", "行业代码", "员工人数"])
    sheet.append(["表格导入测试一有限公司", "深圳", "39", 120])
    sheet.append(["表格导入测试二有限公司", "440300", "38|39", 80.0])
    sheet.append([None, None, None, None])  # Excel leaves formatted empty rows behind
    buffer = io.BytesIO()
    book.save(buffer)
    before = count(client, "enterprises")
    report = upload(client, "enterprises", buffer.getvalue(), name="企业.xlsx")
    assert report.status_code == 200, report.text
    assert report.json()["created"] == 2 and count(client, "enterprises") == before + 2
    sheet.append(["表格导入测试三有限公司", "亚特兰蒂斯", "39", 1])
    buffer = io.BytesIO()
    book.save(buffer)
    refused = upload(client, "enterprises", buffer.getvalue(), name="企业.xlsx")
    assert refused.status_code == 422 and count(client, "enterprises") == before + 2


@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_csv_in_gbk_or_gb18030_imports(client: TestClient, encoding: str) -> None:
    name = "国标编码测试有限公司" + ("𠀾" if encoding == "gb18030" else "")
    text = f"名称,总部城市,行业代码,员工人数\r\n{name},深圳,39,100\r\n"
    report = upload(client, "enterprises", text.encode(encoding), name="excel.csv")
    assert report.status_code == 200, report.text
    assert report.json()["created"] == 1
    found = client.get("/api/v1/enterprises", params={"q": "国标编码测试"}).json()["items"]
    assert [e["name"] for e in found] == [name]


def test_a_file_in_no_known_encoding_is_refused(client: TestClient) -> None:
    response = upload(client, "enterprises", b"\xff\xff,\x80\xff\n")
    assert response.status_code == 422
    assert "GB18030" in response.json()["detail"]


def test_a_broken_xlsx_is_refused_clearly(client: TestClient) -> None:
    response = upload(client, "enterprises", b"PK\x03\x04 not a workbook", name="x.xlsx")
    assert response.status_code == 422 and response.json()["title"] == "Unreadable file"
