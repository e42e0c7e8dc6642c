"""Accounts in a real browser on a real `streamlit run`: direct links on a freshly started
server, a login that survives a reload, logout, a wrong password."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import demo_copy, menu_titles, screenshot, settled, streamlit_server
from tests.logins import WAIT, log_in_browser, session_cookie
from ui import shell
from ui.access import COOKIE

pytestmark = pytest.mark.browser

FILE_INPUT = '[data-testid="stFileUploader"] input[type="file"]'
SIZE = {"width": 1920, "height": 1080}
# the pages a permission guards, by the path of their link, and their titles
GUARDED = {
    Path(script).stem: title
    for script, title, _, _ in shell.PAGES
    if Path(script).stem in shell.NEEDS
}
VIEWING = [
    "总览",
    "投资完成",
    "进度滞后",
    "亮灯地图",
    "红旗/预警",
    "项目详情",
    "项目推进",
    "月度通报",
]


def test_direct_links_on_a_fresh_server_show_the_login_never_the_page(
    demo_template, tmp_path, browser
):
    """Every link is opened before the server has answered any: the first to arrive reach it
    before any script has called st.navigation, so Streamlit runs those pages by themselves,
    without dashboard.py (ui/guard.py; tests/test_direct_links.py takes that path page by page).
    A visitor gets the login form for each guarded page, a leader signed in before the start is
    refused the upload, and a viewing page and a slide still come through the router."""
    path = demo_copy(demo_template, tmp_path)
    leader = session_cookie(path, "leader", "http://127.0.0.1")
    with streamlit_server(path) as url:  # nothing has run on this server yet
        visitor, signed_in = (browser.new_context(viewport=SIZE) for _ in range(2))
        signed_in.add_cookies([leader | {"url": url}])
        opened = {}
        links = [*(f"/{name}" for name in GUARDED), "leader /upload", "/lag?month=2020-06",
                 "/lag?present=1&month=2020-06&slide=2"]  # fmt: skip
        for link in links:  # each in a tab of its own, not waiting for any to load
            context = signed_in if link.startswith("leader ") else visitor
            page = context.new_page()
            page.goto(url + link.removeprefix("leader "), wait_until="commit")
            opened[link] = page

        for name, title in GUARDED.items():
            page = opened[f"/{name}"]
            page.get_by_text(f"打开「{title}」需要先登录。").wait_for(timeout=WAIT)
            settled(page)
            assert page.locator('[data-testid="stMain"] h1').all_inner_texts() == ["登录"], name
            assert page.get_by_role("button", name="登录", exact=True).count() == 1
            assert page.locator(FILE_INPUT).count() == 0
            assert page.locator('[data-testid="stDataFrame"]').count() == 0
            assert title not in menu_titles(page)
        screenshot(opened["/upload"], "access_anonymous_direct_upload")

        page = opened["leader /upload"]
        page.get_by_text("没有打开「上传数据」的权限").wait_for(timeout=WAIT)
        settled(page)
        assert page.locator(FILE_INPUT).count() == 0
        assert "上传数据" not in menu_titles(page)
        assert "当前用户：领导（只读） · 区领导（示例）" in page.inner_text("body")
        screenshot(page, "access_leader_direct_upload")

        page = opened["/lag?month=2020-06"]
        page.get_by_text("数据截至 2020年1-6月").first.wait_for(timeout=WAIT)
        settled(page)
        assert page.title() == "秀洲区重点项目看板"
        assert menu_titles(page) == [*VIEWING, "登录"]

        page = opened["/lag?present=1&month=2020-06&slide=2"]
        page.locator(".xz-title").wait_for(timeout=WAIT)
        settled(page)
        assert page.locator(".xz-title").inner_text() == "各责任单位投资完成率"
        assert "数据截至 2020年1-6月" in page.locator(".xz-head").inner_text()
        assert not page.locator('[data-testid="stSidebar"]').is_visible()

        for page in opened.values():
            assert page.locator('[data-testid="stException"]').count() == 0
            assert "Traceback" not in page.inner_text("body")
        visitor.close()
        signed_in.close()


def test_staff_log_in_stay_logged_in_after_a_reload_and_log_out(demo_site, browser):
    site = demo_site.url
    context = browser.new_context(viewport=SIZE)
    page = context.new_page()
    log_in_browser(page, site, "staff")
    assert any(c["name"] == COOKIE for c in context.cookies())
    page.reload()
    page.get_by_text("当前用户：").first.wait_for(timeout=WAIT)
    settled(page)
    assert "上传数据" in menu_titles(page) and "用户管理" not in menu_titles(page)
    page.goto(f"{site}/upload")
    page.get_by_text("可修改：王江泾镇人民政府的项目").wait_for(timeout=WAIT)
    page.locator(FILE_INPUT).wait_for(state="attached", timeout=WAIT)
    screenshot(page, "access_staff_upload")
    page.get_by_role("button", name="退出登录").click()
    page.get_by_text("未登录：只能查看").wait_for(timeout=WAIT)
    page.reload()
    page.get_by_text("未登录：只能查看").wait_for(timeout=WAIT)
    assert "上传数据" not in menu_titles(page)
    context.close()


def test_a_wrong_password_signs_nobody_in_and_the_audit_log_shows_it(demo_site, browser):
    """The form's answer and the cookie a browser keeps; the lock after ten wrong passwords and
    its log are test_auth's, the audit page's filters test_access_pages'."""
    site = demo_site.url
    context = browser.new_context(viewport=SIZE)
    page = context.new_page()
    page.goto(f"{site}/login")
    page.get_by_label("用户名").fill("office")
    page.get_by_label("密码", exact=True).fill("wrong-password")
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_text("用户名或密码错误").wait_for(timeout=WAIT)
    settled(page)
    assert "当前用户：" not in page.inner_text("body")
    assert not [c for c in context.cookies() if c["name"] == COOKIE]
    context.close()

    admin = demo_site.page(browser, "admin", viewport=SIZE)
    admin.goto(f"{site}/audit")
    admin.get_by_label("用户名").fill("office")
    admin.get_by_label("用户名").press("Enter")
    admin.get_by_text("登录失败").first.wait_for(state="attached", timeout=WAIT)
    settled(admin)
    cells = admin.locator('[data-testid="stDataFrame"] td')
    cells.first.wait_for(state="attached", timeout=WAIT)
    texts = cells.all_inner_texts()
    # this test's attempt alone: no other test gives a wrong password on this server
    assert texts.count("登录失败") == 1 and "账号锁定" not in texts
    screenshot(admin, "access_audit_log")
    admin.context.close()
