"""Page config and navigation, applied by the router and by every page opened directly.

Streamlit still discovers the pages/ folder: on a freshly started server a direct link to
/upload runs pages/upload.py as the main script, without dashboard.py. Every page therefore
starts with `shell.page()`, which runs the router when the router is not already running it,
so the navigation, the page config (and any later login check) always apply.
"""

from __future__ import annotations

import contextvars

import streamlit as st

from ui import present

TITLE = "秀洲区重点项目看板"

PAGES = [
    st.Page("pages/overview.py", title="总览", icon=":material/dashboard:", default=True),
    st.Page("pages/completion.py", title="投资完成", icon=":material/bar_chart:"),
    st.Page("pages/lag.py", title="进度滞后", icon=":material/trending_down:"),
    st.Page("pages/lightmap.py", title="亮灯地图", icon=":material/map:"),
    st.Page("pages/evaluation.py", title="红旗/预警", icon=":material/flag:"),
    st.Page("pages/project.py", title="项目详情", icon=":material/search:", url_path="project"),
    st.Page("pages/upload.py", title="上传数据", icon=":material/upload_file:"),
]

_ROUTED = contextvars.ContextVar("routed", default=False)


def configure() -> None:
    st.set_page_config(page_title=TITLE, page_icon=":material/construction:", layout="wide")


def route() -> None:
    """The router: config, navigation, then the chosen page (dashboard.py calls only this)."""
    configure()
    if present.requested():  # ?present=1: the meeting slides; the pages stay known, none drawn
        st.navigation(PAGES, position="hidden")
        present.run()
        return
    navigation = st.navigation(PAGES)
    token = _ROUTED.set(True)
    try:
        navigation.run()
    finally:
        _ROUTED.reset(token)


def page() -> None:
    """First line of every page: run through the router if this run did not come from it."""
    if not _ROUTED.get():
        route()
        st.stop()
