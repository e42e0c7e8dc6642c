"""Upload in a real browser: a GBK report for 2020-09 in, preview, commit, the overview, undo.

A screenshot at each step goes to test-artifacts/ (1920×1080).
"""

from __future__ import annotations

import re

import pytest

from tests.browser import demo_copy, screenshot, streamlit_server
from tests.logins import log_in_browser
from tests.reports import september

pytestmark = pytest.mark.browser
WAIT = 30000
# One row with an error (no such project), one with a warning (cumulative below August's).
PROBLEMS = (
    "秀洲区重点项目2020年1-9月进展情况\r\n项目代码,项目名称,累计完成投资（万元）\r\n"
    "XZ2020-001,隆基乐叶年产5GW单晶组件项目,1000\r\nXZ9999-001,不存在的项目,10\r\n"
)


@pytest.fixture(scope="module")
def site(demo_template, tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser-upload")
    db = demo_copy(demo_template, folder)
    report, expected = september(db)  # read before the dashboard locks the file
    path = folder / "秀洲区重点项目进展月报.csv"
    path.write_bytes(report)
    with streamlit_server(db) as url:
        yield url, path, expected


def _open_upload_page(office, url):
    """A new tab of the office's browser (signed in once, at the test's start)."""
    page = office.new_page()
    page.goto(url)
    page.get_by_role("link", name="上传数据").click()
    page.get_by_text("上传记录").first.wait_for(timeout=WAIT)
    return page


def _month_options(office, url) -> list[str]:
    """The months the office may open (September, being collected, among them once in)."""
    page = office.new_page()
    page.goto(f"{url}/?month=2020-09")
    page.get_by_text("累计完成投资与时序进度").first.wait_for(timeout=WAIT)
    page.locator(".js-plotly-plot").nth(1).wait_for(timeout=WAIT)
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    options = page.get_by_role("option")
    options.first.wait_for(timeout=WAIT)
    return page, options.all_inner_texts()


def _cell(page, text: str) -> None:
    """Wait for a table cell: the grid draws on a canvas and mirrors its cells in a hidden table."""
    cell = page.locator('[data-testid="stDataFrame"] td').filter(has_text=text)
    cell.first.wait_for(state="attached", timeout=WAIT)


def _no_exception(page):
    assert page.locator('[data-testid="stException"]').count() == 0


def test_upload_commit_see_the_month_then_undo_it(site, browser):
    url, report, expected = site
    office = browser.new_context(viewport={"width": 1920, "height": 1080})
    log_in_browser(office.new_page(), url, "office")
    page = _open_upload_page(office, url)
    _no_exception(page)
    screenshot(page, "upload_1_empty_1920x1080")

    files = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    files.set_input_files(
        {"name": "有问题的月报.csv", "mimeType": "text/csv", "buffer": PROBLEMS.encode("gbk")}
    )
    page.get_by_text("问题：1 处错误，1 条警告").wait_for(timeout=WAIT)
    _cell(page, "不存在的项目")
    assert page.get_by_role("button", name="确认导入").is_disabled()
    assert page.get_by_role("button", name="下载错误清单（Excel）").count() == 1
    screenshot(page, "upload_2_problems_1920x1080")

    files.set_input_files(report)  # the good file takes the bad one's place
    page.get_by_text("没有发现问题，可以导入。").wait_for(timeout=WAIT)
    body = page.inner_text("body")
    assert "月度进展月报" in body and "2020年1-9月" in body
    for _, name, _ in expected:
        _cell(page, name)
    commit = page.get_by_role("button", name="确认导入")
    page.wait_for_function(
        "() => [...document.querySelectorAll('button')].some("
        "b => b.innerText.includes('确认导入') && !b.disabled)",
        timeout=WAIT,
    )
    _no_exception(page)
    screenshot(page, "upload_3_preview_1920x1080")

    commit.click()
    page.get_by_text(re.compile(r"已导入：批次#10")).wait_for(timeout=WAIT)
    _cell(page, "office")  # the history lists the new batch, by the account that made it
    _no_exception(page)
    screenshot(page, "upload_4_committed_1920x1080", top=True)
    page.close()

    overview, options = _month_options(office, url)
    assert options[-1] == "2020年1-9月（收集中，未发布）"  # not published: the office only
    overview.keyboard.press("Escape")
    stamp = overview.inner_text("body")
    assert "数据截至 2020年1-9月" in stamp and "未发布（已报送 3/113 个项目" in stamp
    _no_exception(overview)
    screenshot(overview, "upload_5_overview_2020-09_1920x1080")
    overview.close()

    page = _open_upload_page(office, url)
    page.get_by_text("确认撤销批次#10").click()  # the newest batch is the one offered first
    page.wait_for_function(
        "() => [...document.querySelectorAll('button')].some("
        "b => b.innerText.includes('撤销该批次') && !b.disabled)",
        timeout=WAIT,
    )
    page.get_by_role("button", name="撤销该批次").click()
    page.get_by_text("已撤销批次#10").wait_for(timeout=WAIT)
    _cell(page, "已撤销")
    # the demo's own batches are not this account's to undo: nothing is offered any more
    assert page.get_by_text("选择要撤销的批次").count() == 0
    _no_exception(page)
    screenshot(page, "upload_6_undone_1920x1080", top=True)
    page.close()

    overview, options = _month_options(office, url)
    assert not any("2020年1-9月" in o for o in options) and options[-1] == "2020年1-8月"
    screenshot(overview, "upload_7_overview_after_undo_1920x1080")
    office.close()
