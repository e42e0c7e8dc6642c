"""A month in a real browser: a unit sends the office's usual 进展情况表 (GBK, title, 填报单位
line, group row, 合计 row; plan and September side by side), visitors keep seeing August, the
office sees September marked 未发布 with the unit's figures in, publishes it on 报送情况, and
then everyone sees September.

Screenshots go to test-artifacts/ (1920×1080, and the visitor's overview at 390×844).
"""

from __future__ import annotations

import re
from decimal import Decimal

import duckdb
import pytest

from tests.browser import demo_copy, screenshot, settled, streamlit_server
from tests.logins import log_in_browser

pytestmark = pytest.mark.browser
WAIT = 60000
UNIT = "王江泾镇人民政府"
ADDED = Decimal(200)  # 万元 each project of the unit completed in September


def _combined_table(db) -> tuple[bytes, dict]:
    """The unit's 进展情况表 for 1-9月 from the demo's own August figures, and what the overview
    must then show for September (in 亿元, as it prints them)."""
    con = duckdb.connect(str(db), read_only=True)  # closed before the dashboard opens it
    try:
        rows = con.execute(
            """SELECT p.code, p.name, p.total_investment, a.plan, g.ytd FROM projects p
               JOIN annual_plans a ON a.project_id = p.id AND a.year = 2020
               JOIN progress g ON g.project_id = p.id AND g.year = 2020 AND g.month = 8
               WHERE p.unit = ? ORDER BY p.id""",
            [UNIT],
        ).fetchall()
        plan, done = con.execute(
            """SELECT sum(a.plan), sum(g.ytd) FROM annual_plans a JOIN progress g
               ON g.project_id = a.project_id AND g.year = 2020 AND g.month = 8
               WHERE a.year = 2020"""
        ).fetchone()
    finally:
        con.close()
    lines = [
        "秀洲区2020年1-9月重点项目进展情况表,,,,,,,,",
        f"填报单位：{UNIT},,,,,,,单位：万元,",
        "序号,项目代码,项目名称,总投资,年度计划投资,1-9月完成投资,完成率,形象进度,存在问题",
        "一、省市区重点项目,,,,,,,,",
    ]
    for i, (code, name, total, plan_, ytd) in enumerate(rows, start=1):
        plan_ += 100 if i == 1 else 0  # the first project's plan was raised by 100 万元
        new = ytd + ADDED
        lines.append(
            f"{i},{code},{name},{total:f},{plan_:f},{new:f},{new / plan_ * 100:.1f}%,主体施工,"
        )
    lines.append(",,合计,,,,,,")
    data = ("\r\n".join(lines) + "\r\n").encode("gbk")
    expected = {
        "projects": len(rows),
        "plan": f"{(plan + 100) / 10000:.2f}亿元",
        "completed": f"{(done + ADDED * len(rows)) / 10000:.2f}亿元",
    }
    return data, expected


@pytest.fixture(scope="module")
def site(demo_template, tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser-cycle")
    db = demo_copy(demo_template, folder)
    data, expected = _combined_table(db)
    with streamlit_server(db) as url:
        yield url, data, expected


def _page(browser, width=1920, height=1080):
    return browser.new_page(viewport={"width": width, "height": height})


def _no_exception(page):
    assert page.locator('[data-testid="stException"]').count() == 0


def _overview(tabs, url, query="", width=1920, height=1080):
    """A visitor's overview (a tab kept open between tests: tests/browser.Tabs)."""
    page = tabs.screen(width, height)
    page.goto(f"{url}/{query}")
    page.get_by_text("累计完成投资与时序进度").first.wait_for(timeout=WAIT)
    settled(page, WAIT)
    return page


def test_a_units_combined_table_then_the_office_publishes_the_month(site, browser, tabs):
    url, data, expected = site
    # the unit's staff upload the 进展情况表: both parts in the preview, one batch
    page = _page(browser)
    log_in_browser(page, url, "staff")
    page.get_by_role("link", name="上传数据").click()
    page.get_by_text("上传记录").first.wait_for(timeout=WAIT)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        {"name": "王江泾镇9月进展情况表.csv", "mimeType": "text/csv", "buffer": data}
    )
    page.get_by_text("进展情况表（计划+月报）").first.wait_for(timeout=WAIT)
    page.get_by_role("tab", name=re.compile("计划表部分.*变更 1")).wait_for(timeout=WAIT)
    page.get_by_role("tab", name=re.compile(f"月报部分.*新增 {expected['projects']}")).wait_for(
        timeout=WAIT
    )
    page.get_by_text("没有发现问题，可以导入。").wait_for(timeout=WAIT)
    _no_exception(page)
    screenshot(page, "cycle_1_combined_preview_1920x1080")
    page.get_by_role("button", name="确认导入").click()
    page.get_by_text(re.compile(r"已导入：批次#\d+")).wait_for(timeout=WAIT)
    _no_exception(page)
    page.close()

    # a visitor still sees August, as published, and nothing of the half-reported September
    for size in ({}, {"width": 390, "height": 844}):
        visitor = _overview(tabs, url, "?month=2020-09", **size)
        body = visitor.inner_text("body")
        assert "数据截至 2020年1-8月" in body and "未发布（已报送" not in body  # no banner
        assert "尚未发布" in body  # the link asked for September: it says why August is shown
        _no_exception(visitor)
        name = "1920x1080" if not size else "390x844"
        screenshot(visitor, f"cycle_2_visitor_august_{name}")

    # the office sees September being collected, marked, with the unit's figures in
    office = _page(browser)
    log_in_browser(office, url, "office")
    office.goto(f"{url}/?month=2020-09")
    office.get_by_text("累计完成投资与时序进度").first.wait_for(timeout=WAIT)
    settled(office, WAIT)
    body = office.inner_text("body")
    banner = f"未发布（已报送 {expected['projects']}/113 个项目，1/19 个单位）"
    assert banner in body and "数据截至 2020年1-9月" in body
    assert expected["completed"] in body and expected["plan"] in body
    _no_exception(office)
    screenshot(office, "cycle_3_office_collecting_1920x1080")

    # the office publishes September on 报送情况, after confirming what is missing
    office.get_by_role("link", name="报送情况").click()
    office.get_by_text(re.compile("我已核对未报送情况")).first.wait_for(timeout=WAIT)
    publish = office.get_by_role("button", name=re.compile("发布2020年9月"))
    assert publish.is_disabled()
    office.get_by_text(re.compile("我已核对未报送情况")).first.click()
    office.wait_for_function(
        "() => [...document.querySelectorAll('button')].some("
        "b => b.innerText.includes('发布2020年9月') && !b.disabled)",
        timeout=WAIT,
    )
    publish.click()
    office.get_by_text(re.compile("已发布2020年9月：第 1 版")).wait_for(timeout=WAIT)
    _no_exception(office)
    screenshot(office, "cycle_4_published_1920x1080", top=True)
    office.close()

    # now everyone opens on September, as published
    visitor = _overview(tabs, url)
    body = visitor.inner_text("body")
    assert "数据截至 2020年1-9月" in body and "未发布（已报送" not in body
    assert expected["completed"] in body
    _no_exception(visitor)
    screenshot(visitor, "cycle_5_visitor_september_1920x1080")
