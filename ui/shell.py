"""Page config and navigation, applied by the router and by every page opened directly.

Streamlit still discovers the pages/ folder: on a freshly started server a direct link to
/upload runs pages/upload.py as the main script, without dashboard.py. Every page therefore
starts with `shell.page()`, which runs the router when the router is not already running it,
so the navigation, the page config and the login check always apply.

Who may open what is decided here and again on the page: the navigation lists only the pages
the user's role may open (a direct link to another one lands on the default page), and a page
that changes data names the permission it needs in `shell.page(need=...)`. The functions that
change data check the role once more in xzcore.
"""

from __future__ import annotations

import contextvars

import streamlit as st

from ui import access, accounts, present
from xzcore import auth

TITLE = "秀洲区重点项目看板"

PAGES = [
    st.Page("pages/overview.py", title="总览", icon=":material/dashboard:", default=True),
    st.Page("pages/completion.py", title="投资完成", icon=":material/bar_chart:"),
    st.Page("pages/lag.py", title="进度滞后", icon=":material/trending_down:"),
    st.Page("pages/lightmap.py", title="亮灯地图", icon=":material/map:"),
    st.Page("pages/evaluation.py", title="红旗/预警", icon=":material/flag:"),
    st.Page("pages/project.py", title="项目详情", icon=":material/search:", url_path="project"),
    st.Page("pages/report.py", title="月度通报", icon=":material/summarize:"),
    st.Page("pages/upload.py", title="上传数据", icon=":material/upload_file:"),
    st.Page("pages/status.py", title="报送情况", icon=":material/fact_check:", url_path="status"),
    st.Page("pages/users.py", title="用户管理", icon=":material/group:", url_path="users"),
    st.Page("pages/audit.py", title="审计日志", icon=":material/history:", url_path="audit"),
    st.Page("pages/rules.py", title="规则设置", icon=":material/tune:", url_path="rules"),
    st.Page(
        "pages/column_maps.py",
        title="列对应记忆",
        icon=":material/table_edit:",
        url_path="column_maps",
    ),
]
# The permission (xzcore.auth.require) each page needs; the others need only the right to view.
NEEDS = {
    "upload": "upload",
    "status": "review",
    "users": "users",
    "audit": "audit",
    "rules": "settings",
    "column_maps": "settings",
}
LOGIN = st.Page("pages/login.py", title="登录", icon=":material/login:", url_path="login")

_ROUTED = contextvars.ContextVar("routed", default=False)
_USER = contextvars.ContextVar("user", default=None)


def configure() -> None:
    st.set_page_config(page_title=TITLE, page_icon=":material/construction:", layout="wide")


def allowed_pages(user: auth.User | None, anonymous_viewing: bool) -> list:
    """The pages this user may open: viewing pages, then what the role permits, then login."""
    viewing = user is not None or anonymous_viewing
    pages = [
        p
        for p in PAGES
        if (access.may(user, NEEDS[p.url_path]) if p.url_path in NEEDS else viewing)
    ]
    return pages if user is not None else [*pages, LOGIN]


def _menu(pages: list) -> None:
    with st.sidebar:
        for p in pages:
            st.page_link(p)


def route() -> None:
    """The router: config, login state, navigation, then the chosen page (dashboard.py calls it).

    Every page stays registered, so any link resolves (Streamlit would otherwise answer a page
    this user may not open with an English "Page not found"); the menu lists what the role may
    open, and a page it may not open is answered here in Chinese, or with the login form.
    """
    configure()
    user = access.current_user()
    access.write_cookie()
    allowed = allowed_pages(user, accounts.anonymous_viewing())
    chosen = st.navigation([*PAGES, LOGIN], position="hidden")
    if present.requested() and allowed[0] is not LOGIN:
        present.run()  # ?present=1: the meeting slides
        return
    _menu(allowed)
    access.sidebar(user)
    if chosen not in allowed and chosen is not LOGIN:
        access.refuse(chosen.title, user)
        return
    routed, who = _ROUTED.set(True), _USER.set(user)
    try:
        chosen.run()
    finally:
        _ROUTED.reset(routed)
        _USER.reset(who)


def page(need: str | None = None) -> auth.User | None:
    """First line of every page: run through the router if this run did not come from it, and
    return the user. `need` names the permission the page needs, checked again here."""
    if not _ROUTED.get():
        route()
        st.stop()
    user = _USER.get()
    if need is not None and not access.may(user, need):
        access.refuse(None, user)
        st.stop()
    return user
