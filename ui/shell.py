"""Page config and navigation, applied by the router and by every page opened directly.

Every page starts with `shell.page()`, so the navigation, the page config and the login check
apply even when Streamlit runs a page without dashboard.py (a direct link on a freshly started
server: ui/guard.py).

Who may open what is decided here and again on the page: the navigation lists only the pages
the user's role may open (a direct link to another one lands on the default page), and a page
that changes data names the permission it needs in `shell.page(need=...)`. The functions that
change data check the role once more in xzcore.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui import access, accounts, autobackup, faults, guard, present, screen
from xzcore import auth

TITLE = "秀洲区重点项目看板"

# Each page: (script, title, icon, url_path or None for the file's name).
PAGES = (
    ("pages/overview.py", "总览", ":material/dashboard:", None),
    ("pages/completion.py", "投资完成", ":material/bar_chart:", None),
    ("pages/lag.py", "进度滞后", ":material/trending_down:", None),
    ("pages/lightmap.py", "亮灯地图", ":material/map:", None),
    ("pages/evaluation.py", "红旗/预警", ":material/flag:", None),
    ("pages/project.py", "项目详情", ":material/search:", "project"),
    ("pages/pipeline.py", "项目推进", ":material/timeline:", "pipeline"),
    ("pages/report.py", "月度通报", ":material/summarize:", None),
    ("pages/problems.py", "问题督办", ":material/assignment_late:", "problems"),
    ("pages/mine.py", "我的", ":material/person:", "mine"),
    ("pages/upload.py", "上传数据", ":material/upload_file:", None),
    ("pages/status.py", "报送情况", ":material/fact_check:", "status"),
    ("pages/users.py", "用户管理", ":material/group:", "users"),
    ("pages/audit.py", "审计日志", ":material/history:", "audit"),
    ("pages/rules.py", "规则设置", ":material/tune:", "rules"),
    ("pages/column_maps.py", "列对应记忆", ":material/table_edit:", "column_maps"),
)
HOME = PAGES[0][0]
ROOT = Path(__file__).resolve().parent.parent
# The permission (xzcore.auth.require) each page needs; the others need only the right to view.
NEEDS = {
    "upload": "upload",
    "status": "review",
    "users": "users",
    "audit": "audit",
    "rules": "settings",
    "column_maps": "settings",
    "problems": "problems",
    "mine": "problems",
}


def _pages() -> tuple[list, st.Page]:
    """The pages and the login page, made anew for every run. st.navigation marks the chosen
    Page object as allowed to run and its run() clears the mark: objects shared by every
    session's thread let two sessions opening the same page at once race, and one of them
    got "This page cannot be called directly" (8–19 % of views at 25–50 viewers, issue 13)."""
    # Absolute paths: Streamlit resolves a relative one against the script it is running,
    # which is pages/x.py itself when a direct link reaches a freshly started server.
    pages = [
        st.Page(ROOT / script, title=title, icon=icon, default=script == HOME, url_path=url)
        for script, title, icon, url in PAGES
    ]
    login = st.Page(
        ROOT / "pages/login.py", title="登录", icon=":material/login:", url_path="login"
    )
    return pages, login


def configure() -> None:
    st.set_page_config(page_title=TITLE, page_icon=":material/construction:", layout="wide")


def allowed_pages(pages: list, login, user: auth.User | None, anonymous_viewing: bool) -> list:
    """The pages this user may open: viewing pages, then what the role permits, then login."""
    viewing = user is not None or anonymous_viewing
    shown = [
        p
        for p in pages
        if (access.may(user, NEEDS[p.url_path]) if p.url_path in NEEDS else viewing)
    ]
    return shown if user is not None else [*shown, login]


def _menu(pages: list) -> None:
    with st.sidebar:
        for p in pages:
            st.page_link(p)


def route() -> None:
    """The router: config, login state, navigation, then the chosen page (dashboard.py calls it).

    Every page stays registered, so any link resolves (Streamlit would otherwise answer a page
    this user may not open with an English "Page not found"); the menu lists what the role may
    open, and a page it may not open is answered here in Chinese, or with the login form.
    A fault of the database file, wherever it surfaces, gets the Chinese fault page instead of
    a traceback; any other exception is a bug and goes on to Streamlit.
    """
    configure()
    try:
        _route()
    except Exception as exc:
        if not faults.shown(exc):
            raise


def _route() -> None:
    autobackup.start()  # once per process: the server has no hook of its own at its start
    user = access.current_user()
    access.write_cookie()
    pages, login = _pages()
    allowed = allowed_pages(pages, login, user, accounts.anonymous_viewing())
    chosen = st.navigation([*pages, login], position="hidden")
    screen.style()  # Chinese only on screen, and the phone's layout (ui/screen.py)
    faults.read_only_notice()
    if present.requested() and allowed[0] is not login:
        present.run()  # ?present=1: the meeting slides
        return
    screen.phone_script()
    _menu(allowed)
    access.sidebar(user)
    if user is None and chosen in allowed and chosen is not login:
        screen.login_link()  # a phone's one tap to the login form
    if chosen not in allowed and chosen is not login:
        access.refuse(chosen.title, user)
        return
    with guard.routed(user):
        chosen.run()


def page(need: str | None = None) -> auth.User | None:
    """First line of every page: the user, once the router runs the page (ui/guard.py: a page
    Streamlit runs alone runs the router instead). `need` names the permission the page needs,
    checked again here."""
    user = guard.user()
    if user is guard.NOT_ROUTED:
        route()
        st.stop()
    if need is not None and not access.may(user, need):
        access.refuse(None, user)
        st.stop()
    return user
