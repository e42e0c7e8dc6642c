"""Controls and stamps every page shows the same way."""

from __future__ import annotations

import streamlit as st

from ui import data
from xzcore.rules import PRESETS, SCHEDULE_MODES


def month_picker(version: str) -> str:
    """The month the page is viewed as of; kept in the URL so a copied link opens the same view."""
    months = data.months(version)
    if not months:
        st.warning("数据库中还没有任何月报数据。")
        st.stop()
    wanted = st.query_params.get("month", months[-1])
    index = months.index(wanted) if wanted in months else len(months) - 1
    month = st.sidebar.selectbox("报告月份", months, index=index, format_func=_month_label)
    st.query_params["month"] = month
    return month


def _month_label(month: str) -> str:
    year, m = month.split("-")
    return f"{year}年1-{int(m)}月" if int(m) > 1 else f"{year}年1月"


def preset_title(name: str) -> str:
    return PRESETS[name].title


def header(title: str, month: str, version: str) -> None:
    st.title(f"{title}")
    summary = data.summary(version, month)
    stamp = (
        f"数据截至 {_month_label(month)}　·　时序进度：{SCHEDULE_MODES[summary['schedule_mode']]}"
    )
    if data.is_demo(version):
        stamp += "　·　**示例数据**"
    st.caption(stamp)
