"""Issue 14 items 12–14: the leader's phone (390×844, touch, as Playwright emulates a phone).

12. The sidebar closes after a tap on the menu; the login form is one tap from any page.
13. No chart toolbar over the titles; a tap on a unit's bar filters to it, a tap on a project
    (the lag chart, the map) opens it. plotly.js takes a click for the point under the last
    hover, and a finger never hovers: ui/screen.py hovers where a finger lands.
14. Project lists are cards (name, light, reason, unit) on a phone and the table on a wide screen.
And screenshots of the main pages at 1920×1080, 1366×768 and 390×844, for a person to look at.
"""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from tests.browser import MENU, screenshot, settled
from tests.logins import PASSWORDS

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}
SIDEBAR = '[data-testid="stSidebar"]'
WAIT = 30000


@pytest.fixture(scope="module")
def server(demo_site):
    return demo_site.url


@pytest.fixture
def phone(tabs):
    return tabs.phone()


def _open(page, url: str) -> None:
    page.goto(url)
    settled(page, timeout=60000)


def _sidebar_open(page) -> bool:
    return page.locator(SIDEBAR).get_attribute("data-collapsed") == "false"


def _fits_the_width(page) -> None:
    """Nothing wider than the phone: no sideways swipe on the page itself."""
    wide = page.evaluate(
        "() => { const m = document.querySelector('[data-testid=\"stMain\"]');"
        " return [m.scrollWidth, m.clientWidth, document.documentElement.scrollWidth]; }"
    )
    assert wide[0] <= wide[1] + 1 and wide[2] <= 391, wide


def test_the_sidebar_closes_after_every_menu_tap(server, phone):
    _open(phone, f"{server}/?month=2020-08")
    assert not _sidebar_open(phone)  # a phone opens on the page, not the menu
    for title in ("进度滞后", "红旗/预警", "总览"):
        phone.locator('[data-testid="stExpandSidebarButton"]').tap()
        phone.wait_for_function(
            "s => document.querySelector(s).getAttribute('data-collapsed') === 'false'",
            arg=SIDEBAR,
        )
        phone.locator(MENU).get_by_text(title, exact=True).tap()
        phone.get_by_role("heading", name=title).first.wait_for(timeout=WAIT)
        phone.wait_for_function(
            "s => document.querySelector(s).getAttribute('data-collapsed') === 'true'",
            arg=SIDEBAR,
            timeout=WAIT,
        )
        settled(phone)
        box = phone.locator(SIDEBAR).bounding_box()
        assert box is None or box["x"] + box["width"] <= 0  # out of the way, not over the page
    screenshot(phone, "phone_after_menu_tap_390x844", top=True)


def test_the_login_form_is_one_tap_away(server, browser, tabs):
    context = browser.new_context(**PHONE)  # its own: the login's cookie stays in it
    phone = context.new_page()
    _open(phone, f"{server}/lag?month=2020-08")
    link = phone.locator(".xz-login")
    assert link.is_visible() and link.bounding_box()["y"] < 200  # at the top, no scrolling
    link.tap()  # the one tap
    phone.get_by_label("用户名").wait_for(timeout=WAIT)
    settled(phone)
    assert phone.get_by_label("用户名").is_visible()
    assert phone.get_by_label("密码", exact=True).is_visible()
    screenshot(phone, "phone_login_390x844", top=True)
    phone.get_by_label("用户名").fill("leader")
    phone.get_by_label("密码", exact=True).fill(PASSWORDS["leader"])
    phone.get_by_role("button", name="登录", exact=True).tap()
    phone.get_by_text("当前用户：").first.wait_for(state="attached", timeout=WAIT)
    settled(phone)
    assert phone.locator(".xz-login").count() == 0  # signed in: no more link
    # on a wide screen the menu has 登录 in sight; no second link over the page
    context.close()
    wide = tabs.screen()
    _open(wide, f"{server}/lag?month=2020-08")
    assert not wide.locator(".xz-login").is_visible()


def test_no_chart_toolbar_on_a_phone_and_a_tap_on_a_bar_filters(server, phone):
    _open(phone, f"{server}/completion?month=2020-08")
    bar = phone.locator(".js-plotly-plot .barlayer .point").first
    bar.wait_for(timeout=WAIT)
    assert phone.locator(".js-plotly-plot .modebar-container").first.is_hidden()
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    unit = bar.evaluate(  # the bar's group, as the chart's data names it
        "p => p.closest('.js-plotly-plot').data[0].y[p.__data__.i]"
    )
    phone.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    phone.wait_for_function("() => location.search.includes('unit=')", timeout=WAIT)
    settled(phone)
    assert f"unit={unit}" in unquote(phone.url)
    assert f"筛选：责任单位 {unit}" in phone.inner_text("body")
    _fits_the_width(phone)


def test_a_tap_on_a_project_point_opens_it(server, phone):
    _open(phone, f"{server}/lag?month=2020-08")
    point = phone.locator(".js-plotly-plot .scatterlayer .point").first
    point.wait_for(timeout=WAIT)
    point.scroll_into_view_if_needed()
    box = point.bounding_box()
    phone.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    phone.get_by_role("heading", name="项目详情").first.wait_for(timeout=WAIT)
    assert "project=" in phone.url


def test_a_tap_on_a_project_on_the_map_opens_it(server, phone):
    _open(phone, f"{server}/lightmap?month=2020-08")
    chart = phone.locator(".js-plotly-plot").first
    chart.locator("canvas").first.wait_for(timeout=WAIT)
    chart.scroll_into_view_if_needed()
    settled(phone)
    # where the first red project is on the screen, as the map library places it
    point = chart.evaluate(
        """gd => {
            const map = gd._fullLayout.map._subplot.map;
            const t = gd._fullData.find(t => t.customdata && t.name.startsWith('红灯'));
            const at = map.project([t.lon[0], t.lat[0]]);
            const box = map.getCanvas().getBoundingClientRect();
            return {x: box.left + at.x, y: box.top + at.y, id: t.customdata[0][0]};
        }"""
    )
    phone.touchscreen.tap(point["x"], point["y"])
    phone.get_by_role("heading", name="项目详情").first.wait_for(timeout=WAIT)
    assert f"project={point['id']}" in phone.url


@pytest.mark.parametrize("path", ["/evaluation", "/lag"])
def test_project_lists_are_cards_on_a_phone_and_tables_on_a_wide_screen(server, phone, tabs, path):
    _open(phone, f"{server}{path}?month=2020-08")
    cards = phone.locator(".xz-card")
    cards.first.wait_for(timeout=WAIT)
    assert phone.locator('[class*="st-key-xz_wide_"] [data-testid="stDataFrame"]').count()
    for table in phone.locator('[class*="st-key-xz_wide_"]').all():
        assert table.is_hidden()
    first = cards.first
    text = first.inner_text()
    assert first.locator("a").inner_text() in text  # the name, a link to the project
    assert any(mark in text for mark in ("绿灯", "黄灯", "红灯"))
    assert first.locator(".xz-card-reason").inner_text().strip()
    assert first.locator(".xz-card-unit").inner_text().strip()
    assert first.bounding_box()["width"] <= 390
    _fits_the_width(phone)
    first.scroll_into_view_if_needed()
    screenshot(phone, f"phone_cards{path.replace('/', '_')}_390x844")
    name = first.locator("a").inner_text()
    first.locator("a").tap()
    phone.get_by_role("heading", name="项目详情").first.wait_for(timeout=WAIT)
    settled(phone)
    assert name in phone.inner_text("body")

    wide = tabs.screen()
    _open(wide, f"{server}{path}?month=2020-08")
    wide.locator('[class*="st-key-xz_wide_"] [data-testid="stDataFrame"]').first.wait_for()
    assert wide.locator(".xz-card").first.is_hidden()


PAGES = ["/", "/completion", "/lag", "/lightmap", "/evaluation", "/report"]
SIZES = [(1920, 1080), (1366, 768), (390, 844)]


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_screenshots_of_the_main_pages(server, tabs, size):
    phone = size[0] < 600
    page = tabs.phone() if phone else tabs.screen(*size)
    for path in PAGES:
        _open(page, f"{server}{path}?month=2020-08")
        page.locator('[data-testid="stMain"] h1').first.wait_for(timeout=WAIT)
        if path not in ("/report", "/evaluation"):  # lists, and the bulletin's pictures
            page.locator(".js-plotly-plot .main-svg >> visible=true").first.wait_for(timeout=WAIT)
        if phone:
            _fits_the_width(page)
            assert page.locator(".js-plotly-plot .modebar-container").count() == 0 or all(
                m.is_hidden() for m in page.locator(".js-plotly-plot .modebar-container").all()
            )
        name = path.strip("/") or "overview"
        screenshot(page, f"phone14_{name}_{size[0]}x{size[1]}", top=True)
