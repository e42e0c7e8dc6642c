"""Nodes in a real browser: the office marks two nodes done on the project page — 油车港长水塘
大桥's 投产/交付使用 (due 31 August, so 应投产未投产) and the longest overdue node — and 项目推进
follows: 投产 one more, 应投产未投产 and the overdue list one fewer.

Screenshots go to test-artifacts/: 隆基's Gantt at 1920×1080 and 390×844 (the chart alone and
the page), 项目推进 at 1920×1080.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser import (
    ARTIFACTS,
    after_a_rerun,
    demo_copy,
    screenshot,
    settled,
    streamlit_server,
)
from tests.logins import log_in_browser
from xzcore.nodes import states
from xzcore.period import Month
from xzcore.store import db

# one worker runs the module, in order, on its one server (make test: --dist loadgroup)
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("nodes_server")]
WAIT = 60000
PHONE, SCREEN = (390, 844), (1920, 1080)
BRIDGE = "油车港长水塘大桥改建工程"


@pytest.fixture(scope="module")
def server(demo_template, tmp_path_factory):
    path = demo_copy(demo_template, tmp_path_factory.mktemp("nodes"))
    with db.connect(path, read_only=True) as con:
        bridge = con.execute(
            "SELECT n.project_id, n.name FROM project_nodes n JOIN projects p ON p.id ="
            " n.project_id WHERE p.name = ? AND n.stage = '投运'",
            [BRIDGE],
        ).fetchone()
        late = states.overdue(con, Month(2020, 8)).iloc[0]
    with streamlit_server(path) as url:
        yield url, bridge, (int(late["project_id"]), late["name"])


def _page(browser, url: str, size, username: str):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]})
    page = context.new_page()
    log_in_browser(page, url, username)
    return page


def _go(page, url: str) -> None:
    page.goto(url)
    page.get_by_role("heading", level=1).first.wait_for(timeout=WAIT)
    settled(page, timeout=WAIT)


def _metric(page, label: str) -> tuple[str, str]:
    found = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    value = found.locator('[data-testid="stMetricValue"]').inner_text()
    return value, found.locator('[data-testid="stMetricDelta"]').inner_text()


def _tab(page, start: str) -> str:
    return page.get_by_role("tab").filter(has_text=start).first.inner_text()


def _mark_done(page, url: str, project: int, node: str, day: tuple[str, str, str]) -> None:
    _go(page, f"{url}/project?project={project}")
    page.get_by_text("修改节点", exact=True).click()
    box = page.get_by_role("combobox", name="节点")
    box.wait_for(timeout=WAIT)
    chosen = box.input_value()
    box.click()
    option = page.get_by_role("option", name=node, exact=True)
    try:
        option.wait_for(timeout=5000)
    except PlaywrightTimeout:  # the list closed again before it was drawn: open it once more
        box.click()
    if chosen == node:  # the first node, chosen already: no rerun
        option.click(timeout=WAIT)
    else:  # the node's form is drawn by the rerun the choice starts: dates typed into the
        # form drawn before would be lost (seen under load: 保存节点 then saved nothing)
        after_a_rerun(page, lambda: option.click(timeout=WAIT), timeout=WAIT)
    page.get_by_text(f"{node}", exact=True).first.wait_for(timeout=WAIT)
    settled(page, timeout=WAIT)
    label = "实际完成日期（未完成留空）"
    for segment, value in zip(("year", "month", "day"), day, strict=True):
        page.get_by_role("spinbutton", name=f"{segment}, {label}").click()
        page.keyboard.type(value)
    page.get_by_role("button", name="保存节点", exact=True).click()
    page.get_by_text(f"已保存节点“{node}”").first.wait_for(timeout=WAIT)
    settled(page, timeout=WAIT)


def test_the_office_marks_nodes_done_and_the_pipeline_follows(server, browser):
    url, bridge, (late_project, late_node) = server
    office = _page(browser, url, SCREEN, "office")
    _go(office, f"{url}/pipeline")
    assert _metric(office, "投产率") == ("3.5%", "已投产 4 个 ÷ 签约项目 113 个")
    assert _tab(office, "应投产未投产") == "应投产未投产（1）"
    assert _tab(office, "超期节点") == "超期节点（6）"

    _mark_done(office, url, *bridge, ("2020", "08", "30"))
    _mark_done(office, url, late_project, late_node, ("2020", "08", "25"))

    _go(office, f"{url}/pipeline")
    assert _metric(office, "投产率") == ("4.4%", "已投产 5 个 ÷ 签约项目 113 个")
    assert _tab(office, "应投产未投产") == "应投产未投产（0）"
    assert _tab(office, "超期节点") == "超期节点（5）"
    screenshot(office, "nodes_pipeline_1920x1080", top=True)
    assert office.locator('[data-testid="stException"]').count() == 0
    office.context.close()


@pytest.mark.parametrize("size", [SCREEN, PHONE], ids=["1920x1080", "390x844"])
def test_longis_gantt_on_a_screen_and_a_phone(server, tabs, size):
    url = server[0]
    page = tabs.screen(*size)
    _go(page, f"{url}/project?project=1")
    chart = page.locator('[data-testid="stPlotlyChart"]').last
    chart.scroll_into_view_if_needed()
    chart.locator(".main-svg").first.wait_for(timeout=WAIT)
    text = chart.inner_text()
    assert "设备安装" in text and "目标 2020-11-30" in text and "截至 2020-08-31" in text
    name = f"nodes_gantt_{size[0]}x{size[1]}"
    ARTIFACTS.mkdir(exist_ok=True)
    chart.screenshot(path=ARTIFACTS / f"{name}.png")
    screenshot(page, f"{name}_page")
    assert page.locator('[data-testid="stException"]').count() == 0


def test_the_pipeline_on_a_phone(server, tabs):
    url = server[0]
    page = tabs.screen(*PHONE)
    _go(page, f"{url}/pipeline")
    assert "已开工 113 个 ÷ 1-8月计划应开工 113 个" in page.inner_text("body")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE[0]  # nothing wider than the phone
    screenshot(page, "nodes_pipeline_390x844", top=True)
    assert page.locator('[data-testid="stException"]').count() == 0


def test_the_nodes_slide_fits_a_projector(server, browser):
    url = server[0]
    page = _page(browser, url, SCREEN, "office")
    page.goto(f"{url}/?present=1&month=2020-08&slide=9")  # a slide has no page heading
    page.locator(".xz-number").wait_for(timeout=WAIT)
    settled(page, timeout=WAIT)
    assert page.locator(".xz-number").inner_text() == "9 / 9"
    body = page.inner_text("body")
    assert "节点超期" in body and "按责任单位" in body and "超期最久的节点" in body
    fits = page.evaluate(
        """() => {
            const main = document.querySelector('[data-testid="stMain"]');
            const slide = document.querySelector('.st-key-present_slide');
            return [main.scrollHeight, main.clientHeight, slide.scrollHeight, slide.clientHeight];
        }"""
    )
    assert fits[0] <= fits[1] and fits[2] <= fits[3], fits  # no scrolling on a projector
    screenshot(page, "nodes_slide_1920x1080", top=True)
    assert page.locator('[data-testid="stException"]').count() == 0
    page.context.close()
