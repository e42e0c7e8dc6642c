"""报送情况 (office and admin): who has reported each month, the office's review, 催报 texts to
copy, and publishing the month."""

import streamlit as st

from ui import data, shell, status, status_publish

user = shell.page(need="review")
version = data.data_version()
st.title("报送情况")
st.caption(
    "各责任单位月报的报送、审核与发布：未报送 / 部分报送 / 已报送 / 退回 / 已确认。"
    "发布后该月数据冻结，领导、演示和通报看到的是发布的版本。"
)
status.flash()
month = status.choose_month(version)
if month is not None:
    status.header(version, month)
    status.grid(version, month)
    status.month_units(version, month)
    st.subheader("单位审核与催报", anchor=False)
    status.unit_panel(user, version, month)
    status.remind_all(version, month)
    st.divider()
    status_publish.panel(user, version, month)
