"""Accounts in a real browser on a real `streamlit run`: who reaches the upload page (direct
links on freshly started servers included), a login that survives a reload, logout, lockout."""

from __future__ import annotations

import pytest

from tests.browser import demo_db, menu_titles, screenshot, settled, streamlit_server
from tests.logins import WAIT, log_in_browser, session_cookie
from ui.access import COOKIE

pytestmark = pytest.mark.browser

FILE_INPUT = '[data-testid="stFileUploader"] input[type="file"]'


def _direct_upload_link_refused(page, url: str, says: str) -> None:
    page.goto(f"{url}/upload")
    page.get_by_text(says).wait_for(timeout=WAIT)
    settled(page)
    assert page.locator(FILE_INPUT).count() == 0
    assert "上传数据" not in menu_titles(page)


@pytest.mark.parametrize("who", ["anonymous", "leader"])
def test_a_fresh_server_keeps_the_upload_from_anonymous_and_viewers(who, browser, tmp_path):
    path = demo_db(tmp_path)
    with streamlit_server(path) as url:
        context = browser.new_context(viewport={"width": 1920, "height": 1080})
        if who != "anonymous":
            # set before the server has run any page: the first request is the direct link
            context.add_cookies([session_cookie(path, who, url)])
        page = context.new_page()
        if who == "anonymous":
            _direct_upload_link_refused(page, url, "打开「上传数据」需要先登录。")
            assert page.get_by_role("button", name="登录", exact=True).count() == 1
        else:
            _direct_upload_link_refused(page, url, "没有打开「上传数据」的权限")
            assert "当前用户：领导（只读） · 区领导（示例）" in page.inner_text("body")
        screenshot(page, f"access_{who}_direct_upload")
        context.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    path = demo_db(tmp_path_factory.mktemp("browser-access"))
    with streamlit_server(path) as url:
        yield url


def test_staff_log_in_stay_logged_in_after_a_reload_and_log_out(site, browser):
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
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


def _attempt(browser, url: str, password: str) -> None:
    """One login attempt on a freshly loaded page, so that the error seen is this attempt's."""
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(f"{url}/login")
    page.get_by_label("用户名").fill("office")
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    page.get_by_text("用户名或密码错误").wait_for(timeout=WAIT)
    settled(page)
    assert "当前用户：" not in page.inner_text("body")
    page.close()


def test_ten_failed_logins_lock_the_account_and_the_audit_log_shows_them(site, browser):
    for _ in range(10):
        _attempt(browser, site, "wrong-password")
    _attempt(browser, site, "xz-demo-office")  # the right password, refused while locked

    admin = browser.new_page(viewport={"width": 1920, "height": 1080})
    log_in_browser(admin, site, "admin")
    assert {"用户管理", "审计日志", "规则设置"} <= set(menu_titles(admin))
    admin.goto(f"{site}/audit")
    admin.get_by_label("用户名").fill("office")
    admin.get_by_label("用户名").press("Enter")
    admin.get_by_text("共 12 条").wait_for(timeout=WAIT)  # 11 refused logins and the lock
    settled(admin)
    cells = admin.locator('[data-testid="stDataFrame"] td')
    cells.first.wait_for(state="attached", timeout=WAIT)
    texts = cells.all_inner_texts()
    assert texts.count("登录失败") == 11 and texts.count("账号锁定") == 1
    screenshot(admin, "access_audit_log")
