"""Every page in a real browser: by direct link, by the navigation, at a projector's 1920×1080
and a phone's 390×844, and a click from a chart to a project. (A direct link on a freshly
started server: tests/test_browser_access.py and tests/test_direct_links.py.)"""

from __future__ import annotations

import pytest

from tests.browser import MENU, screenshot, settled

pytestmark = pytest.mark.browser

# path, title, a text the page must show for 2020-08 on the demo data
PAGES = [
    ("/", "总览", "80.0%"),
    ("/completion", "投资完成", "数据截至 2020年1-8月"),
    ("/lag", "进度滞后", "时序进度"),
    ("/lightmap", "亮灯地图", "示意"),
    ("/evaluation", "红旗/预警", "红旗项目（12 个）"),
    ("/project?project=1", "项目详情", "隆基乐叶年产5GW单晶组件项目"),
    ("/pipeline", "项目推进", "已开工 113 个 ÷ 1-8月计划应开工 113 个"),
    ("/report", "月度通报", "秀洲区重点项目建设进展情况通报（2020年1-8月）"),
]
SIZES = [(1920, 1080), (390, 844)]


@pytest.fixture(scope="module")
def server(demo_site):
    return demo_site.url


def _no_error(page) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    assert "Traceback" not in page.inner_text("body")


def _open(tabs, url: str, size) -> object:
    page = tabs.screen(*size)
    page.goto(url)
    settled(page, timeout=60000)
    return page


@pytest.mark.parametrize("size", SIZES, ids=["1920x1080", "390x844"])
@pytest.mark.parametrize(("path", "title", "text"), PAGES, ids=[p[1] for p in PAGES])
def test_every_page_by_direct_link(server, tabs, path, title, text, size):
    joiner = "&" if "?" in path else "?"
    page = _open(tabs, f"{server}{path}{joiner}month=2020-08", size)
    page.get_by_role("heading", name=title).first.wait_for(timeout=30000)
    body = page.inner_text("body")
    assert text in body
    _no_error(page)
    name = path.strip("/").split("?")[0] or "overview"
    screenshot(page, f"page_{name}_{size[0]}x{size[1]}", top=True)


def test_the_navigation_reaches_every_page_and_keeps_the_month(server, tabs):
    page = _open(tabs, f"{server}/?month=2020-07", SIZES[0])
    for _, title, _ in PAGES[1:]:
        page.locator(MENU).get_by_text(title, exact=True).click()
        page.get_by_role("heading", name=title).first.wait_for(timeout=30000)
        settled(page)
        if title != "项目详情":
            assert "数据截至 2020年1-7月" in page.inner_text("body")
        _no_error(page)


def test_a_click_on_a_project_in_a_chart_opens_its_detail(server, tabs):
    page = _open(tabs, f"{server}/lag?month=2020-08", SIZES[0])
    point = page.locator(".js-plotly-plot .scatterlayer .point").first
    point.wait_for(timeout=30000)
    point.click(force=True)
    page.get_by_role("heading", name="项目详情").first.wait_for(timeout=30000)
    settled(page)
    assert "project=" in page.url
    _no_error(page)
    screenshot(page, "page_project_after_click_1920x1080", top=True)
