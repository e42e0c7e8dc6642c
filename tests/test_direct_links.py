"""A direct link on a freshly started server, page by page under AppTest (ui/guard.py).

Until a script of the server process calls st.navigation, Streamlit runs the page of pages/ a
link names by itself, without dashboard.py (PagesManager.uses_pages_directory, its old multipage
mode). AppTest takes the same path when that flag is set, as it is on a fresh server: each test
here checks that the page did run alone first, then what the guard made of it.
tests/test_browser_access.py opens such links on a real fresh server.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from tests.browser import ROOT
from tests.logins import log_in
from ui import access, guard, shell
from xzcore.demo import ACCOUNTS

# the pages a permission guards: (script, title, permission)
GUARDED = [
    (script, title, shell.NEEDS[Path(script).stem])
    for script, title, _, _ in shell.PAGES
    if Path(script).stem in shell.NEEDS
]
LEADER = next(
    access.auth.User(name, shown, role, units)
    for name, _, role, units, shown in ACCOUNTS
    if name == "leader"
)


@pytest.fixture
def alone(monkeypatch):
    """`alone(at)`: make the app's next run a fresh server's first (the page runs by itself);
    returns the users the pages' shell.page() found, NOT_ROUTED first if it ran alone."""
    found = []
    real = guard.user

    def spy():
        found.append(real())
        return found[-1]

    monkeypatch.setattr(guard, "user", spy)

    def arm():
        monkeypatch.setattr(PagesManager, "uses_pages_directory", True)
        found.clear()
        return found

    return arm


def _app() -> AppTest:
    return AppTest.from_file(ROOT / "dashboard.py", default_timeout=60)


@pytest.mark.parametrize(("script", "title", "need"), GUARDED, ids=[t for _, t, _ in GUARDED])
def test_a_visitors_direct_link_on_a_fresh_server_gets_the_login_form(
    app_db, alone, script, title, need
):
    at = _app()
    found = alone()
    at.switch_page(script).run()
    assert found[0] is guard.NOT_ROUTED  # the page ran alone, then through the router
    assert not at.exception
    assert [t.value for t in at.title] == ["登录"]  # nothing of the page itself
    assert at.info[0].value == f"打开「{title}」需要先登录。"
    assert [t.label for t in at.text_input] == ["用户名", "密码"]
    assert not at.file_uploader and not at.dataframe


REFUSED = [g for g in GUARDED if not access.may(LEADER, g[2])]


@pytest.mark.parametrize(("script", "title", "need"), REFUSED, ids=[t for _, t, _ in REFUSED])
def test_a_viewers_direct_link_on_a_fresh_server_is_refused(app_db, alone, script, title, need):
    at = log_in(_app().run(), "leader")  # signed in before the server restarted
    found = alone()
    at.switch_page(script).run()
    assert found[0] is guard.NOT_ROUTED
    assert not at.exception
    assert f"没有打开「{title}」的权限" in at.error[0].value
    assert title not in [t.value for t in at.title]
    assert not at.file_uploader and not at.dataframe


def test_a_direct_link_on_a_fresh_server_gets_the_router_the_menu_and_the_month(app_db, alone):
    at = _app()
    at.query_params["month"] = "2020-06"
    found = alone()
    at.switch_page("pages/lag.py").run()
    assert found[0] is guard.NOT_ROUTED
    assert not at.exception
    assert [t.value for t in at.title] == ["进度滞后"]
    assert [link.proto.label for link in at.get("page_link")] == [
        *("总览", "投资完成", "进度滞后", "亮灯地图", "红旗/预警", "项目详情", "项目推进"),
        *("月度通报", "登录"),
    ]
    assert "数据截至 2020年1-6月" in " ".join(c.value for c in at.caption)


def test_a_direct_link_in_presentation_mode_on_a_fresh_server_shows_the_slide(app_db, alone):
    at = _app()
    at.query_params.update({"present": "1", "month": "2020-06", "slide": "2"})
    found = alone()
    at.switch_page("pages/lag.py").run()
    assert found[0] is guard.NOT_ROUTED
    assert not at.exception
    html = " ".join(h.value for h in at.html)
    assert "各责任单位投资完成率" in html and "数据截至 2020年1-6月" in html
    assert not at.sidebar.children  # the slide alone, no menu
