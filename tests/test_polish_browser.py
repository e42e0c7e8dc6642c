"""Issue 14 item 7 in a real browser: nothing the overview's figures say is cut at 1366 pixels,
and the red-flag and warning lists show their lights whole at 1920 and 1366."""

from __future__ import annotations

import pytest

from tests.browser import screenshot, settled

pytestmark = pytest.mark.browser

SIZES = [(1920, 1080), (1366, 768), (390, 844)]
# every text of a figure whose box is narrower than its words ("164.13…")
CUT = """() => [...document.querySelectorAll('[data-testid="stMetric"] *')]
    .filter(e => e.children.length === 0 && e.scrollWidth > e.clientWidth + 1)
    .map(e => e.textContent)"""


@pytest.fixture(scope="module")
def server(demo_site):
    return demo_site.url


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_overview_figures_are_whole(server, tabs, width, height):
    page = tabs.screen(width, height)
    page.goto(f"{server}/?month=2020-08")
    page.get_by_text("累计完成投资与时序进度").first.wait_for(timeout=30000)
    settled(page)
    values = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    assert [v.strip() for v in values][1:3] == ["164.13亿元", "131.30亿元"]
    assert page.evaluate(CUT) == []
    screenshot(page, f"polish_overview_{width}x{height}")


@pytest.mark.parametrize(("width", "height"), SIZES[:2])
def test_evaluation_lists_show_their_lights_whole(server, tabs, width, height):
    page = tabs.screen(width, height)
    page.goto(f"{server}/evaluation?month=2020-08")
    page.get_by_text("预警（蜗牛）项目").first.wait_for(timeout=30000)
    settled(page)
    grids = page.locator('[data-testid="stDataFrame"]')
    assert grids.count() == 2
    for i, after in enumerate(("入选规则", "开工滞后（月）")):
        # the grid draws only the columns in view: the one after 亮灯 is there, so 亮灯 is whole
        grid = grids.nth(i)
        grid.scroll_into_view_if_needed()
        grid.locator('[role="columnheader"]').first.wait_for(state="attached", timeout=30000)
        headers = grid.locator('[role="columnheader"]').all_inner_texts()
        assert "亮灯" in headers and after in headers, headers
    screenshot(page, f"polish_evaluation_{width}x{height}")
