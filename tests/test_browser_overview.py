"""The overview in a real browser: a real `streamlit run`, Debian's Chromium, a screenshot."""

import pytest

from tests.browser import screenshot

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(demo_site):
    return demo_site.url


@pytest.mark.parametrize(("width", "height"), [(1920, 1080), (390, 844)])
def test_overview_shows_the_demo_figures_in_chinese(server, tabs, width, height):
    page = tabs.screen(width, height)
    page.goto(f"{server}/?month=2020-08")
    page.get_by_text("累计完成投资与时序进度").first.wait_for(timeout=30000)
    page.locator(".js-plotly-plot").nth(1).wait_for(timeout=30000)
    body = page.inner_text("body")
    assert "113 个" in body
    assert "80.0%" in body
    assert "示例数据" in body
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlert"]').count() == 0
    screenshot(page, f"overview_{width}x{height}")
