"""One journey per kind of user, in Debian's Chromium against a real ``counterpart serve``.

Skipped, with the reason, when Chromium or Playwright is not installed (``.ci/run`` installs
both); never downloads a browser. Each journey saves a screenshot of its last page in
``var/screenshots/``.
"""

import csv
import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from matching.vocabulary import Role
from profiles.access import create_key
from profiles.models import City
from tests.conftest import KEYS
from tests.durability.server import Server

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed: pip install -e '.[test]'"
)
pytestmark = pytest.mark.skipif(
    shutil.which(CHROMIUM) is None,
    reason=f"no Chromium at {CHROMIUM}: apt-get install -y chromium fonts-noto-cjk",
)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def server(engine: Engine, model_dir: Path, tmp_path: Path) -> Iterator[Server]:
    url = engine.url.render_as_string(hide_password=False)
    env = {"COUNTERPART_CONSOLE_SECRET_FILE": str(tmp_path / "secret")}
    with Server(url, model_dir, tmp_path, env=env) as running:
        yield running


@pytest.fixture
def page(browser: object, server: Server) -> Iterator[object]:
    context = browser.new_context(  # type: ignore[attr-defined]
        base_url=server.url, viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert errors == []  # no script error on any page of the journey


def sign_in(page: object, key: str) -> None:
    page.goto("/signin")
    page.get_by_label("API 密钥").fill(key)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/$"))


def follow(page: object, link: str) -> None:
    """Click a navigation link and wait until the new page (and its scripts) have loaded."""
    page.get_by_role("link", name=link, exact=True).first.click()
    page.wait_for_load_state("load")


def shot(page: object, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(600)  # let the charts finish drawing
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def national_office(engine: Engine) -> str:
    """An office whose scope covers the provinces of every key base city."""
    with Session(engine) as session:
        provinces = sorted(
            {c.province_adcode for c in session.exec(select(City).where(City.is_key_city)).all()}
        )
        _, key = create_key(
            session, principal="国家发展改革委振兴司", role=Role.office, scopes=provinces
        )
        session.commit()
    return key


def test_office_journey(page: object, engine: Engine) -> None:
    sign_in(page, national_office(engine))
    page.wait_for_load_state("load")
    page.get_by_label("查找城市").fill("ganzhou")
    page.locator("#q-suggest a").first.wait_for()
    page.get_by_role("link", name=re.compile("赣州市")).first.click()
    page.wait_for_url(re.compile("/cities/360700"))
    page.get_by_role("link", name="研发+制造").click()
    page.wait_for_selector('.tabs a[aria-current="page"]:has-text("研发+制造")')
    assert "mode=rnd_manufacturing" in page.url  # the URL is the state
    recs = page.locator("#recommendations")
    assert recs.locator(".reasons li").count() >= 10
    page.wait_for_selector('#recommendations [data-chart="map"][data-drawn="true"]')
    boxes = page.get_by_role("checkbox", name="对比")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.get_by_role("button", name="对比所选（最多三个）").click()
    page.wait_for_load_state("load")
    compare = page.locator("table.compare thead")
    first, second = (page.locator(".rec-name").nth(k).inner_text() for k in (0, 1))
    assert first in compare.inner_text() and second in compare.inner_text()
    page.get_by_role("button", name="接受").first.click()
    page.get_by_role("status").filter(has_text="已记录：接受").wait_for()
    follow(page, "方案")
    page.get_by_label("方案标题").fill("重点城市对口合作方案（测试）")
    page.get_by_label("每个合作城市最多对口").fill("2")
    page.get_by_role("button", name="生成方案").click()
    page.wait_for_url(re.compile(r"/plans/\d+$"))
    assert "阻塞对" in page.inner_text("main")
    page.get_by_role("button", name="批准最优方案").click()
    page.wait_for_load_state()
    assert "已批准" in page.locator("h1").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 Excel (.xlsx)").first.click()
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:4] == ("序号", "老区城市", "老区城市代码", "合作城市")
    assert len(rows) == 21 and {r[2] for r in rows[1:]} >= {"360700"}
    shot(page, "office-plan")


def test_enterprise_journey(page: object) -> None:
    sign_in(page, KEYS["某某科技"])
    follow(page, "企业选址")
    page.get_by_label("行业").fill("电池")
    page.get_by_role("button", name=re.compile("^电池|38")).first.click()
    page.get_by_label("总部城市").fill("深圳")
    page.get_by_role("button", name=re.compile("深圳市")).first.click()
    page.get_by_label("所需资源").fill("稀土")
    page.get_by_label("距总部不超过（公里）").fill("800")
    page.get_by_role("button", name="推荐落地城市").click()
    page.wait_for_selector("#results table tbody tr")
    distances = (
        page.locator("#results table").first.locator("tbody td:nth-child(5)").all_inner_texts()
    )
    assert distances and all(int(re.sub(r"\D", "", d)) <= 800 for d in distances)
    excluded = page.locator("details table").inner_text()
    assert "超过上限 800 公里" in excluded
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["名次", "城市", "行政区划代码"]
    assert len([r for r in rows[1:] if r[0] != "排除"]) == len(distances)
    shot(page, "enterprise-sites")


def test_university_journey(page: object) -> None:
    sign_in(page, KEYS["某大学"])
    follow(page, "人才")
    page.locator("#programme").select_option("doctoral_service_team")
    page.get_by_label("高校：其专家对照该项目的岗位").fill("华东理工")
    page.get_by_role("button", name=re.compile("华东理工大学")).first.click()
    page.get_by_role("button", name="匹配").click()
    page.wait_for_selector("#results table")
    body = page.locator("#results").inner_text()
    assert "华东理工大学 的专家" in body and "博士服务团" in body
    assert "✓ 学位" in body and "✗ 学位" in body  # each rule shown passed or failed
    shot(page, "university-talent")


def test_admin_journey(page: object, tmp_path: Path) -> None:
    sign_in(page, KEYS["admin"])
    bad = tmp_path / "企业.csv"
    bad.write_text(
        "名称,总部城市,行业代码\n某储能科技有限公司,深圳,38\n坏行企业,不存在的城市,38\n",
        encoding="utf-8",
    )
    page.goto("/data/enterprises/import")
    page.get_by_label("文件（CSV 或 JSON）").set_input_files(str(bad))
    page.get_by_label("试运行：只检查，不写入").uncheck()
    page.get_by_role("button", name="上传并检查").click()
    report = page.locator("main").inner_text()
    assert "1 行有错，未写入任何数据" in report and "不存在的城市" in report
    page.goto("/data/enterprises?q=某储能科技")
    assert "某储能科技有限公司" not in page.locator("#results").inner_text()
    good = tmp_path / "good.csv"
    good.write_text("名称,总部城市,行业代码\n某储能科技有限公司,深圳,38\n", encoding="utf-8")
    page.goto("/data/enterprises/import")
    page.get_by_label("文件（CSV 或 JSON）").set_input_files(str(good))
    page.get_by_label("试运行：只检查，不写入").uncheck()
    page.get_by_role("button", name="上传并检查").click()
    assert "已写入：新增 1 条" in page.locator("main").inner_text()
    page.goto("/data/enterprises?q=某储能科技")
    assert "某储能科技有限公司" in page.locator("#results").inner_text()
    follow(page, "任务")
    page.get_by_role("button", name="立即运行查找重复").click()
    follow(page, "审核")
    before = int(re.search(r"\d+", page.locator("#dup-title small").inner_text()).group())
    assert before > 0
    page.get_by_role("button", name=re.compile("^合并：保留")).first.click()
    page.wait_for_load_state()
    after = int(re.search(r"\d+", page.locator("#dup-title small").inner_text()).group())
    assert after == before - 1
    shot(page, "admin-review")


def test_anonymous_journey(page: object, server: Server) -> None:
    page.goto("/")
    page.wait_for_selector('[data-chart="map"][data-drawn="true"]')
    nav = page.get_by_role("navigation", name="主导航").inner_text()
    assert "方案" not in nav and "审核" not in nav
    page.goto("/cities/360700")
    assert page.get_by_role("button", name="接受").count() == 0
    assert page.get_by_role("link", name="登录").count() == 1
    forged = page.request.post(
        "/feedback", form={"base_city": "360700", "partner_city": "440300", "verdict": "accepted"}
    )
    assert forged.status == 403 and "CSRF" in forged.text()
    page.goto("/")
    shot(page, "overview")
