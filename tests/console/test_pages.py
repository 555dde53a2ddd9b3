"""The console through the real app: pages, sign-in, CSRF, policy, errors, downloads, assets."""

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from console.render import CSP, STATIC
from tests.conftest import KEYS
from tests.console.conftest import csrf_of

PUBLIC_PAGES = [
    "/",
    "/cities",
    "/cities/360700",
    "/cities/360700?mode=rnd_manufacturing",
    "/cities/440300",
    "/sites?industry=38&hq=深圳&resources=稀土&max_distance_km=800",
    "/invest?city=赣州",
    "/talent?programme=doctoral_service_team&university=54",
    "/data/enterprises",
    "/data/zones?kind=national_new_area",
    "/data/pairings",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_render_in_chinese_with_a_strict_policy(browser, path: str) -> None:
    answer = browser(None).get(path)
    assert answer.status_code == 200, answer.text[:800]
    assert answer.headers["content-security-policy"] == CSP
    assert '<html lang="zh-CN">' in answer.text
    assert "Traceback" not in answer.text
    css = (STATIC / "console.css").stat().st_size
    assert len(answer.content) + css <= 200 * 1024  # a page's own HTML + CSS


def test_the_city_page_shows_partners_reasons_and_map_data(browser) -> None:
    page = browser(None).get("/cities/360700?mode=rnd_manufacturing").text
    assert "推荐的合作城市" in page
    assert 'aria-current="page">研发+制造' in page
    assert 'data-chart="map"' in page and 'id="city-map"' in page
    assert "公里" in page and '<ul class="reasons">' in page
    partner = browser(None).get("/cities/440300").text
    assert (
        "可对口支持的老区城市" in partner
    )  # a partner city lists the base cities it could support


def test_compare_puts_up_to_three_side_by_side(browser) -> None:
    page = browser(None).get("/cities/360700?compare=440300&compare=440100").text
    table = page[page.index('class="compare"') :]
    assert "深圳市" in table and "广州市" in table


def test_typeahead_understands_pinyin_and_typos(browser) -> None:
    client = browser(None)
    assert "赣州市" in client.get("/suggest/city", params={"q": "ganzhou"}).text
    assert "赣州市" in client.get("/suggest/city", params={"q": "赣洲"}).text
    typed = {"industry": "电池", "field": "industry", "target": "industry"}
    # 电池 resolves at the finest level the standard allows: 中类 384 电池制造 (under 大类 38)
    assert 'data-value="384"' in client.get("/suggest/industry", params=typed).text


def test_anonymous_visitors_are_offered_no_write_control(browser) -> None:
    client = browser(None)
    nav = client.get("/").text
    for hidden in ("/plans", "/review", "/jobs", "/subscriptions"):
        assert f'href="{hidden}"' not in nav
    city = client.get("/cities/360700").text
    assert 'action="/feedback"' not in city
    data = client.get("/data/enterprises").text
    assert "/data/enterprises/new" not in data and "批量导入" not in data
    assert client.get("/plans", follow_redirects=False).headers["location"].startswith("/signin")


def test_a_post_without_the_csrf_token_is_refused(browser) -> None:
    client = browser("admin")
    forged = client.post(
        "/feedback",
        data={"base_city": "360700", "partner_city": "440300", "verdict": "accepted"},
    )
    assert forged.status_code == 403
    assert "CSRF" in forged.text and "Traceback" not in forged.text
    wrong = client.post(
        "/feedback",
        data={"base_city": "360700", "partner_city": "440300", "verdict": "accepted"},
        headers={"X-CSRF-Token": "0" * 64},
    )
    assert wrong.status_code == 403
    token = csrf_of(client)
    done = client.post(
        "/feedback",
        data={"base_city": "360700", "partner_city": "440300", "verdict": "accepted"},
        headers={"X-CSRF-Token": token, "HX-Request": "true"},
    )
    assert done.status_code == 200 and "已记录：接受" in done.text


def test_signing_in_sets_a_signed_http_only_strict_cookie_without_the_key(browser) -> None:
    client = browser(None)
    token = csrf_of(client, "/signin")
    answer = client.post(
        "/signin",
        data={"api_key": KEYS["赣州市发改委"], "csrf_token": token, "next": "/cities/360700"},
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/cities/360700"
    cookie = answer.headers["set-cookie"]
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
    assert KEYS["赣州市发改委"] not in cookie
    secret = KEYS["赣州市发改委"].split("_", 2)[2]
    assert secret not in cookie
    page = client.get("/").text
    assert "赣州市发改委" in page and 'href="/plans"' in page
    client.post("/signout", data={"csrf_token": csrf_of(client)})
    assert "赣州市发改委" not in client.get("/").text


def test_a_wrong_key_is_refused_in_chinese(browser) -> None:
    client = browser(None)
    token = csrf_of(client, "/signin")
    answer = client.post("/signin", data={"api_key": "cpk_nope_nope", "csrf_token": token})
    assert answer.status_code == 401 and "无法登录" in answer.text


def test_a_forged_cookie_is_a_fresh_anonymous_session(browser) -> None:
    client = browser("admin")
    client.cookies.set("cp_console", client.cookies.get("cp_console")[:-4] + "abcd")
    assert 'href="/jobs"' not in client.get("/").text


def test_a_revoked_key_ends_its_session(browser, engine) -> None:
    from sqlmodel import Session, select

    from profiles.models import ApiKey

    client = browser("viewer")
    assert "viewer" in client.get("/").text
    with Session(engine) as session:
        row = session.exec(select(ApiKey).where(ApiKey.principal == "viewer")).one()
        from profiles.access import revoke_key

        revoke_key(session, key_id=row.id)
        session.commit()
    page = client.get("/").text
    assert "登录已失效" in page and "viewer（" not in page


def test_what_a_page_offers_follows_the_api_policy(browser) -> None:
    viewer, office, admin = browser("viewer"), browser("赣州市发改委"), browser("admin")
    assert 'href="/plans"' not in viewer.get("/").text
    assert 'href="/plans"' in office.get("/").text
    assert 'href="/jobs"' in office.get("/").text  # offices see job lists (GET /api/v1/jobs)
    jobs = office.get("/jobs").text
    assert "立即运行" not in jobs.split("运行记录")[0].replace(
        "立即运行</th>", ""
    )  # run is admin-only
    assert "立即运行" in admin.get("/jobs").text
    assert viewer.get("/plans").status_code == 403
    assert "无权执行此操作" in viewer.get("/plans").text


def test_errors_are_chinese_pages_never_traces(browser) -> None:
    client = browser(None)
    missing = client.get("/cities/999999")
    assert missing.status_code == 404 and "找不到城市" in missing.text
    bad = client.get("/sites", params={"industry": "38", "hq": "不存在的地方"})
    assert bad.status_code == 422 and "总部城市" in bad.text
    wrong = client.get("/sites", params={"industry": "38", "hq": "深圳", "max_distance_km": "-5"})
    assert wrong.status_code == 422 and "Traceback" not in wrong.text


def test_site_downloads_match_the_table(browser) -> None:
    client = browser(None)
    query = {"industry": "38", "hq": "深圳", "resources": "稀土", "max_distance_km": "800"}
    csv_text = client.get("/sites.csv", params=query).content.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("名次,城市,行政区划代码")
    book = load_workbook(io.BytesIO(client.get("/sites.xlsx", params=query).content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:3] == ("名次", "城市", "行政区划代码")
    excluded = [r for r in rows if r[0] == "排除"]
    assert excluded and all("超过上限 800 公里" in r[-1] or r[-1] for r in excluded)
    ranked = [r for r in rows[1:] if r[0] != "排除"]
    assert all(r[6] <= 800 for r in ranked)


def test_plans_are_built_approved_and_exported_with_chinese_headers(browser) -> None:
    client = browser("admin")
    token = csrf_of(client, "/plans")
    answer = client.post(
        "/plans",
        data={
            "csrf_token": token,
            "base_preset": "key",
            "partner_preset": "candidates",
            "capacity": "2",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text[:600]
    plan_path = answer.headers["location"]
    page = client.get(plan_path).text
    assert "最优方案" in page and "稳定方案" in page and "阻塞对" in page
    approved = client.post(
        plan_path + "/approve", data={"csrf_token": token, "solution": "optimal"}
    )
    assert approved.status_code == 200 and "已批准" in approved.text
    book = load_workbook(io.BytesIO(client.get(plan_path + "/optimal.xlsx").content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:4] == ("序号", "老区城市", "老区城市代码", "合作城市")
    assert len(rows) == 21  # the 20 key cities


def test_import_dry_run_reports_rows_and_writes_nothing(browser, tmp_path: Path) -> None:
    client = browser("admin")
    token = csrf_of(client, "/data/enterprises/import")
    bad = "名称,总部城市,行业代码\n某电池科技有限公司,深圳,38\n坏行企业,不存在的城市,38\n"
    answer = client.post(
        "/data/enterprises/import",
        data={"csrf_token": token},
        files={"file": ("bad.csv", bad.encode(), "text/csv")},
    )
    assert "1 行有错，未写入任何数据" in answer.text
    assert re.search(r'<td class="num">2</td><td>总部城市</td>', answer.text)
    listed = client.get("/data/enterprises", params={"q": "某电池科技"}).text
    assert "某电池科技有限公司" not in listed


def test_new_record_form_shows_inline_chinese_errors(browser) -> None:
    client = browser("admin")
    token = csrf_of(client, "/data/enterprises/new")
    answer = client.post("/data/enterprises/new", data={"csrf_token": token, "name": "x"})
    assert answer.status_code == 422
    assert "请修改标红的内容后再提交" in answer.text and "总部城市：必填" in answer.text
    assert 'class="field has-error"' in answer.text


def test_docs_render_from_vendored_assets(browser) -> None:
    client = browser(None)
    for path, asset in (
        ("/docs", "/static/vendor/swagger-ui/swagger-ui-bundle.js"),
        ("/redoc", "/static/vendor/redoc/redoc.standalone.js"),
    ):
        html = client.get(path).text
        assert asset in html and "cdn." not in html and "googleapis" not in html
        assert client.get(asset).status_code == 200
    for asset in (
        "/static/vendor/echarts/echarts.min.js",
        "/static/vendor/htmx/htmx.min.js",
        "/static/vendor/china-map/china.json",
    ):
        assert client.get(asset).status_code == 200
    licences = list((STATIC / "vendor").glob("*/LICENSE"))
    assert len(licences) == 5


@pytest.mark.parametrize("path", [p for p in PUBLIC_PAGES if p not in ("/", "/cities")])
def test_htmx_gets_only_the_page_block(browser, path: str) -> None:
    for client in (browser(None), browser("admin")):
        answer = client.get(path, headers={"HX-Request": "true"})
        assert answer.status_code == 200, answer.text[:800]
        assert "<html" not in answer.text and 'id="' in answer.text


def test_an_unreadable_import_file_is_explained_in_chinese(browser) -> None:
    client = browser("admin")
    token = csrf_of(client, "/data/enterprises/import")
    answer = client.post(
        "/data/enterprises/import",
        data={"csrf_token": token, "dry_run": "true"},
        files={"file": ("x.json", b"{not json", "application/json")},
    )
    assert answer.status_code == 422 and "无法读取文件" in answer.text
    assert "Traceback" not in answer.text


def test_the_zones_page_says_how_complete_the_list_is(browser) -> None:
    page = browser(None).get("/data/zones?kind=national_new_area").text
    assert "开发区与开放平台" in page and "江西赣江新区" in page
    assert "国家级新区 19 / 19" in page and "综合保税区 3 / 约160" in page


def test_a_site_shows_its_city_zone(browser) -> None:
    page = browser(None).get("/sites?industry=38&hq=深圳&zone_kind=national_etdz&limit=5").text
    assert "园区：" in page and "瑞金经济技术开发区" in page
    assert "开发区名录中没有该市的国家级经济技术开发区" in page


def test_a_record_made_in_the_console_is_audited_to_whoever_made_it(browser, client) -> None:
    console = browser("admin")
    token = csrf_of(console, "/data/enterprises/new")
    made = console.post(
        "/data/enterprises/new",
        data={
            "csrf_token": token,
            "name": "审计留痕测试企业",
            "hq_city": "440300",
            "industry_codes": "39",
        },
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    entries = client.get("/api/v1/admin/audit", params={"kind": "enterprise"}).json()["items"]
    made_here = [e for e in entries if (e["after"] or {}).get("name") == "审计留痕测试企业"]
    assert [e["principal"] for e in made_here] == ["admin"]
