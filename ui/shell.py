"""Page config and navigation, applied by the router and by every page opened directly."""

from __future__ import annotations

import streamlit as st

TITLE = "秀洲区重点项目看板"

PAGES = [
    st.Page("pages/overview.py", title="总览", icon=":material/dashboard:", default=True),
    st.Page("pages/upload.py", title="上传数据", icon=":material/upload_file:"),
]


def configure() -> None:
    st.set_page_config(page_title=TITLE, page_icon=":material/construction:", layout="wide")
